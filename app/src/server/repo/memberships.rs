use crate::domain::{NodeId, RoleId, UserId};
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
