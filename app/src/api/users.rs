//! One person, as an administrator (or they themselves) sees them.

use crate::{
    domain::{UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: UserId,
    pub name: String,
    pub email: String,
    pub status: UserStatus,
}

/// A person the caller may see: themselves, or someone within the caller's ViewUsers reach.
#[server(endpoint = "get_user")]
pub async fn get_user(user_id: UserId) -> Result<UserSummary, AppError> {
    use crate::{
        domain::Permission,
        server::{
            AppState, auth,
            repo::{memberships, users},
        },
    };
    let caller = auth::require()?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let visible = caller.viewer.id == user_id || {
        let roots = memberships::reach(&mut conn, caller.viewer.id, Permission::ViewUsers).await?;
        users::is_under(&mut conn, user_id, &roots).await?
    };
    // Someone out of reach and someone who does not exist look the same.
    let not_found =
        || AppError::not_found("There is no such person, or they are out of your reach.");
    if !visible {
        return Err(not_found());
    }
    let u = users::brief(&mut conn, user_id).await?.ok_or_else(not_found)?;
    if u.status() == UserStatus::Deleted {
        return Err(not_found());
    }
    Ok(UserSummary { id: user_id, name: u.name(), email: u.email.clone(), status: u.status() })
}
