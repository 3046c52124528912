//! Security events: one structured log line each (target `security`, so operators can route
//! them), and an audit entry where an administrator should see it. Never a password, token,
//! cookie or link: only who, what, when and from where.

use super::{
    audit::{self, Actor, Entry},
    auth,
    clock::Millis,
};
use crate::domain::{NodeId, UserId};

/// Logs `event` (e.g. `sign_in_failed`) for the current request's client.
pub fn log(event: &'static str, user: Option<UserId>) {
    tracing::info!(
        target: "security",
        event,
        user = user.map(|u| u.0),
        client = %auth::client_ip(),
        "security event"
    );
}

/// A person's own security event in the audit log, filed at the account that created them
/// (where their administrators look).
pub struct PersonEvent<'a> {
    pub user: UserId,
    pub name: &'a str,
    pub home: Option<NodeId>,
    pub action: &'a str,
    pub details: &'a str,
    pub at: Millis,
}

pub async fn audit(conn: &mut sqlx::AnyConnection, e: PersonEvent<'_>) -> Result<(), sqlx::Error> {
    audit::record(
        conn,
        Entry {
            at: e.at,
            actor: Actor { id: Some(e.user), name: e.name },
            action: e.action,
            target: Some((e.user, e.name)),
            node: e.home,
            details: e.details,
        },
    )
    .await
}

/// The same, in a transaction of its own (for events recorded after the answer was sent).
pub async fn audit_detached(db: &super::db::Db, e: PersonEvent<'_>) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    audit(&mut tx, e).await?;
    tx.commit().await
}
