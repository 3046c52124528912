//! The isolation cases of contacts, call teams, teams, "view other users' activities",
//! tracking numbers and access-control groups: what each kind makes first and sends, the
//! functions' own rules, and what an allowed answer must contain (the fixture has none of
//! them: what a case makes is removed by the restore, isolation/snapshot.rs).
//!
//! Everything a case makes is named after the node it belongs to ("Calls Xone", "Group
//! Xray"...), so that an answer naming something out of the caller's sight is caught.

use super::Expect;
use super::fixture::{Caller, Node, World};
use crate::common::START;
use app::{
    domain::{BuiltinRole, NodeId, NodeKind, Permission, RoleId, UserId},
    server::repo::memberships,
};
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TeamsKind {
    /// A contact made at `t`, listed at `t`.
    ListContacts,
    CreateContact,
    /// Saves a contact made at `t`, through `t`.
    UpdateContact,
    /// Saves a contact made at `t` through the caller's grant node: not found unless `t` is
    /// that node.
    UpdateContactViaGrant,
    DeleteContact,
    /// A call team made at `t` with the person and a contact of `t` on it.
    ListCallTeams,
    CreateCallTeam,
    RenameCallTeam,
    /// Turns on the missed-call e-mails of a call team made at `t`.
    SetCallTeamMissedCalls,
    DeleteCallTeam,
    /// Puts the person at `t` on a call team of `t`.
    SetCallTeamMembers,
    /// Puts the person at `t` on a call team of the caller's grant node: only people at or
    /// below it are within the caller's reach there.
    SetCallTeamPerson,
    /// Puts a contact of `t` on a call team of the grant node: only the node's own.
    SetCallTeamContact,
    ListTeams,
    CreateTeam,
    DeleteTeam,
    SetTeamMembers,
    /// The person at `t` on a team of the grant node.
    SetTeamPerson,
    /// The person at `t` sees the activities of the person invited at `t`.
    ListActivityVisibility,
    SetActivityVisibility,
    CandidatesCallTeam,
    CandidatesTeam,
    /// At an account only; holders of a calling role.
    CandidatesAccessGroup,
    /// A number of `t`'s account, listed at `t`.
    ListTrackingNumbers,
    CreateTrackingNumber,
    DeleteTrackingNumber,
    /// A group of `t`'s account (granting a number, the person at the account in it).
    ListAccessGroups,
    CreateAccessGroup,
    DeleteAccessGroup,
    SetAccessGroupNumbers,
    /// The person at `t`, given Call Agent at `t` for the case, into a group of `t`.
    SetAccessGroupMembers,
    /// The same person into a group of the caller's grant node.
    SetAccessGroupPerson,
    /// The person at `t` is on a team and a call team of `t`, in a group of its account,
    /// and sees the invitee's activities at `t`.
    ListUserTeams,
}

/// The account `t` belongs to: itself at an account or agency, else the account above.
pub fn account(t: Node) -> Node {
    match t.kind() {
        NodeKind::Group => account(t.parent().expect("a sub-group has a parent")),
        _ => t,
    }
}

fn cap(n: Node) -> String {
    let t = n.token();
    format!("{}{}", t[..1].to_uppercase(), &t[1..])
}

/// The functions' own rules, once their permissions are held.
pub fn rules(kind: TeamsKind, c: &Caller, t: Node) -> Expect {
    use TeamsKind as K;
    let g = c.grant;
    let group = |n: Node| n.kind() == NodeKind::Group;
    match kind {
        K::UpdateContactViaGrant if t != g => Expect::Refuse,
        K::SetCallTeamPerson | K::SetTeamPerson if !t.is_at_or_below(g) => Expect::Invalid(422),
        K::SetCallTeamContact if t != g => Expect::Invalid(422),
        K::CreateTrackingNumber
        | K::DeleteTrackingNumber
        | K::CreateAccessGroup
        | K::DeleteAccessGroup
        | K::SetAccessGroupNumbers
        | K::SetAccessGroupMembers
        | K::CandidatesAccessGroup
            if group(t) =>
        {
            Expect::Invalid(409)
        }
        K::SetAccessGroupPerson if group(g) => Expect::Invalid(409),
        K::SetAccessGroupPerson if !t.is_at_or_below(g) => Expect::Invalid(422),
        _ => Expect::Allow,
    }
}

