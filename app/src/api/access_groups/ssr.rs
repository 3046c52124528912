//! The server side of tracking numbers and access-control groups, and the narrowing itself.

use super::{AccessGroup, TrackingNumber};
use crate::{
    api::{
        nodes::ssr::{gone, record},
        teams::{
            PersonRef, parse_team_name,
            people::{self, PERSON_COLUMNS, PersonRow, account_of, distinct},
            ssr::{names, require_eligible},
        },
    },
    domain::{NodeId, NodeKind, NodeSummary, Permission, UserId, phone::display_phone},
    error::{AppError, AppResult, FieldError},
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

/// Changes are made at the account itself (or the agency), never at a sub-group.
pub fn require_account(place: &NodeSummary) -> AppResult<()> {
    if place.kind == NodeKind::Group {
        return Err(AppError::conflict(
            "Tracking numbers and access-control groups belong to an account, not to a \
             sub-group: open the account to change them.",
        ));
    }
    Ok(())
}

/// The account node `node`, if it exists and is an account (or the agency).
async fn account(conn: &mut AnyConnection, node: NodeId) -> AppResult<NodeSummary> {
    let place = nodes::get(conn, node).await?.ok_or_else(gone)?;
    require_account(&place)?;
    Ok(place)
}

fn no_number() -> AppError {
    AppError::not_found("This tracking number does not exist here.")
}

fn no_group() -> AppError {
    AppError::not_found("This access-control group does not exist here.")
}

fn group_taken(name: &str) -> AppError {
    AppError::field("name", format!("There is already an access-control group called {name} here."))
}

/// The tracking numbers of `account` that `user` may see: `None` for all of them (in no
/// group of the account, or managing its settings), else the ones their groups grant.
pub async fn visible_numbers(
    conn: &mut AnyConnection,
    user: UserId,
    account: NodeId,
) -> Result<Option<BTreeSet<i64>>, sqlx::Error> {
    if policy::permissions_at(conn, user, account)
        .await?
        .contains(Permission::ManageAccountSettings)
    {
        return Ok(None);
    }
    let (groups,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_group_members m JOIN access_groups g ON g.id = m.group_id \
         WHERE g.account_id = $1 AND m.user_id = $2",
    )
    .bind(account.0)
    .bind(user.0)
    .fetch_one(&mut *conn)
    .await?;
    if groups == 0 {
        return Ok(None);
    }
    let rows: Vec<(i64,)> = sqlx::query_as(
        "SELECT DISTINCT n.tracking_number_id FROM access_group_numbers n \
         JOIN access_group_members m ON m.group_id = n.group_id \
         JOIN access_groups g ON g.id = n.group_id \
         WHERE g.account_id = $1 AND m.user_id = $2",
    )
    .bind(account.0)
    .bind(user.0)
    .fetch_all(conn)
    .await?;
    Ok(Some(rows.into_iter().map(|r| r.0).collect()))
}

#[derive(sqlx::FromRow)]
struct NumberRow {
    id: i64,
    number: String,
    name: String,
}

impl From<NumberRow> for TrackingNumber {
    fn from(r: NumberRow) -> Self {
        TrackingNumber { id: r.id, number: r.number, name: r.name }
    }
}

async fn numbers_of(
    conn: &mut AnyConnection,
    account: NodeId,
) -> Result<Vec<NumberRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, number, name FROM tracking_numbers WHERE account_id = $1 ORDER BY number, id",
    )
    .bind(account.0)
    .fetch_all(conn)
    .await
}

pub async fn list_numbers(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
) -> AppResult<Vec<TrackingNumber>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let account = account_of(&mut conn, node).await?.ok_or_else(gone)?;
    let visible = visible_numbers(&mut conn, caller.viewer.id, account).await?;
    Ok(numbers_of(&mut conn, account)
        .await?
        .into_iter()
        .filter(|n| visible.as_ref().is_none_or(|v| v.contains(&n.id)))
        .map(Into::into)
        .collect())
}

pub async fn create_number(
    caller: &Authenticated,
    node: NodeId,
    number: &str,
    name: &str,
) -> AppResult<TrackingNumber> {
    let mut errors = Vec::new();
    let number = match crate::domain::phone::parse_optional_e164(number) {
        Ok(Some(n)) => Some(n),
        Ok(None) => {
            errors.push(FieldError { field: "number".into(), message: "Enter the number.".into() });
            None
        }
        Err(m) => {
            errors.push(FieldError { field: "number".into(), message: m.into() });
            None
        }
    };
    let name = parse_team_name(name)
        .map_err(|m| errors.push(FieldError { field: "name".into(), message: m.into() }))
        .ok();
    let (Some(number), Some(name)) = (number, name) else {
        return Err(AppError::fields(errors).unwrap_or(AppError::Internal));
    };
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let taken = || {
        AppError::field(
            "number",
            format!("This account already has the number {}.", display_phone(&number)),
        )
    };
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM tracking_numbers WHERE account_id = $1 AND number = $2",
    )
    .bind(node.0)
    .bind(&number)
    .fetch_one(&mut *tx)
    .await?;
    if n > 0 {
        return Err(taken());
    }
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO tracking_numbers (account_id, number, name, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(node.0)
    .bind(&number)
    .bind(&name)
    .bind(state.clock.now())
    .fetch_one(&mut *tx)
    .await;
    let (id,) = match inserted {
        Err(e) if is_unique_violation(&e) => return Err(taken()),
        other => other?,
    };
    let details = format!("tracking number: {number} ({name})");
    record(&mut tx, caller, "tracking_number_created", None, node, &details).await?;
    tx.commit().await?;
    Ok(TrackingNumber { id, number, name })
}

