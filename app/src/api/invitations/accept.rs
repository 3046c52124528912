//! The public side of invitations: what a link shows, and accepting it.

use crate::{
    api::{invitations::InvitationPreview, nodes::ssr::gone},
    domain::{NodeId, UserId, UserStatus},
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth,
        password_policy::check_new_password,
        repo::{
            invitations::{self as inv, InvitationRow, InvitationState},
            memberships, nodes, roles,
        },
        respond, session, token,
    },
};
use leptos::prelude::expect_context;

fn cannot_use() -> AppError {
    AppError::conflict("This invitation can no longer be used. Ask your administrator for help.")
}

fn node_gone() -> AppError {
    AppError::conflict(
        "The account you were invited to no longer exists. Ask your administrator for help.",
    )
}

/// Why a link cannot be used, in words for the person who followed it.
fn unusable(row: Option<&InvitationRow>, now: i64) -> Option<AppError> {
    let Some(row) = row else {
        return Some(AppError::not_found(
            "This invitation link is not valid. Check that you opened the whole link from the \
             e-mail, or ask your administrator to send a new one.",
        ));
    };
    match row.state(now) {
        InvitationState::Pending if row.user_status == UserStatus::Invited.key() => None,
        InvitationState::Pending => Some(cannot_use()),
        InvitationState::Expired => Some(AppError::conflict(
            "This invitation has expired. Ask your administrator to send a new one.",
        )),
        InvitationState::Revoked => Some(AppError::conflict(
            "This invitation was withdrawn. Ask your administrator if you still need access.",
        )),
        InvitationState::Accepted => Some(AppError::conflict(
            "This invitation has already been used. Sign in with your e-mail address and \
             password instead.",
        )),
    }
}

pub async fn get_invitation(token: &str) -> AppResult<InvitationPreview> {
    let state = AppState::get()?;
    let mut conn = state.db.pool.acquire().await?;
    let row = inv::find_by_token(&mut conn, &token::hash(token.trim())).await?;
    if let Some(err) = unusable(row.as_ref(), state.clock.now()) {
        return Err(err);
    }
    let row = row.expect("a usable invitation exists");
    let node = nodes::get(&mut conn, NodeId(row.node_id)).await?.ok_or_else(node_gone)?;
    let agency = nodes::agency_of(&mut conn, node.id).await?.ok_or_else(node_gone)?;
    let agency = nodes::get(&mut conn, agency).await?.ok_or_else(node_gone)?;
    Ok(InvitationPreview {
        invited_by: row.inviter_name(),
        first_name: row.first_name,
        last_name: row.last_name,
        email: row.email,
        node_id: node.id,
        node_name: node.name,
        agency_name: agency.name,
        expires_at: row.expires_at,
    })
}

pub async fn accept_invitation(token: &str, password: String) -> AppResult<String> {
    check_new_password(&password).map_err(|e| AppError::field("password", e.to_string()))?;
    let state = AppState::get()?;
    let hash = token::hash(token.trim());
    // A spent or unknown link is refused before the slow password hashing.
    {
        let mut conn = state.db.pool.acquire().await?;
        let row = inv::find_by_token(&mut conn, &hash).await?;
        if let Some(err) = unusable(row.as_ref(), state.clock.now()) {
            return Err(err);
        }
    }
    let password_hash = state.hasher.hash(password).await;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    // The one state change that decides who wins among concurrent attempts.
    if !inv::mark_accepted(&mut tx, &hash, now).await? {
        let row = inv::find_by_token(&mut tx, &hash).await?;
        return Err(unusable(row.as_ref(), now).unwrap_or(AppError::Internal));
    }
    let row = inv::find_by_token(&mut tx, &hash).await?.ok_or(AppError::Internal)?;
    let (user, name) = (UserId(row.user_id), row.invitee_name());
    let node = nodes::get(&mut tx, NodeId(row.node_id)).await?.ok_or_else(node_gone)?;
    // Dropping the transaction (an early return) un-spends the invitation.
    if !inv::activate_user(&mut tx, user, &password_hash, now).await? {
        return Err(cannot_use());
    }
    let agency = nodes::agency_of(&mut tx, node.id).await?.ok_or_else(gone)?;
    let mut given = Vec::new();
    for role in row.role_ids() {
        // Roles deleted since, or no longer fit for the node, are skipped.
        let Some(r) = roles::get(&mut tx, role).await?.filter(|r| r.usable_in(agency)) else {
            continue;
        };
        if r.builtin().is_some_and(|b| b.is_agency_level()) && node.parent_id.is_some() {
            continue;
        }
        let by = row.invited_by.map(UserId);
        memberships::grant(&mut tx, user, node.id, role, by, now).await?;
        given.push(r.name);
    }
    let details = format!("roles: {}; at: {}", given.join(", "), node.name);
    let entry = Entry {
        at: now,
        actor: Actor { id: Some(user), name: &name },
        action: "invitation_accepted",
        target: Some((user, &name)),
        node: Some(node.id),
        details: &details,
    };
    audit::record(&mut tx, entry).await?;
    let max_age = state.config.session_max_ms;
    let ip = auth::client_ip().to_string();
    let session = session::create(&mut tx, user, now, max_age, &auth::user_agent(), &ip).await?;
    tx.commit().await?;
    // Whoever was signed in in this browser is not any more.
    if let Some(old) = auth::current() {
        session::delete(&state.db, &old.session_hash).await?;
    }
    let res = expect_context::<leptos_axum::ResponseOptions>();
    res.append_header(
        http::header::SET_COOKIE,
        session::cookie(&session, max_age, state.config.secure_cookies()),
    );
    tracing::info!(user = user.0, "invitation accepted");
    respond::navigate_after(format!("/nodes/{}", node.id))
}
