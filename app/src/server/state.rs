//! Shared server state, handed to every server function through Leptos' context.

use super::{clock::Clock, db::Db, mail::Wakeup, password::Hasher};
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings the application layer needs (the server crate builds them from flags and env).
#[derive(Clone)]
pub struct AppConfig {
    /// The address people use to reach the app, e.g. `https://roster.example.com`.
    pub public_url: url::Url,
    /// How long a session lasts without activity.
    pub session_idle_ms: i64,
    /// Longest a session lasts at all.
    pub session_max_ms: i64,
    /// How long an invitation link works.
    pub invite_ttl_ms: i64,
    /// Where outgoing mail goes (`smtp://…`, `smtps://…`); `None` writes every mail to
    /// `mail_dir`. May hold a password: never logged.
    pub smtp_url: Option<String>,
    /// The sender of outgoing mail, e.g. `Roster <roster@example.com>`.
    pub mail_from: String,
    /// The users directory counts lists up to this many people exactly; larger ones are
    /// estimated (and labelled so).
    pub directory_exact_count: u64,
    /// Peers whose `X-Forwarded-For` / `Forwarded` headers are believed (reverse proxies).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Without SMTP, where mail is written as `.eml` files for the operator.
    pub mail_dir: std::path::PathBuf,
}

impl std::fmt::Debug for AppConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppConfig")
            .field("public_url", &self.public_url.as_str())
            .field("session_idle_ms", &self.session_idle_ms)
            .field("session_max_ms", &self.session_max_ms)
            .field("invite_ttl_ms", &self.invite_ttl_ms)
            .field("smtp_url", &self.smtp_url.as_ref().map(|_| "(set)"))
            .field("mail_from", &self.mail_from)
            .field("directory_exact_count", &self.directory_exact_count)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mail_dir", &self.mail_dir)
            .finish()
    }
}

impl AppConfig {
    /// Cookies get `Secure` when the app is served over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.scheme() == "https"
    }
}

#[derive(Clone, axum::extract::FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub config: Arc<AppConfig>,
    pub clock: Clock,
    pub hasher: Hasher,
    /// Wakes the outbox worker after a transaction that queued mail commits.
    pub mail: Wakeup,
    /// How far each running bulk add has got (this process only).
    pub bulk_progress: super::bulk::progress::Progress,
}

impl AppState {
    /// The state of the current request. A data fetch that outlives the page render that
    /// started it (its reactive owner already gone) gets an error here, not a panic.
    pub fn get() -> crate::error::AppResult<Self> {
        leptos::prelude::use_context::<AppState>().ok_or_else(|| {
            tracing::debug!("server function ran without its request context");
            crate::error::AppError::Internal
        })
    }
}
