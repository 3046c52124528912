//! The server side of bulk add: checking a batch line by line, and committing it.

use super::{BulkCounts, BulkLine, BulkOutcome, BulkPreview, BulkResult};
use crate::{
    api::{
        invitations::ssr::{
            EXISTS, home_account, invitation_mail, invited_details, place_name,
            require_lookup_budget, spend_lookups,
        },
        members::ssr::grantable_role,
        nodes::ssr::{gone, record},
    },
    domain::{Email, NodeId, NodeSummary, Permission, RoleId, UserId, UserStatus},
    error::{AppError, AppResult},
    server::{
        AppState,
        audit::{self, Actor, Entry},
        auth::Authenticated,
        bulk::parse::{self, Line, LineKind},
        db::is_unique_violation,
        mail::templates,
        repo::{
            bulk::{self, CHUNK},
            invitations::encode_role_ids,
            memberships, nodes,
            roles::RoleRow,
            users::UserBrief,
        },
        token,
    },
};
use std::collections::HashMap;

/// How many invalid lines a refused commit names.
const NAMED: usize = 5;

/// A checked batch: every line with its outcome, and who is to be invited or given the role.
struct Plan {
    lines: Vec<BulkLine>,
    /// New people: address, first name, last name.
    invite: Vec<(Email, String, String)>,
    /// People the caller may see who do not hold the role here yet.
    grant: Vec<UserBrief>,
    target: NodeSummary,
    role: RoleRow,
    /// Lines whose address belongs to someone outside the caller's reach: each answered
    /// "already exists", so each counted and audited (`spend_lookups`).
    outside_reach: usize,
}

/// Reads the text; a batch over a limit, or without a single line, is refused whole.
fn read(text: &str) -> AppResult<Vec<Line>> {
    let lines = parse::parse(text).map_err(|e| AppError::field("text", e.message()))?;
    if lines.is_empty() {
        return Err(AppError::field(
            "text",
            "Enter at least one line: e-mail, first name, last name (one person per line).",
        ));
    }
    Ok(lines)
}

/// Decides what each line does at `node` with `role`, as the caller: the role must be one
/// they may give there; addresses are looked up in lists of [`CHUNK`].
async fn plan(
    conn: &mut sqlx::AnyConnection,
    caller: &Authenticated,
    node: NodeId,
    role: RoleId,
    parsed: Vec<Line>,
) -> AppResult<Plan> {
    let target = nodes::get(conn, node).await?.ok_or_else(gone)?;
    let agency = nodes::agency_of(conn, node).await?.ok_or_else(gone)?;
    let role_row = grantable_role(conn, caller, &target, agency, role, "role_id").await?;
    let addresses: Vec<&str> = parsed
        .iter()
        .filter_map(|l| match &l.kind {
            LineKind::Person { email, .. } => Some(email.as_str()),
            _ => None,
        })
        .collect();
    let existing = bulk::users_by_email(conn, &addresses).await?;
    let ids: Vec<UserId> = existing.iter().map(|u| UserId(u.id)).collect();
    // Named only to those who may see the person, as when inviting one.
    let reach = memberships::reach(conn, caller.viewer.id, Permission::ViewUsers).await?;
    let visible = bulk::under(conn, &ids, &reach).await?;
    let seen: Vec<UserId> = ids.iter().copied().filter(|id| visible.contains(id)).collect();
    let holders = bulk::holding(conn, &seen, node, role).await?;
    let mut by_email: HashMap<String, UserBrief> =
        existing.into_iter().map(|u| (u.email.clone(), u)).collect();

    let mut plan = Plan {
        lines: Vec::new(),
        invite: Vec::new(),
        grant: Vec::new(),
        target,
        role: role_row,
        outside_reach: 0,
    };
    for l in parsed {
        let outcome = match l.kind {
            LineKind::Duplicate { of_line } => BulkOutcome::Duplicate { of_line },
            LineKind::Invalid { reason } => BulkOutcome::Invalid { reason },
            LineKind::Person { email, first_name, last_name } => {
                match by_email.remove(email.as_str()) {
                    None => {
                        plan.invite.push((email, first_name, last_name));
                        BulkOutcome::Invite
                    }
                    Some(who) if !visible.contains(&UserId(who.id)) => {
                        plan.outside_reach += 1;
                        BulkOutcome::Invalid { reason: EXISTS.into() }
                    }
                    Some(who) if holders.contains(&UserId(who.id)) => {
                        BulkOutcome::AlreadyHasRole { user_id: UserId(who.id), name: who.name() }
                    }
                    Some(who) => {
                        let outcome =
                            BulkOutcome::GrantAccess { user_id: UserId(who.id), name: who.name() };
                        plan.grant.push(who);
                        outcome
                    }
                }
            }
        };
        plan.lines.push(BulkLine {
            line: l.line,
            email: l.email,
            first_name: l.first_name,
            last_name: l.last_name,
            outcome,
        });
    }
    Ok(plan)
}

