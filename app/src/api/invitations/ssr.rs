//! The server side of invitations.

use super::{InviteOutcome, PendingInvitation, invitation_path};
use crate::{
    api::{
        members::ssr::grantable_role,
        nodes::ssr::{gone, record},
    },
    domain::{
        Email, NodeId, NodeSummary, Permission, RoleId, UserId, UserStatus, user::parse_person_name,
    },
    error::{AppError, AppResult, FieldError},
    server::{
        AppState,
        auth::{self, Authenticated},
        db::is_unique_violation,
        mail::{outbox, templates},
        policy,
        repo::{
            email_lookups,
            invitations::{self as inv, InvitationRow, InvitationState},
            memberships, nodes, roles, users,
        },
        token,
    },
};

/// The answer about an address that belongs to someone the caller may not see: the fact,
/// nothing more. Shared with bulk add.
pub const EXISTS: &str = "A user with this e-mail address already exists.";

/// How many "already exists" answers about people outside their reach a caller gets in an
/// hour, inviting and bulk adding together. The answer is product behaviour ("you can still
/// grant them access" when they are in reach; the bare fact otherwise), but it tells whether
/// an address is anyone's anywhere: bounded, it cannot be used to sift a list of addresses,
/// and each one is audited. Legitimate use meets it rarely (people of other accounts).
pub const LOOKUPS_PER_HOUR: i64 = 30;

fn too_many_lookups() -> AppError {
    AppError::TooManyRequests {
        message: "You have entered too many addresses of people outside your accounts in the \
                  last hour. Try again later."
            .into(),
    }
}

/// Refuses, before any address is looked up, a caller who has had their hourly share of
/// answers about people outside their reach: from then on every address gets this answer,
/// known or not, so the refusal itself tells nothing.
pub async fn require_lookup_budget(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
) -> AppResult<()> {
    let now = AppState::get()?.clock.now();
    if email_lookups::used(conn, caller.viewer.id, now).await? >= LOOKUPS_PER_HOUR {
        return Err(too_many_lookups());
    }
    Ok(())
}

/// Counts and audits `n` answers at `node` that addresses belong to people outside the
/// caller's reach, in a transaction of its own (the caller's request is refused, and its own
/// transaction must be over: on SQLite it would hold the write lock). `Err` when this takes
/// the caller past the bound: then the answers are not given.
pub async fn spend_lookups(caller: &Authenticated, node: NodeId, n: usize) -> AppResult<()> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let n = i64::try_from(n).unwrap_or(i64::MAX);
    let mut tx = state.db.begin().await?;
    let used = email_lookups::spend(&mut tx, caller.viewer.id, n, now).await?;
    let details = format!("addresses: {n}; this hour: {used} of {LOOKUPS_PER_HOUR}");
    record(&mut tx, caller, "email_outside_reach_looked_up", None, node, &details).await?;
    tx.commit().await?;
    tracing::warn!(
        user = caller.viewer.id.0,
        node = node.0,
        addresses = n,
        used,
        "existing e-mail addresses outside the caller's reach looked up"
    );
    if used > LOOKUPS_PER_HOUR { Err(too_many_lookups()) } else { Ok(()) }
}

fn no_invitation() -> AppError {
    AppError::not_found("This invitation no longer exists.")
}

/// "North (Acme Agency)", or just the agency's name at the agency.
pub async fn place_name(conn: &mut sqlx::AnyConnection, node: &NodeSummary) -> AppResult<String> {
    let agency = nodes::agency_of(conn, node.id).await?.ok_or_else(gone)?;
    if agency == node.id {
        return Ok(node.name.clone());
    }
    let agency = nodes::get(conn, agency).await?.ok_or_else(gone)?;
    Ok(format!("{} ({})", node.name, agency.name))
}

/// The invitation mail with the link for `token` to `place` (see [`place_name`]).
pub fn invitation_mail(
    state: &AppState,
    first_name: &str,
    inviter: &str,
    place: &str,
    token: &str,
) -> templates::Composed {
    templates::invitation(&templates::Invitation {
        first_name,
        inviter,
        place,
        link: templates::link(&state.config.public_url, &invitation_path(token)),
        valid_for: state.config.invite_ttl_ms,
    })
}

