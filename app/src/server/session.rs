//! Server-side sessions: a random token in an HttpOnly cookie, its hash in the database.
//!
//! The session is resolved once per request by [`resolve`], an axum middleware that also
//! ends it when it expired or its user is no longer active; so suspending or disabling a
//! user ends their sessions at the very next request, on every server sharing the database.

use super::{AppState, auth::Authenticated, clock::Millis, db::Db, token};
use crate::domain::{UserId, UserStatus, Viewer};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use cookie::{Cookie, SameSite};
use http::{HeaderValue, header};

/// The session cookie's name when the app is served over https. Browsers accept a
/// `__Host-` cookie only with `Secure`, `Path=/` and no `Domain`, so neither a sibling
/// subdomain nor a plain-http page can plant or overwrite it (session fixation).
pub const COOKIE_NAME_HTTPS: &str = "__Host-roster_session";
/// Over plain http (development) the prefix would make browsers drop the cookie.
pub const COOKIE_NAME_HTTP: &str = "roster_session";

/// The one cookie name used in a mode: the other name is never read, so a cookie set over
/// plain http cannot stand in for the https one.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure { COOKIE_NAME_HTTPS } else { COOKIE_NAME_HTTP }
}

/// Don't write `last_seen_at` more often than this per session.
const TOUCH_EVERY: Millis = 60_000;

/// Creates a session and returns its token (for the cookie).
pub async fn create(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    now: Millis,
    max_age: Millis,
    user_agent: &str,
    ip: &str,
) -> Result<String, sqlx::Error> {
    let token = token::generate();
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, \
         user_agent, ip) VALUES ($1, $2, $3, $3, $4, $5, $6)",
    )
    .bind(token::hash(&token))
    .bind(user.0)
    .bind(now)
    .bind(now + max_age)
    .bind(user_agent.chars().take(300).collect::<String>())
    .bind(ip)
    .execute(conn)
    .await?;
    Ok(token)
}

pub async fn delete(db: &Db, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Ends one session inside the caller's transaction.
pub async fn delete_in(
    conn: &mut sqlx::AnyConnection,
    token_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (status changes, password resets).
pub async fn delete_all_for(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.0).execute(conn).await?;
    Ok(())
}

/// Ends every session of a user but one (after a password change, on request).
pub async fn delete_all_except(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    keep_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user.0)
        .bind(keep_hash)
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends the session of `user` whose hash starts with `prefix`; false if there is none.
pub async fn delete_by_prefix(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    prefix: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash LIKE $2")
        .bind(user.0)
        .bind(format!("{prefix}%"))
        .execute(conn)
        .await?;
    Ok(done.rows_affected() > 0)
}

#[derive(sqlx::FromRow)]
pub struct SessionListRow {
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub user_agent: String,
    pub ip: String,
}

/// A user's sessions that have not expired, most recently used first.
pub async fn list_for(
    conn: &mut sqlx::AnyConnection,
    user: UserId,
    now: Millis,
) -> Result<Vec<SessionListRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT token_hash, created_at, last_seen_at, user_agent, ip FROM sessions \
         WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
    )
    .bind(user.0)
    .bind(now)
    .fetch_all(conn)
    .await
}

/// The `Set-Cookie` value that stores a session token (no `Domain`: host-only).
pub fn cookie(token: &str, max_age: Millis, secure: bool) -> HeaderValue {
    let c = Cookie::build((cookie_name(secure), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::milliseconds(max_age))
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie is a valid header value")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn removal_cookie(secure: bool) -> HeaderValue {
    let c = Cookie::build((cookie_name(secure), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(cookie::time::Duration::ZERO)
        .build();
    HeaderValue::from_str(&c.to_string()).expect("cookie is a valid header value")
}

/// The session token sent with a request under the mode's cookie name, if any.
pub fn token_from(headers: &http::HeaderMap, secure: bool) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == cookie_name(secure) && !c.value().is_empty())
        .map(|c| c.value().to_owned())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    user_id: i64,
    last_seen_at: i64,
    expires_at: i64,
    email: String,
    first_name: String,
    last_name: String,
    status: String,
}

/// Looks a token up; ends the session (and says so) when it may no longer be used.
async fn lookup(state: &AppState, token: &str) -> Result<Option<Authenticated>, sqlx::Error> {
    let hash = token::hash(token);
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT s.user_id, s.last_seen_at, s.expires_at, u.email, u.first_name, u.last_name, \
         u.status FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&state.db.pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let now = state.clock.now();
    let active = UserStatus::from_key(&row.status).is_some_and(UserStatus::can_sign_in);
    let fresh = now < row.expires_at && now < row.last_seen_at + state.config.session_idle_ms;
    if !(active && fresh) {
        delete(&state.db, &hash).await?;
        return Ok(None);
    }
    if now - row.last_seen_at > TOUCH_EVERY {
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&hash)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(Some(Authenticated {
        viewer: Viewer {
            id: UserId(row.user_id),
            email: row.email,
            first_name: row.first_name,
            last_name: row.last_name,
        },
        session_hash: hash,
    }))
}

/// Middleware: resolves the session cookie into an [`Authenticated`] request extension.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let secure = state.config.secure_cookies();
    let Some(token) = token_from(req.headers(), secure) else { return next.run(req).await };
    match lookup(&state, &token).await {
        Ok(Some(auth)) => {
            req.extensions_mut().insert(auth);
            next.run(req).await
        }
        Ok(None) => {
            let mut res = next.run(req).await;
            // Don't clobber a cookie the handler set (a fresh sign-in).
            if !res.headers().contains_key(header::SET_COOKIE) {
                res.headers_mut().append(header::SET_COOKIE, removal_cookie(secure));
            }
            res
        }
        Err(err) => {
            tracing::error!(error = %err, "session lookup failed");
            let mut res = Response::new(axum::body::Body::from("Service unavailable"));
            *res.status_mut() = http::StatusCode::SERVICE_UNAVAILABLE;
            res
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_http_only_and_same_site() {
        let c = cookie("abc", 60_000, true);
        let s = c.to_str().unwrap();
        assert!(s.starts_with("__Host-roster_session=abc"));
        assert!(s.contains("HttpOnly"));
        assert!(s.contains("SameSite=Lax"));
        assert!(s.contains("Secure"));
        assert!(s.contains("Path=/"));
        assert!(!s.contains("Domain"));
        let plain = cookie("abc", 60_000, false);
        let plain = plain.to_str().unwrap();
        assert!(plain.starts_with("roster_session=abc") && !plain.contains("Secure"));
        assert!(removal_cookie(true).to_str().unwrap().starts_with("__Host-roster_session=;"));
    }

    #[test]
    fn reads_the_token_of_its_mode_only() {
        let mut h = http::HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; roster_session=tok; b=2"));
        assert_eq!(token_from(&h, false).as_deref(), Some("tok"));
        assert_eq!(token_from(&h, true), None, "a plain cookie is not the https one");
        h.insert(header::COOKIE, HeaderValue::from_static("__Host-roster_session=sec"));
        assert_eq!(token_from(&h, true).as_deref(), Some("sec"));
        assert_eq!(token_from(&h, false), None);
        h.insert(header::COOKIE, HeaderValue::from_static("roster_session="));
        assert_eq!(token_from(&h, false), None);
    }
}
