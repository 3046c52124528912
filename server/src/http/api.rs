//! Layers around the server-function endpoints.

use app::{
    api::PUBLIC_ENDPOINTS,
    error::AppError,
    server::{auth::Authenticated, client_ip::ClientIp},
};
use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, Request},
    middleware::Next,
    response::Response,
};
use http::{Extensions, HeaderValue, Method, StatusCode, header};
use server_fn::error::SERVER_FN_ERROR_HEADER;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// A refused request as the structured log records it (target `security`): which refusal,
/// what was asked (method and path: not the query, which can carry a link's token), from
/// where and by whom. Never a cookie, token, header value or body.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal<'a> {
    /// `unauthenticated` (401), `forbidden` (403) or `csrf_refused`.
    pub event: &'static str,
    pub method: &'a Method,
    pub path: &'a str,
    /// The client address (`ClientIp`: the peer, or whom a trusted proxy names).
    pub client: IpAddr,
    /// The signed-in user, when the session is known at this point.
    pub user: Option<i64>,
}

impl<'a> Refusal<'a> {
    /// The event a refusal with this status is, if any.
    pub fn event_for(status: StatusCode) -> Option<&'static str> {
        match status {
            StatusCode::UNAUTHORIZED => Some("unauthenticated"),
            StatusCode::FORBIDDEN => Some("forbidden"),
            _ => None,
        }
    }

    /// The client address and the signed-in user of a request, from its extensions.
    pub fn who(ext: &Extensions) -> (IpAddr, Option<i64>) {
        let client = ext
            .get::<ClientIp>()
            .map(|c| c.0)
            .or_else(|| ext.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        (client, ext.get::<Authenticated>().map(|a| a.viewer.id.0))
    }

    pub fn log(&self) {
        tracing::warn!(
            target: "security",
            event = self.event,
            method = %self.method,
            path = self.path,
            client = %self.client,
            user = self.user,
            "request refused"
        );
    }
}

/// An error response in the same shape a server function's own errors have.
pub fn error_response(err: AppError, path: &str) -> Response {
    let body = serde_json::to_vec(&err).unwrap_or_default();
    let mut res = Response::new(Body::from(body));
    *res.status_mut() = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    res.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Ok(v) = HeaderValue::from_str(path) {
        res.headers_mut().insert(SERVER_FN_ERROR_HEADER, v);
    }
    res
}

/// Around every request:
/// - `/api/` denies by default: no server function runs for an anonymous caller unless its
///   endpoint is on the public list (per-node permissions are then checked inside each one);
/// - server_fn answers every error with status 500: give it the status its kind means
///   (401, 403, 404, 409, 422, 429), so API clients and logs can tell them apart;
/// - every 401 and 403, answered here or by a handler inside (server functions, pictures,
///   the export), is logged as a [`Refusal`].
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    // Read before the handler consumes the request.
    let method = req.method().clone();
    let (client, user) = Refusal::who(req.extensions());
    let res = answer(req, next, &path).await;
    if let Some(event) = Refusal::event_for(res.status()) {
        Refusal { event, method: &method, path: &path, client, user }.log();
    }
    res
}

async fn answer(req: Request, next: Next, path: &str) -> Response {
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    if req.extensions().get::<Authenticated>().is_none() && !PUBLIC_ENDPOINTS.contains(&path) {
        return error_response(AppError::Unauthenticated, path);
    }
    let res = next.run(req).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = to_bytes(body, 64 * 1024).await.unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        parts.status = StatusCode::from_u16(err.status()).unwrap_or(parts.status);
        parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Response::from_parts(parts, Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{UserId, Viewer};
    use axum::{Router, middleware::from_fn, routing::post};
    use std::sync::{Arc, Mutex};
    use tower::ServiceExt;

    /// Log output, shared with the subscriber that writes it.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn signed_in(id: i64) -> Authenticated {
        let viewer = Viewer {
            id: UserId(id),
            email: "ada@example.com".into(),
            first_name: "Ada".into(),
            last_name: "Admin".into(),
        };
        Authenticated { viewer, session_hash: "session-hash-secret".into() }
    }

    #[test]
    fn who_is_the_resolved_client_address_then_the_peer_and_the_signed_in_user() {
        let peer: SocketAddr = "192.0.2.1:5000".parse().unwrap();
        let mut ext = Extensions::new();
        assert_eq!(Refusal::who(&ext), (IpAddr::V4(Ipv4Addr::UNSPECIFIED), None));
        ext.insert(ConnectInfo(peer));
        assert_eq!(Refusal::who(&ext), (peer.ip(), None));
        let client: IpAddr = "203.0.113.9".parse().unwrap();
        ext.insert(ClientIp(client));
        ext.insert(signed_in(42));
        assert_eq!(Refusal::who(&ext), (client, Some(42)));
    }

    #[test]
    fn only_401_and_403_are_refusals() {
        let table = [
            (StatusCode::UNAUTHORIZED, Some("unauthenticated")),
            (StatusCode::FORBIDDEN, Some("forbidden")),
            (StatusCode::OK, None),
            (StatusCode::NOT_FOUND, None),
            (StatusCode::TOO_MANY_REQUESTS, None),
        ];
        for (status, event) in table {
            assert_eq!(Refusal::event_for(status), event, "{status}");
        }
    }

    /// Through the guard: one `security` event per 401/403 with who and what, none for a
    /// success, and never the cookie, the query's token or the body.
    #[tokio::test]
    async fn each_refusal_is_logged_once_without_secrets() {
        let app = Router::new()
            .route("/api/list_roles", post(|| async { "[]" }))
            .route("/users/7/picture", post(|| async { StatusCode::FORBIDDEN }))
            .layer(from_fn(guard));
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber =
            tracing_subscriber::fmt().with_writer(move || writer.clone()).with_ansi(false).finish();
        let _default = tracing::subscriber::set_default(subscriber);

        let request = |uri: &str, user: Option<i64>| {
            let mut req = Request::post(uri)
                .header(header::COOKIE, "roster_session=cookie-secret")
                .body(Body::from("password=body-secret"))
                .unwrap();
            req.extensions_mut().insert(ClientIp("203.0.113.9".parse().unwrap()));
            if let Some(id) = user {
                req.extensions_mut().insert(signed_in(id));
            }
            req
        };
        let anonymous = request("/api/list_roles?token=query-secret", None);
        assert_eq!(app.clone().oneshot(anonymous).await.unwrap().status(), 401);
        let forbidden = request("/users/7/picture", Some(42));
        assert_eq!(app.clone().oneshot(forbidden).await.unwrap().status(), 403);
        let allowed = request("/api/list_roles", Some(42));
        assert_eq!(app.oneshot(allowed).await.unwrap().status(), 200);

        let out = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 2, "{out}");
        for (line, fields) in lines.iter().zip([
            r#"event="unauthenticated" method=POST path="/api/list_roles" client=203.0.113.9"#,
            r#"event="forbidden" method=POST path="/users/7/picture" client=203.0.113.9 user=42"#,
        ]) {
            assert!(line.contains(" security: request refused"), "{line}");
            assert!(line.ends_with(fields), "{line}");
        }
        for secret in ["cookie-secret", "query-secret", "body-secret", "session-hash-secret"] {
            assert!(!out.contains(secret), "{secret} in {out}");
        }
    }
}
