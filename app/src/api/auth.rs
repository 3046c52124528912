//! Signing in and out, and who is signed in.

use crate::{domain::Viewer, error::AppError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every page needs to know about the visitor, resolved once per page load.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub viewer: Option<Viewer>,
    /// No agency exists yet: the first-run setup page is the only way in.
    pub needs_setup: bool,
}

#[server(endpoint = "get_session")]
pub async fn get_session() -> Result<SessionInfo, AppError> {
    use crate::server::{AppState, auth, setup};
    let viewer = auth::current().map(|a| a.viewer);
    let needs_setup = viewer.is_none() && setup::needs_setup(&AppState::get()?.db).await?;
    Ok(SessionInfo { viewer, needs_setup })
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(
    email: String,
    password: String,
    next: Option<String>,
) -> Result<String, AppError> {
    use crate::server::respond;
    respond::redirect_on_error_without_js(ssr::sign_in(email, password, next).await, "/sign-in")
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<String, AppError> {
    use crate::server::{AppState, auth, respond, session};
    let state = AppState::get()?;
    if let Some(current) = auth::current() {
        session::delete(&state.db, &current.session_hash).await?;
    }
    let res = expect_context::<leptos_axum::ResponseOptions>();
    res.append_header(
        http::header::SET_COOKIE,
        session::removal_cookie(state.config.secure_cookies()),
    );
    respond::navigate_after("/sign-in".into())
}

/// Messages for sign-in errors, also used when a form without JavaScript is redirected
/// back with `?error=code`.
pub fn sign_in_message(code: &str) -> &'static str {
    match code {
        "too_many_requests" => "Too many failed attempts. Wait a few minutes and try again.",
        "conflict" => "This account cannot sign in. Ask an administrator for help.",
        "internal" | "network" => "Something went wrong. Please try again.",
        _ => INVALID_CREDENTIALS,
    }
}

pub const INVALID_CREDENTIALS: &str = "The e-mail address or password is incorrect.";

#[cfg(feature = "ssr")]
mod ssr {
    use super::INVALID_CREDENTIALS;
    use crate::{
        domain::{Email, UserId, UserStatus},
        error::{AppError, AppResult},
        server::{
            AppState, auth, clock::Millis, repo::users, respond, session,
            throttle::account_lock_for,
        },
    };
    use leptos::prelude::expect_context;

    fn invalid() -> AppError {
        AppError::Validation { message: INVALID_CREDENTIALS.into(), fields: Vec::new() }
    }

    fn too_many(wait: Millis) -> AppError {
        let minutes = (wait + 59_999) / 60_000;
        let message = if minutes <= 1 {
            "Too many failed attempts. Try again in a minute.".to_string()
        } else {
            format!("Too many failed attempts. Try again in {minutes} minutes.")
        };
        AppError::TooManyRequests { message }
    }

    pub async fn sign_in(
        email: String,
        password: String,
        next: Option<String>,
    ) -> AppResult<String> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let ip = auth::client_ip();
        if let Some(until) = state.ip_throttle.blocked_until(ip, now) {
            return Err(too_many(until - now));
        }
        let email = Email::parse(&email).ok();
        let mut conn = state.db.pool.acquire().await?;
        let row = match &email {
            Some(email) => users::find_for_sign_in(&mut conn, email).await?,
            None => None,
        };
        if let Some(until) = row.as_ref().and_then(|r| r.locked_until).filter(|u| *u > now) {
            return Err(too_many(until - now));
        }
        let stored = row.as_ref().and_then(|r| r.password_hash.clone());
        // Unknown e-mail, no password yet, or wrong password: same message, same time.
        if !state.hasher.verify(password, stored).await {
            state.ip_throttle.record_failure(ip, now);
            if let Some(row) = &row {
                let failures = users::record_failed_sign_in(&mut conn, UserId(row.id)).await?;
                if let Some(lock) = account_lock_for(failures) {
                    users::lock_until(&mut conn, UserId(row.id), now + lock).await?;
                }
            }
            return Err(invalid());
        }
        let row = row.expect("a verified password belongs to a user");
        let user = UserId(row.id);
        match row.status() {
            Some(UserStatus::Active) => {}
            Some(UserStatus::Suspended) => {
                return Err(AppError::conflict(
                    "This account is suspended. Ask an administrator to reactivate it.",
                ));
            }
            Some(UserStatus::Disabled) => {
                return Err(AppError::conflict(
                    "This account is disabled. Ask an administrator to re-invite you.",
                ));
            }
            _ => return Err(invalid()),
        }
        users::clear_failed_sign_ins(&mut conn, user).await?;
        // Rotate: the session the browser came with (if any) ends; a new id is issued.
        if let Some(old) = auth::current() {
            session::delete(&state.db, &old.session_hash).await?;
        }
        let max_age = state.config.session_max_ms;
        let token =
            session::create(&mut conn, user, now, max_age, &auth::user_agent(), &ip.to_string())
                .await?;
        let res = expect_context::<leptos_axum::ResponseOptions>();
        res.append_header(
            http::header::SET_COOKIE,
            session::cookie(&token, max_age, state.config.secure_cookies()),
        );
        tracing::info!(user = user.0, "signed in");
        respond::navigate_after(respond::safe_next(next.as_deref()))
    }
}
