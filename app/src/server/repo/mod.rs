//! Queries, grouped by table. Each function takes a connection (usually a transaction's),
//! so the server function that calls it owns the transaction boundary.

pub mod memberships;
pub mod nodes;
pub mod roles;
pub mod users;