pub async fn preview(
    caller: &Authenticated,
    node: NodeId,
    role: RoleId,
    text: &str,
) -> AppResult<BulkPreview> {
    let state = AppState::get()?;
    let parsed = read(text)?;
    let mut conn = state.db.pool.acquire().await?;
    require_lookup_budget(&mut conn, caller).await?;
    let plan = plan(&mut conn, caller, node, role, parsed).await?;
    drop(conn);
    if plan.outside_reach > 0 {
        spend_lookups(caller, node, plan.outside_reach).await?;
    }
    let counts = BulkCounts::of(&plan.lines);
    Ok(BulkPreview { lines: plan.lines, counts })
}

fn check_batch_id(batch: &str) -> AppResult<()> {
    let ok = (1..=64).contains(&batch.len())
        && batch.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(AppError::field(
            "batch_id",
            "A batch id has 1 to 64 letters, digits, dashes or underscores.",
        ))
    }
}

/// "Line 7: …. Line 9: …. And 3 more lines need fixing. Nothing was added."
fn refusal(lines: &[BulkLine]) -> String {
    let invalid: Vec<String> = lines
        .iter()
        .filter_map(|l| match &l.outcome {
            BulkOutcome::Invalid { reason } => Some(format!("Line {}: {reason}", l.line)),
            _ => None,
        })
        .collect();
    let mut out: Vec<String> = invalid.iter().take(NAMED).cloned().collect();
    match invalid.len().saturating_sub(NAMED) {
        0 => {}
        1 => out.push("And 1 more line needs fixing.".into()),
        n => out.push(format!("And {} more lines need fixing.", parse::thousands(n))),
    }
    out.push("Nothing was added.".into());
    out.join(" ")
}

