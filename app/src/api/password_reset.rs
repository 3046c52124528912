//! Forgotten passwords: a person asks for a link by e-mail, then chooses a new password with
//! it. Administrators also send such a link when they re-invite a disabled person.

use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The page a mailed reset link opens: `/reset-password/{token}`.
pub fn reset_path(token: &str) -> String {
    format!("/reset-password/{token}")
}

/// Why a reset link is sent; decides the mail's wording and how long the link works.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResetPurpose {
    /// The person asked for it: one hour.
    Forgotten,
    /// An administrator re-enabled a disabled account: as long as an invitation.
    Reinvite,
}

impl ResetPurpose {
    pub fn key(self) -> &'static str {
        match self {
            Self::Forgotten => "forgotten",
            Self::Reinvite => "reinvite",
        }
    }
}

/// What the reset page shows about a link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResetPreview {
    pub first_name: String,
    pub email: String,
    pub expires_at: i64,
}

/// What every request for a link is told, whether or not the address belongs to anyone.
pub const RESET_REQUESTED: &str = "If an active account uses this address, we have sent it a \
     link to choose a new password. The link works for one hour.";

/// Public: mails a reset link to an active person with this address. The answer is the
/// same whether or not such a person exists (nothing to learn about who has an account).
#[server(endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<String, AppError> {
    use crate::server::respond;
    let done = ssr::request(&email).await;
    respond::redirect_on_error_without_js(done, "/forgot-password")?;
    respond::navigate_after("/forgot-password?sent=1".into())
}

/// Public: whose link this is, for the reset page; or why it no longer works.
#[server(endpoint = "get_password_reset")]
pub async fn get_password_reset(token: String) -> Result<ResetPreview, AppError> {
    ssr::preview(&token).await
}

