//! Call preferences: read by the person and by those who may see them; changed by the
//! person (all but the administrators' flags) and by whoever manages them at every place
//! they have, home account and roles (flags included; `server::person_access`). Also the
//! agency's labels for the four custom fields.

use crate::{
    domain::{
        NodeId, UserId,
        call_prefs::{CallPreferences, CallPreferencesForm},
    },
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A person's call preferences as the caller may see and change them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallPreferencesView {
    pub user_id: UserId,
    /// The person's name, for headings.
    pub name: String,
    pub prefs: CallPreferences,
    /// 0 until the first save; a save made against another version is refused.
    pub version: i64,
    /// The caller may change these preferences (other than the flags, see below).
    pub can_edit: bool,
    /// The caller may change the flags only administrators set.
    pub can_edit_admin_flags: bool,
    /// The labels the person's agency gives the four custom fields.
    pub custom_labels: [String; 4],
    /// The person's time zone: schedule and text window times are in it.
    pub time_zone: String,
}

/// An agency's settings: the labels of the four custom user fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgencySettings {
    pub agency_id: NodeId,
    pub custom_field_labels: [String; 4],
    /// 0 until the first save.
    pub version: i64,
    /// The caller may rename the labels (they manage the agency's settings).
    pub can_edit: bool,
}

/// The call preferences of `user_id`, if the caller may see the person.
#[server(endpoint = "get_call_preferences")]
pub async fn get_call_preferences(user_id: UserId) -> Result<CallPreferencesView, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::get_call_preferences(&caller, user_id).await
}

/// Saves every preference at once. `version` is the one the form was filled from: if
/// someone saved in between, nothing is written and the caller is told to reload. The form
/// is parsed first; any problem refuses the whole save, with a message per field (all of
/// them at once).
#[server(endpoint = "save_call_preferences", input = server_fn::codec::Json)]
pub async fn save_call_preferences(
    user_id: UserId,
    prefs: CallPreferencesForm,
    version: i64,
) -> Result<CallPreferencesView, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::save_call_preferences(&caller, user_id, prefs, version).await
}

/// The agency's settings, for anyone who may view an account of the agency.
#[server(endpoint = "get_agency_settings")]
pub async fn get_agency_settings(agency_id: NodeId) -> Result<AgencySettings, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::get_agency_settings(&caller, agency_id).await
}

/// Renames the four custom fields (`custom_field_labels[0]` … `[3]`), against `version`.
#[server(endpoint = "save_agency_settings")]
pub async fn save_agency_settings(
    agency_id: NodeId,
    custom_field_labels: Vec<String>,
    version: i64,
) -> Result<AgencySettings, AppError> {
    use crate::domain::Permission;
    let caller =
        crate::server::policy::require(Permission::ManageAccountSettings, agency_id).await?;
    ssr::save_agency_settings(&caller, agency_id, custom_field_labels, version).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
