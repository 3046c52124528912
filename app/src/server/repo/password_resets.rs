//! Password-reset links: random tokens stored hashed, single use, expiring.

use crate::domain::UserId;
use crate::server::clock::Millis;
use sqlx::AnyConnection;

pub struct NewReset<'a> {
    pub user: UserId,
    pub token_hash: &'a str,
    /// `forgotten` or `reinvite`.
    pub purpose: &'a str,
    pub expires_at: Millis,
}

/// Stores a new link and ends the person's earlier unused ones: only the newest mail works.
pub async fn insert(
    conn: &mut AnyConnection,
    r: NewReset<'_>,
    now: Millis,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE password_resets SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL")
        .bind(now)
        .bind(r.user.0)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO password_resets (user_id, token_hash, purpose, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(r.user.0)
    .bind(r.token_hash)
    .bind(r.purpose)
    .bind(now)
    .bind(r.expires_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// When the person's newest link was issued, if any.
pub async fn last_issued_at(
    conn: &mut AnyConnection,
    user: UserId,
) -> Result<Option<Millis>, sqlx::Error> {
    let row: (Option<i64>,) =
        sqlx::query_as("SELECT MAX(created_at) FROM password_resets WHERE user_id = $1")
            .bind(user.0)
            .fetch_one(conn)
            .await?;
    Ok(row.0)
}

#[derive(sqlx::FromRow)]
pub struct ResetRow {
    pub user_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
}

pub async fn find_by_token(
    conn: &mut AnyConnection,
    token_hash: &str,
) -> Result<Option<ResetRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.user_id, r.expires_at, r.used_at, u.email, u.first_name, u.last_name, \
         u.status FROM password_resets r JOIN users u ON u.id = r.user_id \
         WHERE r.token_hash = $1",
    )
    .bind(token_hash)
    .fetch_optional(conn)
    .await
}

/// Spends a link that is unused and unexpired; false when it was not (the one state change
/// that decides between concurrent attempts).
pub async fn mark_used(
    conn: &mut AnyConnection,
    token_hash: &str,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE password_resets SET used_at = $1 \
         WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(token_hash)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
