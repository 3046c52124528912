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
    let immutable = is_asset && is_content_named(req.uri().path());
    let mut res = next.run(req).await;
    let success = res.status().is_success();
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
    if immutable && success {
        // Named after its content: a new build has new names, so keep it as long as wanted.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    } else if is_asset {
        // Same name across builds (a development build): ask each time, cheaply (ETag).
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    } else {
        // Pages and API answers are personal: never keep them in shared caches.
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `name.<hash>.ext`, as scripts/build.sh names the bundle: a 16-hex-digit middle part.
fn is_content_named(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or_default();
    let mut parts = file.split('.');
    let (_, hash) = (parts.next(), parts.next());
    parts.next().is_some()
        && parts.next().is_none()
        && hash.is_some_and(|h| h.len() == 16 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::is_content_named;

    #[test]
    fn only_content_named_files_are_kept_for_a_year() {
        assert!(is_content_named("/pkg/roster.0123456789abcdef.wasm"));
        assert!(is_content_named("/pkg/roster.0123456789ABCDEF.css"));
        assert!(!is_content_named("/pkg/roster.wasm"));
        assert!(!is_content_named("/pkg/roster.0123456789abcdef.wasm.br"));
        assert!(!is_content_named("/pkg/roster.012345.js"));
        assert!(!is_content_named("/pkg/roster.0123456789abcdeg.js"));
    }
}
