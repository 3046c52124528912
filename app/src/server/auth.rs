//! Who is calling: read from the request the session middleware resolved.

use crate::{
    domain::Viewer,
    error::{AppError, AppResult},
};
use http::request::Parts;
use leptos::prelude::use_context;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A request made within a valid session.
#[derive(Clone, Debug)]
pub struct Authenticated {
    pub viewer: Viewer,
    /// Hash of the session token, to end this very session.
    pub session_hash: String,
}

fn parts() -> Option<Parts> {
    use_context::<Parts>()
}

/// The caller, if signed in.
pub fn current() -> Option<Authenticated> {
    parts().and_then(|p| p.extensions.get::<Authenticated>().cloned())
}

/// The caller, or `Unauthenticated`.
pub fn require() -> AppResult<Authenticated> {
    current().ok_or(AppError::Unauthenticated)
}

/// The client's address as seen by this server.
pub fn client_ip() -> IpAddr {
    parts()
        .and_then(|p| {
            p.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
        })
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

pub fn user_agent() -> String {
    parts()
        .and_then(|p| {
            p.headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_owned)
        })
        .unwrap_or_default()
}

/// True for a plain HTML form post (no JavaScript): such callers need a redirect, not JSON.
pub fn is_plain_form_post() -> bool {
    parts().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}
