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
    use crate::server::{AppState, auth, respond, security, session};
    let state = AppState::get()?;
    if let Some(current) = auth::current() {
        session::delete(&state.db, &current.session_hash).await?;
        security::log("signed_out", Some(current.viewer.id));
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
        domain::{Email, NodeId, UserId, UserStatus},
        error::{AppError, AppResult},
        server::{
            AppState, auth,
            clock::Millis,
            device, respond,
            security::{self, PersonEvent},
            session,
            throttle::{self, SIGN_IN_ACCOUNT, SIGN_IN_CLIENT},
        },
    };
    use leptos::prelude::expect_context;

    fn invalid() -> AppError {
        AppError::Validation { message: INVALID_CREDENTIALS.into(), fields: Vec::new() }
    }

    fn too_many(now: Millis, until: Millis) -> AppError {
        AppError::TooManyRequests {
            message: throttle::wait_message("Too many failed attempts.", now, until),
        }
    }

    /// Signs a person in. The order is what keeps it safe:
    /// 1. cheap refusals first, before any password hashing: a client or an address that
    ///    failed too often gets 429, unless the browser is a known device of that address's
    ///    person (so a stranger's guesses never keep the person out);
    /// 2. the password is checked against the stored hash, or a dummy one for an unknown
    ///    address, and a failure is counted per address and per client whether or not the
    ///    address exists: known and unknown addresses get the same answers, at every try;
    /// 3. only then is the account's status told (to whoever knows its password).
    pub async fn sign_in(
        email: String,
        password: String,
        next: Option<String>,
    ) -> AppResult<String> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let ip = auth::client_ip().to_string();
        let secure = state.config.secure_cookies();
        let presented_device = auth::cookie(device::cookie_name(secure));
        let parsed = Email::parse(&email).ok();
        // Throttled under the address as typed (normalised when it parses), known or not.
        let subject = parsed.as_ref().map_or(email.trim(), |e| e.as_str()).to_string();
        let mut conn = state.db.pool.acquire().await?;
        let known_device = match (&presented_device, &parsed) {
            (Some(token), Some(email)) => {
                device::is_known_for(&mut conn, token, email, now).await?
            }
            _ => false,
        };
        if !known_device {
            for (rule, key) in [(&SIGN_IN_CLIENT, &ip), (&SIGN_IN_ACCOUNT, &subject)] {
                if let Some(until) = throttle::blocked_until(&mut conn, rule, key, now).await? {
                    security::log("sign_in_throttled", None);
                    return Err(too_many(now, until));
                }
            }
        }
        let row = match &parsed {
            Some(email) => crate::server::repo::users::find_for_sign_in(&mut conn, email).await?,
            None => None,
        };
        let stored = row.as_ref().and_then(|r| r.password_hash.clone());
        // No pool connection is held while hashing: a flood of sign-ins must not starve
        // the pages of connections.
        drop(conn);
        let verified = state.hasher.verify(password, stored).await;
        let mut conn = state.db.pool.acquire().await?;
        // Unknown e-mail, no password yet, or wrong password: same message, same work.
        if !verified {
            let user = row.as_ref().map(|r| UserId(r.id));
            security::log("sign_in_failed", user);
            if known_device {
                let token = presented_device.as_deref().expect("a known device has a token");
                device::record_failure(&mut conn, token).await?;
                return Err(invalid());
            }
            throttle::record(&mut conn, &SIGN_IN_CLIENT, &ip, now).await?;
            let locked = throttle::record(&mut conn, &SIGN_IN_ACCOUNT, &subject, now).await?;
            if let (Some(until), Some(row)) = (locked, &row) {
                security::log("sign_in_locked", user);
                // Filed after the answer, so a known address answers as fast as an unknown.
                let (db, id, name) = (state.db.clone(), UserId(row.id), row.full_name());
                let home = row.home_node_id.map(NodeId);
                let minutes = (until - now + 59_999) / 60_000;
                let details = format!("locked for {minutes} min after repeated failed sign-ins");
                tokio::spawn(async move {
                    let event = PersonEvent {
                        user: id,
                        name: &name,
                        home,
                        action: "sign_in_locked",
                        details: &details,
                        at: now,
                    };
                    if let Err(err) = security::audit_detached(&db, event).await {
                        tracing::error!(error = %err, "cannot audit a sign-in lockout");
                    }
                });
            }
            return Err(invalid());
        }
        let row = row.expect("a verified password belongs to a user");
        let user = UserId(row.id);
        match row.status() {
            Some(UserStatus::Active) => {}
            Some(UserStatus::Suspended) => {
                security::log("sign_in_refused_suspended", Some(user));
                return Err(AppError::conflict(
                    "This account is suspended. Ask an administrator to reactivate it.",
                ));
            }
            Some(UserStatus::Disabled) => {
                security::log("sign_in_refused_disabled", Some(user));
                return Err(AppError::conflict(
                    "This account is disabled. Ask an administrator to re-invite you.",
                ));
            }
            _ => return Err(invalid()),
        }
        drop(conn);
        let mut tx = state.db.begin().await?;
        // A success from a stranger's browser (possible only while unlocked) forgets the
        // count; one from a known device leaves a running lockout to the strangers.
        if !known_device {
            throttle::clear(&mut tx, &SIGN_IN_ACCOUNT, &subject).await?;
        }
        let device_token =
            device::remember(&mut tx, user, presented_device.as_deref(), now).await?;
        // Rotate: the session the browser came with (if any) ends; a new id is issued.
        if let Some(old) = auth::current() {
            session::delete_in(&mut tx, &old.session_hash).await?;
        }
        let max_age = state.config.session_max_ms;
        let token = session::create(&mut tx, user, now, max_age, &auth::user_agent(), &ip).await?;
        let name = row.full_name();
        security::audit(
            &mut tx,
            PersonEvent {
                user,
                name: &name,
                home: row.home_node_id.map(NodeId),
                action: "signed_in",
                details: &format!("from {ip}"),
                at: now,
            },
        )
        .await?;
        tx.commit().await?;
        let res = expect_context::<leptos_axum::ResponseOptions>();
        res.append_header(http::header::SET_COOKIE, session::cookie(&token, max_age, secure));
        res.append_header(http::header::SET_COOKIE, device::cookie(&device_token, secure));
        security::log("signed_in", Some(user));
        respond::navigate_after(respond::safe_next(next.as_deref()))
    }
}
