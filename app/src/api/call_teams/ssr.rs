//! The server side of call teams.

use super::{CallTeam, CallTeamMember, MAX_MEMBERS, MemberRef};
use crate::{
    api::{
        contacts::CallRoute,
        nodes::ssr::{gone, record},
        teams::{parse_team_name, people::distinct, ssr::require_eligible},
    },
    domain::{
        NodeId, Permission, UserId, UserStatus,
        call_prefs::{MissedCallEmail, SendCallsTo},
    },
    error::{AppError, AppResult},
    server::{
        AppState,
        auth::Authenticated,
        db::is_unique_violation,
        policy,
        repo::{nodes, placeholders},
    },
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, BTreeSet};

fn no_team() -> AppError {
    AppError::not_found("This call team does not exist here.")
}

fn taken(name: &str) -> AppError {
    AppError::field("name", format!("There is already a call team called {name} here."))
}

/// The name checked, and not taken by another call team of `node` (any case).
async fn free_name(
    conn: &mut AnyConnection,
    node: NodeId,
    name: &str,
    except: Option<i64>,
) -> AppResult<String> {
    let name = parse_team_name(name).map_err(|m| AppError::field("name", m))?;
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM call_teams WHERE node_id = $1 AND lower(name) = lower($2) \
         AND id <> $3",
    )
    .bind(node.0)
    .bind(&name)
    .bind(except.unwrap_or(0))
    .fetch_one(conn)
    .await?;
    if n > 0 {
        return Err(taken(&name));
    }
    Ok(name)
}

#[derive(sqlx::FromRow)]
struct TeamRow {
    id: i64,
    name: String,
    version: i64,
    missed_call_emails: i64,
}

impl TeamRow {
    fn with(self, node: NodeId, members: Vec<CallTeamMember>) -> CallTeam {
        CallTeam {
            id: self.id,
            node_id: node,
            name: self.name,
            version: self.version,
            missed_call_emails: self.missed_call_emails == 1,
            members,
        }
    }
}

const TEAM_COLUMNS: &str = "id, name, version, missed_call_emails";

async fn team(conn: &mut AnyConnection, node: NodeId, id: i64) -> AppResult<TeamRow> {
    let row: Option<TeamRow> = sqlx::query_as(&format!(
        "SELECT {TEAM_COLUMNS} FROM call_teams WHERE id = $1 AND node_id = $2"
    ))
    .bind(id)
    .bind(node.0)
    .fetch_optional(conn)
    .await?;
    row.ok_or_else(no_team)
}

