//! The hourly count, per caller, of "this address already exists" answers about people
//! outside their reach (see `api::invitations::ssr::spend_lookups`).

use crate::domain::UserId;
use sqlx::AnyConnection;

/// The length of a counting window.
pub const WINDOW_MS: i64 = 60 * 60 * 1000;

/// How many answers `user` has had in the current window (0 once it has passed).
pub async fn used(conn: &mut AnyConnection, user: UserId, now: i64) -> Result<i64, sqlx::Error> {
    let row: Option<(i64, i64)> =
        sqlx::query_as("SELECT window_start, used FROM email_lookups WHERE user_id = $1")
            .bind(user.0)
            .fetch_optional(conn)
            .await?;
    Ok(row.filter(|(start, _)| now - start < WINDOW_MS).map_or(0, |(_, used)| used))
}

/// Adds `n` answers to `user`'s window (a new window once the last one has passed); the
/// count after. One statement, so concurrent requests on several servers add up.
pub async fn spend(
    conn: &mut AnyConnection,
    user: UserId,
    n: i64,
    now: i64,
) -> Result<i64, sqlx::Error> {
    let (used,): (i64,) = sqlx::query_as(
        "INSERT INTO email_lookups (user_id, window_start, used) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET \
         used = CASE WHEN $2 - email_lookups.window_start >= $4 THEN $3 \
                     ELSE email_lookups.used + $3 END, \
         window_start = CASE WHEN $2 - email_lookups.window_start >= $4 THEN $2 \
                             ELSE email_lookups.window_start END \
         RETURNING used",
    )
    .bind(user.0)
    .bind(now)
    .bind(n)
    .bind(WINDOW_MS)
    .fetch_one(conn)
    .await?;
    Ok(used)
}
