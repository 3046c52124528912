//! The user lifecycle: suspending, reactivating, disabling, re-inviting and deleting people,
//! and the list of disabled people at a node.
//!
//! A status belongs to the one global identity. Changing it needs ManageUsers at the
//! person's home account and at every node where they hold a role, and every permission of
//! those roles (`server::person_access`), so nobody can suspend someone more powerful, there
//! or elsewhere; nobody changes their own. Every change ends the person's
//! sessions, writes an audit entry in the same transaction, and is refused (rolled back) when
//! it would leave a node without an active administrator.

use crate::{
    api::users::UserSummary,
    domain::{NodeId, UserId},
    error::AppError,
};
use leptos::prelude::*;

/// Active to suspended: the person cannot sign in, and can be reactivated 14 days later at
/// the earliest. `reason` (1 to 500 characters) is shown to administrators.
#[server(endpoint = "suspend_user")]
pub async fn suspend_user(user_id: UserId, reason: String) -> Result<(), AppError> {
    use crate::domain::user::StatusChange;
    let caller = crate::server::auth::require()?;
    ssr::change_status(&caller, user_id, StatusChange::Suspend, &reason).await
}

/// Suspended to active, once 14 days have passed since the suspension.
#[server(endpoint = "reactivate_user")]
pub async fn reactivate_user(user_id: UserId) -> Result<(), AppError> {
    use crate::domain::user::StatusChange;
    let caller = crate::server::auth::require()?;
    ssr::change_status(&caller, user_id, StatusChange::Reactivate, "").await
}

/// Active or suspended to disabled: the person can neither sign in nor reset their password,
/// and stays on call teams and alerts.
#[server(endpoint = "disable_user")]
pub async fn disable_user(
    user_id: UserId,
    #[server(default)] reason: String,
) -> Result<(), AppError> {
    use crate::domain::user::StatusChange;
    let caller = crate::server::auth::require()?;
    ssr::change_status(&caller, user_id, StatusChange::Disable, &reason).await
}

/// Disabled to active, and a mail with a link to choose a new password.
#[server(endpoint = "reinvite_user")]
pub async fn reinvite_user(user_id: UserId) -> Result<(), AppError> {
    use crate::domain::user::StatusChange;
    let caller = crate::server::auth::require()?;
    ssr::change_status(&caller, user_id, StatusChange::Reinvite, "").await
}

/// Removes a person from every list: their roles end, their invitations are withdrawn,
/// their e-mail address is freed. History keeps them by name.
#[server(endpoint = "delete_user")]
pub async fn delete_user(user_id: UserId) -> Result<(), AppError> {
    use crate::domain::user::StatusChange;
    let caller = crate::server::auth::require()?;
    ssr::change_status(&caller, user_id, StatusChange::Delete, "").await
}

/// Disabled people at home at or below `node_id`, or holding a role at or below it; by name.
#[server(endpoint = "list_disabled_users")]
pub async fn list_disabled_users(node_id: NodeId) -> Result<Vec<UserSummary>, AppError> {
    // Taken before the first await: a page's data fetch can outlive its render.
    let state = crate::server::AppState::get()?;
    let caller =
        crate::server::policy::require(crate::domain::Permission::ViewUsers, node_id).await?;
    ssr::list_disabled(&state, &caller, node_id).await
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr;
