//! The account tree: one node with its surroundings, the whole visible subtree, and
//! creating, renaming, moving and archiving accounts and sub-groups.

use crate::{
    domain::{NodeId, NodeSummary, Permission},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A node as its page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeDetail {
    pub node: NodeSummary,
    /// Root first, only the ones the caller may open: the breadcrumbs.
    pub ancestors: Vec<NodeSummary>,
    pub children: Vec<NodeSummary>,
    /// What the caller may do here, to show only the actions that will work (the server
    /// checks again on every call).
    pub permissions: Vec<Permission>,
}

impl NodeDetail {
    pub fn can(&self, p: Permission) -> bool {
        self.permissions.contains(&p)
    }
}

#[server(endpoint = "get_node")]
pub async fn get_node(node_id: NodeId) -> Result<NodeDetail, AppError> {
    let caller = crate::server::policy::require(Permission::ViewAccount, node_id).await?;
    ssr::get_node(&caller, node_id).await
}

/// `node_id` and everything below it, shallowest first.
#[server(endpoint = "get_tree")]
pub async fn get_tree(root_id: NodeId) -> Result<Vec<NodeSummary>, AppError> {
    use crate::server::{AppState, repo::nodes};
    crate::server::policy::require(Permission::ViewAccount, root_id).await?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let tree = nodes::subtree(&mut conn, root_id).await?;
    if tree.is_empty() {
        return Err(ssr::gone());
    }
    Ok(tree)
}

/// Adds an account (under the agency) or a sub-group (anywhere deeper).
#[server(endpoint = "create_node")]
pub async fn create_node(parent_id: NodeId, name: String) -> Result<NodeSummary, AppError> {
    let caller = crate::server::policy::require(Permission::ManageSubAccounts, parent_id).await?;
    ssr::create_node(&caller, parent_id, &name).await
}

#[server(endpoint = "rename_node")]
pub async fn rename_node(node_id: NodeId, name: String) -> Result<NodeSummary, AppError> {
    let caller = crate::server::policy::require(Permission::ManageAccountSettings, node_id).await?;
    ssr::rename_node(&caller, node_id, &name).await
}

/// Moves a node and its subtree. The caller must manage sub-accounts at the node's current
/// parent and at the destination: holding the right at the node itself is not enough, or a
/// sub-group's own administrator could take it out of the account above them. Both are
/// checked inside the move's transaction, against the parent the node has then.
#[server(endpoint = "move_node")]
pub async fn move_node(node_id: NodeId, new_parent_id: NodeId) -> Result<NodeSummary, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::move_node(&caller, node_id, new_parent_id).await
}

