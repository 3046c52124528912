//! The agency's labels for the four custom fields: read by anyone who may view an account
//! of the agency, renamed by those who manage its settings.

use crate::{
    api::call_prefs::AgencySettings,
    domain::{
        NodeId, Permission,
        call_prefs::{default_labels, parse_label},
    },
    error::{AppError, AppResult, FieldError},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        policy,
        repo::{call_prefs as repo, nodes},
    },
};

const LABELS_CONFLICT: &str = "Someone else renamed these fields while you were editing them. \
                               Reload to see their labels, then make your change again: nothing \
                               was saved.";

fn no_agency() -> AppError {
    AppError::not_found("There is no such agency, or it is out of your reach.")
}

/// The four labels, or every label's problem at once (fields `custom_field_labels[i]`).
fn parse_labels(labels: &[String]) -> AppResult<[String; 4]> {
    let Ok(labels) = <&[String; 4]>::try_from(labels) else {
        return Err(AppError::field("custom_field_labels", "Give all four labels."));
    };
    let mut errors = Vec::new();
    let parsed = std::array::from_fn(|i| {
        parse_label(&labels[i]).unwrap_or_else(|message| {
            errors.push(FieldError { field: format!("custom_field_labels[{i}]"), message });
            String::new()
        })
    });
    match AppError::fields(errors) {
        Some(err) => Err(err),
        None => Ok(parsed),
    }
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
    use super::parse_labels;

    #[test]
    fn labels_are_checked_each_and_all_four_are_needed() {
        let four = |a: &str, b: &str| vec![a.into(), b.into(), "Team".into(), "Badge".into()];
        assert_eq!(parse_labels(&four(" Region ", "Language")).unwrap()[0], "Region");
        let err = parse_labels(&four(" ", &"x".repeat(41))).unwrap_err();
        assert!(err.field_message("custom_field_labels[0]").is_some(), "{err:?}");
        assert!(err.field_message("custom_field_labels[1]").is_some(), "{err:?}");
        let three = parse_labels(&["a".into(), "b".into(), "c".into()]).unwrap_err();
        assert!(three.field_message("custom_field_labels").is_some());
    }
}
