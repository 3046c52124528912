use crate::domain::{Email, NodeId, UserId, UserStatus};
use sqlx::AnyConnection;

#[derive(sqlx::FromRow)]
pub struct SignInRow {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub password_hash: Option<String>,
    pub home_node_id: Option<i64>,
}

impl SignInRow {
    pub fn full_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }

    pub fn status(&self) -> Option<UserStatus> {
        UserStatus::from_key(&self.status)
    }
}

pub async fn find_for_sign_in(
    conn: &mut AnyConnection,
    email: &Email,
) -> Result<Option<SignInRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, first_name, last_name, status, password_hash, home_node_id FROM users \
         WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(conn)
    .await
}

pub async fn find_id_by_email(
    conn: &mut AnyConnection,
    email: &Email,
) -> Result<Option<UserId>, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email.as_str())
        .fetch_optional(conn)
        .await?;
    Ok(row.map(|r| UserId(r.0)))
}

pub struct NewUser<'a> {
    pub email: &'a Email,
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub status: UserStatus,
    pub password_hash: Option<&'a str>,
    pub home_node: Option<NodeId>,
}

/// The agency of the node `${param}` (SQL): where a person at home there belongs, and the
/// namespace of their username (unique per agency, migration 0012).
pub(crate) fn agency_of_home(param: usize) -> String {
    format!(
        "(SELECT c.ancestor_id FROM node_closure c JOIN nodes n ON n.id = c.ancestor_id \
         WHERE c.descendant_id = ${param} AND n.parent_id IS NULL)"
    )
}

/// Inserts a user with a username derived from the e-mail's local part, unique in the
/// agency of their home.
pub async fn insert(
    conn: &mut AnyConnection,
    u: NewUser<'_>,
    now: i64,
) -> Result<UserId, sqlx::Error> {
    let username = free_username(&mut *conn, u.email, u.home_node).await?;
    let (id,): (i64,) = sqlx::query_as(&format!(
        "INSERT INTO users (email, username, first_name, last_name, status, password_hash, \
         home_node_id, status_changed_at, created_at, updated_at, agency_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8, $8, {}) RETURNING id",
        agency_of_home(7)
    ))
    .bind(u.email.as_str())
    .bind(&username)
    .bind(u.first_name)
    .bind(u.last_name)
    .bind(u.status.key())
    .bind(u.password_hash)
    .bind(u.home_node.map(|n| n.0))
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(UserId(id))
}

/// The username an address suggests: its local part, cut to the characters usernames take.
pub(crate) fn username_base(email: &Email) -> String {
    let base: String = email
        .as_str()
        .split('@')
        .next()
        .unwrap_or("user")
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c))
        .take(40)
        .collect();
    if base.is_empty() { "user".to_string() } else { base }
}

/// The e-mail's local part, or the first `local-N` not taken in the agency of `home`. Only
/// that agency's usernames count: a suffix must not tell that another agency has the name.
async fn free_username(
    conn: &mut AnyConnection,
    email: &Email,
    home: Option<NodeId>,
) -> Result<String, sqlx::Error> {
    let base = username_base(email);
    let taken: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT username FROM users WHERE COALESCE(agency_id, 0) = COALESCE({}, 0) \
         AND (username = $1 OR username LIKE $2)",
        agency_of_home(3)
    ))
    .bind(&base)
    .bind(format!("{base}-%"))
    .bind(home.map(|h| h.0))
    .fetch_all(conn)
    .await?;
    let taken: std::collections::HashSet<String> = taken.into_iter().map(|t| t.0).collect();
    Ok((1..)
        .map(|n| if n == 1 { base.clone() } else { format!("{base}-{n}") })
        .find(|candidate| !taken.contains(candidate))
        .expect("an unbounded range always yields a free name"))
}

pub async fn set_password(
    conn: &mut AnyConnection,
    user: UserId,
    password_hash: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE users SET password_hash = $1, updated_at = $2, version = version + 1 \
         WHERE id = $3",
    )
    .bind(password_hash)
    .bind(now)
    .bind(user.0)
    .execute(conn)
    .await?;
    Ok(())
}

