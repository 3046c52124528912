//! The server side of call preferences and agency settings.

use super::{AgencySettings, CallPreferencesView};
use crate::domain::phone::parse_e164;
use crate::{
    domain::{
        NodeId, Permission, UserId,
        call_prefs::{AdminFlags, CallPreferences, SendCallsTo, default_labels, parse_label},
    },
    error::{AppError, AppResult, FieldError},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        person_access, policy,
        repo::{call_prefs as repo, memberships, nodes, users},
    },
};

const CONFLICT: &str = "Someone else saved these preferences while you were editing them. \
                        Reload to see their changes, then make yours again: nothing was saved.";

const LABELS_CONFLICT: &str = "Someone else renamed these fields while you were editing them. \
                               Reload to see their labels, then make your change again: nothing \
                               was saved.";

fn not_found() -> AppError {
    AppError::not_found("There is no such person, or they are out of your reach.")
}

fn no_agency() -> AppError {
    AppError::not_found("There is no such agency, or it is out of your reach.")
}

fn problem(field: &str, message: impl Into<String>) -> FieldError {
    FieldError { field: field.into(), message: message.into() }
}

/// Every field checked at once, so the form shows all its problems together; the
/// preferences tidied, phone numbers in E.164.
pub fn validate(prefs: &CallPreferences) -> AppResult<CallPreferences> {
    let (mut p, mut errors) = prefs.check();
    if p.phone.is_empty() {
        if p.send_calls_to == SendCallsTo::Text {
            errors.push(problem(
                "phone",
                "Enter the mobile number to text calls to, like +1 202 555 0123.",
            ));
        }
    } else {
        match parse_e164(&p.phone) {
            Ok(number) => p.phone = number,
            Err(m) => errors.push(problem("phone", m)),
        }
    }
    if !p.direct_dial_number.is_empty() {
        match parse_e164(&p.direct_dial_number) {
            Ok(number) => p.direct_dial_number = number,
            Err(m) => errors.push(problem("direct_dial_number", m)),
        }
    }
    match AppError::fields(errors) {
        Some(err) => Err(err),
        None => Ok(p),
    }
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
        name: format!("{} {}", person.first_name, person.last_name).trim().to_string(),
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
    prefs: CallPreferences,
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
    let prefs = validate(&prefs)?;
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
    let changed = changes(&before, &prefs, &labels);
    // A save that changes nothing writes nothing (and the version stays).
    if !changed.is_empty() {
        if !repo::save(&mut tx, user, &prefs, version, now).await? {
            return Err(AppError::conflict(CONFLICT));
        }
        let actor = caller.viewer.display_name();
        let target = format!("{} {}", person.first_name, person.last_name).trim().to_string();
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

fn on_off(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

/// What a save changes, for the audit log. Contact details are named, not copied.
fn changes(a: &CallPreferences, b: &CallPreferences, labels: &[String; 4]) -> Vec<String> {
    let mut out = Vec::new();
    if a.send_calls_to != b.send_calls_to {
        out.push(format!(
            "send calls to: {} → {}",
            a.send_calls_to.label(),
            b.send_calls_to.label()
        ));
    }
    if a.phone != b.phone {
        out.push("mobile number".into());
    }
    if a.email != b.email {
        out.push("e-mail address".into());
    }
    if a.missed_call_email != b.missed_call_email {
        out.push(format!(
            "missed-call e-mails: {} → {}",
            a.missed_call_email.label(),
            b.missed_call_email.label()
        ));
    }
    if a.dial_app_first != b.dial_app_first {
        out.push(format!("dial the app first: {}", on_off(b.dial_app_first)));
    }
    if a.call_waiting != b.call_waiting {
        out.push(format!("call waiting: {}", on_off(b.call_waiting)));
    }
    if a.audio_bitrate != b.audio_bitrate {
        out.push(format!("audio bitrate: {} → {} kbps", a.audio_bitrate, b.audio_bitrate));
    }
    if a.direct_dial_number != b.direct_dial_number {
        out.push("direct dial number".into());
    }
    if a.direct_dial_extension != b.direct_dial_extension {
        out.push("extension".into());
    }
    if a.sip_address != b.sip_address {
        out.push("SIP address".into());
    }
    if a.schedule != b.schedule {
        out.push(format!("schedule: {}", b.schedule.summary()));
    }
    if a.text_window != b.text_window {
        let w = |t: &crate::domain::call_prefs::TextWindow| {
            crate::domain::call_prefs::TimeRange::new(t.start, t.end).to_string()
        };
        out.push(format!("text window: {} → {}", w(&a.text_window), w(&b.text_window)));
    }
    for (field, label) in AdminFlags::LABELS {
        let (x, y) = (a.admin_flags.get(field), b.admin_flags.get(field));
        if x != y {
            out.push(format!("{}: {}", label.to_lowercase(), on_off(y)));
        }
    }
    for (i, label) in labels.iter().enumerate() {
        if a.custom_fields[i] != b.custom_fields[i] {
            out.push(label.clone());
        }
    }
    out
}

fn parse_labels(labels: &[String]) -> AppResult<[String; 4]> {
    if labels.len() != 4 {
        return Err(AppError::field("custom_field_labels", "Give all four labels."));
    }
    let mut errors = Vec::new();
    let parsed: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            parse_label(l).unwrap_or_else(|m| {
                errors.push(problem(&format!("custom_field_labels[{i}]"), m));
                String::new()
            })
        })
        .collect();
    if let Some(err) = AppError::fields(errors) {
        return Err(err);
    }
    Ok(parsed.try_into().expect("four labels"))
}

/// The agency (a root node that is not archived), or `None`.
async fn is_agency(conn: &mut sqlx::AnyConnection, agency: NodeId) -> AppResult<bool> {
    Ok(nodes::get(conn, agency).await?.is_some_and(|n| n.parent_id.is_none()))
}

async fn settings(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    agency: NodeId,
) -> AppResult<AgencySettings> {
    let (labels, version) =
        repo::labels(conn, agency).await?.unwrap_or_else(|| (default_labels(), 0));
    let can_edit = policy::permissions_at(conn, caller.viewer.id, agency)
        .await?
        .contains(Permission::ManageAccountSettings);
    Ok(AgencySettings { agency_id: agency, custom_field_labels: labels, version, can_edit })
}

pub async fn get_agency_settings(
    caller: &Authenticated,
    agency: NodeId,
) -> AppResult<AgencySettings> {
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    // Anyone who may view some account of the agency; to anyone else, no such agency.
    let within = is_agency(&mut conn, agency).await?
        && repo::holds_within(&mut conn, caller.viewer.id, agency, Permission::ViewAccount).await?;
    if !within {
        return Err(no_agency());
    }
    settings(&mut conn, caller, agency).await
}

/// The caller manages the settings at `agency` (checked by the server function's guard).
pub async fn save_agency_settings(
    caller: &Authenticated,
    agency: NodeId,
    labels: Vec<String>,
    version: i64,
) -> AppResult<AgencySettings> {
    let labels = parse_labels(&labels)?;
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    if !is_agency(&mut tx, agency).await? {
        return Err(no_agency());
    }
    let stored = repo::labels(&mut tx, agency).await?;
    if stored.as_ref().map_or(0, |(_, v)| *v) != version {
        return Err(AppError::conflict(LABELS_CONFLICT));
    }
    let before = stored.map_or_else(default_labels, |(labels, _)| labels);
    let renamed: Vec<String> = before
        .iter()
        .zip(&labels)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("{a} → {b}"))
        .collect();
    if !renamed.is_empty() {
        if !repo::save_labels(&mut tx, agency, &labels, version, now).await? {
            return Err(AppError::conflict(LABELS_CONFLICT));
        }
        let actor = caller.viewer.display_name();
        let entry = Entry {
            at: now,
            actor: Actor { id: Some(caller.viewer.id), name: &actor },
            action: "custom_field_labels_renamed",
            target: None,
            node: Some(agency),
            details: &renamed.join("; "),
        };
        audit::record(&mut tx, entry).await?;
    }
    let settings = settings(&mut tx, caller, agency).await?;
    tx.commit().await?;
    Ok(settings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_every_field_and_requires_the_chosen_destination() {
        let mut p = CallPreferences::defaults("ann@example.com");
        p.send_calls_to = SendCallsTo::Text;
        p.direct_dial_number = "12".into();
        p.sip_address = "http://x".into();
        let err = validate(&p).unwrap_err();
        for field in ["phone", "direct_dial_number", "sip_address"] {
            assert!(err.field_message(field).is_some(), "{field}: {err:?}");
        }
        p.phone = "+1 202 555 0123".into();
        p.direct_dial_number = "+44 20 7946 0958".into();
        p.sip_address = "sip:ann@pbx.example.com".into();
        let ok = validate(&p).unwrap();
        assert_eq!(
            (ok.phone.as_str(), ok.direct_dial_number.as_str()),
            ("+12025550123", "+442079460958")
        );
    }
}
