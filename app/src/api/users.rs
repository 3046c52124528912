//! One person, as an administrator (or they themselves) sees them.

use crate::{
    domain::{NodeId, UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How many people a node page lists in each of its short lists (pending invitations,
/// disabled people): the first ones, with a link to the directory for all of them, so an
/// agency of 100,000 people still gets a small page.
pub const LISTED_ON_NODE_PAGE: usize = 20;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
    /// Why they were suspended or disabled, if a reason was given.
    pub status_reason: Option<String>,
    /// When the status last changed (UTC milliseconds).
    pub status_changed_at: Option<i64>,
    /// Suspended people only: from when they may be reactivated.
    pub reactivate_from: Option<i64>,
    /// Suspended and still within the cool-down: reactivating is refused until
    /// `reactivate_from`.
    pub reactivation_waits: bool,
    /// The account that created them, when the caller may see it.
    pub home_node: Option<(NodeId, String)>,
    /// The caller may change this person's status: they manage users at the person's home
    /// account and wherever the person holds a role (and are someone else).
    pub may_manage: bool,
}

/// A person the caller may see: themselves, or someone within the caller's ViewUsers reach.
#[server(endpoint = "get_user")]
pub async fn get_user(user_id: UserId) -> Result<UserSummary, AppError> {
    use crate::{
        api::lifecycle::ssr::{Standing, no_such_person, standing, summary},
        server::{AppState, auth, repo::user_status},
    };
    let caller = auth::require()?;
    let state = AppState::get()?;
    let mut conn = state.db.pool.acquire().await?;
    let row = user_status::get(&mut conn, user_id).await?.ok_or_else(no_such_person)?;
    // Someone out of reach, someone deleted and someone who does not exist look the same.
    let standing = standing(&mut conn, caller.viewer.id, &row).await?;
    if standing == Standing::Hidden {
        return Err(no_such_person());
    }
    summary(&mut conn, caller.viewer.id, row, standing, state.clock.now()).await
}