/// An audit entry by `actor` about one person at `node`, as `record` writes it.
fn about<'a>(
    actor: &Actor<'a>,
    at: i64,
    node: NodeId,
    action: &'a str,
    who: UserId,
    name: &'a str,
    details: &'a str,
) -> Entry<'a> {
    Entry {
        at,
        actor: Actor { id: actor.id, name: actor.name },
        action,
        target: Some((who, name)),
        node: Some(node),
        details,
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

pub async fn commit(
    caller: &Authenticated,
    node: NodeId,
    role: RoleId,
    text: &str,
    batch: &str,
) -> AppResult<BulkResult> {
    check_batch_id(batch)?;
    let state = AppState::get()?;
    // Read before the transaction: a batch over a limit takes no lock.
    let parsed = read(text)?;
    let mut tx = state.db.begin().await?;
    require_lookup_budget(&mut tx, caller).await?;
    let plan = plan(&mut tx, caller, node, role, parsed).await?;
    let counts = BulkCounts::of(&plan.lines);
    if counts.invalid > 0 {
        // Lines about people outside reach are invalid: the batch is refused and nothing
        // is written, but the answers given are counted, outside the refused transaction.
        drop(tx);
        if plan.outside_reach > 0 {
            spend_lookups(caller, node, plan.outside_reach).await?;
        }
        return Err(AppError::field("text", refusal(&plan.lines)));
    }
    let tracker = state.bulk_progress.start(caller.viewer.id, batch, counts.to_add(), &state.clock);
    let now = state.clock.now();
    let actor_name = caller.viewer.display_name();
    let actor = Actor { id: Some(caller.viewer.id), name: &actor_name };
    let role_names = [plan.role.name.clone()];
    let mut done = 0;
    let mut mailed = false;

    // New people: as `invite_user`, a chunk at a time.
    let place = place_name(&mut tx, &plan.target).await?;
    let home = home_account(&mut tx, &plan.target).await?;
    let roles = encode_role_ids(&[role]);
    for chunk in plan.invite.chunks(CHUNK) {
        let emails: Vec<&Email> = chunk.iter().map(|(e, ..)| e).collect();
        let usernames = bulk::free_usernames(&mut tx, &emails, home).await?;
        let people: Vec<bulk::Invitee> = chunk
            .iter()
            .zip(&usernames)
            .map(|((email, first_name, last_name), username)| bulk::Invitee {
                email,
                username,
                first_name,
                last_name,
            })
            .collect();
        let ids = match bulk::insert_invited(&mut tx, &people, home, now).await {
            // An address (or a username) taken by someone adding people at the same time.
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict(
                    "Someone else added people while this batch was being added. Nothing was \
                     added: preview the batch again.",
                ));
            }
            other => other?,
        };
        let mut invitations = Vec::with_capacity(chunk.len());
        let mut mails = Vec::with_capacity(chunk.len());
        let mut audited = Vec::with_capacity(chunk.len());
        for (email, first_name, last_name) in chunk {
            let user = *ids.get(email.as_str()).ok_or_else(|| {
                tracing::error!("bulk add: no id returned for a new user");
                AppError::Internal
            })?;
            let token = token::generate();
            invitations.push((user, token::hash(&token)));
            let mail = invitation_mail(&state, first_name, &actor_name, &place, &token);
            mails.push(bulk::Mail {
                to: email.to_string(),
                subject: mail.subject,
                body: mail.body,
            });
            let details = invited_details(email, &role_names, &plan.target.name);
            audited.push((user, format!("{first_name} {last_name}"), details));
        }
        let expires = now + state.config.invite_ttl_ms;
        bulk::insert_invitations(
            &mut tx,
            &invitations,
            node,
            &roles,
            caller.viewer.id,
            now,
            expires,
        )
        .await?;
        bulk::enqueue(&mut tx, &mails, now).await?;
        mailed |= !mails.is_empty();
        let entries: Vec<Entry> = audited
            .iter()
            .map(|(user, name, details)| {
                about(&actor, now, node, "user_invited", *user, name, details)
            })
            .collect();
        audit::record_all(&mut tx, &entries).await?;
        done += chunk.len();
        tracker.set_done(count(done));
    }

    // People the caller may see: as `grant_role` with notification (mail to active people).
    let link = templates::link(&state.config.public_url, &format!("/nodes/{node}"));
    let granted_details = format!("role: {}; at: {}", plan.role.name, plan.target.name);
    for chunk in plan.grant.chunks(CHUNK) {
        let ids: Vec<UserId> = chunk.iter().map(|u| UserId(u.id)).collect();
        bulk::grant(&mut tx, &ids, node, role, caller.viewer.id, now).await?;
        let mails: Vec<bulk::Mail> = chunk
            .iter()
            .filter(|who| who.status() == UserStatus::Active)
            .map(|who| {
                let mail = templates::access_granted(&templates::AccessGranted {
                    first_name: &who.first_name,
                    granter: &actor_name,
                    role: &plan.role.name,
                    place: &plan.target.name,
                    link: link.clone(),
                });
                bulk::Mail { to: who.email.clone(), subject: mail.subject, body: mail.body }
            })
            .collect();
        bulk::enqueue(&mut tx, &mails, now).await?;
        mailed |= !mails.is_empty();
        let names: Vec<String> = chunk.iter().map(UserBrief::name).collect();
        let entries: Vec<Entry> = chunk
            .iter()
            .zip(&names)
            .map(|(who, name)| {
                about(&actor, now, node, "role_granted", UserId(who.id), name, &granted_details)
            })
            .collect();
        audit::record_all(&mut tx, &entries).await?;
        done += chunk.len();
        tracker.set_done(count(done));
    }

    let result = BulkResult {
        invited: counts.invite,
        granted: counts.grant,
        unchanged: counts.unchanged,
        duplicates: counts.duplicate,
    };
    let details = format!(
        "role: {}; at: {}; lines: {}; invited: {}; granted: {}; unchanged: {}; duplicates: {}",
        plan.role.name,
        plan.target.name,
        plan.lines.len(),
        result.invited,
        result.granted,
        result.unchanged,
        result.duplicates
    );
    record(&mut tx, caller, "bulk_added", None, node, &details).await?;
    tx.commit().await?;
    tracker.finish();
    if mailed {
        state.mail.wake();
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(n: u32, outcome: BulkOutcome) -> BulkLine {
        BulkLine {
            line: n,
            email: String::new(),
            first_name: String::new(),
            last_name: String::new(),
            outcome,
        }
    }

    #[test]
    fn a_refusal_names_the_first_invalid_lines() {
        let bad = |n, r: &str| line(n, BulkOutcome::Invalid { reason: r.into() });
        let lines =
            vec![line(1, BulkOutcome::Invite), bad(2, "E-mail: Enter a name."), bad(7, EXISTS)];
        assert_eq!(
            refusal(&lines),
            "Line 2: E-mail: Enter a name. Line 7: A user with this e-mail address already \
             exists. Nothing was added."
        );
        let many: Vec<BulkLine> = (1..=8).map(|n| bad(n, "Bad.")).collect();
        let text = refusal(&many);
        assert!(text.starts_with("Line 1: Bad. Line 2: Bad."), "{text}");
        assert!(!text.contains("Line 6"), "{text}");
        assert!(text.ends_with("And 3 more lines need fixing. Nothing was added."), "{text}");
    }

    #[test]
    fn batch_ids() {
        assert!(check_batch_id("b-1_x").is_ok());
        assert!(check_batch_id(&"a".repeat(64)).is_ok());
        for bad in ["", "a b", "ü", &"a".repeat(65)] {
            assert!(check_batch_id(bad).is_err(), "{bad:?}");
        }
    }
}