/// One member with what their route is made of: the user's preference (LEFT JOIN on
/// `call_preferences`; no row means e-mail at their own address) or the contact's own.
#[derive(sqlx::FromRow)]
struct MemberRow {
    team_id: i64,
    user_id: Option<i64>,
    contact_id: Option<i64>,
    u_first: Option<String>,
    u_last: Option<String>,
    u_email: Option<String>,
    u_status: Option<String>,
    t_missed: i64,
    p_missed: Option<String>,
    p_send: Option<String>,
    p_phone: Option<String>,
    p_email: Option<String>,
    c_first: Option<String>,
    c_last: Option<String>,
    c_phone: Option<String>,
    c_email: Option<String>,
    c_send: Option<String>,
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

fn full_name(first: Option<String>, last: Option<String>) -> String {
    format!("{} {}", first.unwrap_or_default(), last.unwrap_or_default()).trim().to_string()
}

impl MemberRow {
    fn into_member(self) -> Option<CallTeamMember> {
        // A person's own choice wins; contacts, and people who follow the team, get the
        // team's setting.
        let missed_call_email = match self.p_missed.as_deref().and_then(MissedCallEmail::from_key) {
            Some(MissedCallEmail::Always) => true,
            Some(MissedCallEmail::Never) => false,
            Some(MissedCallEmail::Team) | None => self.t_missed == 1,
        };
        if let Some(user) = self.user_id {
            let route = match (self.p_send.as_deref(), non_empty(self.p_phone)) {
                (Some("text"), Some(phone)) => CallRoute { by: SendCallsTo::Text, to: phone },
                _ => CallRoute {
                    by: SendCallsTo::Email,
                    to: non_empty(self.p_email).or(self.u_email).unwrap_or_default(),
                },
            };
            let status = self.u_status.as_deref().and_then(UserStatus::from_key);
            return Some(CallTeamMember {
                member: MemberRef::User(UserId(user)),
                name: full_name(self.u_first, self.u_last),
                status,
                route: Some(route),
                missed_call_email,
            });
        }
        let contact = self.contact_id?;
        let route = match self.c_send.as_deref() {
            Some("text") => {
                CallRoute { by: SendCallsTo::Text, to: self.c_phone.unwrap_or_default() }
            }
            _ => CallRoute { by: SendCallsTo::Email, to: self.c_email.unwrap_or_default() },
        };
        Some(CallTeamMember {
            member: MemberRef::Contact(contact),
            name: full_name(self.c_first, self.c_last),
            status: None,
            route: Some(route),
            missed_call_email,
        })
    }
}

/// The members of the call teams of `node` (or of one of them), by team, in calling order.
/// Deleted people and contacts are left out.
async fn members(
    conn: &mut AnyConnection,
    node: NodeId,
    only: Option<i64>,
) -> Result<BTreeMap<i64, Vec<CallTeamMember>>, sqlx::Error> {
    let rows: Vec<MemberRow> = sqlx::query_as(
        "SELECT m.team_id, m.user_id, m.contact_id, \
         u.first_name AS u_first, u.last_name AS u_last, u.email AS u_email, \
         u.status AS u_status, t.missed_call_emails AS t_missed, \
         p.missed_call_email AS p_missed, p.send_calls_to AS p_send, p.phone AS p_phone, \
         p.email AS p_email, c.first_name AS c_first, c.last_name AS c_last, \
         c.phone AS c_phone, c.email AS c_email, c.send_calls_to AS c_send \
         FROM call_team_members m JOIN call_teams t ON t.id = m.team_id \
         LEFT JOIN users u ON u.id = m.user_id \
         LEFT JOIN call_preferences p ON p.user_id = m.user_id \
         LEFT JOIN contacts c ON c.id = m.contact_id \
         WHERE t.node_id = $1 AND (t.id = $2 OR $2 = 0) \
         AND (m.user_id IS NULL OR u.status <> 'deleted') \
         AND (m.contact_id IS NULL OR c.deleted_at IS NULL) \
         ORDER BY m.team_id, m.position",
    )
    .bind(node.0)
    .bind(only.unwrap_or(0))
    .fetch_all(conn)
    .await?;
    let mut out: BTreeMap<i64, Vec<CallTeamMember>> = BTreeMap::new();
    for r in rows {
        let team = r.team_id;
        if let Some(m) = r.into_member() {
            out.entry(team).or_default().push(m);
        }
    }
    Ok(out)
}

async fn load(conn: &mut AnyConnection, node: NodeId, id: i64) -> AppResult<CallTeam> {
    let t = team(&mut *conn, node, id).await?;
    let members = members(conn, node, Some(id)).await?.remove(&id).unwrap_or_default();
    Ok(t.with(node, members))
}

/// The call teams of `node` as `caller` (who may view the account) sees them: where the
/// members' calls go only if they may manage the teams, or for their own place on a team.
pub async fn list_call_teams(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
) -> AppResult<Vec<CallTeam>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let manages = policy::permissions_at(&mut conn, caller.viewer.id, node)
        .await?
        .contains(Permission::ManageCallTeams);
    let own = MemberRef::User(caller.viewer.id);
    let teams: Vec<TeamRow> = sqlx::query_as(&format!(
        "SELECT {TEAM_COLUMNS} FROM call_teams WHERE node_id = $1 ORDER BY lower(name), id"
    ))
    .bind(node.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut members = members(&mut conn, node, None).await?;
    Ok(teams
        .into_iter()
        .map(|t| {
            let mut list = members.remove(&t.id).unwrap_or_default();
            for m in list.iter_mut().filter(|m| !manages && m.member != own) {
                m.route = None;
            }
            t.with(node, list)
        })
        .collect())
}

pub async fn create_call_team(
    caller: &Authenticated,
    node: NodeId,
    name: &str,
) -> AppResult<CallTeam> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    let name = free_name(&mut tx, node, name, None).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO call_teams (node_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(node.0)
    .bind(&name)
    .bind(state.clock.now())
    .fetch_one(&mut *tx)
    .await;
    let (id,) = match inserted {
        Err(e) if is_unique_violation(&e) => return Err(taken(&name)),
        other => other?,
    };
    record(&mut tx, caller, "call_team_created", None, node, &format!("call team: {name}")).await?;
    let out = load(&mut tx, node, id).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn rename_call_team(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    name: &str,
) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let before = team(&mut tx, node, id).await?;
    let name = free_name(&mut tx, node, name, Some(id)).await?;
    if name == before.name {
        return Ok(());
    }
    let renamed = sqlx::query("UPDATE call_teams SET name = $1 WHERE id = $2")
        .bind(&name)
        .bind(id)
        .execute(&mut *tx)
        .await;
    match renamed {
        Err(e) if is_unique_violation(&e) => return Err(taken(&name)),
        other => other?,
    };
    let details = format!("from: {}; to: {name}", before.name);
    record(&mut tx, caller, "call_team_renamed", None, node, &details).await?;
    tx.commit().await?;
    Ok(())
}

/// Turns the team's missed-call e-mails on or off (for the members who follow the team).
pub async fn set_missed_call_emails(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    enabled: bool,
) -> AppResult<CallTeam> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let before = team(&mut tx, node, id).await?;
    if (before.missed_call_emails == 1) != enabled {
        sqlx::query("UPDATE call_teams SET missed_call_emails = $1 WHERE id = $2")
            .bind(i64::from(enabled))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let details = format!(
            "call team: {}; missed-call e-mails: {}",
            before.name,
            if enabled { "on" } else { "off" }
        );
        record(&mut tx, caller, "call_team_missed_call_emails_set", None, node, &details).await?;
    }
    let team = load(&mut tx, node, id).await?;
    tx.commit().await?;
    Ok(team)
}

