//! The server side of the user lifecycle.

use crate::api::password_reset::{ResetPurpose, ssr::queue_reset_mail};
use crate::{
    api::users::UserSummary,
    domain::{
        NodeId, Permission, UserId, UserStatus,
        user::{StatusChange, long_utc, may_reactivate, parse_status_reason, reactivate_from},
    },
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        person_access, policy,
        repo::{
            memberships, nodes,
            user_status::{self as status, StatusRow},
            users,
        },
        session,
    },
};

/// Someone out of reach and someone who does not exist (or no longer does) look the same.
pub fn no_such_person() -> AppError {
    AppError::not_found("There is no such person, or they are out of your reach.")
}

/// What the caller may know and do about a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Standing {
    /// Out of reach, or deleted: "not found".
    Hidden,
    /// The caller may see them (or is them), not change their status.
    Sees,
    /// The caller manages the person at their home account and at every node where they
    /// hold a role, with every permission of those roles (`person_access`), and is someone
    /// else: they may change the person's status.
    Manages,
}

pub async fn standing(
    conn: &mut sqlx::AnyConnection,
    caller: UserId,
    row: &StatusRow,
) -> AppResult<Standing> {
    let user = row.user_id();
    if row.status() == UserStatus::Deleted {
        return Ok(Standing::Hidden);
    }
    if caller == user {
        return Ok(Standing::Sees);
    }
    let reach = memberships::reach(conn, caller, Permission::ViewUsers).await?;
    if !users::is_under(conn, user, &reach).await? {
        return Ok(Standing::Hidden);
    }
    // Nobody may change the status of someone more powerful, here or elsewhere.
    if person_access::may_manage(conn, caller, user).await? {
        Ok(Standing::Manages)
    } else {
        Ok(Standing::Sees)
    }
}

/// The person as the caller (whose standing towards them is `standing`) sees them.
pub async fn summary(
    conn: &mut sqlx::AnyConnection,
    caller: UserId,
    row: StatusRow,
    standing: Standing,
    now: i64,
) -> AppResult<UserSummary> {
    let status = row.status();
    // The home account is named only to those who may see that account.
    let mut home_node = None;
    if let Some(home) = row.home()
        && policy::permissions_at(conn, caller, home).await?.contains(Permission::ViewAccount)
        && let Some(node) = nodes::get(conn, home).await?
    {
        home_node = Some((home, node.name));
    }
    let suspended_at = row.status_changed_at.filter(|_| status == UserStatus::Suspended);
    Ok(UserSummary {
        id: row.user_id(),
        name: row.name(),
        status,
        status_reason: row.status_reason.clone(),
        status_changed_at: row.status_changed_at,
        reactivate_from: suspended_at.map(reactivate_from),
        reactivation_waits: suspended_at.is_some_and(|at| !may_reactivate(at, now)),
        home_node,
        may_manage: standing == Standing::Manages,
        email: row.email,
    })
}

/// The audit entry of a change, at the person's home account (or where they hold a role).
async fn record(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    change: StatusChange,
    who: &StatusRow,
    node: Option<NodeId>,
    details: &str,
    now: i64,
) -> AppResult<()> {
    let actor = caller.viewer.display_name();
    let name = who.name();
    let entry = Entry {
        at: now,
        actor: Actor { id: Some(caller.viewer.id), name: &actor },
        action: change.audit_action(),
        target: Some((who.user_id(), &name)),
        node,
        details,
    };
    Ok(audit::record(conn, entry).await?)
}

