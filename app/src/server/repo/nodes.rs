use crate::{
    domain::{NodeId, NodeKind, NodeSummary, UserId},
    error::{AppError, AppResult},
};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
struct NodeRow {
    id: i64,
    parent_id: Option<i64>,
    name: String,
    kind: String,
}

impl From<NodeRow> for NodeSummary {
    fn from(r: NodeRow) -> Self {
        NodeSummary {
            id: NodeId(r.id),
            parent_id: r.parent_id.map(NodeId),
            name: r.name,
            kind: NodeKind::from_key(&r.kind).unwrap_or(NodeKind::Group),
        }
    }
}

/// Adds a node and its closure rows (itself at depth 0, then each ancestor of the parent).
pub async fn insert(
    conn: &mut AnyConnection,
    parent: Option<NodeId>,
    kind: NodeKind,
    name: &str,
    now: i64,
) -> Result<NodeId, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO nodes (parent_id, kind, name, created_at) VALUES ($1, $2, $3, $4) \
         RETURNING id",
    )
    .bind(parent.map(|p| p.0))
    .bind(kind.key())
    .bind(name)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("INSERT INTO node_closure (ancestor_id, descendant_id, depth) VALUES ($1, $1, 0)")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if let Some(parent) = parent {
        sqlx::query(
            "INSERT INTO node_closure (ancestor_id, descendant_id, depth) \
             SELECT ancestor_id, $1, depth + 1 FROM node_closure WHERE descendant_id = $2",
        )
        .bind(id)
        .bind(parent.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(NodeId(id))
}

/// Whether any agency (root node) exists yet.
pub async fn any_agency(conn: &mut AnyConnection) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM nodes WHERE parent_id IS NULL")
        .fetch_one(conn)
        .await?;
    Ok(n > 0)
}

pub async fn find_agency_by_name(
    conn: &mut AnyConnection,
    name: &str,
) -> Result<Option<NodeId>, sqlx::Error> {
    let row: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM nodes WHERE parent_id IS NULL AND name = $1")
            .bind(name)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| NodeId(r.0)))
}

