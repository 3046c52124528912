//! An account's tracking numbers (a number and a name), and its access-control groups: named
//! groups that narrow what their members see. Someone in at least one group of an account
//! sees only the tracking numbers their groups grant there; someone in none sees them all,
//! and so does whoever manages the account's settings.
//!
//! Both live in an account (a node of kind account, or the agency itself): asked at a
//! sub-group, the lists are its account's, but a group's members are only those who belong
//! at that sub-group (never someone whose only place is a sibling); changes are made at the
//! account. Reading needs ViewAccount at the node, changing ManageAccountSettings at the
//! account. Only people
//! holding Call Agent, Call Manager or Report Manager in the account can be put in a group.

use crate::{
    api::teams::PersonRef,
    domain::{NodeId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrackingNumber {
    pub id: i64,
    /// E.164, e.g. `+12025550100`.
    pub number: String,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessGroup {
    pub id: i64,
    pub name: String,
    /// The numbers it grants, among those the caller may see.
    pub numbers: Vec<TrackingNumber>,
    pub members: Vec<PersonRef>,
}

/// The tracking numbers of the account of `node_id` that the caller may see: all of them,
/// unless the caller is in an access-control group there (and does not manage the account's
/// settings), then only those their groups grant. By number.
#[server(endpoint = "list_tracking_numbers")]
pub async fn list_tracking_numbers(node_id: NodeId) -> Result<Vec<TrackingNumber>, AppError> {
    // Taken before the first await: a page's data fetch can outlive its render.
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewAccount, node_id).await?;
    ssr::list_numbers(&state, &caller, node_id).await
}

/// Adds a tracking number to the account `node_id`.
#[server(endpoint = "create_tracking_number")]
pub async fn create_tracking_number(
    node_id: NodeId,
    #[server(default)] number: String,
    #[server(default)] name: String,
) -> Result<TrackingNumber, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::create_number(&caller, node_id, &number, &name).await
}

/// Removes a tracking number of the account `node_id` (and from every group granting it).
#[server(endpoint = "delete_tracking_number")]
pub async fn delete_tracking_number(node_id: NodeId, number_id: i64) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::delete_number(&caller, node_id, number_id).await
}

/// The access-control groups of the account of `node_id`, by name.
#[server(endpoint = "list_access_groups")]
pub async fn list_access_groups(node_id: NodeId) -> Result<Vec<AccessGroup>, AppError> {
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewAccount, node_id).await?;
    ssr::list_groups(&state, &caller, node_id).await
}

#[server(endpoint = "create_access_group")]
pub async fn create_access_group(
    node_id: NodeId,
    #[server(default)] name: String,
) -> Result<AccessGroup, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::create_group(&caller, node_id, &name).await
}

#[server(endpoint = "delete_access_group")]
pub async fn delete_access_group(node_id: NodeId, group_id: i64) -> Result<(), AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::delete_group(&caller, node_id, group_id).await
}

/// Makes `number_ids` (numbers of the account `node_id`) the numbers a group grants.
#[server(endpoint = "set_access_group_numbers")]
pub async fn set_access_group_numbers(
    node_id: NodeId,
    group_id: i64,
    #[server(default)] number_ids: Vec<i64>,
) -> Result<AccessGroup, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::set_group_numbers(&caller, node_id, group_id, number_ids).await
}

/// Makes `user_ids` the members of a group of the account `node_id`: each must hold Call
/// Agent, Call Manager or Report Manager there (at, above or below the account).
#[server(endpoint = "set_access_group_members")]
pub async fn set_access_group_members(
    node_id: NodeId,
    group_id: i64,
    #[server(default)] user_ids: Vec<UserId>,
) -> Result<AccessGroup, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageAccountSettings, node_id)
            .await?;
    ssr::set_group_members(&caller, node_id, group_id, user_ids).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