pub async fn delete_call_team(caller: &Authenticated, node: NodeId, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let t = team(&mut tx, node, id).await?;
    for sql in
        ["DELETE FROM call_team_members WHERE team_id = $1", "DELETE FROM call_teams WHERE id = $1"]
    {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let details = format!("call team: {}", t.name);
    record(&mut tx, caller, "call_team_deleted", None, node, &details).await?;
    tx.commit().await?;
    Ok(())
}

/// Of `wanted`, the contacts of `node` that are not deleted.
async fn contacts_of(
    conn: &mut AnyConnection,
    node: NodeId,
    wanted: &[i64],
) -> Result<BTreeSet<i64>, sqlx::Error> {
    if wanted.is_empty() {
        return Ok(BTreeSet::new());
    }
    let sql = format!(
        "SELECT id FROM contacts WHERE node_id = $1 AND deleted_at IS NULL AND id IN ({})",
        placeholders(2, wanted.len())
    );
    let mut q = sqlx::query_as(&sql).bind(node.0);
    for c in wanted {
        q = q.bind(*c);
    }
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub async fn set_members(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    wanted: Vec<MemberRef>,
    version: i64,
) -> AppResult<CallTeam> {
    if distinct(&wanted).len() != wanted.len() {
        return Err(AppError::field(
            "members",
            "Someone is on the list twice: each person can be on a call team once.",
        ));
    }
    if wanted.len() > MAX_MEMBERS {
        return Err(AppError::field(
            "members",
            format!("A call team can have at most {MAX_MEMBERS} members."),
        ));
    }
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let t = team(&mut tx, node, id).await?;
    // Moving the version on first makes two saves of the same list queue here, and the
    // second fail, rather than both pass.
    let bumped =
        sqlx::query("UPDATE call_teams SET version = version + 1 WHERE id = $1 AND version = $2")
            .bind(id)
            .bind(version)
            .execute(&mut *tx)
            .await?;
    if t.version != version || bumped.rows_affected() != 1 {
        return Err(AppError::conflict(format!(
            "Someone else changed the call team {} meanwhile. Reload the page to see their \
             change, then make yours again.",
            t.name
        )));
    }
    let current: Vec<(Option<i64>,)> =
        sqlx::query_as("SELECT user_id FROM call_team_members WHERE team_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let current: Vec<UserId> = current.into_iter().filter_map(|r| r.0.map(UserId)).collect();
    let users: Vec<UserId> = wanted
        .iter()
        .filter_map(|m| match m {
            MemberRef::User(u) => Some(*u),
            MemberRef::Contact(_) => None,
        })
        .collect();
    require_eligible(&mut tx, caller, node, &users, &current, "members").await?;
    let contacts: Vec<i64> = wanted
        .iter()
        .filter_map(|m| match m {
            MemberRef::Contact(c) => Some(*c),
            MemberRef::User(_) => None,
        })
        .collect();
    if contacts_of(&mut tx, node, &contacts).await?.len() != contacts.len() {
        return Err(AppError::field(
            "members",
            "One of the contacts chosen is not a contact of this account (or was deleted).",
        ));
    }
    sqlx::query("DELETE FROM call_team_members WHERE team_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (position, m) in wanted.iter().enumerate() {
        let (user, contact) = match m {
            MemberRef::User(u) => (Some(u.0), None),
            MemberRef::Contact(c) => (None, Some(*c)),
        };
        sqlx::query(
            "INSERT INTO call_team_members (team_id, position, user_id, contact_id) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(position as i64)
        .bind(user)
        .bind(contact)
        .execute(&mut *tx)
        .await?;
    }
    let out = load(&mut tx, node, id).await?;
    let list: Vec<&str> = out.members.iter().map(|m| m.name.as_str()).collect();
    let list = if list.is_empty() { "nobody".to_string() } else { list.join(", ") };
    let details = format!("call team: {}; members in order: {list}", out.name);
    record(&mut tx, caller, "call_team_members_set", None, node, &details).await?;
    tx.commit().await?;
    Ok(out)
}