pub async fn delete_number(caller: &Authenticated, node: NodeId, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let row: Option<NumberRow> = sqlx::query_as(
        "SELECT id, number, name FROM tracking_numbers WHERE id = $1 AND account_id = $2",
    )
    .bind(id)
    .bind(node.0)
    .fetch_optional(&mut *tx)
    .await?;
    let row = row.ok_or_else(no_number)?;
    for sql in [
        "DELETE FROM access_group_numbers WHERE tracking_number_id = $1",
        "DELETE FROM tracking_numbers WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let details = format!("tracking number: {} ({})", row.number, row.name);
    record(&mut tx, caller, "tracking_number_deleted", None, node, &details).await?;
    tx.commit().await?;
    Ok(())
}

/// The groups of `account` (or one of them), as read at `at` (the account or a sub-group of
/// it), with the numbers they grant among `visible` and their members who belong at `at`
/// (deleted people left out), by name. Read at a sub-group, a group's members placed only
/// in a sibling sub-group are not listed: the reader may not see them.
async fn groups_of(
    conn: &mut AnyConnection,
    account: NodeId,
    at: NodeId,
    only: Option<i64>,
    visible: Option<&BTreeSet<i64>>,
) -> Result<Vec<AccessGroup>, sqlx::Error> {
    let groups: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, name FROM access_groups WHERE account_id = $1 AND (id = $2 OR $2 = 0) \
         ORDER BY lower(name), id",
    )
    .bind(account.0)
    .bind(only.unwrap_or(0))
    .fetch_all(&mut *conn)
    .await?;
    #[derive(sqlx::FromRow)]
    struct GrantRow {
        group_id: i64,
        id: i64,
        number: String,
        name: String,
    }
    let grants: Vec<GrantRow> = sqlx::query_as(
        "SELECT gn.group_id, n.id, n.number, n.name FROM access_group_numbers gn \
         JOIN tracking_numbers n ON n.id = gn.tracking_number_id \
         JOIN access_groups g ON g.id = gn.group_id \
         WHERE g.account_id = $1 ORDER BY n.number, n.id",
    )
    .bind(account.0)
    .fetch_all(&mut *conn)
    .await?;
    #[derive(sqlx::FromRow)]
    struct MemberRow {
        group_id: i64,
        #[sqlx(flatten)]
        person: PersonRow,
    }
    let members: Vec<MemberRow> = sqlx::query_as(&format!(
        "SELECT m.group_id, {PERSON_COLUMNS} FROM access_group_members m \
         JOIN access_groups g ON g.id = m.group_id JOIN users u ON u.id = m.user_id \
         WHERE g.account_id = $1 AND {} \
         ORDER BY u.last_name, u.first_name, u.id",
        people::at_node(2)
    ))
    .bind(account.0)
    .bind(at.0)
    .fetch_all(conn)
    .await?;
    let mut numbers: BTreeMap<i64, Vec<TrackingNumber>> = BTreeMap::new();
    for g in grants {
        if visible.is_none_or(|v| v.contains(&g.id)) {
            let n = TrackingNumber { id: g.id, number: g.number, name: g.name };
            numbers.entry(g.group_id).or_default().push(n);
        }
    }
    let mut people: BTreeMap<i64, Vec<PersonRef>> = BTreeMap::new();
    for m in members {
        people.entry(m.group_id).or_default().push(m.person.into());
    }
    Ok(groups
        .into_iter()
        .map(|(id, name)| AccessGroup {
            id,
            name,
            numbers: numbers.remove(&id).unwrap_or_default(),
            members: people.remove(&id).unwrap_or_default(),
        })
        .collect())
}

pub async fn list_groups(
    state: &AppState,
    caller: &Authenticated,
    node: NodeId,
) -> AppResult<Vec<AccessGroup>> {
    let mut conn = state.db.pool.acquire().await?;
    nodes::get(&mut conn, node).await?.ok_or_else(gone)?;
    let account = account_of(&mut conn, node).await?.ok_or_else(gone)?;
    // The groups never show numbers the caller's own groups do not grant.
    let visible = visible_numbers(&mut conn, caller.viewer.id, account).await?;
    Ok(groups_of(&mut conn, account, node, None, visible.as_ref()).await?)
}

async fn group_name(conn: &mut AnyConnection, account: NodeId, id: i64) -> AppResult<String> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM access_groups WHERE id = $1 AND account_id = $2")
            .bind(id)
            .bind(account.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.ok_or_else(no_group)?.0)
}

