//! One module per route.

pub mod accept;
pub mod home;
pub mod invite;
pub mod mailbox;
pub mod node;
pub mod node_access;
pub mod not_found;
pub mod role_editor;
pub mod roles;
pub mod setup;
pub mod sign_in;
pub mod user;

pub use accept::AcceptInvitationPage;
pub use home::HomePage;
pub use mailbox::MailboxPage;
pub use node::NodePage;
pub use not_found::NotFoundPage;
pub use roles::RolesPage;
pub use setup::SetupPage;
pub use sign_in::SignInPage;
pub use user::UserPage;