fn field(name: impl Into<String>, value: impl ToString) -> (String, String) {
    (name.into(), value.to_string())
}

fn pool(w: &World) -> &sqlx::AnyPool {
    &w.app.server.state.db.pool
}

async fn seed_contact(w: &World, at: Node) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO contacts (node_id, first_name, last_name, email, send_calls_to, created_at, \
         updated_at) VALUES ($1, 'Lee', $2, $3, 'email', $4, $4) RETURNING id",
    )
    .bind(w.id(at))
    .bind(cap(at))
    .bind(format!("lee.{}@example.com", at.token()))
    .bind(START)
    .fetch_one(pool(w))
    .await
    .unwrap();
    id
}

/// A call team of `at` with `users` and then `contacts` on it.
async fn seed_call_team(w: &World, at: Node, users: &[i64], contacts: &[i64]) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO call_teams (node_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(w.id(at))
    .bind(format!("Calls {}", cap(at)))
    .bind(START)
    .fetch_one(pool(w))
    .await
    .unwrap();
    let members =
        users.iter().map(|u| (Some(*u), None)).chain(contacts.iter().map(|c| (None, Some(*c))));
    for (position, (user, contact)) in members.enumerate() {
        sqlx::query(
            "INSERT INTO call_team_members (team_id, position, user_id, contact_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(user)
        .bind(contact)
        .execute(pool(w))
        .await
        .unwrap();
    }
    id
}

async fn seed_team(w: &World, at: Node, users: &[i64]) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO teams (node_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(w.id(at))
    .bind(format!("Team {}", cap(at)))
    .bind(START)
    .fetch_one(pool(w))
    .await
    .unwrap();
    for u in users {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*u)
            .execute(pool(w))
            .await
            .unwrap();
    }
    id
}

async fn seed_number(w: &World, at: Node) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO tracking_numbers (account_id, number, name, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(w.id(at))
    .bind(format!("+1202555{:04}", w.serial() % 10_000))
    .bind(format!("Line {}", cap(at)))
    .bind(START)
    .fetch_one(pool(w))
    .await
    .unwrap();
    id
}

