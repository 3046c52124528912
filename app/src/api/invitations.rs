//! Inviting people: an administrator adds someone by e-mail with the roles they will hold;
//! the person gets a link, chooses a password and is signed in. Also the list of pending
//! invitations (resend, revoke).

use crate::{
    domain::{NodeId, RoleId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page a mailed invitation link opens: `/invitations/{token}`.
pub fn invitation_path(token: &str) -> String {
    format!("/invitations/{token}")
}

/// What inviting someone did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum InviteOutcome {
    /// A new person, `invited`; the invitation mail is on its way.
    Invited { user_id: UserId },
    /// The e-mail address already belongs to this person (one identity per address):
    /// nothing was written. Offer to show them, or to give them the roles instead.
    AlreadyExists { user_id: UserId, name: String, email: String },
}

/// An invitation not yet accepted nor revoked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub id: i64,
    pub user_id: UserId,
    pub name: String,
    pub email: String,
    /// Names of the roles the person will hold at the node.
    pub roles: Vec<String>,
    pub invited_by: String,
    /// When the last mail was sent (UTC milliseconds).
    pub sent_at: i64,
    pub expires_at: i64,
    /// The link no longer works: resend to send a new one.
    pub expired: bool,
}

/// What the accept page shows about an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationPreview {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Where the roles are given.
    pub node_id: NodeId,
    pub node_name: String,
    pub agency_name: String,
    pub invited_by: String,
    pub expires_at: i64,
}

/// Adds a person as `invited` at `node_id` and mails them a link; they get `role_ids` there
/// once they accept. Each role must be one the caller could give (see `grant_role`).
#[server(endpoint = "invite_user")]
pub async fn invite_user(
    node_id: NodeId,
    email: String,
    first_name: String,
    last_name: String,
    #[server(default)] role_ids: Vec<RoleId>,
) -> Result<InviteOutcome, AppError> {
    let caller =
        crate::server::policy::require(crate::domain::Permission::ManageUsers, node_id).await?;
    let input = ssr::InviteInput { email, first_name, last_name, role_ids };
    ssr::invite_user(&caller, node_id, input).await
}

/// The invitations at `node_id` still waiting to be accepted, newest first.
#[server(endpoint = "list_invitations")]
pub async fn list_invitations(node_id: NodeId) -> Result<Vec<PendingInvitation>, AppError> {
    crate::server::policy::require(crate::domain::Permission::ViewUsers, node_id).await?;
    ssr::list_invitations(node_id).await
}

/// Sends a new link (the old one stops working), valid for the full time again.
#[server(endpoint = "resend_invitation")]
pub async fn resend_invitation(invitation_id: i64) -> Result<(), AppError> {
    let caller = ssr::require_manager_of(invitation_id).await?;
    ssr::resend_invitation(&caller, invitation_id).await
}

/// Withdraws an invitation: its link stops working.
#[server(endpoint = "revoke_invitation")]
pub async fn revoke_invitation(invitation_id: i64) -> Result<(), AppError> {
    let caller = ssr::require_manager_of(invitation_id).await?;
    ssr::revoke_invitation(&caller, invitation_id).await
}

/// Public: who is invited where, for the accept page; or why the link no longer works.
#[server(endpoint = "get_invitation")]
pub async fn get_invitation(token: String) -> Result<InvitationPreview, AppError> {
    accept::get_invitation(&token).await
}

/// Public: accepts an invitation with a new password, signs the person in, and returns the
/// page to go to (the node they were invited to). A link works once.
#[server(endpoint = "accept_invitation")]
pub async fn accept_invitation(token: String, password: String) -> Result<String, AppError> {
    use crate::server::respond;
    // Only a well-formed token goes back into the redirect's address.
    let well_formed = token.chars().all(|c| c.is_ascii_hexdigit());
    let page = invitation_path(if well_formed { &token } else { "" });
    respond::redirect_on_error_without_js(accept::accept_invitation(&token, password).await, &page)
}

#[cfg(feature = "ssr")]
mod accept;
#[cfg(feature = "ssr")]
pub(super) mod ssr;