pub async fn change_status(
    caller: &Authenticated,
    user: UserId,
    change: StatusChange,
    reason: &str,
) -> AppResult<()> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = status::get(&mut tx, user).await?.ok_or_else(no_such_person)?;
    if user == caller.viewer.id && row.status() != UserStatus::Deleted {
        return Err(AppError::conflict(format!("You cannot {} your own account.", change.verb())));
    }
    match standing(&mut tx, caller.viewer.id, &row).await? {
        Standing::Hidden => return Err(no_such_person()),
        Standing::Sees => return Err(AppError::Forbidden),
        Standing::Manages => {}
    }
    // Changes of administrators serialise on the agency, so that two administrators
    // suspending each other at once cannot both pass the last-administrator check.
    let mut places = status::role_nodes(&mut tx, user).await?;
    let audit_node = row.home().or(places.first().copied());
    places.extend(row.home());
    let mut agencies = Vec::new();
    for node in places {
        agencies.extend(nodes::agency_of(&mut tx, node).await?);
    }
    agencies.sort();
    agencies.dedup();
    for agency in agencies {
        nodes::lock(&mut tx, agency).await?;
    }
    // Under the lock: the caller may have been suspended meanwhile, the person changed.
    let caller_active = users::brief(&mut tx, caller.viewer.id)
        .await?
        .is_some_and(|c| c.status() == UserStatus::Active);
    if !caller_active {
        return Err(AppError::Unauthenticated);
    }
    let row = status::get(&mut tx, user)
        .await?
        .filter(|r| r.status() != UserStatus::Deleted)
        .ok_or_else(no_such_person)?;
    let (name, from) = (row.name(), row.status());
    if !change.allowed_from(from) {
        return Err(AppError::conflict(change.refusal(&name, from)));
    }
    let reason = match change {
        StatusChange::Suspend | StatusChange::Disable => {
            let reason = parse_status_reason(reason).map_err(|m| AppError::field("reason", m))?;
            if change == StatusChange::Suspend && reason.is_none() {
                return Err(AppError::field("reason", "Give a reason for the suspension."));
            }
            reason
        }
        _ => None,
    };
    if change == StatusChange::Reactivate {
        let suspended_at = row.status_changed_at.unwrap_or(now);
        if !may_reactivate(suspended_at, now) {
            return Err(AppError::conflict(format!(
                "{name} can be reactivated from {}.",
                long_utc(reactivate_from(suspended_at))
            )));
        }
    }
    // Where they count as an administrator now (only active people do).
    let admin_nodes = match from {
        UserStatus::Active => status::administrator_nodes(&mut tx, user).await?,
        _ => Vec::new(),
    };
    if !status::set_status(&mut tx, user, from, change.to(), reason.as_deref(), now).await? {
        return Err(AppError::conflict(format!(
            "{name} was changed by someone else meanwhile. Reload the page and try again."
        )));
    }
    let mut details = reason.unwrap_or_default();
    if change == StatusChange::Delete {
        status::erase_identity(&mut tx, user, now).await?;
        let roles = status::end_memberships(&mut tx, user).await?;
        let invitations = status::revoke_invitations(&mut tx, user, now).await?;
        crate::api::teams::ssr::forget_user(&mut tx, user).await?; // teams, groups, call teams, call preferences
        details = format!("roles ended: {roles}; invitations withdrawn: {invitations}");
    }
    // Their very next request, on any server, finds no session.
    session::delete_all_for(&mut tx, user).await?;
    for node in admin_nodes {
        // Archived nodes need no one to manage them.
        let Some(place) = nodes::get(&mut tx, node).await? else { continue };
        if memberships::active_administrators(&mut tx, node).await? == 0 {
            // Dropping the transaction rolls the change back.
            return Err(AppError::conflict(format!(
                "{name} is the last administrator of {}. Give someone else an administrator \
                 role there first, so that someone can still manage it.",
                place.name
            )));
        }
    }
    if change == StatusChange::Reinvite {
        queue_reset_mail(&mut tx, user, ResetPurpose::Reinvite).await?;
    }
    record(&mut tx, caller, change, &row, audit_node, &details, now).await?;
    tx.commit().await?;
    if change == StatusChange::Reinvite {
        state.mail.wake();
    }
    Ok(())
}

pub async fn list_disabled(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
) -> AppResult<Vec<UserSummary>> {
    let now = state.clock.now();
    let mut conn = state.db.pool.acquire().await?;
    let mut out = Vec::new();
    let listed = crate::api::users::LISTED_ON_NODE_PAGE;
    for row in status::disabled_under(&mut conn, node, listed).await? {
        let standing = standing(&mut conn, caller.viewer.id, &row).await?;
        out.push(summary(&mut conn, caller.viewer.id, row, standing, now).await?);
    }
    Ok(out)
}
