//! The role editor: the roles an agency can give, their holders, and creating, changing
//! and deleting the agency's own (custom) roles. Built-in roles are read-only.

use crate::{
    domain::{NodeId, Permission, RoleId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleSummary {
    pub id: RoleId,
    pub name: String,
    pub description: String,
    pub builtin: bool,
    pub permissions: Vec<Permission>,
    /// People holding the role (in the subtree asked about, or visible to the caller).
    pub holders: i64,
    /// Send back as `expected_version` when saving, so concurrent edits are detected.
    pub version: i64,
}

impl RoleSummary {
    /// Whether someone holding `own` at a node may give this role there (or take it away).
    pub fn givable_with(&self, own: &[Permission]) -> bool {
        crate::domain::role_rules::may_give(own, &self.permissions)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleHolder {
    pub user_id: UserId,
    pub name: String,
    pub node_id: NodeId,
    pub node_name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleDetail {
    pub role: RoleSummary,
    /// One entry per node where someone holds the role, among nodes the caller may view.
    pub holders: Vec<RoleHolder>,
}

/// What saving a role's new permissions would change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionDiff {
    pub added: Vec<Permission>,
    pub removed: Vec<Permission>,
    /// People whose permissions would change.
    pub holders_affected: i64,
}

/// The roles that can be given at `agency_node_id`: at the agency, every built-in and
/// custom role; deeper down, all but the agency-level built-ins. Holders are counted in
/// the node's subtree.
#[server(endpoint = "list_roles")]
pub async fn list_roles(agency_node_id: NodeId) -> Result<Vec<RoleSummary>, AppError> {
    // Taken before the first await: a page's data fetch can outlive the reactive owner
    // that carries the context (seen on the roles page), and must not panic then.
    let state = crate::server::AppState::get()?;
    crate::server::policy::require(Permission::ViewUsers, agency_node_id).await?;
    ssr::list_roles(&state, agency_node_id).await
}

/// A role with the people holding it where the caller may view users.
#[server(endpoint = "get_role")]
pub async fn get_role(role_id: RoleId) -> Result<RoleDetail, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::get_role(&caller, role_id).await
}

/// Creates (`role_id` empty) or changes a custom role of the agency. `permissions` are
/// permission keys; `expected_version` is the version the editor loaded (needed to change).
#[server(endpoint = "save_role")]
pub async fn save_role(
    agency_node_id: NodeId,
    #[server(default)] role_id: Option<RoleId>,
    name: String,
    #[server(default)] description: String,
    #[server(default)] permissions: Vec<String>,
    #[server(default)] expected_version: Option<i64>,
) -> Result<RoleSummary, AppError> {
    let caller = crate::server::policy::require(Permission::ManageRoles, agency_node_id).await?;
    let input = ssr::RoleInput { role_id, name, description, permissions, expected_version };
    ssr::save_role(&caller, agency_node_id, input).await
}

/// What changing a custom role's permissions to `permissions` would do, before saving.
#[server(endpoint = "preview_role_change")]
pub async fn preview_role_change(
    role_id: RoleId,
    #[server(default)] permissions: Vec<String>,
) -> Result<PermissionDiff, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::preview_role_change(&caller, role_id, &permissions).await
}

/// Deletes a custom role. A role someone holds needs a `replacement`, given to each holder
/// where they held the deleted role, in the same transaction.
#[server(endpoint = "delete_role")]
pub async fn delete_role(
    role_id: RoleId,
    #[server(default)] replacement: Option<RoleId>,
) -> Result<(), AppError> {
    let caller = crate::server::auth::require()?;
    ssr::delete_role(&caller, role_id, replacement).await
}

#[cfg(feature = "ssr")]
pub(super) mod ssr {
    use super::*;
    use crate::{
        api::nodes::ssr::{gone, record},
        domain::{
            permission::PermissionSet,
            role_rules::{beyond, changes_beyond, diff, parse_permission_keys, parse_role_name},
        },
        error::{AppResult, FieldError},
        server::{
            AppState,
            auth::Authenticated,
            db::is_unique_violation,
            policy,
            repo::{
                memberships, nodes,
                roles::{self, RoleFields, RoleRow},
            },
        },
    };

    /// No escalation: a role may be given, or put into a role, only by someone who holds
    /// its permissions.
    pub fn within_own(own: &PermissionSet, wanted: &PermissionSet) -> AppResult<()> {
        if beyond(own, wanted).is_empty() { Ok(()) } else { Err(AppError::Forbidden) }
    }

    fn no_role() -> AppError {
        AppError::not_found("This role does not exist.")
    }

    /// The guard of a custom role's own actions: the caller must hold `permission` at its
    /// agency. To someone holding nothing in that agency the role is "not found", the answer
    /// for an id that never existed, so another agency's role ids cannot be probed.
    async fn require_at_agency(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        agency: NodeId,
        permission: Permission,
    ) -> AppResult<PermissionSet> {
        let own = policy::permissions_at(conn, caller.viewer.id, agency).await?;
        if own.contains(permission) {
            Ok(own)
        } else if memberships::holds_any_under(conn, caller.viewer.id, agency).await? {
            Err(AppError::Forbidden)
        } else {
            Err(no_role())
        }
    }

    /// A custom role whose permissions go beyond its editor's cannot be taken apart by them.
    fn refuse_changes_beyond(changed: &[Permission]) -> AppResult<()> {
        if changed.is_empty() { Ok(()) } else { Err(AppError::Forbidden) }
    }

    fn stale() -> AppError {
        AppError::conflict(
            "This role was changed by someone else while you were editing it. Reload it to \
             see their changes, then make yours again.",
        )
    }

    fn name_taken() -> AppError {
        AppError::field("name", "A role with this name already exists. Choose another name.")
    }

    fn summary(row: &RoleRow, holders: i64) -> RoleSummary {
        RoleSummary {
            id: RoleId(row.id),
            name: row.name.clone(),
            description: row.description.clone(),
            builtin: row.builtin_key.is_some(),
            permissions: row.permission_set().0.into_iter().collect(),
            holders,
            version: row.version,
        }
    }

    /// A custom role, with its agency; built-ins are refused with `builtin_message`.
    async fn custom_role(
        conn: &mut sqlx::AnyConnection,
        id: RoleId,
        builtin_message: &str,
    ) -> AppResult<(RoleRow, NodeId)> {
        let row = roles::get(conn, id).await?.ok_or_else(no_role)?;
        match row.agency_id {
            _ if row.builtin_key.is_some() => Err(AppError::conflict(builtin_message)),
            Some(agency) => Ok((row, NodeId(agency))),
            None => Err(no_role()),
        }
    }

    fn unknown_key(key: String) -> String {
        format!("\"{key}\" is not a permission this server knows.")
    }

    pub async fn list_roles(state: &AppState, node: NodeId) -> AppResult<Vec<RoleSummary>> {
        let mut conn = state.db.pool.acquire().await?;
        let target = nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
        let agency = nodes::agency_of(&mut conn, node).await?.ok_or_else(gone)?;
        let counts = roles::holder_counts(&mut conn, node).await?;
        Ok(roles::usable_in(&mut conn, agency)
            .await?
            .iter()
            .filter(|r| {
                target.parent_id.is_none() || !r.builtin().is_some_and(|b| b.is_agency_level())
            })
            .map(|r| summary(r, counts.get(&r.id).copied().unwrap_or(0)))
            .collect())
    }

    pub async fn get_role(caller: &Authenticated, id: RoleId) -> AppResult<RoleDetail> {
        let mut conn = AppState::get()?.db.pool.acquire().await?;
        let row = roles::get(&mut conn, id).await?.ok_or_else(no_role)?;
        let mut roots =
            memberships::reach(&mut conn, caller.viewer.id, Permission::ViewUsers).await?;
        if let Some(agency) = row.agency_id {
            let mut own = Vec::new();
            for root in roots {
                if nodes::agency_of(&mut conn, root).await? == Some(NodeId(agency)) {
                    own.push(root);
                }
            }
            // Another agency's role does not exist as far as this caller can tell.
            if own.is_empty() {
                return Err(no_role());
            }
            roots = own;
        }
        let rows = memberships::holders_of(&mut conn, id, &roots).await?;
        let people: std::collections::BTreeSet<i64> = rows.iter().map(|h| h.user_id).collect();
        let holders = rows
            .into_iter()
            .map(|h| RoleHolder {
                user_id: UserId(h.user_id),
                name: format!("{} {}", h.first_name, h.last_name).trim().to_string(),
                node_id: NodeId(h.node_id),
                node_name: h.node_name,
            })
            .collect();
        Ok(RoleDetail { role: summary(&row, people.len() as i64), holders })
    }

    pub struct RoleInput {
        pub role_id: Option<RoleId>,
        pub name: String,
        pub description: String,
        pub permissions: Vec<String>,
        pub expected_version: Option<i64>,
    }

    /// Checks every field at once, so the editor shows all its problems together.
    fn validate(input: &RoleInput) -> AppResult<(String, String, PermissionSet)> {
        let mut errors = Vec::new();
        let mut fail = |field: &str, message: String| {
            errors.push(FieldError { field: field.into(), message });
        };
        let name = parse_role_name(&input.name).map_err(|m| fail("name", m.into())).ok();
        let description = input.description.trim().to_string();
        if description.chars().count() > 300 {
            fail("description", "A description can have at most 300 characters.".into());
        }
        let permissions = parse_permission_keys(&input.permissions)
            .map_err(|key| fail("permissions", unknown_key(key)))
            .ok();
        if permissions.as_ref().is_some_and(|p| p.0.is_empty()) {
            fail("permissions", "Choose at least one permission.".into());
        }
        if let Some(err) = AppError::fields(errors) {
            return Err(err);
        }
        Ok((name.expect("validated"), description, permissions.expect("validated")))
    }

    pub async fn save_role(
        caller: &Authenticated,
        agency: NodeId,
        input: RoleInput,
    ) -> AppResult<RoleSummary> {
        let state = AppState::get()?;
        let mut tx = state.db.begin().await?;
        // Custom roles belong to the whole agency: managing roles lower down (an account's
        // Administrator) does not reach them.
        let node = nodes::get(&mut tx, agency).await?.ok_or_else(gone)?;
        if node.parent_id.is_some() {
            return Err(AppError::Forbidden);
        }
        let (name, description, permissions) = validate(&input)?;
        let own = policy::permissions_at(&mut tx, caller.viewer.id, agency).await?;
        // No escalation: a new role can only carry what its author holds.
        if input.role_id.is_none() {
            within_own(&own, &permissions)?;
        }
        if roles::name_taken(&mut tx, agency, &name, input.role_id).await? {
            return Err(name_taken());
        }
        let fields =
            RoleFields { name: &name, description: &description, permissions: &permissions };
        let now = state.clock.now();
        let (id, details) = match input.role_id {
            None => {
                let id = match roles::insert_custom(&mut tx, agency, fields, now).await {
                    Err(e) if is_unique_violation(&e) => return Err(name_taken()),
                    other => other?,
                };
                (id, format!("role: {name}; permissions: {}", permissions.to_keys()))
            }
            Some(id) => {
                let (old, old_agency) = custom_role(
                    &mut tx,
                    id,
                    "Built-in roles cannot be changed. Create a new role instead.",
                )
                .await?;
                if old_agency != agency {
                    return Err(no_role());
                }
                // An edit adds or removes only what its editor holds: it can neither hand
                // out nor take away permissions beyond them (unchanged ones stay).
                refuse_changes_beyond(&changes_beyond(&own, &old.permission_set(), &permissions))?;
                let version = input.expected_version.ok_or_else(stale)?;
                match roles::update_custom(&mut tx, id, version, fields, now).await {
                    Err(e) if is_unique_violation(&e) => return Err(name_taken()),
                    Ok(false) => return Err(stale()),
                    other => other?,
                };
                let (added, removed) = diff(&old.permission_set(), &permissions);
                let keys = |ps: Vec<Permission>| PermissionSet::from_iter(ps).to_keys();
                let (added, removed) = (keys(added), keys(removed));
                (id, format!("role: {name}; was: {}; added: {added}; removed: {removed}", old.name))
            }
        };
        let action = if input.role_id.is_some() { "role_updated" } else { "role_created" };
        record(&mut tx, caller, action, None, agency, &details).await?;
        let row = roles::get(&mut tx, id).await?.ok_or_else(no_role)?;
        let holders = roles::holder_count(&mut tx, id).await?;
        tx.commit().await?;
        Ok(summary(&row, holders))
    }

    pub async fn preview_role_change(
        caller: &Authenticated,
        id: RoleId,
        keys: &[String],
    ) -> AppResult<PermissionDiff> {
        let mut conn = AppState::get()?.db.pool.acquire().await?;
        let (row, agency) = custom_role(&mut conn, id, "Built-in roles cannot be changed.").await?;
        require_at_agency(&mut conn, caller, agency, Permission::ManageRoles).await?;
        let new = parse_permission_keys(keys)
            .map_err(|key| AppError::field("permissions", unknown_key(key)))?;
        let (added, removed) = diff(&row.permission_set(), &new);
        let holders_affected = if added.is_empty() && removed.is_empty() {
            0
        } else {
            roles::holder_count(&mut conn, id).await?
        };
        Ok(PermissionDiff { added, removed, holders_affected })
    }

    pub async fn delete_role(
        caller: &Authenticated,
        id: RoleId,
        replacement: Option<RoleId>,
    ) -> AppResult<()> {
        let state = AppState::get()?;
        let agency = {
            let mut conn = state.db.pool.acquire().await?;
            let agency = custom_role(&mut conn, id, "Built-in roles cannot be deleted.").await?.1;
            require_at_agency(&mut conn, caller, agency, Permission::ManageRoles).await?;
            agency
        };
        let mut tx = state.db.begin().await?;
        nodes::lock(&mut tx, agency).await?;
        let (row, _) = custom_role(&mut tx, id, "Built-in roles cannot be deleted.").await?;
        // Deleting a role takes its permissions from every holder: only someone holding
        // all of them may do that.
        let own = policy::permissions_at(&mut tx, caller.viewer.id, agency).await?;
        within_own(&own, &row.permission_set())?;
        let holders = roles::holder_count(&mut tx, id).await?;
        let details = match replacement {
            None if holders > 0 => {
                let people =
                    if holders == 1 { "1 person".into() } else { format!("{holders} people") };
                return Err(AppError::conflict(format!(
                    "The {} role is held by {people}. Choose a role to give them instead, \
                     then delete it.",
                    row.name
                )));
            }
            None => {
                // Only deleted people still hold it: their memberships go with the role.
                memberships::remove_all_of_role(&mut tx, id).await?;
                format!("role: {}", row.name)
            }
            Some(new) => {
                let new_row = replace_with(&mut tx, caller, agency, id, new).await?;
                let moved =
                    memberships::reassign(&mut tx, id, new, caller.viewer.id, state.clock.now())
                        .await?;
                format!("role: {}; {moved} memberships moved to: {}", row.name, new_row.name)
            }
        };
        roles::delete_custom(&mut tx, id).await?;
        record(&mut tx, caller, "role_deleted", None, agency, &details).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks that `new` may take the place of `old` for each of its holders.
    async fn replace_with(
        conn: &mut sqlx::AnyConnection,
        caller: &Authenticated,
        agency: NodeId,
        old: RoleId,
        new: RoleId,
    ) -> AppResult<RoleRow> {
        let invalid = |m: &str| AppError::field("replacement", m);
        let row = roles::get(conn, new)
            .await?
            .filter(|r| r.usable_in(agency) && new != old)
            .ok_or_else(|| invalid("Choose another role of this agency to give its holders."))?;
        if row.builtin().is_some_and(|b| b.is_agency_level())
            && memberships::nodes_holding(conn, old).await?.iter().any(|n| *n != agency)
        {
            return Err(invalid(
                "This agency-level role can only be given at the agency itself, and the role \
                 is held lower down too.",
            ));
        }
        // Handing out the replacement is granting it: no escalation.
        let own = policy::permissions_at(conn, caller.viewer.id, agency).await?;
        within_own(&own, &row.permission_set())?;
        Ok(row)
    }
}
