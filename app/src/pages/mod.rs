//! One module per route.

pub mod home;
pub mod node;
pub mod node_access;
pub mod not_found;
pub mod setup;
pub mod sign_in;

pub use home::HomePage;
pub use node::NodePage;
pub use not_found::NotFoundPage;
pub use setup::SetupPage;
pub use sign_in::SignInPage;
