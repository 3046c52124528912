//! The audit log: written in the same transaction as the change it records, each entry
//! linked into a hash chain ([`chain`]) so a changed or removed entry is found ([`verify`]).

pub mod chain;
pub mod verify;

use super::{clock::Millis, repo::placeholders};
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
    record_all(conn, std::slice::from_ref(&e)).await
}

/// Appends `entries`, in order, to the hash chain ([`chain`]) in one statement (after the one
/// that reads the chain's tail).
pub async fn record_all(
    conn: &mut sqlx::AnyConnection,
    entries: &[Entry<'_>],
) -> Result<(), sqlx::Error> {
    const COLUMNS: usize = 11;
    if entries.is_empty() {
        return Ok(());
    }
    let (first_seq, mut prev) = chain::tail(conn).await?;
    let sql = format!(
        "INSERT INTO audit_log (at, actor_id, actor_name, action, target_user_id, target_name, \
         node_id, details, seq, prev_hash, hash) VALUES {}",
        (0..entries.len())
            .map(|i| format!("({})", placeholders(1 + i * COLUMNS, COLUMNS)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(&sql);
    for (seq, e) in (first_seq..).zip(entries) {
        let hash = chain::link_hash(&prev, seq, &e.content());
        q = q
            .bind(e.at)
            .bind(e.actor.id.map(|u| u.0))
            .bind(e.actor.name)
            .bind(e.action)
            .bind(e.target.map(|(id, _)| id.0))
            .bind(e.target.map(|(_, name)| name))
            .bind(e.node.map(|n| n.0))
            .bind(e.details)
            .bind(seq)
            .bind(prev)
            .bind(hash.clone());
        prev = hash;
    }
    q.execute(conn).await?;
    Ok(())
}

impl Entry<'_> {
    fn content(&self) -> chain::Content<'_> {
        chain::Content {
            at: self.at,
            actor_id: self.actor.id.map(|u| u.0),
            actor_name: self.actor.name,
            action: self.action,
            target_user_id: self.target.map(|(id, _)| id.0),
            target_name: self.target.map(|(_, name)| name),
            node_id: self.node.map(|n| n.0),
            details: self.details,
        }
    }
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