/// Archives a node and everything below it. Needs the right to manage sub-accounts at the
/// parent: one cannot archive the node one's own reach starts at.
#[server(endpoint = "archive_node")]
pub async fn archive_node(node_id: NodeId) -> Result<(), AppError> {
    use crate::server::{AppState, auth, policy::require, repo::nodes};
    auth::require()?;
    let node = {
        let mut conn = AppState::get()?.db.pool.acquire().await?;
        nodes::get(&mut conn, node_id).await?
    };
    // Without a parent to check at, answer as the guard would at the node itself, so
    // nothing is learnt about nodes out of reach.
    let Some(node) = node else {
        require(Permission::ManageSubAccounts, node_id).await?;
        return Err(ssr::gone());
    };
    let Some(parent) = node.parent_id else {
        require(Permission::ManageSubAccounts, node_id).await?;
        return Err(AppError::conflict("The agency itself cannot be archived."));
    };
    let caller = require(Permission::ManageSubAccounts, parent).await?;
    ssr::archive_node(&caller, node_id).await
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use super::NodeDetail;
    use crate::{
        domain::{
            NodeId, NodeKind, NodeSummary, Permission, UserId, node::parse_node_name,
            permission::PermissionSet,
        },
        error::{AppError, AppResult},
        server::{
            AppState,
            audit::{self, Actor, Entry},
            auth::Authenticated,
            policy,
            repo::nodes,
        },
    };

    pub fn gone() -> AppError {
        AppError::not_found("This account or sub-group no longer exists.")
    }

    fn parse_name(name: &str) -> AppResult<String> {
        parse_node_name(name).map_err(|m| AppError::field("name", m))
    }

    pub async fn get_node(caller: &Authenticated, id: NodeId) -> AppResult<NodeDetail> {
        let state = AppState::get()?;
        let mut conn = state.db.pool.acquire().await?;
        let node = nodes::get(&mut conn, id).await?.ok_or_else(gone)?;
        let user = caller.viewer.id;
        // Permissions flow down, so the ancestors one may view are a root-first suffix:
        // keep everything from the first viewable one.
        let mut ancestors = nodes::ancestors(&mut conn, id).await?;
        let mut first_visible = ancestors.len();
        for (i, a) in ancestors.iter().enumerate() {
            if policy::permissions_at(&mut conn, user, a.id)
                .await?
                .contains(Permission::ViewAccount)
            {
                first_visible = i;
                break;
            }
        }
        ancestors.drain(..first_visible);
        let children = nodes::children(&mut conn, id).await?;
        let permissions =
            policy::permissions_at(&mut conn, user, id).await?.0.into_iter().collect();
        Ok(NodeDetail { node, ancestors, children, permissions })
    }

    /// Writes the audit entry for a change the caller makes, in the change's transaction.
    pub async fn record(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        action: &str,
        target: Option<(UserId, &str)>,
        node: NodeId,
        details: &str,
    ) -> AppResult<()> {
        let name = caller.viewer.display_name();
        let entry = Entry {
            at: AppState::get()?.clock.now(),
            actor: Actor { id: Some(caller.viewer.id), name: &name },
            action,
            target,
            node: Some(node),
            details,
        };
        Ok(audit::record(conn, entry).await?)
    }

    pub async fn create_node(
        caller: &Authenticated,
        parent: NodeId,
        name: &str,
    ) -> AppResult<NodeSummary> {
        let name = parse_name(name)?;
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        let parent_node = nodes::get(&mut tx, parent).await?.ok_or_else(gone)?;
        let kind =
            if parent_node.parent_id.is_none() { NodeKind::Account } else { NodeKind::Group };
        let id = nodes::insert(&mut tx, Some(parent), kind, &name, state.clock.now()).await?;
        let details = format!("{}: {name}; under: {}", kind.label(), parent_node.name);
        record(&mut tx, caller, "node_created", None, id, &details).await?;
        tx.commit().await?;
        Ok(NodeSummary { id, parent_id: Some(parent), name, kind })
    }

    pub async fn rename_node(
        caller: &Authenticated,
        id: NodeId,
        name: &str,
    ) -> AppResult<NodeSummary> {
        let name = parse_name(name)?;
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        let node = nodes::get(&mut tx, id).await?.ok_or_else(gone)?;
        if node.name != name {
            nodes::rename(&mut tx, id, &name).await?;
            let details = format!("from: {}; to: {name}", node.name);
            record(&mut tx, caller, "node_renamed", None, id, &details).await?;
        }
        tx.commit().await?;
        Ok(NodeSummary { name, ..node })
    }

    pub async fn move_node(
        caller: &Authenticated,
        id: NodeId,
        new_parent: NodeId,
    ) -> AppResult<NodeSummary> {
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        let may_manage = |perms: PermissionSet| perms.contains(Permission::ManageSubAccounts);
        // A node out of reach (another agency's, or none at all) gets the guard's answer at
        // the node itself, so nothing is learnt about it.
        let user = caller.viewer.id;
        let Some(agency) = nodes::agency_of(&mut tx, id).await? else {
            return Err(AppError::Forbidden);
        };
        // Two crossing moves (A under B, B under A) must not both pass the cycle check, and
        // the parent checked below must be the one the node still has when it moves.
        nodes::lock(&mut tx, agency).await?;
        let before = nodes::get(&mut tx, id).await?.ok_or(AppError::Forbidden)?;
        let at_parent = before.parent_id.unwrap_or(id);
        if !may_manage(policy::permissions_at(&mut tx, user, at_parent).await?)
            || !may_manage(policy::permissions_at(&mut tx, user, new_parent).await?)
        {
            return Err(AppError::Forbidden);
        }
        let moved = nodes::move_node(&mut tx, id, new_parent).await?;
        if before.parent_id != moved.parent_id {
            let from = match before.parent_id {
                Some(p) => nodes::get(&mut tx, p).await?.map(|n| n.name).unwrap_or_default(),
                None => String::new(),
            };
            let to = nodes::get(&mut tx, new_parent).await?.map(|n| n.name).unwrap_or_default();
            let details = format!("from: {from}; to: {to}");
            record(&mut tx, caller, "node_moved", None, id, &details).await?;
        }
        tx.commit().await?;
        Ok(moved)
    }

    pub async fn archive_node(caller: &Authenticated, id: NodeId) -> AppResult<()> {
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        let node = nodes::get(&mut tx, id).await?.ok_or_else(gone)?;
        let count = nodes::archive(&mut tx, id, state.clock.now()).await?;
        let details = format!("{}: {}; nodes archived: {count}", node.kind.label(), node.name);
        record(&mut tx, caller, "node_archived", None, id, &details).await?;
        tx.commit().await?;
        Ok(())
    }
}
