//! The audit log, read-only: what happened at a node and below it, for those holding
//! ViewAuditLog there. Nothing in the app edits or deletes an entry (and the database
//! refuses it too: see migration 0005).

use crate::{
    domain::{NodeId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// Entries per page.
pub const PAGE_SIZE: i64 = 50;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    /// Start of the actor's name.
    #[serde(default)]
    pub actor: String,
    /// Start of the name of the person acted upon.
    #[serde(default)]
    pub target: String,
    /// An action key (see `domain::audit::ACTIONS`); empty for all.
    #[serde(default)]
    pub action: String,
    /// `YYYY-MM-DD`, a day in the viewer's time zone (inclusive).
    #[serde(default)]
    pub from: String,
    /// `YYYY-MM-DD`, a day in the viewer's time zone (inclusive).
    #[serde(default)]
    pub until: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub id: i64,
    /// UTC milliseconds.
    pub at: i64,
    /// `at` in the viewer's time zone, e.g. "2026-11-22 13:30 EST".
    pub at_local: String,
    pub actor: String,
    pub action: String,
    pub target_user_id: Option<UserId>,
    pub target: Option<String>,
    pub node_id: Option<NodeId>,
    pub node_name: Option<String>,
    pub details: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditPage {
    pub entries: Vec<AuditEntry>,
    /// Pass as `before_id` for the next (older) page; `None` on the last page.
    pub next_before: Option<i64>,
    /// The viewer's time zone, in which times and the date filter are read.
    pub time_zone: String,
}

#[server(endpoint = "list_audit_log")]
pub async fn list_audit_log(
    node_id: NodeId,
    #[server(default)] filter: AuditFilter,
    #[server(default)] before_id: Option<i64>,
) -> Result<AuditPage, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewAuditLog, node_id).await?;
    ssr::list(&caller, node_id, filter, before_id).await
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{AuditEntry, AuditFilter, AuditPage, PAGE_SIZE};
    use crate::{
        domain::{NodeId, UserId, profile::DEFAULT_TIME_ZONE},
        error::{AppError, AppResult, FieldError},
        server::{AppState, audit, auth::Authenticated, repo::users},
    };
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Tz;

    /// Midnight at the start of `day` in `tz`, in UTC milliseconds (the earliest instant
    /// when the clocks change at midnight).
    fn start_of(day: NaiveDate, tz: Tz) -> Option<i64> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        tz.from_local_datetime(&midnight).earliest().map(|t| t.timestamp_millis())
    }

    fn parse_day(field: &str, value: &str, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
        let value = value.trim();
        if value.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
            Ok(day) => Some(day),
            Err(_) => {
                errors.push(FieldError {
                    field: field.into(),
                    message: "Enter a date as YYYY-MM-DD.".into(),
                });
                None
            }
        }
    }

    pub fn local_time(at: i64, tz: Tz) -> String {
        match chrono::DateTime::from_timestamp_millis(at) {
            Some(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
            None => String::new(),
        }
    }

    pub async fn list(
        caller: &Authenticated,
        node: NodeId,
        filter: AuditFilter,
        before_id: Option<i64>,
    ) -> AppResult<AuditPage> {
        let state = AppState::get()?;
        let mut conn = state.db.pool.acquire().await?;
        let time_zone = users::profile(&mut conn, caller.viewer.id)
            .await?
            .map_or_else(|| DEFAULT_TIME_ZONE.to_string(), |p| p.time_zone);
        let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::America::New_York);
        let mut errors = Vec::new();
        let from = parse_day("from", &filter.from, &mut errors);
        let until = parse_day("until", &filter.until, &mut errors);
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            errors.push(FieldError {
                field: "until".into(),
                message: "The end date is before the start date.".into(),
            });
        }
        if let Some(err) = AppError::fields(errors) {
            return Err(err);
        }
        let text = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let (actor, target, action) =
            (text(&filter.actor), text(&filter.target), text(&filter.action));
        let query = audit::Query {
            node,
            actor: actor.as_deref(),
            target: target.as_deref(),
            action: action.as_deref(),
            from: from.and_then(|d| start_of(d, tz)),
            until: until.and_then(|d| d.succ_opt()).and_then(|d| start_of(d, tz)),
            before_id,
            limit: PAGE_SIZE + 1,
        };
        let mut rows = audit::list(&mut conn, &query).await?;
        let more = rows.len() as i64 > PAGE_SIZE;
        rows.truncate(PAGE_SIZE as usize);
        let next_before = if more { rows.last().map(|r| r.id) } else { None };
        let entries = rows
            .into_iter()
            .map(|r| AuditEntry {
                id: r.id,
                at: r.at,
                at_local: local_time(r.at, tz),
                actor: r.actor_name,
                action: r.action,
                target_user_id: r.target_user_id.map(UserId),
                target: r.target_name,
                node_id: r.node_id.map(NodeId),
                node_name: r.node_name,
                details: r.details,
            })
            .collect();
        Ok(AuditPage { entries, next_before, time_zone })
    }
}
