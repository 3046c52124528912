//! The server side of teams, "view other users' activities", candidates and a person's
//! teams and groups.

use super::{
    ActivityVisibility, CandidatesFor, PersonRef, Placed, SeesActivities, Team, UserTeams,
    parse_team_name,
    people::{self, NOT_HERE, PERSON_COLUMNS, PersonRow, distinct},
};
use crate::{
    api::nodes::ssr::{gone, record},
    domain::{NodeId, Permission, UserId},
    error::{AppError, AppResult},
    server::{AppState, auth::Authenticated, db::is_unique_violation, policy, repo::nodes},
};
use sqlx::AnyConnection;
use std::collections::{BTreeMap, HashMap};

pub use people::forget_user;

fn no_team() -> AppError {
    AppError::not_found("This team does not exist here.")
}

fn taken(name: &str) -> AppError {
    AppError::field("name", format!("There is already a team called {name} here."))
}

/// The name checked, and not already taken by another team of `node` (any case).
async fn free_name(conn: &mut AnyConnection, node: NodeId, name: &str) -> AppResult<String> {
    let name = parse_team_name(name).map_err(|m| AppError::field("name", m))?;
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM teams WHERE node_id = $1 AND lower(name) = lower($2)")
            .bind(node.0)
            .bind(&name)
            .fetch_one(conn)
            .await?;
    if n > 0 {
        return Err(taken(&name));
    }
    Ok(name)
}

/// `(team id, name)` of the teams of `node`, by name.
async fn teams_of(
    conn: &mut AnyConnection,
    node: NodeId,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM teams WHERE node_id = $1 ORDER BY lower(name), id")
        .bind(node.0)
        .fetch_all(conn)
        .await
}

