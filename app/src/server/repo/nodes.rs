use crate::domain::{NodeId, NodeKind, NodeSummary, UserId};
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
