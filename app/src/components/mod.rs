//! Reusable pieces of the interface.

pub mod form;
pub mod layout;

pub use form::{Alert, Field, use_load_on_success};
pub use layout::{AdminLayout, use_session};
