//! The authorisation policy: "may this person do P at node N?"
//!
//! A role held at a node applies to that node and everything below it, so the answer is the
//! union of the permissions of every role the person holds at N or any ancestor of N. The
//! closure table makes that one indexed query whatever the depth of the tree.
//! Deny by default: no membership, no permission.

use super::{AppState, auth::Authenticated};
use crate::{
    domain::{NodeId, Permission, UserId, permission::PermissionSet},
    error::{AppError, AppResult},
};

/// Everything `user` may do at `node`.
pub async fn permissions_at(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    node: NodeId,
) -> Result<PermissionSet, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT r.permissions FROM memberships m \
         JOIN node_closure c ON c.ancestor_id = m.node_id \
         JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id = $1 AND c.descendant_id = $2",
    )
    .bind(user.0)
    .bind(node.0)
    .fetch_all(conn)
    .await?;
    Ok(PermissionSet(rows.iter().flat_map(|(keys,)| PermissionSet::from_keys(keys).0).collect()))
}

/// The guard every node-scoped server function calls first: the signed-in caller, if they
/// hold `permission` at `node`; otherwise `Unauthenticated` or `Forbidden`.
pub async fn require(permission: Permission, node: NodeId) -> AppResult<Authenticated> {
    let auth = super::auth::require()?;
    let state = AppState::get()?;
    let mut conn = state.db.pool.acquire().await?;
    if permissions_at(&mut conn, auth.viewer.id, node).await?.contains(permission) {
        Ok(auth)
    } else {
        Err(AppError::Forbidden)
    }
}
