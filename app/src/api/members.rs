//! Who holds which role where: the members of a node, granting and revoking roles, a
//! person's roles across the tree, and the people a role may be given to.

use crate::{
    domain::{NodeId, RoleId, UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A role someone holds, and where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldRole {
    pub role_id: RoleId,
    pub role_name: String,
    pub at_node_id: NodeId,
    pub at_node_name: String,
    /// Held at an ancestor of the node asked about, and so applying here too.
    pub inherited: bool,
}

/// A person with a say at a node: their roles there and above it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeMember {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
    /// Roles held at the node first, then inherited ones from the nearest ancestor up.
    pub roles: Vec<HeldRole>,
}

/// A person a role may be given to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencyUser {
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
}

/// How many people the node page lists as having access; the directory has the rest.
pub const MEMBERS_ON_NODE_PAGE: usize = 50;

/// Everyone holding a role at this node or above it, with where each role comes from: the
/// first `MEMBERS_ON_NODE_PAGE` by name.
#[server(endpoint = "list_node_members")]
pub async fn list_node_members(node_id: NodeId) -> Result<Vec<NodeMember>, AppError> {
    use crate::server::{AppState, repo::memberships};
    crate::server::policy::require(crate::domain::Permission::ViewUsers, node_id).await?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let rows = memberships::held_at_or_above(&mut conn, node_id, MEMBERS_ON_NODE_PAGE).await?;
    let mut out: Vec<NodeMember> = Vec::new();
    // Rows come grouped by person.
    for r in rows {
        let role = HeldRole {
            role_id: RoleId(r.role_id),
            role_name: r.role_name,
            at_node_id: NodeId(r.node_id),
            at_node_name: r.node_name,
            inherited: r.depth > 0,
        };
        match out.last_mut() {
            Some(m) if m.user_id.0 == r.user_id => m.roles.push(role),
            _ => out.push(NodeMember {
                user_id: UserId(r.user_id),
                name: format!("{} {}", r.first_name, r.last_name).trim().to_string(),
                email: r.email,
                status: UserStatus::from_key(&r.status).unwrap_or(UserStatus::Deleted),
                roles: vec![role],
            }),
        }
    }
    Ok(out)
}

/// Gives `user_id` the role `role_id` at `node_id`. No escalation: the caller can only give
/// a role whose every permission they hold at that node themselves. With `notify`, an
/// active person is told by e-mail ("grant access instead" of inviting someone who exists).
#[server(endpoint = "grant_role")]
pub async fn grant_role(
    node_id: NodeId,
    user_id: UserId,
    role_id: RoleId,
    #[server(default)] notify: bool,
) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    ssr::grant_role(&caller, node_id, user_id, role_id, notify).await
}

/// Takes the role `role_id` held at `node_id` from `user_id`. Refused for a role the caller
/// could not give, and for the last active administrator of the node.
#[server(endpoint = "revoke_role")]
pub async fn revoke_role(
    node_id: NodeId,
    user_id: UserId,
    role_id: RoleId,
) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    ssr::revoke_role(&caller, node_id, user_id, role_id).await
}

/// The roles a person holds across the tree, at the nodes where the caller may view users.
#[server(endpoint = "list_user_roles")]
pub async fn list_user_roles(user_id: UserId) -> Result<Vec<HeldRole>, AppError> {
    use crate::{
        domain::Permission,
        server::{AppState, auth, policy, repo::memberships},
    };
    let caller = auth::require()?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let mut out = Vec::new();
    let mut visible = std::collections::HashMap::new();
    for r in memberships::held_by(&mut conn, user_id).await? {
        let node = NodeId(r.node_id);
        let can_view = match visible.get(&node) {
            Some(v) => *v,
            None => {
                let perms = policy::permissions_at(&mut conn, caller.viewer.id, node).await?;
                *visible.entry(node).or_insert(perms.contains(Permission::ViewUsers))
            }
        };
        if can_view {
            out.push(HeldRole {
                role_id: RoleId(r.role_id),
                role_name: r.role_name,
                at_node_id: node,
                at_node_name: r.node_name,
                inherited: false,
            });
        }
    }
    Ok(out)
}

