//! Reusable pieces of the interface.

pub mod after_action;
pub mod auth_card;
pub mod breadcrumbs;
pub mod create_by_name;
pub mod feedback;
pub mod field;
pub mod form;
pub mod layout;
pub mod member_list;
pub mod node_frame;
pub mod node_section;
pub mod refresh;
pub mod tree;

pub use after_action::AfterAction;
pub use auth_card::{AuthCard, NewPasswordFields};
pub use breadcrumbs::Breadcrumbs;
pub use create_by_name::CreateByNameForm;
pub use feedback::{
    Confirm, ConfirmButton, ConfirmDialog, ConfirmedForm, ToastRegion, Toasts, provide_toasts,
    use_toasts,
};
pub use field::{Field, FieldValue};
pub use form::{Alert, SetCheckbox};
pub use layout::{AdminLayout, use_session};
pub use member_list::{MemberList, person_view};
pub use node_frame::{
    Loaded, NodeDetailResource, answer_with_status, frame_error, no_node, node_detail, node_if,
    use_node_id,
};
pub use node_section::NodeSection;
pub use refresh::{Refresh, use_refresh};
pub use tree::AccountTree;
