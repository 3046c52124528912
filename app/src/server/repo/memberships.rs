use crate::domain::{BuiltinRole, NodeId, Permission, RoleId, UserId, permission::PermissionSet};
use sqlx::AnyConnection;

/// Grants a role at a node; granting one already held changes nothing.
pub async fn grant(
    conn: &mut AnyConnection,
    user: UserId,
    node: NodeId,
    role: RoleId,
    granted_by: Option<UserId>,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (user_id, node_id, role_id, granted_by, granted_at) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(user.0)
    .bind(node.0)
    .bind(role.0)
    .bind(granted_by.map(|u| u.0))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Whether `user` holds `role` exactly at `node` (not inherited).
pub async fn holds(
    conn: &mut AnyConnection,
    user: UserId,
    node: NodeId,
    role: RoleId,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships WHERE user_id = $1 AND node_id = $2 AND role_id = $3",
    )
    .bind(user.0)
    .bind(node.0)
    .bind(role.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Removes a role held at a node; false when it was not held there.
pub async fn revoke(
    conn: &mut AnyConnection,
    user: UserId,
    node: NodeId,
    role: RoleId,
) -> Result<bool, sqlx::Error> {
    let done =
        sqlx::query("DELETE FROM memberships WHERE user_id = $1 AND node_id = $2 AND role_id = $3")
            .bind(user.0)
            .bind(node.0)
            .bind(role.0)
            .execute(conn)
            .await?;
    Ok(done.rows_affected() > 0)
}

/// A role held by a person at a node, with the names lists show. `depth` is how far above
/// the node asked about the role is held (0: at that node).
#[derive(sqlx::FromRow)]
pub struct HeldRow {
    pub user_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
    pub role_id: i64,
    pub role_name: String,
    pub node_id: i64,
    pub node_name: String,
    pub depth: i64,
}

const HELD_COLUMNS: &str = "u.id AS user_id, u.first_name, u.last_name, u.email, u.status, \
     r.id AS role_id, r.name AS role_name, n.id AS node_id, n.name AS node_name";

/// Roles held at `node` or above it by people who are not deleted, nearest first per person;
/// the first `people` people by name.
pub async fn held_at_or_above(
    conn: &mut AnyConnection,
    node: NodeId,
    people: usize,
) -> Result<Vec<HeldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {HELD_COLUMNS}, c.depth FROM node_closure c \
         JOIN memberships m ON m.node_id = c.ancestor_id \
         JOIN users u ON u.id = m.user_id JOIN roles r ON r.id = m.role_id \
         JOIN nodes n ON n.id = m.node_id \
         WHERE c.descendant_id = $1 AND u.status <> 'deleted' AND u.id IN ( \
             SELECT u2.id FROM node_closure c2 JOIN memberships m2 ON m2.node_id = c2.ancestor_id \
             JOIN users u2 ON u2.id = m2.user_id \
             WHERE c2.descendant_id = $1 AND u2.status <> 'deleted' \
             GROUP BY u2.id, u2.last_name, u2.first_name \
             ORDER BY u2.last_name, u2.first_name, u2.id LIMIT $2) \
         ORDER BY u.last_name, u.first_name, u.id, c.depth, r.name"
    ))
    .bind(node.0)
    .bind(people as i64)
    .fetch_all(conn)
    .await
}

/// Every role `user` holds, wherever in the tree (archived nodes and deleted users left out).
pub async fn held_by(conn: &mut AnyConnection, user: UserId) -> Result<Vec<HeldRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {HELD_COLUMNS}, 0 AS depth FROM memberships m \
         JOIN users u ON u.id = m.user_id JOIN roles r ON r.id = m.role_id \
         JOIN nodes n ON n.id = m.node_id \
         WHERE m.user_id = $1 AND u.status <> 'deleted' AND n.archived_at IS NULL \
         ORDER BY n.name, n.id, r.name"
    ))
    .bind(user.0)
    .fetch_all(conn)
    .await
}