/// The highest nodes where the user holds a role: where their reach in the tree starts.
pub async fn entry_points(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Vec<NodeSummary>, sqlx::Error> {
    let rows: Vec<NodeRow> = sqlx::query_as(
        "SELECT DISTINCT n.id, n.parent_id, n.name, n.kind \
         FROM memberships m JOIN nodes n ON n.id = m.node_id \
         WHERE m.user_id = $1 AND n.archived_at IS NULL AND NOT EXISTS ( \
             SELECT 1 FROM memberships m2 \
             JOIN node_closure c ON c.ancestor_id = m2.node_id \
             WHERE m2.user_id = $1 AND c.descendant_id = m.node_id AND c.depth > 0) \
         ORDER BY n.name, n.id",
    )
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

pub async fn children(
    conn: &mut AnyConnection,
    parent: NodeId,
) -> Result<Vec<NodeSummary>, sqlx::Error> {
    let rows: Vec<NodeRow> = sqlx::query_as(
        "SELECT id, parent_id, name, kind FROM nodes \
         WHERE parent_id = $1 AND archived_at IS NULL ORDER BY name, id",
    )
    .bind(parent.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// A node that is not archived; archived nodes are gone for every purpose but history.
pub async fn get(conn: &mut AnyConnection, id: NodeId) -> Result<Option<NodeSummary>, sqlx::Error> {
    let row: Option<NodeRow> = sqlx::query_as(
        "SELECT id, parent_id, name, kind FROM nodes WHERE id = $1 AND archived_at IS NULL",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(Into::into))
}

/// The nodes above `id`, root first (the breadcrumbs), without `id` itself.
pub async fn ancestors(
    conn: &mut AnyConnection,
    id: NodeId,
) -> Result<Vec<NodeSummary>, sqlx::Error> {
    let rows: Vec<NodeRow> = sqlx::query_as(
        "SELECT n.id, n.parent_id, n.name, n.kind FROM node_closure c \
         JOIN nodes n ON n.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND c.depth > 0 ORDER BY c.depth DESC",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The agency (root) a node belongs to; `None` when the node does not exist.
pub async fn agency_of(
    conn: &mut AnyConnection,
    id: NodeId,
) -> Result<Option<NodeId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT c.ancestor_id FROM node_closure c JOIN nodes n ON n.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND n.parent_id IS NULL",
    )
    .bind(id.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| NodeId(r.0)))
}

/// `id` and everything below it that is not archived, shallowest first.
pub async fn subtree(
    conn: &mut AnyConnection,
    id: NodeId,
) -> Result<Vec<NodeSummary>, sqlx::Error> {
    let rows: Vec<NodeRow> = sqlx::query_as(
        "SELECT n.id, n.parent_id, n.name, n.kind FROM node_closure c \
         JOIN nodes n ON n.id = c.descendant_id \
         WHERE c.ancestor_id = $1 AND n.archived_at IS NULL ORDER BY c.depth, n.name, n.id",
    )
    .bind(id.0)
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(Into::into).collect())
}

/// True when `ancestor` is `descendant` or above it.
pub async fn is_at_or_above(
    conn: &mut AnyConnection,
    ancestor: NodeId,
    descendant: NodeId,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM node_closure WHERE ancestor_id = $1 AND descendant_id = $2",
    )
    .bind(ancestor.0)
    .bind(descendant.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

pub async fn rename(conn: &mut AnyConnection, id: NodeId, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE nodes SET name = $1 WHERE id = $2")
        .bind(name)
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Archives a node and its whole subtree; returns how many nodes were archived.
pub async fn archive(conn: &mut AnyConnection, id: NodeId, now: i64) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE nodes SET archived_at = $1 WHERE archived_at IS NULL \
         AND id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = $2)",
    )
    .bind(now)
    .bind(id.0)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Serialises changes whose checks read more than they write (moves, last administrator):
/// a no-op update takes the row lock on PostgreSQL; SQLite already holds the write lock.
pub async fn lock(conn: &mut AnyConnection, id: NodeId) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE nodes SET archived_at = archived_at WHERE id = $1")
        .bind(id.0)
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves `id` (and its subtree) under `new_parent`, keeping the closure table exact: the
/// rows linking the subtree to its old ancestors go, the cross product of the new parent's
/// ancestors with the subtree comes in. The moved node becomes an account directly under
/// the agency, a sub-group anywhere else. Lock the agency first (see [`lock`]).
pub async fn move_node(
    conn: &mut AnyConnection,
    id: NodeId,
    new_parent: NodeId,
) -> AppResult<NodeSummary> {
    let node = get(&mut *conn, id)
        .await?
        .ok_or_else(|| AppError::not_found("This account or sub-group no longer exists."))?;
    let Some(old_parent) = node.parent_id else {
        return Err(AppError::conflict("The agency itself cannot be moved."));
    };
    let dest = get(&mut *conn, new_parent)
        .await?
        .ok_or_else(|| AppError::field("new_parent_id", "The destination no longer exists."))?;
    // Under itself or its own subtree, the tree would become a cycle.
    if is_at_or_above(&mut *conn, id, new_parent).await? {
        return Err(AppError::field(
            "new_parent_id",
            "A sub-group cannot be moved under itself or one of its own sub-groups.",
        ));
    }
    if agency_of(&mut *conn, id).await? != agency_of(&mut *conn, new_parent).await? {
        return Err(AppError::field(
            "new_parent_id",
            "A sub-group can only be moved within its own agency.",
        ));
    }
    if old_parent == new_parent {
        return Ok(node);
    }
    sqlx::query(
        "DELETE FROM node_closure \
         WHERE descendant_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = $1) \
         AND ancestor_id IN (SELECT ancestor_id FROM node_closure \
                             WHERE descendant_id = $1 AND depth > 0)",
    )
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO node_closure (ancestor_id, descendant_id, depth) \
         SELECT a.ancestor_id, d.descendant_id, a.depth + d.depth + 1 \
         FROM node_closure a CROSS JOIN node_closure d \
         WHERE a.descendant_id = $1 AND d.ancestor_id = $2",
    )
    .bind(new_parent.0)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    let kind = if dest.parent_id.is_none() { NodeKind::Account } else { NodeKind::Group };
    sqlx::query("UPDATE nodes SET parent_id = $1, kind = $2 WHERE id = $3")
        .bind(new_parent.0)
        .bind(kind.key())
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(NodeSummary { parent_id: Some(new_parent), kind, ..node })
}
