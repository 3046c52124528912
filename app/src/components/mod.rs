//! Reusable pieces of the interface.

pub mod form;
pub mod layout;
pub mod tree;

pub use form::{Alert, Field, failure, on_success, use_load_on_success};
pub use layout::{AdminLayout, use_session};
pub use tree::AccountTree;
