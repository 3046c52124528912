//! Server functions, grouped by resource. Every one is reachable at `/api/<endpoint>`.
//!
//! Deny by default: the server refuses every call without a valid session before the
//! function runs, except the endpoints in [`PUBLIC_ENDPOINTS`]. Node-scoped functions then
//! check the caller's permission at that node with `server::policy::require`.

pub mod auth;
pub mod invitations;
pub mod members;
pub mod nodes;
pub mod roles;
pub mod setup;
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
];