/// The invitation mail for `token`, queued in the caller's transaction.
async fn queue_invitation_mail(
    conn: &mut sqlx::AnyConnection,
    to: &str,
    first_name: &str,
    inviter: &str,
    node: &NodeSummary,
    token: &str,
) -> AppResult<()> {
    let state = AppState::get()?;
    let place = place_name(conn, node).await?;
    let mail = invitation_mail(&state, first_name, inviter, &place, token);
    outbox::enqueue(conn, to, &mail.subject, &mail.body, state.clock.now()).await?;
    Ok(())
}

/// The details of a `user_invited` audit entry.
pub fn invited_details(email: &Email, role_names: &[String], at: &str) -> String {
    format!("email: {email}; roles: {}; at: {at}", role_names.join(", "))
}

pub struct InviteInput {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role_ids: Vec<RoleId>,
}

/// Checks every field at once, so the form shows all its problems together.
fn validate(input: &InviteInput) -> AppResult<(Email, String, String, Vec<RoleId>)> {
    let mut errors = Vec::new();
    let mut fail = |field: &str, message: String| {
        errors.push(FieldError { field: field.into(), message });
    };
    let email = Email::parse(&input.email).map_err(|e| fail("email", e.to_string())).ok();
    let first = parse_person_name(&input.first_name).map_err(|m| fail("first_name", m.into())).ok();
    let last = parse_person_name(&input.last_name).map_err(|m| fail("last_name", m.into())).ok();
    let mut role_ids = input.role_ids.clone();
    role_ids.sort();
    role_ids.dedup();
    if role_ids.is_empty() {
        fail("role_ids", "Choose at least one role.".into());
    }
    if let Some(err) = AppError::fields(errors) {
        return Err(err);
    }
    Ok((email.expect("validated"), first.expect("validated"), last.expect("validated"), role_ids))
}

/// The account a node belongs to (the agency for the agency itself): the invitee's home.
pub async fn home_account(conn: &mut sqlx::AnyConnection, node: &NodeSummary) -> AppResult<NodeId> {
    let ancestors = nodes::ancestors(conn, node.id).await?;
    Ok(ancestors.get(1).map_or(node.id, |a| a.id))
}

pub async fn invite_user(
    caller: &Authenticated,
    node: NodeId,
    input: InviteInput,
) -> AppResult<InviteOutcome> {
    let (email, first_name, last_name, role_ids) = validate(&input)?;
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    require_lookup_budget(&mut tx, caller).await?;
    let target = nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    let agency = nodes::agency_of(&mut tx, node).await?.ok_or_else(gone)?;
    let mut role_names = Vec::new();
    for role in &role_ids {
        role_names
            .push(grantable_role(&mut tx, caller, &target, agency, *role, "role_ids").await?.name);
    }
    if let Some(existing) = users::find_id_by_email(&mut tx, &email).await? {
        // Named only to those who may see the person; others learn no more than the fact.
        let reach = memberships::reach(&mut tx, caller.viewer.id, Permission::ViewUsers).await?;
        if users::is_under(&mut tx, existing, &reach).await?
            && let Some(who) = users::brief(&mut tx, existing).await?
        {
            return Ok(InviteOutcome::AlreadyExists {
                user_id: existing,
                name: who.name(),
                email: who.email,
            });
        }
        drop(tx);
        spend_lookups(caller, node, 1).await?;
        return Err(AppError::conflict(EXISTS));
    }
    let new = users::NewUser {
        email: &email,
        first_name: &first_name,
        last_name: &last_name,
        status: UserStatus::Invited,
        password_hash: None,
        home_node: Some(home_account(&mut tx, &target).await?),
    };
    let user = match users::insert(&mut tx, new, now).await {
        Err(e) if is_unique_violation(&e) => return Err(AppError::conflict(EXISTS)),
        other => other?,
    };
    let token = token::generate();
    let invitation = inv::NewInvitation {
        user,
        node,
        roles: &role_ids,
        token_hash: &token::hash(&token),
        invited_by: Some(caller.viewer.id),
        expires_at: now + state.config.invite_ttl_ms,
    };
    inv::insert(&mut tx, invitation, now).await?;
    let inviter = caller.viewer.display_name();
    queue_invitation_mail(&mut tx, email.as_str(), &first_name, &inviter, &target, &token).await?;
    let name = format!("{first_name} {last_name}");
    let details = invited_details(&email, &role_names, &target.name);
    record(&mut tx, caller, "user_invited", Some((user, &name)), node, &details).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(InviteOutcome::Invited { user_id: user })
}

