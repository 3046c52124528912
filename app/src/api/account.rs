//! The signed-in person's own account: changing their password, and the sessions they have
//! open (device, last seen) with a way to end any of them.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// A session of the caller's, as their session list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenSession {
    /// A short handle for ending it (the start of the token's hash: never the token).
    pub id: String,
    /// The browser and system, read from its user agent.
    pub device: String,
    pub ip: String,
    pub signed_in_at: i64,
    pub last_seen_at: i64,
    /// The session this very request came with.
    pub current: bool,
}

/// Changes the caller's password, which they must confirm with the current one. With
/// `sign_out_others`, every other session of theirs ends.
#[server(endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
    #[server(default)] sign_out_others: bool,
) -> Result<(), AppError> {
    let caller = crate::server::auth::require()?;
    ssr::change_password(&caller, current_password, new_password, sign_out_others).await
}

#[server(endpoint = "list_my_sessions")]
pub async fn list_my_sessions() -> Result<Vec<OpenSession>, AppError> {
    let caller = crate::server::auth::require()?;
    ssr::list(&caller).await
}

/// Ends one of the caller's own sessions (another device).
#[server(endpoint = "end_my_session")]
pub async fn end_my_session(id: String) -> Result<(), AppError> {
    let caller = crate::server::auth::require()?;
    ssr::end(&caller, &id).await
}

/// "Chrome on Linux", from a user agent string; good enough to recognise one's devices.
pub fn describe_device(user_agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .into_iter()
    .find(|(marker, _)| user_agent.contains(marker))
    .map(|(_, name)| name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} on {s}"),
        (Some(b), None) => b.to_string(),
        (None, Some(s)) => s.to_string(),
        (None, None) if user_agent.is_empty() => "Unknown device".to_string(),
        (None, None) => user_agent.chars().take(60).collect(),
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::{OpenSession, describe_device};
    use crate::{
        domain::NodeId,
        error::{AppError, AppResult},
        server::{
            AppState,
            audit::{self, Actor, Entry},
            auth::Authenticated,
            password_policy::check_new_password,
            repo::users,
            security, session,
            throttle::{self, PASSWORD_CHANGE},
        },
    };

    /// How much of a token hash identifies a session to its owner.
    const HANDLE_LEN: usize = 16;

    pub async fn change_password(
        caller: &Authenticated,
        current: String,
        new: String,
        sign_out_others: bool,
    ) -> AppResult<()> {
        check_new_password(&new).map_err(|e| AppError::field("new_password", e.to_string()))?;
        if new == current {
            return Err(AppError::field(
                "new_password",
                "Choose a password different from the current one.",
            ));
        }
        let state = AppState::get()?;
        let user = caller.viewer.id;
        let subject = user.0.to_string();
        let started = state.clock.now();
        // Someone at an unlocked screen may not guess the password at full speed.
        let stored = {
            let mut conn = state.db.pool.acquire().await?;
            if let Some(until) =
                throttle::blocked_until(&mut conn, &PASSWORD_CHANGE, &subject, started).await?
            {
                return Err(AppError::TooManyRequests {
                    message: throttle::wait_message("Too many wrong passwords.", started, until),
                });
            }
            users::password_hash(&mut conn, user).await?
        };
        if !state.hasher.verify(current, stored).await {
            let mut conn = state.db.pool.acquire().await?;
            throttle::record(&mut conn, &PASSWORD_CHANGE, &subject, started).await?;
            security::log("password_change_refused", Some(user));
            return Err(AppError::field("current_password", "This is not your current password."));
        }
        let hash = state.hasher.hash(new).await;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        users::set_password(&mut tx, user, &hash, now).await?;
        if sign_out_others {
            session::delete_all_except(&mut tx, user, &caller.session_hash).await?;
        }
        let name = caller.viewer.display_name();
        let home = users::profile(&mut tx, user).await?.and_then(|p| p.home_node_id).map(NodeId);
        let details = if sign_out_others { "other sessions ended" } else { "" };
        let entry = Entry {
            at: now,
            actor: Actor { id: Some(user), name: &name },
            action: "password_changed",
            target: Some((user, &name)),
            node: home,
            details,
        };
        audit::record(&mut tx, entry).await?;
        throttle::clear(&mut tx, &PASSWORD_CHANGE, &subject).await?;
        tx.commit().await?;
        security::log("password_changed", Some(user));
        Ok(())
    }

    pub async fn list(caller: &Authenticated) -> AppResult<Vec<OpenSession>> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let mut conn = state.db.pool.acquire().await?;
        let rows = session::list_for(&mut conn, caller.viewer.id, now).await?;
        Ok(rows
            .into_iter()
            .map(|s| OpenSession {
                id: s.token_hash[..HANDLE_LEN].to_string(),
                device: describe_device(&s.user_agent),
                ip: s.ip,
                signed_in_at: s.created_at,
                last_seen_at: s.last_seen_at,
                current: s.token_hash == caller.session_hash,
            })
            .collect())
    }

    pub async fn end(caller: &Authenticated, id: &str) -> AppResult<()> {
        let not_found = || AppError::not_found("This session has already ended.");
        if id.len() != HANDLE_LEN || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(not_found());
        }
        if caller.session_hash.starts_with(id) {
            return Err(AppError::conflict("To end this session, sign out."));
        }
        let state = AppState::get()?;
        let mut conn = state.db.pool.acquire().await?;
        if !session::delete_by_prefix(&mut conn, caller.viewer.id, id).await? {
            return Err(not_found());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::describe_device;

    #[test]
    fn devices() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      Chrome/120.0 Safari/537.36";
        assert_eq!(describe_device(chrome), "Chrome on Linux");
        let iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 \
                      (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
        assert_eq!(describe_device(iphone), "Safari on iPhone");
        assert_eq!(describe_device(""), "Unknown device");
        assert_eq!(describe_device("curl/8.0"), "curl/8.0");
    }
}
