//! The server side of the directory: a page with its roles and home accounts, and bulk
//! actions (each person handled by the single-person function, in their own transaction).

use super::{
    BulkUserAction, DirectoryFilter, DirectoryPage, DirectoryRow, MAX_BULK, PerUserOutcome,
    query::{self, Criteria, Cursor, Row, Scope},
};
use crate::{
    api::{invitations, lifecycle, members},
    domain::{
        NodeId, Permission, RoleId, UserId, UserStatus,
        user::{StatusChange, parse_status_reason},
    },
    error::{AppError, AppResult},
    server::{
        AppState,
        auth::Authenticated,
        policy,
        repo::{memberships, nodes, roles},
    },
};

/// The node the list is about: the one asked for, or the sub-tree chosen below it. A team
/// filter must name a team `viewer` may see (ViewUsers at its node): membership of other
/// teams is not theirs to probe.
pub async fn scope_of(
    conn: &mut sqlx::AnyConnection,
    viewer: UserId,
    node: NodeId,
    filter: &DirectoryFilter,
) -> AppResult<Scope> {
    if let Some(team) = filter.team_id {
        let home: Option<(i64,)> = sqlx::query_as("SELECT node_id FROM teams WHERE id = $1")
            .bind(team)
            .fetch_optional(&mut *conn)
            .await?;
        let visible = match home {
            Some((at,)) => policy::permissions_at(conn, viewer, NodeId(at))
                .await?
                .contains(Permission::ViewUsers),
            None => false,
        };
        if !visible {
            return Err(AppError::field("team_id", "Choose one of this account's teams."));
        }
    }
    let at = match filter.subtree {
        Some(sub) if sub != node => {
            let below = nodes::is_at_or_above(conn, node, sub).await?
                && nodes::get(conn, sub).await?.is_some();
            if !below {
                return Err(AppError::field(
                    "subtree",
                    "Choose an account or sub-group below this one.",
                ));
            }
            sub
        }
        _ => node,
    };
    Ok(Scope { node: at, inherited: filter.inherited })
}

pub fn criteria(filter: &DirectoryFilter) -> Criteria {
    Criteria::new(
        &filter.query,
        &filter.statuses,
        filter.role_id,
        filter.team_id,
        filter.sort,
        filter.descending,
    )
}

/// `cursor` read back; a cursor that was tampered with is refused rather than ignored.
pub fn cursor_of(cursor: Option<&str>) -> AppResult<Option<Cursor>> {
    match cursor.map(str::trim).filter(|c| !c.is_empty()) {
        None => Ok(None),
        Some(text) => Cursor::decode(text).map(Some).ok_or_else(|| {
            AppError::field(
                "cursor",
                "This page link is not valid any more. Start again from the first page.",
            )
        }),
    }
}

/// The rows as the browser sees them: roles in view (one query for the page) and home
/// accounts named only where the caller may view accounts.
pub async fn rows_of(
    conn: &mut sqlx::AnyConnection,
    viewer: UserId,
    scope: &Scope,
    rows: Vec<Row>,
) -> AppResult<Vec<DirectoryRow>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut roles = query::roles_in_view(conn, scope, &ids).await?;
    let mut homes: Vec<i64> = rows.iter().filter_map(|r| r.home_node_id).collect();
    homes.sort_unstable();
    homes.dedup();
    let viewable = memberships::reach(conn, viewer, Permission::ViewAccount).await?;
    let names = query::visible_node_names(conn, &homes, &viewable).await?;
    Ok(rows
        .into_iter()
        .map(|r| DirectoryRow {
            user_id: UserId(r.id),
            status: UserStatus::from_key(&r.status).unwrap_or(UserStatus::Deleted),
            home_node_name: r.home_node_id.and_then(|h| names.get(&h).cloned()),
            roles_here: roles.remove(&r.id).unwrap_or_default(),
            first_name: r.first_name,
            last_name: r.last_name,
            email: r.email,
            username: r.username,
            created_at: r.created_at,
        })
        .collect())
}

pub async fn list(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
    filter: &DirectoryFilter,
    cursor: Option<&str>,
) -> AppResult<DirectoryPage> {
    let cursor = cursor_of(cursor)?;
    let mut conn = state.db.pool.acquire().await?;
    let scope = scope_of(&mut conn, caller.viewer.id, node, filter).await?;
    let c = criteria(filter);
    let limit = filter.page_size();
    let exact_up_to = state.config.directory_exact_count;
    let backend = state.db.backend;
    let page =
        query::page(&mut conn, backend, exact_up_to, &scope, &c, cursor.as_ref(), limit).await?;
    let rows = rows_of(&mut conn, caller.viewer.id, &scope, page.rows).await?;
    Ok(DirectoryPage {
        rows,
        next_cursor: page.next.map(|c| c.encode()),
        count: page.count,
        count_exact: page.exact,
    })
}

// ------------------------------------------------------------------ bulk actions

