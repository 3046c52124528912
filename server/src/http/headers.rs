//! Baseline security headers on every response. Pages set their own, stricter
//! Content-Security-Policy with a per-response script nonce (see `app::shell`).

use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{HeaderValue, header};

/// Whether people reach the app over https (its public URL), which decides HSTS.
#[derive(Clone, Copy, Debug)]
pub struct Https(pub bool);

/// Two years, subdomains included: ASVS 5.0 level 2 asks for at least one year over every
/// subdomain. Sent only under https: over plain http browsers ignore it (RFC 6797 §8.1).
const HSTS: &str = "max-age=63072000; includeSubDomains";

pub async fn security_headers(State(https): State<Https>, req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if https.0 {
        h.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    if !is_asset {
        // Pages and API answers are personal: never keep them in shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
