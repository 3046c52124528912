//! The public side of invitations: what a link shows, and accepting it.

use crate::{
    api::invitations::InvitationPreview,
    domain::{NodeId, NodeSummary, RoleId, UserId, UserStatus, role_rules::beyond},
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth,
        password_policy::check_new_password,
        policy,
        repo::{
            invitations::{self as inv, InvitationRow, InvitationState},
            memberships, nodes,
            roles::{self, RoleRow},
            users,
        },
        respond, session, throttle, token,
    },
};
use leptos::prelude::expect_context;

fn cannot_use() -> AppError {
    AppError::conflict("This invitation can no longer be used. Ask your administrator for help.")
}

fn inviter_cannot_give() -> AppError {
    AppError::conflict(
        "The person who invited you can no longer give you this access, so the invitation \
         cannot be used as it is. Ask your administrator to send it again.",
    )
}

/// The roles of an invitation that are still to be given at `node` (of `agency`): roles
/// deleted since, or no longer fit for the node, are skipped.
async fn roles_to_give(
    conn: &mut sqlx::AnyConnection,
    row: &InvitationRow,
    node: &NodeSummary,
    agency: NodeId,
) -> AppResult<Vec<RoleRow>> {
    let mut out = Vec::new();
    for role in row.role_ids() {
        let Some(r) = roles::get(conn, role).await?.filter(|r| r.usable_in(agency)) else {
            continue;
        };
        if r.builtin().is_some_and(|b| b.is_agency_level()) && node.parent_id.is_some() {
            continue;
        }
        out.push(r);
    }
    Ok(out)
}

/// An invitation grants what its inviter could give when they sent it; at acceptance the
/// inviter must still be able to: still active, and holding at the node every permission of
/// every role given (the no-escalation rule of inviting, `role_rules::beyond`). Otherwise
/// the invitation is refused whole and nothing is granted. The inviter is whoever sent the
/// link last: the person who invited, who committed the bulk add, or who last resent it (a
/// resend re-checks the roles against the resender and makes them the inviter).
async fn inviter_may_still_give(
    conn: &mut sqlx::AnyConnection,
    row: &InvitationRow,
    node: NodeId,
    roles: &[RoleRow],
) -> AppResult<()> {
    let Some(inviter) = row.invited_by.map(UserId) else {
        return Err(inviter_cannot_give());
    };
    let active =
        users::brief(conn, inviter).await?.is_some_and(|u| u.status() == UserStatus::Active);
    let own = policy::permissions_at(conn, inviter, node).await?;
    if active && roles.iter().all(|r| beyond(&own, &r.permission_set()).is_empty()) {
        Ok(())
    } else {
        Err(inviter_cannot_give())
    }
}

/// The node of a usable invitation, its agency and the roles it gives, once the inviter
/// has been re-checked.
async fn checked(
    conn: &mut sqlx::AnyConnection,
    row: &InvitationRow,
) -> AppResult<(NodeSummary, NodeId, Vec<RoleRow>)> {
    let node = nodes::get(conn, NodeId(row.node_id)).await?.ok_or_else(node_gone)?;
    let agency = nodes::agency_of(conn, node.id).await?.ok_or_else(node_gone)?;
    let roles = roles_to_give(conn, row, &node, agency).await?;
    inviter_may_still_give(conn, row, node.id, &roles).await?;
    Ok((node, agency, roles))
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

/// Looks an invitation link up, refusing clients that keep trying links that don't exist.
async fn find_link(
    conn: &mut sqlx::AnyConnection,
    hash: &str,
    now: i64,
) -> AppResult<Option<InvitationRow>> {
    let client = auth::client_ip().to_string();
    throttle::before_link_lookup(conn, &client, now).await?;
    let row = inv::find_by_token(conn, hash).await?;
    throttle::after_link_lookup(conn, &client, now, row.is_some()).await?;
    Ok(row)
}

pub async fn get_invitation(token: &str) -> AppResult<InvitationPreview> {
    let state = AppState::get()?;
    let mut conn = state.db.pool.acquire().await?;
    let row = find_link(&mut conn, &token::hash(token.trim()), state.clock.now()).await?;
    if let Some(err) = unusable(row.as_ref(), state.clock.now()) {
        return Err(err);
    }
    let row = row.expect("a usable invitation exists");
    // Said on the page already, before the person chooses a password.
    let (node, agency, _) = checked(&mut conn, &row).await?;
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
        let row = find_link(&mut conn, &hash, state.clock.now()).await?;
        if let Some(err) = unusable(row.as_ref(), state.clock.now()) {
            return Err(err);
        }
        checked(&mut conn, row.as_ref().expect("a usable invitation exists")).await?;
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
    // Dropping the transaction (an early return) un-spends the invitation. The inviter is
    // checked again here, in the transaction that grants.
    let (node, _, roles) = checked(&mut tx, &row).await?;
    if !inv::activate_user(&mut tx, user, &password_hash, now).await? {
        return Err(cannot_use());
    }
    let mut given = Vec::new();
    for r in roles {
        let by = row.invited_by.map(UserId);
        memberships::grant(&mut tx, user, node.id, RoleId(r.id), by, now).await?;
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
