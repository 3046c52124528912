//! Reusable pieces of the interface.

pub mod breadcrumbs;
pub mod feedback;
pub mod form;
pub mod layout;
pub mod tree;

pub use breadcrumbs::Breadcrumbs;
pub use feedback::{
    Confirm, ConfirmButton, ConfirmDialog, ConfirmedForm, ToastRegion, Toasts, provide_toasts,
    use_toasts,
};
pub use form::{Alert, Field, failure, on_success, use_load_on_success};
pub use layout::{AdminLayout, use_session};
pub use tree::AccountTree;
