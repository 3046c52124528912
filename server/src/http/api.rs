//! Layers around the server-function endpoints.

use app::{api::PUBLIC_ENDPOINTS, error::AppError, server::auth::Authenticated};
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    middleware::Next,
    response::Response,
};
use http::{HeaderValue, StatusCode, header};
use server_fn::error::SERVER_FN_ERROR_HEADER;

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

/// Around every `/api/` request:
/// - deny by default: no server function runs for an anonymous caller unless its endpoint
///   is on the public list (per-node permissions are then checked inside each function);
/// - server_fn answers every error with status 500: give it the status its kind means
///   (401, 403, 404, 409, 422, 429), so API clients and logs can tell them apart.
pub async fn guard(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    if !path.starts_with("/api/") {
        return next.run(req).await;
    }
    if req.extensions().get::<Authenticated>().is_none()
        && !PUBLIC_ENDPOINTS.contains(&path.as_str())
    {
        return error_response(AppError::Unauthenticated, &path);
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
