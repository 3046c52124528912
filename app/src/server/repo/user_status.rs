//! A person's status (the user lifecycle): reading it with what administrators see, changing
//! it, and what deleting someone ends.

use crate::domain::{BuiltinRole, NodeId, UserId, UserStatus};
use sqlx::AnyConnection;

/// A person with their status and where they belong.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct StatusRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub status_changed_at: Option<i64>,
    pub home_node_id: Option<i64>,
}

impl StatusRow {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }

    pub fn status(&self) -> UserStatus {
        UserStatus::from_key(&self.status).unwrap_or(UserStatus::Deleted)
    }

    pub fn user_id(&self) -> UserId {
        UserId(self.id)
    }

    pub fn home(&self) -> Option<NodeId> {
        self.home_node_id.map(NodeId)
    }
}

const COLUMNS: &str = "u.id, u.first_name, u.last_name, u.email, u.status, u.status_reason, \
     u.status_changed_at, u.home_node_id";

pub async fn get(conn: &mut AnyConnection, user: UserId) -> Result<Option<StatusRow>, sqlx::Error> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM users u WHERE u.id = $1"))
        .bind(user.0)
        .fetch_optional(conn)
        .await
}

/// Every node where `user` holds a role (archived ones included: the roles still count).
pub async fn role_nodes(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<NodeId>, sqlx::Error> {
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT node_id FROM memberships WHERE user_id = $1 ORDER BY node_id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| NodeId(r.0)).collect())
}

/// The nodes where `user` holds an administrator role (see `BuiltinRole::is_administrator`).
pub async fn administrator_nodes(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<NodeId>, sqlx::Error> {
    let keys: Vec<&str> =
        BuiltinRole::ALL.into_iter().filter(|r| r.is_administrator()).map(|r| r.key()).collect();
    let sql = format!(
        "SELECT DISTINCT m.node_id FROM memberships m JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id = $1 AND r.builtin_key IN ({}) ORDER BY m.node_id",
        super::placeholders(2, keys.len())
    );
    let mut q = sqlx::query_as(&sql).bind(user.0);
    for k in keys {
        q = q.bind(k);
    }
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| NodeId(r.0)).collect())
}

/// Moves `user` from `from` to `to`, with the reason (or none) and the time of the change.
/// False when the person's status is no longer `from` (changed meanwhile).
pub async fn set_status(
    conn: &mut AnyConnection,
    user: UserId,
    from: UserStatus,
    to: UserStatus,
    reason: Option<&str>,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET status = $1, status_reason = $2, status_changed_at = $3, \
         updated_at = $3, version = version + 1 WHERE id = $4 AND status = $5",
    )
    .bind(to.key())
    .bind(reason)
    .bind(now)
    .bind(user.0)
    .bind(from.key())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Frees a deleted person's e-mail address and username (so the address can be invited
/// again, as someone new) and drops their password; the names stay, for history.
pub async fn erase_identity(
    conn: &mut AnyConnection,
    user: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET email = $1, username = $2, password_hash = NULL, \
         updated_at = $3 WHERE id = $4",
    )
    .bind(format!("deleted-{}@deleted.invalid", user.0))
    .bind(format!("deleted-{}", user.0))
    .bind(now)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// Ends every role `user` holds; returns how many.
pub async fn end_memberships(conn: &mut AnyConnection, user: UserId) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM memberships WHERE user_id = $1")
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Withdraws the invitations of `user` still waiting; returns how many.
pub async fn revoke_invitations(
    conn: &mut AnyConnection,
    user: UserId,
    now: i64,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $1 \
         WHERE user_id = $2 AND accepted_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Disabled people at home at or below `node`, or holding a role at or below it; by name,
/// the first `limit` of them.
pub async fn disabled_under(
    conn: &mut AnyConnection,
    node: NodeId,
    limit: usize,
) -> Result<Vec<StatusRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM users u WHERE u.status = 'disabled' AND ( \
             u.home_node_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = $1) \
             OR u.id IN (SELECT m.user_id FROM memberships m \
                         JOIN node_closure c ON c.descendant_id = m.node_id \
                         WHERE c.ancestor_id = $1)) \
         ORDER BY u.last_name, u.first_name, u.id LIMIT $2"
    ))
    .bind(node.0)
    .bind(limit as i64)
    .fetch_all(conn)
    .await
}
