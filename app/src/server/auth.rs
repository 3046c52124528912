//! Who is calling: read from the request the session middleware resolved.

use super::client_ip::ClientIp;
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

/// The client's address: the peer, or the client a trusted proxy names (see `client_ip`).
pub fn client_ip() -> IpAddr {
    parts()
        .and_then(|p| {
            p.extensions.get::<ClientIp>().map(|c| c.0).or_else(|| {
                p.extensions.get::<axum::extract::ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
            })
        })
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The value of the request's cookie `name`, if it has a non-empty one.
pub fn cookie(name: &str) -> Option<String> {
    let parts = parts()?;
    parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name && !c.value().is_empty())
        .map(|c| c.value().to_owned())
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
