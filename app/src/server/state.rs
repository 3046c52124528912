//! Shared server state, handed to every server function through Leptos' context.

use super::{clock::Clock, db::Db, password::Hasher, throttle::IpThrottle};
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Settings the application layer needs (the server crate builds them from flags and env).
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// The address people use to reach the app, e.g. `https://roster.example.com`.
    pub public_url: url::Url,
    /// How long a session lasts without activity.
    pub session_idle_ms: i64,
    /// Longest a session lasts at all.
    pub session_max_ms: i64,
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
    pub ip_throttle: IpThrottle,
}

impl AppState {
    /// The state of the current request. Panics outside a server request, which is a bug.
    pub fn get() -> Self {
        leptos::prelude::expect_context::<AppState>()
    }
}