async fn team_name(
    conn: &mut AnyConnection,
    node: NodeId,
    team: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM teams WHERE id = $1 AND node_id = $2")
            .bind(team)
            .bind(node.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Members of the teams of `node` (deleted people left out), by team, then name.
async fn members_of(
    conn: &mut AnyConnection,
    node: NodeId,
) -> Result<BTreeMap<i64, Vec<PersonRef>>, sqlx::Error> {
    #[derive(sqlx::FromRow)]
    struct Row {
        team_id: i64,
        #[sqlx(flatten)]
        person: PersonRow,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT m.team_id, {PERSON_COLUMNS} FROM team_members m \
         JOIN teams t ON t.id = m.team_id JOIN users u ON u.id = m.user_id \
         WHERE t.node_id = $1 AND u.status <> 'deleted' \
         ORDER BY m.team_id, u.last_name, u.first_name, u.id"
    ))
    .bind(node.0)
    .fetch_all(conn)
    .await?;
    let mut out: BTreeMap<i64, Vec<PersonRef>> = BTreeMap::new();
    for r in rows {
        out.entry(r.team_id).or_default().push(r.person.into());
    }
    Ok(out)
}

async fn load_team(conn: &mut AnyConnection, node: NodeId, team: i64) -> AppResult<Team> {
    let name = team_name(&mut *conn, node, team).await?.ok_or_else(no_team)?;
    let members = members_of(conn, node).await?.remove(&team).unwrap_or_default();
    Ok(Team { id: team, node_id: node, name, members })
}

pub async fn list_teams(state: &AppState, node: NodeId) -> AppResult<Vec<Team>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let mut members = members_of(&mut conn, node).await?;
    Ok(teams_of(&mut conn, node)
        .await?
        .into_iter()
        .map(|(id, name)| Team {
            id,
            node_id: node,
            name,
            members: members.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub async fn create_team(caller: &Authenticated, node: NodeId, name: &str) -> AppResult<Team> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    let name = free_name(&mut tx, node, name).await?;
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO teams (node_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
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
    record(&mut tx, caller, "team_created", None, node, &format!("team: {name}")).await?;
    tx.commit().await?;
    Ok(Team { id, node_id: node, name, members: Vec::new() })
}

pub async fn delete_team(caller: &Authenticated, node: NodeId, team: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let name = team_name(&mut tx, node, team).await?.ok_or_else(no_team)?;
    for sql in ["DELETE FROM team_members WHERE team_id = $1", "DELETE FROM teams WHERE id = $1"] {
        sqlx::query(sql).bind(team).execute(&mut *tx).await?;
    }
    record(&mut tx, caller, "team_deleted", None, node, &format!("team: {name}")).await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses anyone in `wanted` who is not already among `current` and whom the caller may
/// not put on something at `node`, at the form field `field`.
pub async fn require_eligible(
    conn: &mut AnyConnection,
    caller: &Authenticated,
    node: NodeId,
    wanted: &[UserId],
    current: &[UserId],
    field: &str,
) -> AppResult<()> {
    let added: Vec<UserId> = wanted.iter().copied().filter(|u| !current.contains(u)).collect();
    let ok = people::eligible(conn, caller.viewer.id, node, &added).await?;
    if added.iter().any(|u| !ok.contains(u)) {
        return Err(AppError::field(field, NOT_HERE));
    }
    Ok(())
}

/// "Ann Lee, Bob Tester" for an audit entry.
pub async fn names(conn: &mut AnyConnection, ids: &[UserId]) -> AppResult<String> {
    let rows = people::people(conn, ids).await?;
    let by_id: HashMap<i64, String> = rows.into_iter().map(|r| (r.id, r.name())).collect();
    let list: Vec<String> = ids.iter().filter_map(|u| by_id.get(&u.0).cloned()).collect();
    Ok(if list.is_empty() { "nobody".into() } else { list.join(", ") })
}

pub async fn set_team_members(
    caller: &Authenticated,
    node: NodeId,
    team: i64,
    user_ids: Vec<UserId>,
) -> AppResult<Team> {
    let wanted = distinct(&user_ids);
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    let name = team_name(&mut tx, node, team).await?.ok_or_else(no_team)?;
    let current: Vec<(i64,)> =
        sqlx::query_as("SELECT user_id FROM team_members WHERE team_id = $1")
            .bind(team)
            .fetch_all(&mut *tx)
            .await?;
    let current: Vec<UserId> = current.into_iter().map(|r| UserId(r.0)).collect();
    require_eligible(&mut tx, caller, node, &wanted, &current, "user_ids").await?;
    sqlx::query("DELETE FROM team_members WHERE team_id = $1").bind(team).execute(&mut *tx).await?;
    for u in &wanted {
        sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
            .bind(team)
            .bind(u.0)
            .execute(&mut *tx)
            .await?;
    }
    let details = format!("team: {name}; members: {}", names(&mut tx, &wanted).await?);
    record(&mut tx, caller, "team_members_set", None, node, &details).await?;
    let out = load_team(&mut tx, node, team).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn list_visibility(state: &AppState, node: NodeId) -> AppResult<Vec<ActivityVisibility>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let pairs: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT v.viewer_user_id, v.subject_user_id FROM activity_visibility v \
         JOIN users a ON a.id = v.viewer_user_id JOIN users b ON b.id = v.subject_user_id \
         WHERE v.node_id = $1 AND a.status <> 'deleted' AND b.status <> 'deleted'",
    )
    .bind(node.0)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids: Vec<UserId> = pairs.iter().flat_map(|(a, b)| [UserId(*a), UserId(*b)]).collect();
    ids.sort();
    ids.dedup();
    // By name: the people come sorted, and each list keeps that order.
    let people: Vec<PersonRef> =
        people::people(&mut conn, &ids).await?.into_iter().map(Into::into).collect();
    let mut out = Vec::new();
    for viewer in &people {
        let subjects: Vec<PersonRef> = people
            .iter()
            .filter(|s| pairs.contains(&(viewer.user_id.0, s.user_id.0)))
            .cloned()
            .collect();
        if !subjects.is_empty() {
            out.push(ActivityVisibility { viewer: viewer.clone(), subjects });
        }
    }
    Ok(out)
}

pub async fn set_visibility(
    caller: &Authenticated,
    node: NodeId,
    viewer: UserId,
    subject_ids: Vec<UserId>,
) -> AppResult<()> {
    let subjects = distinct(&subject_ids);
    if subjects.contains(&viewer) {
        return Err(AppError::field(
            "subject_ids",
            "Everyone sees their own activities already: choose other people.",
        ));
    }
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    nodes::get(&mut tx, node).await?.ok_or_else(gone)?;
    if people::eligible(&mut tx, caller.viewer.id, node, &[viewer]).await?.is_empty() {
        return Err(AppError::field("user_id", NOT_HERE));
    }
    let current: Vec<(i64,)> = sqlx::query_as(
        "SELECT subject_user_id FROM activity_visibility WHERE node_id = $1 AND viewer_user_id = $2",
    )
    .bind(node.0)
    .bind(viewer.0)
    .fetch_all(&mut *tx)
    .await?;
    let current: Vec<UserId> = current.into_iter().map(|r| UserId(r.0)).collect();
    require_eligible(&mut tx, caller, node, &subjects, &current, "subject_ids").await?;
    sqlx::query("DELETE FROM activity_visibility WHERE node_id = $1 AND viewer_user_id = $2")
        .bind(node.0)
        .bind(viewer.0)
        .execute(&mut *tx)
        .await?;
    for s in &subjects {
        sqlx::query(
            "INSERT INTO activity_visibility (node_id, viewer_user_id, subject_user_id) \
             VALUES ($1, $2, $3)",
        )
        .bind(node.0)
        .bind(viewer.0)
        .bind(s.0)
        .execute(&mut *tx)
        .await?;
    }
    let who = names(&mut tx, &[viewer]).await?;
    let details = format!("sees the activities of: {}", names(&mut tx, &subjects).await?);
    record(&mut tx, caller, "activity_visibility_set", Some((viewer, &who)), node, &details)
        .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn list_candidates(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
    purpose: CandidatesFor,
    query: &str,
) -> AppResult<Vec<PersonRef>> {
    let mut conn = state.db.pool.acquire().await?;
    let place = nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let group_roles = purpose == CandidatesFor::AccessGroup;
    if group_roles {
        crate::api::access_groups::ssr::require_account(&place)?;
    }
    let found =
        people::candidates(&mut conn, caller.viewer.id, node, group_roles, query, 100).await?;
    Ok(found.into_iter().map(Into::into).collect())
}

/// Rows of "where a person is", with the node each is at.
#[derive(sqlx::FromRow)]
struct PlacedRow {
    id: i64,
    name: String,
    node_id: i64,
    node_name: String,
}

/// The rows of `sql` (one `$1`: the person) at nodes where the caller holds `permission`.
async fn placed(
    conn: &mut AnyConnection,
    caller: UserId,
    user: UserId,
    sql: &str,
    permission: Permission,
    allowed: &mut HashMap<(NodeId, Permission), bool>,
) -> AppResult<Vec<Placed>> {
    let rows: Vec<PlacedRow> = sqlx::query_as(sql).bind(user.0).fetch_all(&mut *conn).await?;
    let mut out = Vec::new();
    for r in rows {
        let node = NodeId(r.node_id);
        if may(conn, caller, node, permission, allowed).await? {
            out.push(Placed { id: r.id, name: r.name, node_id: node, node_name: r.node_name });
        }
    }
    Ok(out)
}

/// Whether `caller` holds `permission` at `node`, asked once per page.
async fn may(
    conn: &mut AnyConnection,
    caller: UserId,
    node: NodeId,
    permission: Permission,
    allowed: &mut HashMap<(NodeId, Permission), bool>,
) -> AppResult<bool> {
    if let Some(v) = allowed.get(&(node, permission)) {
        return Ok(*v);
    }
    let v = policy::permissions_at(conn, caller, node).await?.contains(permission);
    allowed.insert((node, permission), v);
    Ok(v)
}

pub async fn user_teams(
    state: &AppState,
    caller: &Authenticated,
    user: UserId,
) -> AppResult<UserTeams> {
    let mut conn = state.db.pool.acquire().await?;
    let me = caller.viewer.id;
    let mut allowed = HashMap::new();
    let c = &mut *conn;
    let teams = placed(
        c,
        me,
        user,
        "SELECT t.id, t.name, n.id AS node_id, n.name AS node_name FROM team_members m \
         JOIN teams t ON t.id = m.team_id JOIN nodes n ON n.id = t.node_id \
         WHERE m.user_id = $1 AND n.archived_at IS NULL ORDER BY n.name, t.name, t.id",
        Permission::ViewUsers,
        &mut allowed,
    )
    .await?;
    let call_teams = placed(
        c,
        me,
        user,
        "SELECT DISTINCT t.id, t.name, n.id AS node_id, n.name AS node_name \
         FROM call_team_members m JOIN call_teams t ON t.id = m.team_id \
         JOIN nodes n ON n.id = t.node_id \
         WHERE m.user_id = $1 AND n.archived_at IS NULL ORDER BY n.name, t.name, t.id",
        Permission::ViewAccount,
        &mut allowed,
    )
    .await?;
    let access_groups = placed(
        c,
        me,
        user,
        "SELECT g.id, g.name, n.id AS node_id, n.name AS node_name FROM access_group_members m \
         JOIN access_groups g ON g.id = m.group_id JOIN nodes n ON n.id = g.account_id \
         WHERE m.user_id = $1 AND n.archived_at IS NULL ORDER BY n.name, g.name, g.id",
        Permission::ViewAccount,
        &mut allowed,
    )
    .await?;
    #[derive(sqlx::FromRow)]
    struct SeesRow {
        node_id: i64,
        node_name: String,
        #[sqlx(flatten)]
        person: PersonRow,
    }
    let rows: Vec<SeesRow> = sqlx::query_as(&format!(
        "SELECT n.id AS node_id, n.name AS node_name, {PERSON_COLUMNS} \
         FROM activity_visibility v JOIN users u ON u.id = v.subject_user_id \
         JOIN nodes n ON n.id = v.node_id \
         WHERE v.viewer_user_id = $1 AND u.status <> 'deleted' AND n.archived_at IS NULL \
         ORDER BY n.name, n.id, u.last_name, u.first_name, u.id"
    ))
    .bind(user.0)
    .fetch_all(&mut *c)
    .await?;
    let mut sees_activities_of = Vec::new();
    for r in rows {
        let node = NodeId(r.node_id);
        if may(c, me, node, Permission::ViewUsers, &mut allowed).await? {
            sees_activities_of.push(SeesActivities {
                subject: r.person.into(),
                node_id: node,
                node_name: r.node_name,
            });
        }
    }
    Ok(UserTeams { teams, call_teams, access_groups, sees_activities_of })
}