pub async fn list_invitations(node: NodeId) -> AppResult<Vec<PendingInvitation>> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut conn = state.db.pool.acquire().await?;
    let agency = nodes::agency_of(&mut conn, node).await?.ok_or_else(gone)?;
    let names: std::collections::HashMap<i64, String> =
        roles::usable_in(&mut conn, agency).await?.into_iter().map(|r| (r.id, r.name)).collect();
    let rows = inv::pending_at(&mut conn, node, crate::api::users::LISTED_ON_NODE_PAGE).await?;
    Ok(rows
        .into_iter()
        .map(|r| PendingInvitation {
            id: r.id,
            user_id: UserId(r.user_id),
            name: r.invitee_name(),
            roles: r.role_ids().iter().filter_map(|id| names.get(&id.0).cloned()).collect(),
            invited_by: r.inviter_name(),
            sent_at: r.last_sent_at,
            expires_at: r.expires_at,
            expired: r.state(now) == InvitationState::Expired,
            email: r.email,
        })
        .collect())
}

/// The guard of resend and revoke: the caller must manage users where the invitation gives
/// its roles. An unknown invitation is "not found" to anyone signed in, and so is another
/// agency's (to someone holding no role in it): the two answers cannot be told apart.
pub async fn require_manager_of(invitation: i64) -> AppResult<Authenticated> {
    let caller = auth::require()?;
    let mut conn = AppState::get()?.db.pool.acquire().await?;
    let node = inv::node_of(&mut conn, invitation).await?.ok_or_else(no_invitation)?;
    let user = caller.viewer.id;
    if policy::permissions_at(&mut conn, user, node).await?.contains(Permission::ManageUsers) {
        return Ok(caller);
    }
    let agency = nodes::agency_of(&mut conn, node).await?.ok_or_else(no_invitation)?;
    if memberships::holds_any_under(&mut conn, user, agency).await? {
        Err(AppError::Forbidden)
    } else {
        Err(no_invitation())
    }
}

/// The invitation `id`, still waiting to be accepted, in the caller's transaction.
async fn open_invitation(conn: &mut sqlx::AnyConnection, id: i64) -> AppResult<InvitationRow> {
    let row = inv::get(conn, id).await?.ok_or_else(no_invitation)?;
    if row.accepted_at.is_some() || row.user_status != UserStatus::Invited.key() {
        return Err(AppError::conflict(format!(
            "{} has already accepted this invitation.",
            row.invitee_name()
        )));
    }
    if row.revoked_at.is_some() {
        return Err(AppError::conflict("This invitation was withdrawn. Invite the person again."));
    }
    Ok(row)
}

pub async fn resend_invitation(caller: &Authenticated, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let now = state.clock.now();
    let mut tx = state.db.begin().await?;
    let row = open_invitation(&mut tx, id).await?;
    let node = NodeId(row.node_id);
    let target = nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    let agency = nodes::agency_of(&mut tx, node).await?.ok_or_else(gone)?;
    // Sending the link again is giving the roles again: the sender must be able to give each
    // (roles deleted meanwhile are dropped), and becomes the inviter acceptance re-checks.
    let mut kept = Vec::new();
    for role in row.role_ids() {
        if roles::get(&mut tx, role).await?.is_some_and(|r| r.usable_in(agency)) {
            grantable_role(&mut tx, caller, &target, agency, role, "role_ids").await?;
            kept.push(role);
        }
    }
    let token = token::generate();
    let expires = now + state.config.invite_ttl_ms;
    let sender = caller.viewer.id;
    if !inv::renew(&mut tx, id, &token::hash(&token), &kept, sender, now, expires).await? {
        return Err(no_invitation());
    }
    let inviter = caller.viewer.display_name();
    queue_invitation_mail(&mut tx, &row.email, &row.first_name, &inviter, &target, &token).await?;
    let (user, name) = (UserId(row.user_id), row.invitee_name());
    let details = format!("email: {}; at: {}", row.email, target.name);
    record(&mut tx, caller, "invitation_resent", Some((user, &name)), node, &details).await?;
    tx.commit().await?;
    state.mail.wake();
    Ok(())
}

pub async fn revoke_invitation(caller: &Authenticated, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let row = open_invitation(&mut tx, id).await?;
    if !inv::revoke(&mut tx, id, state.clock.now()).await? {
        return Err(no_invitation());
    }
    let node = NodeId(row.node_id);
    let (user, name) = (UserId(row.user_id), row.invitee_name());
    let details = format!("email: {}", row.email);
    record(&mut tx, caller, "invitation_revoked", Some((user, &name)), node, &details).await?;
    tx.commit().await?;
    Ok(())
}