async fn load_group(conn: &mut AnyConnection, account: NodeId, id: i64) -> AppResult<AccessGroup> {
    // Changed by someone who manages the account's settings: they see every number.
    let mut found = groups_of(conn, account, account, Some(id), None).await?;
    found.pop().ok_or_else(no_group)
}

pub async fn create_group(
    caller: &Authenticated,
    node: NodeId,
    name: &str,
) -> AppResult<AccessGroup> {
    let name = parse_team_name(name).map_err(|m| AppError::field("name", m))?;
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM access_groups WHERE account_id = $1 AND lower(name) = lower($2)",
    )
    .bind(node.0)
    .bind(&name)
    .fetch_one(&mut *tx)
    .await?;
    if n > 0 {
        return Err(group_taken(&name));
    }
    let inserted: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO access_groups (account_id, name, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(node.0)
    .bind(&name)
    .bind(state.clock.now())
    .fetch_one(&mut *tx)
    .await;
    let (id,) = match inserted {
        Err(e) if is_unique_violation(&e) => return Err(group_taken(&name)),
        other => other?,
    };
    let details = format!("access-control group: {name}");
    record(&mut tx, caller, "access_group_created", None, node, &details).await?;
    tx.commit().await?;
    Ok(AccessGroup { id, name, numbers: Vec::new(), members: Vec::new() })
}

pub async fn delete_group(caller: &Authenticated, node: NodeId, id: i64) -> AppResult<()> {
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let name = group_name(&mut tx, node, id).await?;
    for sql in [
        "DELETE FROM access_group_numbers WHERE group_id = $1",
        "DELETE FROM access_group_members WHERE group_id = $1",
        "DELETE FROM access_groups WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let details = format!("access-control group: {name}");
    record(&mut tx, caller, "access_group_deleted", None, node, &details).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn set_group_numbers(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    number_ids: Vec<i64>,
) -> AppResult<AccessGroup> {
    let wanted = distinct(&number_ids);
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let name = group_name(&mut tx, node, id).await?;
    if !wanted.is_empty() {
        let sql = format!(
            "SELECT COUNT(*) FROM tracking_numbers WHERE account_id = $1 AND id IN ({})",
            placeholders(2, wanted.len())
        );
        let mut q = sqlx::query_as(&sql).bind(node.0);
        for n in &wanted {
            q = q.bind(*n);
        }
        let (found,): (i64,) = q.fetch_one(&mut *tx).await?;
        if found != wanted.len() as i64 {
            return Err(AppError::field(
                "number_ids",
                "One of the numbers chosen is not a tracking number of this account.",
            ));
        }
    }
    sqlx::query("DELETE FROM access_group_numbers WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for n in &wanted {
        sqlx::query(
            "INSERT INTO access_group_numbers (group_id, tracking_number_id) VALUES ($1, $2)",
        )
        .bind(id)
        .bind(*n)
        .execute(&mut *tx)
        .await?;
    }
    let out = load_group(&mut tx, node, id).await?;
    let list: Vec<&str> = out.numbers.iter().map(|n| n.number.as_str()).collect();
    let list = if list.is_empty() { "none".to_string() } else { list.join(", ") };
    let details = format!("access-control group: {name}; numbers: {list}");
    record(&mut tx, caller, "access_group_numbers_set", None, node, &details).await?;
    tx.commit().await?;
    Ok(out)
}

pub async fn set_group_members(
    caller: &Authenticated,
    node: NodeId,
    id: i64,
    user_ids: Vec<UserId>,
) -> AppResult<AccessGroup> {
    let wanted = distinct(&user_ids);
    let state = AppState::get()?;
    let mut tx = state.db.begin().await?;
    account(&mut tx, node).await?;
    let name = group_name(&mut tx, node, id).await?;
    let current: Vec<(i64,)> =
        sqlx::query_as("SELECT user_id FROM access_group_members WHERE group_id = $1")
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
    let current: Vec<UserId> = current.into_iter().map(|r| UserId(r.0)).collect();
    require_eligible(&mut tx, caller, node, &wanted, &current, "user_ids").await?;
    let added: Vec<UserId> = wanted.iter().copied().filter(|u| !current.contains(u)).collect();
    let qualified = people::hold_group_role(&mut tx, node, &added).await?;
    if let Some(first) = added.iter().find(|u| !qualified.contains(u)) {
        // Someone the caller may see (checked above): they may be named.
        let who = names(&mut tx, &[*first]).await?;
        return Err(AppError::field(
            "user_ids",
            format!(
                "{who} holds none of Call Agent, Call Manager or Report Manager in this \
                 account, so an access-control group cannot narrow what they see."
            ),
        ));
    }
    sqlx::query("DELETE FROM access_group_members WHERE group_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for u in &wanted {
        sqlx::query("INSERT INTO access_group_members (group_id, user_id) VALUES ($1, $2)")
            .bind(id)
            .bind(u.0)
            .execute(&mut *tx)
            .await?;
    }
    let details =
        format!("access-control group: {name}; members: {}", names(&mut tx, &wanted).await?);
    record(&mut tx, caller, "access_group_members_set", None, node, &details).await?;
    let out = load_group(&mut tx, node, id).await?;
    tx.commit().await?;
    Ok(out)
}