/// For the "+ Add role" picker: active and invited people of the node's agency whose name
/// or e-mail contains `query`, among those the caller may view (a manager of one account
/// does not get to browse the people of the agency's other accounts).
#[server(endpoint = "list_agency_users")]
pub async fn list_agency_users(
    node_id: NodeId,
    #[server(default)] query: String,
) -> Result<Vec<AgencyUser>, AppError> {
    use crate::{
        domain::Permission,
        server::{
            AppState,
            repo::{memberships, nodes, users},
        },
    };
    let caller = crate::server::policy::require(Permission::ManageUsers, node_id).await?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let agency = nodes::agency_of(&mut conn, node_id).await?;
    let mut roots = Vec::new();
    for root in memberships::reach(&mut conn, caller.viewer.id, Permission::ViewUsers).await? {
        if nodes::agency_of(&mut conn, root).await? == agency {
            roots.push(root);
        }
    }
    let found = users::search_under(&mut conn, &roots, &query, 50).await?;
    Ok(found
        .into_iter()
        .map(|u| AgencyUser {
            user_id: UserId(u.id),
            name: u.name(),
            status: u.status(),
            email: u.email,
        })
        .collect())
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use crate::api::{
        nodes::ssr::{gone, record},
        roles::ssr::within_own,
    };
    use crate::{
        domain::{NodeId, NodeSummary, Permission, RoleId, UserId, UserStatus},
        error::{AppError, AppResult},
        server::{
            AppState,
            auth::Authenticated,
            mail::{outbox, templates},
            policy,
            repo::{memberships, nodes, roles, users},
        },
    };

    fn no_role() -> AppError {
        AppError::not_found("This role does not exist.")
    }

    fn no_user() -> AppError {
        AppError::not_found("This person does not exist.")
    }

    /// Refuses a role carrying a permission the caller does not hold at `node`: one cannot
    /// give a role one could not be given, nor take away one.
    async fn require_within_own(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        node: NodeId,
        role: &roles::RoleRow,
    ) -> AppResult<()> {
        let own = policy::permissions_at(conn, caller.viewer.id, node).await?;
        within_own(&own, &role.permission_set())
    }

    /// The role `role` if `caller` may give it at `target` (of `agency`): a role of the agency,
    /// agency-level roles only at the agency itself (a field error on `field`), and nothing
    /// beyond the caller's own permissions there (no escalation). Shared by granting and
    /// inviting.
    pub async fn grantable_role(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        target: &NodeSummary,
        agency: NodeId,
        role: RoleId,
        field: &str,
    ) -> AppResult<roles::RoleRow> {
        let role_row =
            roles::get(conn, role).await?.filter(|r| r.usable_in(agency)).ok_or_else(no_role)?;
        if role_row.builtin().is_some_and(|b| b.is_agency_level()) && target.parent_id.is_some() {
            return Err(AppError::field(
                field,
                format!("The {} role can only be given at the agency itself.", role_row.name),
            ));
        }
        require_within_own(conn, caller, target.id, &role_row).await?;
        Ok(role_row)
    }

    pub async fn grant_role(
        caller: &Authenticated,
        node: NodeId,
        user: UserId,
        role: RoleId,
        notify: bool,
    ) -> AppResult<()> {
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        let target = nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
        let agency = nodes::agency_of(&mut tx, node).await?.ok_or_else(gone)?;
        let role_row = grantable_role(&mut tx, caller, &target, agency, role, "role_id").await?;
        // Only people the caller may see can be picked, so ids of others reveal nothing.
        let reach = memberships::reach(&mut tx, caller.viewer.id, Permission::ViewUsers).await?;
        if !users::is_under(&mut tx, user, &reach).await? {
            return Err(no_user());
        }
        if memberships::holds(&mut tx, user, node, role).await? {
            return Ok(());
        }
        let now = state.clock.now();
        memberships::grant(&mut tx, user, node, role, Some(caller.viewer.id), now).await?;
        let who = users::brief(&mut tx, user).await?.ok_or_else(no_user)?;
        let details = format!("role: {}; at: {}", role_row.name, target.name);
        record(&mut tx, caller, "role_granted", Some((user, &who.name())), node, &details).await?;
        // Invited people learn of their roles when they accept their invitation.
        let notify = notify && who.status() == UserStatus::Active;
        if notify {
            let mail = templates::access_granted(&templates::AccessGranted {
                first_name: &who.first_name,
                granter: &caller.viewer.display_name(),
                role: &role_row.name,
                place: &target.name,
                link: templates::link(&state.config.public_url, &format!("/nodes/{node}")),
            });
            outbox::enqueue(&mut tx, &who.email, &mail.subject, &mail.body, now).await?;
        }
        tx.commit().await?;
        if notify {
            state.mail.wake();
        }
        Ok(())
    }

    pub async fn revoke_role(
        caller: &Authenticated,
        node: NodeId,
        user: UserId,
        role: RoleId,
    ) -> AppResult<()> {
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        // The last-administrator count must not change under us (two admins removing each
        // other at once): changes of administrators serialise on the agency.
        let agency = nodes::agency_of(&mut tx, node).await?.ok_or_else(gone)?;
        nodes::lock(&mut tx, agency).await?;
        // Another agency's role does not exist here, as when granting.
        let role_row =
            roles::get(&mut tx, role).await?.filter(|r| r.usable_in(agency)).ok_or_else(no_role)?;
        require_within_own(&mut tx, caller, node, &role_row).await?;
        // Archived nodes keep their memberships; they may still be cleaned up.
        let node_name = match nodes::get(&mut tx, node).await? {
            Some(n) => n.name,
            None => "this account".into(),
        };
        if !memberships::revoke(&mut tx, user, node, role).await? {
            // The person is not named: `user_id` may be anyone's, in reach or not.
            return Err(AppError::not_found(format!(
                "This person does not hold the {} role at {node_name}.",
                role_row.name
            )));
        }
        let who = users::brief(&mut tx, user).await?.ok_or_else(no_user)?;
        let is_admin_role = role_row.builtin().is_some_and(|b| b.is_administrator());
        if is_admin_role
            && who.status() == UserStatus::Active
            && memberships::active_administrators(&mut tx, node).await? == 0
        {
            // Dropping the transaction rolls the removal back.
            return Err(AppError::conflict(format!(
                "{} is the last administrator of {node_name}. Give someone else an \
                 administrator role there first, so that someone can still manage it.",
                who.name()
            )));
        }
        let details = format!("role: {}; at: {node_name}", role_row.name);
        record(&mut tx, caller, "role_revoked", Some((user, &who.name())), node, &details).await?;
        tx.commit().await?;
        Ok(())
    }
}
