//! Device cookies: a browser that signed in to a person's account carries a long-lived random
//! token (only its SHA-256 is stored, in `trusted_devices`). When the person's address is
//! locked out after failed sign-ins, their known devices may still try: a stranger's wrong
//! guesses delay only strangers. Each device has a small failure budget of its own, after
//! which it is forgotten and treated like any other client.

use super::{clock::Millis, token};
use crate::domain::{Email, UserId};
use cookie::{Cookie, SameSite};
use http::HeaderValue;
use sqlx::AnyConnection;

/// How long a device stays known after its last sign-in.
pub const LIFETIME: Millis = 180 * super::clock::DAY;
/// Failed sign-ins a known device may make before it is forgotten.
pub const MAX_FAILURES: i64 = 5;
/// Devices kept per person; the least recently used beyond this are forgotten.
const PER_PERSON: i64 = 20;

/// The cookie's name: with the `__Host-` prefix under https, so no other host or path can
/// set or shadow it.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { "__Host-roster_device" } else { "roster_device" }
}

/// The `Set-Cookie` value that stores a device token.
pub fn cookie(token: &str, secure: bool) -> HeaderValue {
    let c = Cookie::build((cookie_name(secure), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::milliseconds(LIFETIME))
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie is a valid header value")
}

/// True when `token` is a known device of the person with address `email`.
pub async fn is_known_for(
    conn: &mut AnyConnection,
    token: &str,
    email: &Email,
    now: Millis,
) -> Result<bool, sqlx::Error> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT d.user_id FROM trusted_devices d JOIN users u ON u.id = d.user_id \
         WHERE d.token_hash = $1 AND u.email = $2 AND d.last_used_at > $3",
    )
    .bind(token::hash(token))
    .bind(email.as_str())
    .bind(now - LIFETIME)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

/// Counts a failed sign-in from a known device; forgets the device when its budget is spent.
pub async fn record_failure(conn: &mut AnyConnection, token: &str) -> Result<(), sqlx::Error> {
    let hash = token::hash(token);
    sqlx::query("UPDATE trusted_devices SET failures = failures + 1 WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM trusted_devices WHERE token_hash = $1 AND failures >= $2")
        .bind(&hash)
        .bind(MAX_FAILURES)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After a successful sign-in of `user`: keeps the browser's device token when it is theirs
/// (its failures forgiven), else issues a new one. Returns the token for the cookie.
pub async fn remember(
    conn: &mut AnyConnection,
    user: UserId,
    presented: Option<&str>,
    now: Millis,
) -> Result<String, sqlx::Error> {
    if let Some(token) = presented {
        let kept = sqlx::query(
            "UPDATE trusted_devices SET last_used_at = $1, failures = 0 \
             WHERE token_hash = $2 AND user_id = $3",
        )
        .bind(now)
        .bind(token::hash(token))
        .bind(user.0)
        .execute(&mut *conn)
        .await?;
        if kept.rows_affected() == 1 {
            return Ok(token.to_owned());
        }
    }
    let token = token::generate();
    sqlx::query(
        "INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at, failures) \
         VALUES ($1, $2, $3, $3, 0)",
    )
    .bind(token::hash(&token))
    .bind(user.0)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // Keep the newest few: a person signing in from many browsers doesn't grow the table.
    sqlx::query(
        "DELETE FROM trusted_devices WHERE user_id = $1 AND token_hash NOT IN ( \
             SELECT token_hash FROM trusted_devices WHERE user_id = $1 \
             ORDER BY last_used_at DESC, created_at DESC LIMIT $2)",
    )
    .bind(user.0)
    .bind(PER_PERSON)
    .execute(&mut *conn)
    .await?;
    Ok(token)
}

/// Forgets every device of a person (their password was reset or their account ended).
pub async fn forget_all(conn: &mut AnyConnection, user: UserId) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM trusted_devices WHERE user_id = $1")
        .bind(user.0)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_host_only_under_https() {
        let secure = cookie("t", true);
        let s = secure.to_str().unwrap();
        assert!(s.starts_with("__Host-roster_device=t"), "{s}");
        assert!(s.contains("Secure") && s.contains("Path=/") && s.contains("HttpOnly"));
        assert!(!s.contains("Domain"));
        let plain = cookie("t", false);
        assert!(plain.to_str().unwrap().starts_with("roster_device=t"));
    }
}