/// Public: sets a new password with a link (once), ends every other session of the person,
/// signs them in here and returns the page to go to.
#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<String, AppError> {
    use crate::server::respond;
    let well_formed = token.chars().all(|c| c.is_ascii_hexdigit());
    let page = reset_path(if well_formed { &token } else { "" });
    respond::redirect_on_error_without_js(ssr::reset(&token, password).await, &page)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{ResetPreview, ResetPurpose, reset_path};
    use crate::{
        domain::{Email, NodeId, UserId, UserStatus},
        error::{AppError, AppResult},
        server::{
            AppState,
            audit::{self, Actor, Entry},
            auth,
            clock::{HOUR, MINUTE, Millis},
            device,
            mail::{outbox, templates},
            password_policy::check_new_password,
            repo::{password_resets as resets, users},
            respond, security, session,
            throttle::{self, RESET_ACCOUNT, RESET_CLIENT, SIGN_IN_ACCOUNT},
            token,
        },
    };
    use leptos::prelude::expect_context;

    /// How long a link asked for by the person works.
    pub const FORGOTTEN_TTL: Millis = HOUR;
    /// At most one mail per person in this time: asking again and again sends nothing more.
    const RESEND_AFTER: Millis = 2 * MINUTE;

    /// Issues a reset link for `user` and queues its mail, in the caller's transaction (the
    /// caller wakes the mail worker after committing). A reinvite mail names the caller.
    pub async fn queue_reset_mail(
        conn: &mut sqlx::AnyConnection,
        user: UserId,
        purpose: ResetPurpose,
    ) -> AppResult<()> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let who = users::brief(conn, user).await?.ok_or(AppError::Internal)?;
        let ttl = match purpose {
            ResetPurpose::Forgotten => FORGOTTEN_TTL,
            ResetPurpose::Reinvite => state.config.invite_ttl_ms,
        };
        let token = token::generate();
        let new = resets::NewReset {
            user,
            token_hash: &token::hash(&token),
            purpose: purpose.key(),
            expires_at: now + ttl,
        };
        resets::insert(conn, new, now).await?;
        let reinvited_by = match purpose {
            ResetPurpose::Forgotten => None,
            ResetPurpose::Reinvite => Some(
                auth::current()
                    .map_or_else(|| "An administrator".to_string(), |a| a.viewer.display_name()),
            ),
        };
        let mail = templates::password_reset(&templates::PasswordReset {
            first_name: &who.first_name,
            reinvited_by: reinvited_by.as_deref(),
            link: templates::link(&state.config.public_url, &reset_path(&token)),
            valid_for: ttl,
        });
        outbox::enqueue(conn, &who.email, &mail.subject, &mail.body, now).await?;
        Ok(())
    }

    /// The account that created the person: where their audit entries are filed.
    async fn home_of(conn: &mut sqlx::AnyConnection, user: UserId) -> AppResult<Option<NodeId>> {
        Ok(users::profile(conn, user).await?.and_then(|p| p.home_node_id).map(NodeId))
    }

    /// The least time an answer to "forgot password" takes. A known address costs a few
    /// more writes than an unknown one; answering no sooner than this keeps the two from
    /// being told apart by the time they take.
    const ANSWER_AFTER: std::time::Duration = std::time::Duration::from_millis(300);

    pub async fn request(email: &str) -> AppResult<()> {
        let started = tokio::time::Instant::now();
        let done = issue_if_known(email).await;
        tokio::time::sleep_until(started + ANSWER_AFTER).await;
        done
    }

    async fn issue_if_known(email: &str) -> AppResult<()> {
        let email = Email::parse(email).map_err(|e| AppError::field("email", e.to_string()))?;
        let state = AppState::get()?;
        let now = state.clock.now();
        let ip = auth::client_ip().to_string();
        // Counted per client and per address whether or not anyone has the address: no
        // mail bombing of one person, no flood from one client, the same answers for all.
        {
            let mut conn = state.db.pool.acquire().await?;
            for (rule, key) in [(&RESET_CLIENT, ip.as_str()), (&RESET_ACCOUNT, email.as_str())] {
                if let Some(until) = throttle::blocked_until(&mut conn, rule, key, now).await? {
                    security::log("password_reset_throttled", None);
                    return Err(AppError::TooManyRequests {
                        message: throttle::wait_message(
                            "Too many requests for a new link.",
                            now,
                            until,
                        ),
                    });
                }
            }
            for (rule, key) in [(&RESET_CLIENT, ip.as_str()), (&RESET_ACCOUNT, email.as_str())] {
                throttle::record(&mut conn, rule, key, now).await?;
            }
        }
        let mut tx = state.db.begin().await?;
        let Some(row) = users::find_for_sign_in(&mut tx, &email).await? else { return Ok(()) };
        // Disabled, suspended and invited people get nothing: only an administrator can
        // bring them back (invited people use their invitation).
        if row.status() != Some(UserStatus::Active) {
            return Ok(());
        }
        let user = UserId(row.id);
        if resets::last_issued_at(&mut tx, user).await?.is_some_and(|t| now - t < RESEND_AFTER) {
            return Ok(());
        }
        queue_reset_mail(&mut tx, user, ResetPurpose::Forgotten).await?;
        let name = format!("{} {}", row.first_name, row.last_name);
        let entry = Entry {
            at: now,
            actor: Actor { id: Some(user), name: &name },
            action: "password_reset_requested",
            target: Some((user, &name)),
            node: home_of(&mut tx, user).await?,
            details: "",
        };
        audit::record(&mut tx, entry).await?;
        tx.commit().await?;
        state.mail.wake();
        security::log("password_reset_requested", Some(user));
        Ok(())
    }

    /// Why a link cannot be used, in words for the person who followed it.
    fn unusable(row: Option<&resets::ResetRow>, now: Millis) -> Option<AppError> {
        let Some(row) = row else {
            return Some(AppError::not_found(
                "This link is not valid. Check that you opened the whole link from the e-mail, \
                 or ask for a new one.",
            ));
        };
        if row.used_at.is_some() {
            return Some(AppError::conflict(
                "This link has already been used, or a newer one was sent. Ask for a new one \
                 if you still need it.",
            ));
        }
        if row.expires_at <= now {
            return Some(AppError::conflict("This link has expired. Ask for a new one."));
        }
        if row.status != UserStatus::Active.key() {
            return Some(AppError::conflict(
                "This account cannot sign in. Ask your administrator for help.",
            ));
        }
        None
    }

    /// Looks a link up, refusing clients that keep trying links that don't exist.
    async fn find_link(
        conn: &mut sqlx::AnyConnection,
        hash: &str,
        now: Millis,
    ) -> AppResult<Option<resets::ResetRow>> {
        let client = auth::client_ip().to_string();
        throttle::before_link_lookup(conn, &client, now).await?;
        let row = resets::find_by_token(conn, hash).await?;
        throttle::after_link_lookup(conn, &client, now, row.is_some()).await?;
        Ok(row)
    }

    pub async fn preview(token: &str) -> AppResult<ResetPreview> {
        let state = AppState::get()?;
        let now = state.clock.now();
        let mut conn = state.db.pool.acquire().await?;
        let row = find_link(&mut conn, &token::hash(token.trim()), now).await?;
        if let Some(err) = unusable(row.as_ref(), now) {
            return Err(err);
        }
        let row = row.expect("a usable link exists");
        Ok(ResetPreview {
            first_name: row.first_name,
            email: row.email,
            expires_at: row.expires_at,
        })
    }

    pub async fn reset(token: &str, password: String) -> AppResult<String> {
        check_new_password(&password).map_err(|e| AppError::field("password", e.to_string()))?;
        let state = AppState::get()?;
        let hash = token::hash(token.trim());
        // A spent or unknown link is refused before the slow password hashing.
        {
            let mut conn = state.db.pool.acquire().await?;
            let row = find_link(&mut conn, &hash, state.clock.now()).await?;
            if let Some(err) = unusable(row.as_ref(), state.clock.now()) {
                return Err(err);
            }
        }
        let password_hash = state.hasher.hash(password).await;
        let now = state.clock.now();
        let mut tx = state.db.begin().await?;
        if !resets::mark_used(&mut tx, &hash, now).await? {
            let row = resets::find_by_token(&mut tx, &hash).await?;
            return Err(unusable(row.as_ref(), now).unwrap_or(AppError::Internal));
        }
        let row = resets::find_by_token(&mut tx, &hash).await?.ok_or(AppError::Internal)?;
        // The person may have been suspended since the link was sent; dropping the
        // transaction (an early return) un-spends the link.
        if row.status != UserStatus::Active.key() {
            return Err(AppError::conflict(
                "This account cannot sign in. Ask your administrator for help.",
            ));
        }
        let user = UserId(row.user_id);
        users::set_password(&mut tx, user, &password_hash, now).await?;
        // The mailbox is proven: the address's sign-in lockout ends; browsers that knew
        // the old password are no longer known devices.
        throttle::clear(&mut tx, &SIGN_IN_ACCOUNT, &row.email).await?;
        device::forget_all(&mut tx, user).await?;
        // Whoever knew the old password is signed out everywhere.
        session::delete_all_for(&mut tx, user).await?;
        let name = format!("{} {}", row.first_name, row.last_name);
        let entry = Entry {
            at: now,
            actor: Actor { id: Some(user), name: &name },
            action: "password_reset",
            target: Some((user, &name)),
            node: home_of(&mut tx, user).await?,
            details: "",
        };
        audit::record(&mut tx, entry).await?;
        let max_age = state.config.session_max_ms;
        let ip = auth::client_ip().to_string();
        let session =
            session::create(&mut tx, user, now, max_age, &auth::user_agent(), &ip).await?;
        tx.commit().await?;
        if let Some(old) = auth::current() {
            session::delete(&state.db, &old.session_hash).await?;
        }
        let res = expect_context::<leptos_axum::ResponseOptions>();
        res.append_header(
            http::header::SET_COOKIE,
            session::cookie(&session, max_age, state.config.secure_cookies()),
        );
        security::log("password_reset_used", Some(user));
        respond::navigate_after("/".into())
    }
}
