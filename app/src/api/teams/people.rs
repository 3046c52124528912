//! Who may be put on a team, call team or access-control group, the accounts groups live
//! in, and what deleting a person ends here.

use super::PersonRef;
use crate::{
    domain::{BuiltinRole, NodeId, Permission, UserId, UserStatus},
    server::repo::{memberships, placeholders, users::under_roots},
};
use sqlx::AnyConnection;
use std::collections::BTreeSet;

/// The message for anyone who cannot be put on something here: out of the caller's reach,
/// not of this node, deleted or unknown all read the same.
pub const NOT_HERE: &str = "One of the people chosen is not someone you can add here.";

/// The roles whose holders an access-control group may narrow.
pub const GROUP_ROLES: [BuiltinRole; 3] =
    [BuiltinRole::CallAgent, BuiltinRole::CallManager, BuiltinRole::ReportManager];

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct PersonRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
}

impl PersonRow {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }
}

impl From<PersonRow> for PersonRef {
    fn from(r: PersonRow) -> Self {
        PersonRef {
            user_id: UserId(r.id),
            name: r.name(),
            status: UserStatus::from_key(&r.status).unwrap_or(UserStatus::Deleted),
            email: r.email,
        }
    }
}

pub const PERSON_COLUMNS: &str = "u.id, u.first_name, u.last_name, u.email, u.status";

/// SQL: `u` is not deleted and belongs at the node bound as `$p`: at home or holding a role
/// at or below it, or holding a role above it (and so having a say there).
pub fn at_node(p: usize) -> String {
    format!(
        "u.status <> 'deleted' AND ( \
         u.home_node_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = ${p}) \
         OR u.id IN (SELECT m.user_id FROM memberships m \
                     JOIN node_closure c ON c.descendant_id = m.node_id WHERE c.ancestor_id = ${p}) \
         OR u.id IN (SELECT m.user_id FROM memberships m \
                     JOIN node_closure c ON c.ancestor_id = m.node_id WHERE c.descendant_id = ${p}))"
    )
}

/// SQL: `u` holds Call Agent, Call Manager or Report Manager at, above or below the account
/// bound as `$p`.
fn holds_group_role(p: usize) -> String {
    let keys: Vec<String> = GROUP_ROLES.iter().map(|r| format!("'{}'", r.key())).collect();
    format!(
        "u.id IN (SELECT m.user_id FROM memberships m JOIN roles r ON r.id = m.role_id \
                  WHERE r.builtin_key IN ({}) AND ( \
                  m.node_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id = ${p}) \
                  OR m.node_id IN (SELECT ancestor_id FROM node_closure WHERE descendant_id = ${p})))",
        keys.join(", ")
    )
}

/// Of `wanted`, the people `caller` may put on something at `node`: within the caller's
/// ViewUsers reach, and belonging at the node (see [`at_node`]).
pub async fn eligible(
    conn: &mut AnyConnection,
    caller: UserId,
    node: NodeId,
    wanted: &[UserId],
) -> Result<BTreeSet<UserId>, sqlx::Error> {
    if wanted.is_empty() {
        return Ok(BTreeSet::new());
    }
    let reach = memberships::reach(&mut *conn, caller, Permission::ViewUsers).await?;
    if reach.is_empty() {
        return Ok(BTreeSet::new());
    }
    let n = reach.len();
    let sql = format!(
        "SELECT u.id FROM users u WHERE {} AND {} AND u.id IN ({})",
        under_roots(n),
        at_node(n + 1),
        placeholders(n + 2, wanted.len())
    );
    let mut q = sqlx::query_as(&sql);
    for r in &reach {
        q = q.bind(r.0);
    }
    q = q.bind(node.0);
    for u in wanted {
        q = q.bind(u.0);
    }
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}

/// Of `wanted`, those holding a role an access-control group of `account` may narrow.
pub async fn hold_group_role(
    conn: &mut AnyConnection,
    account: NodeId,
    wanted: &[UserId],
) -> Result<BTreeSet<UserId>, sqlx::Error> {
    if wanted.is_empty() {
        return Ok(BTreeSet::new());
    }
    let sql = format!(
        "SELECT u.id FROM users u WHERE {} AND u.id IN ({})",
        holds_group_role(1),
        placeholders(2, wanted.len())
    );
    let mut q = sqlx::query_as(&sql).bind(account.0);
    for u in wanted {
        q = q.bind(u.0);
    }
    let rows: Vec<(i64,)> = q.fetch_all(conn).await?;
    Ok(rows.into_iter().map(|r| UserId(r.0)).collect())
}

