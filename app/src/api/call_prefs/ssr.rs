//! The server side of call preferences (this file) and of the agency's custom field labels
//! (`agency`); what a save changed, in the audit log's words, is `audit_diff`.

use super::CallPreferencesView;
use crate::{
    domain::{
        NodeId, Permission, UserId,
        call_prefs::{CallPreferences, CallPreferencesForm, default_labels},
    },
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        person_access,
        repo::{call_prefs as repo, memberships, nodes, users},
    },
};

mod agency;
mod audit_diff;

pub use agency::{get_agency_settings, save_agency_settings};

const CONFLICT: &str = "Someone else saved these preferences while you were editing them. \
                        Reload to see their changes, then make yours again: nothing was saved.";

fn not_found() -> AppError {
    AppError::not_found("There is no such person, or they are out of your reach.")
}

/// The person, if the caller may see them: themselves, or someone within the caller's
/// ViewUsers reach (as for profiles). Anyone else, deleted or not, is "no such person".
async fn visible(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    user: UserId,
) -> AppResult<users::ProfileRow> {
    let in_reach = caller.viewer.id == user || {
        let roots = memberships::reach(conn, caller.viewer.id, Permission::ViewUsers).await?;
        users::is_under(conn, user, &roots).await?
    };
    if !in_reach {
        return Err(not_found());
    }
    users::profile(conn, user).await?.filter(|p| p.status != "deleted").ok_or_else(not_found)
}

/// What the caller may change: the person edits their own preferences (not the flags);
/// whoever manages the person at every place they have (`person_access`, the rule of
/// profiles) edits them too, and alone sets the administrators' flags.
struct Rights {
    edit: bool,
    flags: bool,
}

async fn rights(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    user: UserId,
) -> AppResult<Rights> {
    let manages = person_access::may_manage(conn, caller.viewer.id, user).await?;
    Ok(Rights { edit: manages || caller.viewer.id == user, flags: manages })
}

/// The custom field labels of the agency the person's home account belongs to.
async fn labels_for(
    conn: &mut sqlx::AnyConnection,
    home: Option<NodeId>,
) -> AppResult<[String; 4]> {
    let agency = match home {
        Some(home) => nodes::agency_of(conn, home).await?,
        None => None,
    };
    let stored = match agency {
        Some(agency) => repo::labels(conn, agency).await?,
        None => None,
    };
    Ok(stored.map_or_else(default_labels, |(labels, _)| labels))
}

fn full_name(person: &users::ProfileRow) -> String {
    format!("{} {}", person.first_name, person.last_name).trim().to_string()
}

async fn view(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    person: users::ProfileRow,
) -> AppResult<CallPreferencesView> {
    let user = UserId(person.id);
    let home = person.home_node_id.map(NodeId);
    let rights = rights(conn, caller, user).await?;
    let (prefs, version) = repo::get(conn, user)
        .await?
        .unwrap_or_else(|| (CallPreferences::defaults(&person.email), 0));
    Ok(CallPreferencesView {
        user_id: user,
        name: full_name(&person),
        prefs,
        version,
        can_edit: rights.edit,
        can_edit_admin_flags: rights.flags,
        custom_labels: labels_for(conn, home).await?,
        time_zone: person.time_zone,
    })
}

pub async fn get_call_preferences(
    caller: &Authenticated,
    user: UserId,
) -> AppResult<CallPreferencesView> {
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let person = visible(&mut conn, caller, user).await?;
    view(&mut conn, caller, person).await
}

pub async fn save_call_preferences(
    caller: &Authenticated,
    user: UserId,
    form: CallPreferencesForm,
    version: i64,
) -> AppResult<CallPreferencesView> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let person = visible(&mut tx, caller, user).await?;
    let home = person.home_node_id.map(NodeId);
    let rights = rights(&mut tx, caller, user).await?;
    if !rights.edit {
        return Err(AppError::Forbidden);
    }
    // Parsed once: from here on every field is in its type.
    let prefs = form.parse()?;
    let stored = repo::get(&mut tx, user).await?;
    if stored.as_ref().map_or(0, |(_, v)| *v) != version {
        return Err(AppError::conflict(CONFLICT));
    }
    let before =
        stored.map_or_else(|| CallPreferences::defaults(&person.email), |(prefs, _)| prefs);
    if !rights.flags && prefs.admin_flags != before.admin_flags {
        return Err(AppError::Forbidden);
    }
    let labels = labels_for(&mut tx, home).await?;
    let changed = audit_diff::changes(&before, &prefs, &labels);
    // A save that changes nothing writes nothing (and the version stays).
    if !changed.is_empty() {
        if !repo::save(&mut tx, user, &prefs, version, now).await? {
            return Err(AppError::conflict(CONFLICT));
        }
        let actor = caller.viewer.display_name();
        let target = full_name(&person);
        let entry = Entry {
            at: now,
            actor: Actor { id: Some(caller.viewer.id), name: &actor },
            action: "call_preferences_updated",
            target: Some((user, &target)),
            node: home,
            details: &changed.join("; "),
        };
        audit::record(&mut tx, entry).await?;
    }
    let view = view(&mut tx, caller, person).await?;
    tx.commit().await?;
    Ok(view)
}
