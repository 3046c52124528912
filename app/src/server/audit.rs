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

/// What to list: entries at `node` or below it, newest first, older than `before_id`.
pub struct Query<'a> {
    pub node: NodeId,
    /// Prefix of the actor's name, any case.
    pub actor: Option<&'a str>,
    /// Prefix of the target person's name, any case.
    pub target: Option<&'a str>,
    pub action: Option<&'a str>,
    /// From this instant (inclusive) to that one (exclusive).
    pub from: Option<Millis>,
    pub until: Option<Millis>,
    pub before_id: Option<i64>,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
pub struct Row {
    pub id: i64,
    pub at: i64,
    pub actor_name: String,
    pub action: String,
    pub target_user_id: Option<i64>,
    pub target_name: Option<String>,
    pub node_id: Option<i64>,
    pub node_name: Option<String>,
    pub details: String,
}

/// `%` and `_` typed by people match themselves.
fn like_prefix(s: &str) -> String {
    let mut out: String = s
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    out.push('%');
    out
}

/// One page of entries, newest first (keyset on the id: no OFFSET, stable while entries are
/// added).
pub async fn list(conn: &mut sqlx::AnyConnection, q: &Query<'_>) -> Result<Vec<Row>, sqlx::Error> {
    let mut sql = String::from(
        "SELECT a.id, a.at, a.actor_name, a.action, a.target_user_id, a.target_name, a.node_id, \
         n.name AS node_name, a.details FROM audit_log a LEFT JOIN nodes n ON n.id = a.node_id \
         WHERE a.node_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = $1)",
    );
    let mut n = 1;
    let mut next = || {
        n += 1;
        n
    };
    if q.actor.is_some() {
        sql += &format!(" AND LOWER(a.actor_name) LIKE ${} ESCAPE '\\'", next());
    }
    if q.target.is_some() {
        sql += &format!(" AND LOWER(a.target_name) LIKE ${} ESCAPE '\\'", next());
    }
    if q.action.is_some() {
        sql += &format!(" AND a.action = ${}", next());
    }
    if q.from.is_some() {
        sql += &format!(" AND a.at >= ${}", next());
    }
    if q.until.is_some() {
        sql += &format!(" AND a.at < ${}", next());
    }
    if q.before_id.is_some() {
        sql += &format!(" AND a.id < ${}", next());
    }
    sql += &format!(" ORDER BY a.id DESC LIMIT ${}", next());
    let mut query = sqlx::query_as(&sql).bind(q.node.0);
    if let Some(a) = q.actor {
        query = query.bind(like_prefix(a));
    }
    if let Some(t) = q.target {
        query = query.bind(like_prefix(t));
    }
    if let Some(a) = q.action {
        query = query.bind(a.to_owned());
    }
    if let Some(f) = q.from {
        query = query.bind(f);
    }
    if let Some(u) = q.until {
        query = query.bind(u);
    }
    if let Some(b) = q.before_id {
        query = query.bind(b);
    }
    query.bind(q.limit).fetch_all(conn).await
}