/// A person as lists and pickers show them.
#[derive(sqlx::FromRow)]
pub struct UserBrief {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub status: String,
}

impl UserBrief {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name).trim().to_string()
    }

    pub fn status(&self) -> UserStatus {
        UserStatus::from_key(&self.status).unwrap_or(UserStatus::Deleted)
    }
}

pub async fn brief(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<UserBrief>, sqlx::Error> {
    sqlx::query_as("SELECT id, first_name, last_name, email, status FROM users WHERE id = $1")
        .bind(user.0)
        .fetch_optional(conn)
        .await
}

/// "Belongs under one of `roots`": the user's home account or one of their memberships is
/// in the subtree of a root. `$1..$n` are the roots.
pub(crate) fn under_roots(n: usize) -> String {
    let list = super::placeholders(1, n);
    format!(
        "(u.home_node_id IN (SELECT descendant_id FROM node_closure WHERE ancestor_id IN ({list})) \
         OR u.id IN (SELECT m.user_id FROM memberships m \
                     JOIN node_closure c ON c.descendant_id = m.node_id \
                     WHERE c.ancestor_id IN ({list})))"
    )
}

/// Whether a user who is not deleted belongs under one of `roots`.
pub async fn is_under(
    conn: &mut AnyConnection,
    user: UserId,
    roots: &[NodeId],
) -> Result<bool, sqlx::Error> {
    if roots.is_empty() {
        return Ok(false);
    }
    let sql = format!(
        "SELECT COUNT(*) FROM users u WHERE {} AND u.id = ${} AND u.status <> 'deleted'",
        under_roots(roots.len()),
        roots.len() + 1
    );
    let mut q = sqlx::query_as(&sql);
    for r in roots {
        q = q.bind(r.0);
    }
    let (n,): (i64,) = q.bind(user.0).fetch_one(conn).await?;
    Ok(n > 0)
}

/// Active and invited users under one of `roots` whose name or e-mail contains `query`
/// (case-insensitive), at most `limit`.
pub async fn search_under(
    conn: &mut AnyConnection,
    roots: &[NodeId],
    query: &str,
    limit: i64,
) -> Result<Vec<UserBrief>, sqlx::Error> {
    if roots.is_empty() {
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
    let n = roots.len();
    let sql = format!(
        "SELECT u.id, u.first_name, u.last_name, u.email, u.status FROM users u \
         WHERE {} AND u.status IN ('active', 'invited') \
         AND (LOWER(u.first_name || ' ' || u.last_name) LIKE ${p} ESCAPE '\\' \
              OR u.email LIKE ${p} ESCAPE '\\') \
         ORDER BY u.last_name, u.first_name, u.id LIMIT ${l}",
        under_roots(n),
        p = n + 1,
        l = n + 2
    );
    let mut q = sqlx::query_as(&sql);
    for r in roots {
        q = q.bind(r.0);
    }
    q.bind(format!("%{escaped}%")).bind(limit).fetch_all(conn).await
}

/// The fields of the profile page.
#[derive(sqlx::FromRow)]
pub struct ProfileRow {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub username: String,
    pub time_zone: String,
    pub status: String,
    pub home_node_id: Option<i64>,
    pub version: i64,
}

pub async fn profile(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<ProfileRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, email, first_name, last_name, username, time_zone, status, home_node_id, \
         version FROM users WHERE id = $1",
    )
    .bind(user.0)
    .fetch_optional(conn)
    .await
}

pub struct ProfileChange<'a> {
    pub first_name: &'a str,
    pub last_name: &'a str,
    pub username: &'a str,
    pub time_zone: &'a str,
}

/// Saves a profile if it is still at `version`; false when someone saved in between.
pub async fn update_profile(
    conn: &mut AnyConnection,
    user: UserId,
    p: &ProfileChange<'_>,
    version: i64,
    now: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE users SET first_name = $1, last_name = $2, username = $3, time_zone = $4, \
         updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7",
    )
    .bind(p.first_name)
    .bind(p.last_name)
    .bind(p.username)
    .bind(p.time_zone)
    .bind(now)
    .bind(user.0)
    .bind(version)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The stored password hash (none until the person has set a password).
pub async fn password_hash(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|r| r.0))
}
