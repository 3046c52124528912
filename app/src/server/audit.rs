//! The audit log: written in the same transaction as the change it records.

use super::clock::Millis;
use crate::domain::{NodeId, UserId};

/// Someone acting: a person, or the system itself (CLI, first-run setup).
pub struct Actor<'a> {
    pub id: Option<UserId>,
    pub name: &'a str,
}

pub struct Entry<'a> {
    pub at: Millis,
    pub actor: Actor<'a>,
    pub action: &'a str,
    pub target: Option<(UserId, &'a str)>,
    pub node: Option<NodeId>,
    pub details: &'a str,
}

pub async fn record(conn: &mut sqlx::AnyConnection, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, target_user_id, target_name, \
         node_id, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(e.at)
    .bind(e.actor.id.map(|u| u.0))
    .bind(e.actor.name)
    .bind(e.action)
    .bind(e.target.map(|(id, _)| id.0))
    .bind(e.target.map(|(_, name)| name.to_owned()))
    .bind(e.node.map(|n| n.0))
    .bind(e.details)
    .execute(conn)
    .await?;
    Ok(())
}
