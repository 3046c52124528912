//! Cross-site request refusal for every state-changing request.
//!
//! Browsers mark each request with `Sec-Fetch-Site` (and `Origin` on POSTs); a request
//! another site makes the browser send is refused before any handler runs. Clients that
//! send neither header are not browsers, so no one else's cookies ride along with them.

use super::api::{Refusal, error_response};
use app::{error::AppError, server::AppState};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use http::{Method, header};

pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let allowed = match (fetch_site, origin) {
        (Some(site), _) => site == "same-origin" || site == "none",
        (None, Some(origin)) => same_origin(origin, host, &state.config.public_url),
        (None, None) => true,
    };
    if allowed {
        next.run(req).await
    } else {
        // Outside the session layer: the user is not known here, the client address is.
        let (client, user) = Refusal::who(req.extensions());
        let (method, path) = (req.method(), req.uri().path());
        Refusal { event: "csrf_refused", method, path, client, user }.log();
        error_response(AppError::Forbidden, path)
    }
}

/// The `Origin` names this server: the configured public URL, or the Host the request was
/// sent to.
fn same_origin(origin: &str, host: Option<&str>, public: &url::Url) -> bool {
    let Ok(origin) = url::Url::parse(origin) else { return false };
    if origin.origin() == public.origin() {
        return true;
    }
    let origin_host = match (origin.host_str(), origin.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return false,
    };
    host.is_some_and(|h| h.eq_ignore_ascii_case(&origin_host))
}

#[cfg(test)]
mod tests {
    use super::same_origin;

    #[test]
    fn origin_table() {
        let public = url::Url::parse("https://roster.example.com").unwrap();
        let table = [
            ("https://roster.example.com", None, true),
            ("http://127.0.0.1:3000", Some("127.0.0.1:3000"), true),
            ("http://evil.example", Some("127.0.0.1:3000"), false),
            ("http://127.0.0.1:3001", Some("127.0.0.1:3000"), false),
            ("null", Some("127.0.0.1:3000"), false),
            ("https://roster.example.com.evil.example", None, false),
        ];
        for (origin, host, expected) in table {
            assert_eq!(same_origin(origin, host, &public), expected, "{origin} {host:?}");
        }
    }
}
