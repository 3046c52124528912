//! The account tree as the signed-in person can reach it.

use crate::{domain::NodeSummary, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A node where the caller's reach starts, with its direct children.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryPoint {
    pub node: NodeSummary,
    pub children: Vec<NodeSummary>,
}

#[server(endpoint = "list_entry_points")]
pub async fn list_entry_points() -> Result<Vec<EntryPoint>, AppError> {
    use crate::{
        domain::Permission,
        server::{AppState, auth, policy, repo::nodes},
    };
    let caller = auth::require()?;
    let state = AppState::get()?;
    let mut conn = state.db.pool.acquire().await?;
    let mut out = Vec::new();
    for node in nodes::entry_points(&mut conn, caller.viewer.id).await? {
        // Holding a role somewhere is not enough: it must let the caller view that node.
        let perms = policy::permissions_at(&mut conn, caller.viewer.id, node.id).await?;
        if perms.contains(Permission::ViewAccount) {
            let children = nodes::children(&mut conn, node.id).await?;
            out.push(EntryPoint { node, children });
        }
    }
    Ok(out)
}

/// Every node the caller can view, for the account tree and destination pickers: the
/// subtrees of their entry points (parents before children).
#[server(endpoint = "list_reachable_nodes")]
pub async fn list_reachable_nodes() -> Result<Vec<NodeSummary>, AppError> {
    use crate::{
        domain::Permission,
        server::{AppState, auth, policy, repo::nodes},
    };
    let caller = auth::require()?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let mut out = Vec::new();
    for entry in nodes::entry_points(&mut conn, caller.viewer.id).await? {
        let perms = policy::permissions_at(&mut conn, caller.viewer.id, entry.id).await?;
        if perms.contains(Permission::ViewAccount) {
            out.extend(nodes::subtree(&mut conn, entry.id).await?);
        }
    }
    Ok(out)
}