/// The people `caller` may put on something at `node` (only holders of a group role of
/// `node` with `group_roles`) whose name or e-mail contains `query`, by name.
pub async fn candidates(
    conn: &mut AnyConnection,
    caller: UserId,
    node: NodeId,
    group_roles: bool,
    query: &str,
    limit: i64,
) -> Result<Vec<PersonRow>, sqlx::Error> {
    let reach = memberships::reach(&mut *conn, caller, Permission::ViewUsers).await?;
    if reach.is_empty() {
        return Ok(Vec::new());
    }
    let escaped: String = query
        .trim()
        .to_lowercase()
        .chars()
        .flat_map(|c| match c {
            '\\' | '%' | '_' => vec!['\\', c],
            c => vec![c],
        })
        .collect();
    let n = reach.len();
    let roles =
        if group_roles { format!("AND {}", holds_group_role(n + 1)) } else { String::new() };
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM users u WHERE {} AND {} {roles} \
         AND (LOWER(u.first_name || ' ' || u.last_name) LIKE ${p} ESCAPE '\\' \
              OR u.email LIKE ${p} ESCAPE '\\') \
         ORDER BY u.last_name, u.first_name, u.id LIMIT ${l}",
        under_roots(n),
        at_node(n + 1),
        p = n + 2,
        l = n + 3
    );
    let mut q = sqlx::query_as(&sql);
    for r in &reach {
        q = q.bind(r.0);
    }
    q.bind(node.0).bind(format!("%{escaped}%")).bind(limit).fetch_all(conn).await
}

/// The people among `ids`, by name (any status).
pub async fn people(
    conn: &mut AnyConnection,
    ids: &[UserId],
) -> Result<Vec<PersonRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {PERSON_COLUMNS} FROM users u WHERE u.id IN ({}) \
         ORDER BY u.last_name, u.first_name, u.id",
        placeholders(1, ids.len())
    );
    let mut q = sqlx::query_as(&sql);
    for u in ids {
        q = q.bind(u.0);
    }
    q.fetch_all(conn).await
}

/// The account `node` belongs to (tracking numbers and access-control groups live there):
/// the node itself when it is an account or the agency, otherwise the account above it.
pub async fn account_of(
    conn: &mut AnyConnection,
    node: NodeId,
) -> Result<Option<NodeId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT c.ancestor_id FROM node_closure c JOIN nodes n ON n.id = c.ancestor_id \
         WHERE c.descendant_id = $1 AND n.kind IN ('account', 'agency') \
         ORDER BY c.depth LIMIT 1",
    )
    .bind(node.0)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| NodeId(r.0)))
}

/// Takes a deleted person off every call team (whose versions move on), team and
/// access-control group, and out of every "view other users' activities" list; their call
/// preferences (personal contact details) and picture are erased.
pub async fn forget_user(conn: &mut AnyConnection, user: UserId) -> Result<(), sqlx::Error> {
    for sql in [
        "UPDATE call_teams SET version = version + 1 \
         WHERE id IN (SELECT team_id FROM call_team_members WHERE user_id = $1)",
        "DELETE FROM call_team_members WHERE user_id = $1",
        "DELETE FROM team_members WHERE user_id = $1",
        "DELETE FROM access_group_members WHERE user_id = $1",
        "DELETE FROM activity_visibility WHERE viewer_user_id = $1 OR subject_user_id = $1",
        // Personal contact details (phone, address, SIP) go with the person.
        "DELETE FROM call_preferences WHERE user_id = $1",
        "DELETE FROM profile_pictures WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user.0).execute(&mut *conn).await?;
    }
    Ok(())
}

/// `ids` in their order, each once.
pub fn distinct<T: Copy + Ord>(ids: &[T]) -> Vec<T> {
    let mut seen = BTreeSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}