/// The ids once each, in the order given, within the limit.
fn checked_ids(ids: Vec<UserId>) -> AppResult<Vec<UserId>> {
    let mut seen = std::collections::HashSet::new();
    let ids: Vec<UserId> = ids.into_iter().filter(|id| seen.insert(*id)).collect();
    if ids.is_empty() {
        return Err(AppError::field("user_ids", "Choose at least one person."));
    }
    if ids.len() > MAX_BULK {
        return Err(AppError::field(
            "user_ids",
            format!(
                "An action can be applied to at most {MAX_BULK} people at a time; {} are \
                 chosen.",
                ids.len()
            ),
        ));
    }
    Ok(ids)
}

/// The role of an add or remove, if it is one the node's agency has.
async fn role_name(
    conn: &mut sqlx::AnyConnection,
    node: NodeId,
    role: RoleId,
) -> AppResult<String> {
    let agency = nodes::agency_of(conn, node).await?.ok_or_else(crate::api::nodes::ssr::gone)?;
    roles::get(conn, role)
        .await?
        .filter(|r| r.usable_in(agency))
        .map(|r| r.name)
        .ok_or_else(|| AppError::field("role_id", "Choose one of this agency's roles."))
}

pub async fn apply(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
    user_ids: Vec<UserId>,
    action: BulkUserAction,
) -> AppResult<Vec<PerUserOutcome>> {
    let ids = checked_ids(user_ids)?;
    // Checked once for everyone: a missing reason is the form's fault, not a person's.
    if let BulkUserAction::Suspend { reason } = &action {
        match parse_status_reason(reason) {
            Err(m) => return Err(AppError::field("reason", m)),
            Ok(None) => {
                return Err(AppError::field("reason", "Give a reason for the suspension."));
            }
            Ok(Some(_)) => {}
        }
    }
    let (reachable, role) = {
        let mut conn = state.db.pool.acquire().await?;
        let role = match &action {
            BulkUserAction::AddRole(r) | BulkUserAction::RemoveRole(r) => {
                Some(role_name(&mut conn, node, *r).await?)
            }
            _ => None,
        };
        // Those the directory at this node lists, inherited access included.
        let scope = Scope { node, inherited: true };
        let raw: Vec<i64> = ids.iter().map(|u| u.0).collect();
        (query::within_reach(&mut conn, &scope, &raw).await?, role)
    };
    let mut out = Vec::with_capacity(ids.len());
    for user in ids {
        let Some(name) = reachable.get(&user.0).cloned() else {
            let message = lifecycle::ssr::no_such_person().to_string();
            out.push(PerUserOutcome { user_id: user, name: String::new(), done: false, message });
            continue;
        };
        let result = one(state, caller, node, user, &name, &action, role.as_deref()).await;
        let (done, message) = match result {
            Ok(m) => (true, m),
            Err(e) => (false, e.to_string()),
        };
        out.push(PerUserOutcome { user_id: user, name, done, message });
    }
    Ok(out)
}

/// Applies `action` to one person; what it did, or why not.
async fn one(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
    user: UserId,
    name: &str,
    action: &BulkUserAction,
    role: Option<&str>,
) -> AppResult<String> {
    let role = role.unwrap_or("the role");
    match action {
        BulkUserAction::AddRole(r) => {
            let held = {
                let mut conn = state.db.pool.acquire().await?;
                memberships::holds(&mut conn, user, node, *r).await?
            };
            members::ssr::grant_role(caller, node, user, *r, false).await?;
            Ok(if held { format!("Already held {role} here.") } else { format!("{role} given.") })
        }
        BulkUserAction::RemoveRole(r) => {
            members::ssr::revoke_role(caller, node, user, *r).await?;
            Ok(format!("{role} taken away."))
        }
        BulkUserAction::Suspend { reason } => {
            lifecycle::ssr::change_status(caller, user, StatusChange::Suspend, reason).await?;
            Ok("Suspended.".into())
        }
        BulkUserAction::Disable => {
            lifecycle::ssr::change_status(caller, user, StatusChange::Disable, "").await?;
            Ok("Disabled.".into())
        }
        BulkUserAction::ResendInvitation => {
            let waiting: Vec<(i64,)> = {
                let mut conn = state.db.pool.acquire().await?;
                sqlx::query_as(
                    "SELECT i.id FROM invitations i JOIN users u ON u.id = i.user_id \
                     WHERE i.user_id = $1 AND u.status = 'invited' \
                     AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id",
                )
                .bind(user.0)
                .fetch_all(&mut *conn)
                .await?
            };
            if waiting.is_empty() {
                return Err(AppError::conflict(format!(
                    "{name} has no invitation waiting to be accepted."
                )));
            }
            for (id,) in waiting {
                let sender = invitations::ssr::require_manager_of(id).await?;
                invitations::ssr::resend_invitation(&sender, id).await?;
            }
            Ok("Invitation sent again.".into())
        }
    }
}
