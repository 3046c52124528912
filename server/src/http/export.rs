//! `GET /export/users.csv?node_id=N&…`: the users directory of a node as a CSV download.
//! The filter parameters are the directory page's own (`q`, `status`, `role`, `under`,
//! `inherited`, `sort`), so the page's "Export CSV" link is its address plus the node.
//! Authenticated by the session cookie like every page; the permission check is the
//! directory's (ViewUsers at the node), made by `app::api::directory::export`.

use app::{
    api::directory::{DirectoryFilter, export},
    domain::NodeId,
    error::AppError,
    server::{AppState, auth::Authenticated},
};
use axum::{
    Extension,
    body::Body,
    extract::{RawQuery, State},
    response::Response,
};
use http::{HeaderValue, StatusCode, header};

/// An error as a short text a person can read (the browser shows it in place of the file).
fn refusal(err: AppError) -> Response {
    let mut res = Response::new(Body::from(err.to_string()));
    *res.status_mut() = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

pub async fn users_csv(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(Extension(auth)) = auth else { return refusal(AppError::Unauthenticated) };
    let pairs: Vec<(String, String)> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()).into_owned().collect();
    let node =
        pairs.iter().find(|(k, _)| k == "node_id").and_then(|(_, v)| v.parse::<NodeId>().ok());
    let Some(node) = node else {
        return refusal(AppError::not_found("There is no such account."));
    };
    let filter = DirectoryFilter::from_query(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    match export::export_csv(&state, auth.viewer.id, node, &filter).await {
        Ok(bytes) => {
            let mut res = Response::new(Body::from(bytes));
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
            let disposition = format!("attachment; filename=\"{}\"", export::file_name(node));
            if let Ok(v) = HeaderValue::from_str(&disposition) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(err) => refusal(err),
    }
}
