//! Types shared by the server and the browser. Nothing here touches the database or the
//! network; constructors named `parse` validate input the same way on both sides.

pub mod audit;
pub mod call_prefs;
pub mod email;
pub mod ids;
pub mod node;
pub mod password;
pub mod permission;
pub mod phone;
pub mod picture;
pub mod profile;
pub mod role;
pub mod role_rules;
pub mod user;
pub mod viewer;

pub use email::Email;
pub use ids::{NodeId, RoleId, UserId};
pub use node::{NodeKind, NodeSummary};
pub use permission::{Permission, PermissionArea};
pub use role::BuiltinRole;
pub use user::UserStatus;
pub use viewer::Viewer;
