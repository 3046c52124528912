//! Server functions, grouped by resource. Every one is reachable at `/api/<endpoint>`.
//!
//! Deny by default: the server refuses every call without a valid session before the
//! function runs, except the endpoints in [`PUBLIC_ENDPOINTS`]. Node-scoped functions then
//! check the caller's permission at that node with `server::policy::require`.

pub mod access_groups;
pub mod account;
pub mod audit_log;
pub mod auth;
pub mod bulk_add;
pub mod call_prefs;
pub mod call_teams;
pub mod contacts;
pub mod directory;
pub mod invitations;
pub mod lifecycle;
pub mod members;
pub mod nodes;
pub mod password_reset;
pub mod profile;
pub mod roles;
pub mod setup;
pub mod teams;
pub mod tree;
pub mod users;

/// Endpoints callable without a session. Keep this list short; a test holds every other
/// registered endpoint to answering 401 to an anonymous caller.
pub const PUBLIC_ENDPOINTS: &[&str] = &[
    "/api/sign_in",
    "/api/sign_out",
    "/api/get_session",
    "/api/complete_setup",
    "/api/get_invitation",
    "/api/accept_invitation",
    "/api/request_password_reset",
    "/api/get_password_reset",
    "/api/reset_password",
];
