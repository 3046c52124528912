//! Queries, grouped by table. Each function takes a connection (usually a transaction's),
//! so the server function that calls it owns the transaction boundary.

pub mod bulk;
pub mod call_prefs;
pub mod email_lookups;
pub mod invitations;
pub mod memberships;
pub mod nodes;
pub mod password_resets;
pub mod roles;
pub mod user_status;
pub mod users;

/// `$from, $from+1, …` for `n` values bound in that order: an `IN (…)` list that both
/// backends accept. Callers must not pass `n == 0` (`IN ()` is not SQL).
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}