async fn seed_group(w: &World, at: Node, numbers: &[i64], users: &[i64]) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO access_groups (account_id, name, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(w.id(at))
    .bind(format!("Group {}", cap(at)))
    .bind(START)
    .fetch_one(pool(w))
    .await
    .unwrap();
    for n in numbers {
        sqlx::query(
            "INSERT INTO access_group_numbers (group_id, tracking_number_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(*n)
        .execute(pool(w))
        .await
        .unwrap();
    }
    for u in users {
        sqlx::query("INSERT INTO access_group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(*u)
            .execute(pool(w))
            .await
            .unwrap();
    }
    id
}

async fn seed_visibility(w: &World, at: Node, viewer: i64, subject: i64) {
    sqlx::query(
        "INSERT INTO activity_visibility (node_id, viewer_user_id, subject_user_id) \
         VALUES ($1, $2, $3)",
    )
    .bind(w.id(at))
    .bind(viewer)
    .bind(subject)
    .execute(pool(w))
    .await
    .unwrap();
}

/// The person invited at `at` by the fixture (at home there).
async fn invitee(w: &World, at: Node) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT user_id FROM invitations WHERE id = $1")
        .bind(w.invitation(at))
        .fetch_one(pool(w))
        .await
        .unwrap();
    id
}

/// Gives the person at `at` Call Agent there (the fixture's memberships are put back after).
async fn make_call_agent(w: &World, at: Node) {
    let mut conn = pool(w).acquire().await.unwrap();
    let (user, node) = (UserId(w.subject(at)), NodeId(w.id(at)));
    let role = RoleId(w.role(BuiltinRole::CallAgent));
    memberships::grant(&mut conn, user, node, role, None, START).await.unwrap();
}

fn contact_fields(last: &str) -> Vec<(String, String)> {
    vec![
        field("first_name", "Lee"),
        field("last_name", last),
        field("phone", ""),
        field("email", "lee@example.com"),
        field("send_calls_to", "email"),
    ]
}

/// The form fields of the call; makes what the case needs first.
pub async fn prepare(kind: TeamsKind, w: &World, c: &Caller, t: Node) -> Vec<(String, String)> {
    use TeamsKind as K;
    let g = c.grant;
    let at = |n: Node| field("node_id", w.id(n));
    match kind {
        K::ListContacts => {
            seed_contact(w, t).await;
            vec![at(t)]
        }
        K::CreateContact => {
            let mut form = vec![at(t)];
            form.extend(contact_fields(&format!("Made {}", w.serial())));
            form
        }
        K::UpdateContact | K::UpdateContactViaGrant => {
            let id = seed_contact(w, t).await;
            let mut form = vec![at(if kind == K::UpdateContact { t } else { g })];
            form.extend(contact_fields(&cap(t)));
            form.push(field("contact_id", id));
            form.push(field("version", 1));
            form
        }
        K::DeleteContact => {
            let id = seed_contact(w, t).await;
            vec![at(t), field("contact_id", id)]
        }
        K::ListCallTeams => {
            let contact = seed_contact(w, t).await;
            seed_call_team(w, t, &[w.subject(t)], &[contact]).await;
            vec![at(t)]
        }
        K::CreateCallTeam | K::CreateTeam | K::CreateAccessGroup => {
            vec![at(t), field("name", format!("Made {}", w.serial()))]
        }
        K::RenameCallTeam => {
            let id = seed_call_team(w, t, &[], &[]).await;
            vec![at(t), field("team_id", id), field("name", format!("Renamed {}", w.serial()))]
        }
        K::DeleteCallTeam => {
            let id = seed_call_team(w, t, &[], &[]).await;
            vec![at(t), field("team_id", id)]
        }
        K::SetCallTeamMissedCalls => {
            let id = seed_call_team(w, t, &[], &[]).await;
            vec![at(t), field("team_id", id), field("enabled", true)]
        }
        K::SetCallTeamMembers | K::SetCallTeamPerson => {
            let place = if kind == K::SetCallTeamMembers { t } else { g };
            let id = seed_call_team(w, place, &[], &[]).await;
            let person = format!("user:{}", w.subject(t));
            vec![at(place), field("team_id", id), field("members[0]", person), field("version", 1)]
        }
        K::SetCallTeamContact => {
            let id = seed_call_team(w, g, &[], &[]).await;
            let contact = format!("contact:{}", seed_contact(w, t).await);
            vec![at(g), field("team_id", id), field("members[0]", contact), field("version", 1)]
        }
        K::ListTeams => {
            seed_team(w, t, &[w.subject(t)]).await;
            vec![at(t)]
        }
        K::DeleteTeam => {
            let id = seed_team(w, t, &[]).await;
            vec![at(t), field("team_id", id)]
        }
        K::SetTeamMembers | K::SetTeamPerson => {
            let place = if kind == K::SetTeamMembers { t } else { g };
            let id = seed_team(w, place, &[]).await;
            vec![at(place), field("team_id", id), field("user_ids[0]", w.subject(t))]
        }
        K::ListActivityVisibility => {
            seed_visibility(w, t, w.subject(t), invitee(w, t).await).await;
            vec![at(t)]
        }
        K::SetActivityVisibility => {
            // The caller: someone belonging at `t` whenever they manage users there (the
            // person invited at a sub-group is at home at its account, and so is not).
            let (me,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
                .bind(format!("caller.{}@example.com", c.role.key()))
                .fetch_one(pool(w))
                .await
                .unwrap();
            vec![at(t), field("user_id", w.subject(t)), field("subject_ids[0]", me)]
        }
        K::CandidatesCallTeam => vec![at(t), field("purpose", "call_team")],
        K::CandidatesTeam => vec![at(t), field("purpose", "team")],
        K::CandidatesAccessGroup => vec![at(t), field("purpose", "access_group")],
        K::ListTrackingNumbers => {
            seed_number(w, account(t)).await;
            vec![at(t)]
        }
        K::CreateTrackingNumber => vec![
            at(t),
            field("number", format!("+1303555{:04}", w.serial() % 10_000)),
            field("name", format!("Made {}", w.serial())),
        ],
        K::DeleteTrackingNumber => {
            let id = seed_number(w, account(t)).await;
            vec![at(t), field("number_id", id)]
        }
        K::ListAccessGroups => {
            let a = account(t);
            let number = seed_number(w, a).await;
            seed_group(w, a, &[number], &[w.subject(a)]).await;
            vec![at(t)]
        }
        K::DeleteAccessGroup => {
            let id = seed_group(w, account(t), &[], &[]).await;
            vec![at(t), field("group_id", id)]
        }
        K::SetAccessGroupNumbers => {
            let a = account(t);
            let number = seed_number(w, a).await;
            let id = seed_group(w, a, &[], &[]).await;
            vec![at(t), field("group_id", id), field("number_ids[0]", number)]
        }
        K::SetAccessGroupMembers | K::SetAccessGroupPerson => {
            let place = if kind == K::SetAccessGroupMembers { t } else { g };
            make_call_agent(w, t).await;
            let id = seed_group(w, place, &[], &[]).await;
            vec![at(place), field("group_id", id), field("user_ids[0]", w.subject(t))]
        }
        K::ListUserTeams => {
            let person = w.subject(t);
            seed_team(w, t, &[person]).await;
            seed_call_team(w, t, &[person], &[]).await;
            seed_group(w, account(t), &[], &[person]).await;
            seed_visibility(w, t, person, invitee(w, t).await).await;
            vec![field("user_id", person)]
        }
    }
}

fn texts(v: &Value, key: &str) -> BTreeSet<String> {
    let items = v.as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|x| x[key].as_str().map(str::to_owned)).collect()
}

fn ids(v: &Value, path: &[&str]) -> BTreeSet<i64> {
    let items = v.as_array().cloned().unwrap_or_default();
    items.iter().filter_map(|x| path.iter().fold(x, |v, k| &v[*k]).as_i64()).collect()
}

fn same<T: Ord + std::fmt::Debug>(
    what: &str,
    got: BTreeSet<T>,
    want: BTreeSet<T>,
) -> Result<(), String> {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, expected {want:?}")) }
}

/// The people `c` may put on something at `t` (with a calling role of `t` for groups): not
/// deleted, at home or holding a role at or below `t` or above it, within `c`'s reach.
fn candidates(w: &World, c: &Caller, t: Node, group_roles: bool) -> BTreeSet<i64> {
    if !c.role.permissions().contains(Permission::ViewUsers) {
        return BTreeSet::new();
    }
    let related = |n: Node, around: Node| n.is_at_or_below(around) || around.is_at_or_below(n);
    let in_reach = |u: i64| {
        w.users.iter().any(|(p, home)| *p == u && home.is_at_or_below(c.grant))
            || w.memberships.iter().any(|(p, n, _)| *p == u && n.is_at_or_below(c.grant))
    };
    let calling: Vec<i64> =
        [BuiltinRole::CallAgent, BuiltinRole::CallManager, BuiltinRole::ReportManager]
            .into_iter()
            .map(|r| w.role(r))
            .collect();
    let homes = w.users.iter().filter(|(_, home)| home.is_at_or_below(t)).map(|(u, _)| *u);
    let holders = w.memberships.iter().filter(|(_, n, _)| related(*n, t)).map(|m| m.0);
    homes
        .chain(holders)
        .filter(|u| in_reach(*u))
        .filter(|u| {
            !group_roles
                || w.memberships
                    .iter()
                    .any(|(p, n, r)| p == u && calling.contains(r) && related(*n, t))
        })
        .collect()
}

/// Checks the body of an allowed call against the model.
pub fn check_allowed(
    kind: TeamsKind,
    w: &World,
    c: &Caller,
    t: Node,
    body: &Value,
) -> Result<(), String> {
    use TeamsKind as K;
    let one = |s: String| -> BTreeSet<String> { [s].into() };
    let none = BTreeSet::<String>::new;
    match kind {
        K::ListContacts => same("contacts", texts(body, "last_name"), one(cap(t))),
        K::ListCallTeams => {
            same("call teams", texts(body, "name"), one(format!("Calls {}", cap(t))))?;
            let members = body[0]["members"].as_array().map_or(0, Vec::len);
            match members == 2 {
                true => Ok(()),
                false => Err(format!("{members} members, expected the person and the contact")),
            }
        }
        K::ListTeams => same("teams", texts(body, "name"), one(format!("Team {}", cap(t)))),
        K::ListActivityVisibility => {
            same("viewers", ids(body, &["viewer", "user_id"]), [w.subject(t)].into())
        }
        K::CandidatesCallTeam => {
            same("candidates", ids(body, &["user_id"]), candidates(w, c, t, false))
        }
        K::CandidatesTeam => {
            same("candidates", ids(body, &["user_id"]), candidates(w, c, t, false))
        }
        K::CandidatesAccessGroup => {
            same("candidates", ids(body, &["user_id"]), candidates(w, c, t, true))
        }
        K::ListTrackingNumbers => {
            same("numbers", texts(body, "name"), one(format!("Line {}", cap(account(t)))))
        }
        K::ListAccessGroups => {
            let a = account(t);
            same("groups", texts(body, "name"), one(format!("Group {}", cap(a))))?;
            same("numbers", texts(&body[0]["numbers"], "name"), one(format!("Line {}", cap(a))))?;
            same("members", ids(&body[0]["members"], &["user_id"]), [w.subject(a)].into())
        }
        K::ListUserTeams => {
            let views = |p: Permission, n: Node| c.holds(p, n);
            let want =
                |p: Permission, n: Node, name: String| if views(p, n) { one(name) } else { none() };
            same(
                "teams",
                texts(&body["teams"], "name"),
                want(Permission::ViewUsers, t, format!("Team {}", cap(t))),
            )?;
            same(
                "call teams",
                texts(&body["call_teams"], "name"),
                want(Permission::ViewAccount, t, format!("Calls {}", cap(t))),
            )?;
            let a = account(t);
            same(
                "access groups",
                texts(&body["access_groups"], "name"),
                want(Permission::ViewAccount, a, format!("Group {}", cap(a))),
            )?;
            let seen = body["sees_activities_of"].as_array().map_or(0, Vec::len);
            let expected = usize::from(views(Permission::ViewUsers, t));
            match seen == expected {
                true => Ok(()),
                false => Err(format!("sees the activities of {seen}, expected {expected}")),
            }
        }
        K::CreateContact
        | K::UpdateContact
        | K::UpdateContactViaGrant
        | K::DeleteContact
        | K::CreateCallTeam
        | K::RenameCallTeam
        | K::SetCallTeamMissedCalls
        | K::DeleteCallTeam
        | K::SetCallTeamMembers
        | K::SetCallTeamPerson
        | K::SetCallTeamContact
        | K::CreateTeam
        | K::DeleteTeam
        | K::SetTeamMembers
        | K::SetTeamPerson
        | K::SetActivityVisibility
        | K::CreateTrackingNumber
        | K::DeleteTrackingNumber
        | K::CreateAccessGroup
        | K::DeleteAccessGroup
        | K::SetAccessGroupNumbers
        | K::SetAccessGroupMembers
        | K::SetAccessGroupPerson => Ok(()),
    }
}