/// Holders of `role` at nodes in the subtrees of `roots` (see [`reach`]).
pub async fn holders_of(
    conn: &mut AnyConnection,
    role: RoleId,
    roots: &[NodeId],
) -> Result<Vec<HeldRow>, sqlx::Error> {
    if roots.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {HELD_COLUMNS}, 0 AS depth FROM memberships m \
         JOIN users u ON u.id = m.user_id JOIN roles r ON r.id = m.role_id \
         JOIN nodes n ON n.id = m.node_id \
         WHERE m.role_id = $1 AND u.status <> 'deleted' AND m.node_id IN ( \
             SELECT descendant_id FROM node_closure WHERE ancestor_id IN ({})) \
         ORDER BY u.last_name, u.first_name, u.id, n.name",
        super::placeholders(2, roots.len())
    );
    let mut q = sqlx::query_as(&sql).bind(role.0);
    for r in roots {
        q = q.bind(r.0);
    }
    q.fetch_all(conn).await
}

/// The nodes where `user` holds a role that grants `permission`. The permission reaches
/// these nodes and everything below them.
pub async fn reach(
    conn: &mut AnyConnection,
    user: UserId,
    permission: Permission,
) -> Result<Vec<NodeId>, sqlx::Error> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT m.node_id, r.permissions FROM memberships m JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id = $1",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    let mut nodes: Vec<NodeId> = rows
        .into_iter()
        .filter(|(_, keys)| PermissionSet::from_keys(keys).contains(permission))
        .map(|(node, _)| NodeId(node))
        .collect();
    nodes.sort();
    nodes.dedup();
    Ok(nodes)
}

/// Active people holding an administrator role at `node` or above: who can still manage it.
pub async fn active_administrators(
    conn: &mut AnyConnection,
    node: NodeId,
) -> Result<i64, sqlx::Error> {
    let keys: Vec<&str> =
        BuiltinRole::ALL.into_iter().filter(|r| r.is_administrator()).map(|r| r.key()).collect();
    let sql = format!(
        "SELECT COUNT(DISTINCT m.user_id) FROM node_closure c \
         JOIN memberships m ON m.node_id = c.ancestor_id \
         JOIN roles r ON r.id = m.role_id JOIN users u ON u.id = m.user_id \
         WHERE c.descendant_id = $1 AND u.status = 'active' AND r.builtin_key IN ({})",
        super::placeholders(2, keys.len())
    );
    let mut q = sqlx::query_as(&sql).bind(node.0);
    for k in keys {
        q = q.bind(k);
    }
    let (n,): (i64,) = q.fetch_one(conn).await?;
    Ok(n)
}

/// The distinct nodes where `role` is held.
pub async fn nodes_holding(
    conn: &mut AnyConnection,
    role: RoleId,
) -> Result<Vec<NodeId>, sqlx::Error> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT DISTINCT node_id FROM memberships WHERE role_id = $1")
            .bind(role.0)
            .fetch_all(conn)
            .await?;
    Ok(rows.into_iter().map(|r| NodeId(r.0)).collect())
}

/// Gives every holder of `from` the role `to` at the same node, then takes `from` away;
/// returns how many memberships `from` had.
pub async fn reassign(
    conn: &mut AnyConnection,
    from: RoleId,
    to: RoleId,
    granted_by: UserId,
    now: i64,
) -> Result<u64, sqlx::Error> {
    // The WHERE keeps SQLite from reading ON CONFLICT as a join constraint.
    sqlx::query(
        "INSERT INTO memberships (user_id, node_id, role_id, granted_by, granted_at) \
         SELECT user_id, node_id, $1, $2, $3 FROM memberships WHERE role_id = $4 \
         ON CONFLICT DO NOTHING",
    )
    .bind(to.0)
    .bind(granted_by.0)
    .bind(now)
    .bind(from.0)
    .execute(&mut *conn)
    .await?;
    remove_all_of_role(conn, from).await
}

/// Takes `role` from everyone who holds it, wherever.
pub async fn remove_all_of_role(
    conn: &mut AnyConnection,
    role: RoleId,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM memberships WHERE role_id = $1")
        .bind(role.0)
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// Whether `user` holds any role at `node` or anywhere below it. Asked of an agency root: a
/// person holding nothing in an agency is a stranger to it, and its objects are "not found"
/// to them exactly as ids that never existed are (403 versus 404 would tell them apart).
pub async fn holds_any_under(
    conn: &mut AnyConnection,
    user: UserId,
    node: NodeId,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM memberships m JOIN node_closure c ON c.descendant_id = m.node_id \
         WHERE c.ancestor_id = $1 AND m.user_id = $2",
    )
    .bind(node.0)
    .bind(user.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}
