//! Profile pictures over plain HTTP (a file upload is a multipart form, which a page can
//! post with or without JavaScript):
//! - `GET /users/{id}/picture`: the PNG, for whoever may see the person;
//! - `POST /users/{id}/picture`: a new one, from the form field `picture`;
//! - `POST /users/{id}/picture/remove`: none any more.
//!
//! A browser's form post (it accepts HTML) is sent back to the page it came from (the
//! `back` field), with `?picture=saved` or `?picture_error=<problem>`; any other client
//! gets a status and, on failure, the JSON error every server function answers with.
//! The rules themselves are in `app::api::profile::picture`.

use super::api::error_response;
use app::{
    api::profile::picture,
    domain::{
        UserId,
        picture::{MAX_PICTURE_BYTES, PictureProblem},
    },
    error::AppError,
    server::{AppState, auth::Authenticated},
};
use axum::{
    Extension,
    body::Body,
    extract::{Multipart, Path, State},
    response::Response,
};
use http::{HeaderMap, HeaderValue, StatusCode, header};

/// The most an upload request may carry: the file (refused above 2 MiB with a message,
/// which needs it read) and the form around it.
pub const MAX_UPLOAD_BYTES: usize = 2 * MAX_PICTURE_BYTES + 64 * 1024;

pub async fn show(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(user): Path<i64>,
) -> Response {
    let Some(Extension(auth)) = auth else { return plain(AppError::Unauthenticated) };
    match picture::load(&state, &auth, UserId(user)).await {
        Ok(Some((png, _))) => {
            let mut res = Response::new(Body::from(png));
            let h = res.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
            // The address carries the version (`?v=`): a cached copy is never stale.
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=86400"));
            res
        }
        Ok(None) => plain(AppError::not_found("This person has no picture.")),
        Err(e) => plain(e),
    }
}

/// What became of an upload or removal: refused outright (not signed in, not allowed),
/// or done, or a problem with the file that the page shows at the field.
type Outcome = Result<Result<&'static str, PictureProblem>, AppError>;

/// The caller is checked before a byte of the body is read: a stranger's upload is refused
/// at once, however large or slow its body (`Multipart` only parses as fields are asked for).
pub async fn upload(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(user): Path<i64>,
    headers: HeaderMap,
    mut form: Multipart,
) -> Response {
    let user = UserId(user);
    // Where a browser's form came from is in the body: refusals before it is read are plain.
    let Some(Extension(auth)) = auth else {
        return answer(&headers, user, None, Err(AppError::Unauthenticated));
    };
    if let Err(e) = picture::check(&state, &auth, user).await {
        return answer(&headers, user, None, Err(e));
    }
    let mut back = None;
    let mut file = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("back") => back = field.text().await.ok(),
                Some("picture") => match field.bytes().await {
                    Ok(bytes) => file = Some(bytes.to_vec()),
                    Err(_) => {
                        return answer(&headers, user, back, Ok(Err(PictureProblem::TooLarge)));
                    }
                },
                _ => {}
            },
            Ok(None) => break,
            // The body ended early or went over the limit.
            Err(_) => return answer(&headers, user, back, Ok(Err(PictureProblem::TooLarge))),
        }
    }
    let outcome = match file.filter(|f| !f.is_empty()) {
        None => Ok(Err(PictureProblem::Missing)),
        Some(f) => picture::save(&state, &auth, user, f).await.map(|r| r.map(|()| "saved")),
    };
    answer(&headers, user, back, outcome)
}

pub async fn remove(
    State(state): State<AppState>,
    auth: Option<Extension<Authenticated>>,
    Path(user): Path<i64>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let user = UserId(user);
    let back = url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == "back")
        .map(|(_, v)| v.into_owned());
    let Some(Extension(auth)) = auth else {
        return answer(&headers, user, back, Err(AppError::Unauthenticated));
    };
    let outcome = picture::remove(&state, &auth, user).await.map(|()| Ok("removed"));
    answer(&headers, user, back, outcome)
}

/// A browser's form post goes back to its page with the outcome in the address; anything
/// else gets a status (and the error).
fn answer(headers: &HeaderMap, user: UserId, back: Option<String>, outcome: Outcome) -> Response {
    let from_a_form = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    let path = format!("/users/{user}/picture");
    let query = match (from_a_form, outcome) {
        (_, Err(e)) if from_a_form => return plain(e),
        (_, Err(e)) => return error_response(e, &path),
        (false, Ok(Err(problem))) => return error_response(picture::refused(problem), &path),
        (false, Ok(Ok(_))) => {
            let mut res = Response::new(Body::empty());
            *res.status_mut() = StatusCode::NO_CONTENT;
            return res;
        }
        (true, Ok(Ok(done))) => format!("picture={done}"),
        (true, Ok(Err(problem))) => format!("picture_error={}", problem.key()),
    };
    let page = back.filter(|b| is_local_path(b)).unwrap_or_else(|| format!("/users/{user}"));
    let sep = if page.contains('?') { '&' } else { '?' };
    let mut res = Response::new(Body::empty());
    *res.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(v) = HeaderValue::from_str(&format!("{page}{sep}{query}#picture")) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

/// A path on this site (`/profile`), never another site (`//evil.example`, `https://…`).
fn is_local_path(s: &str) -> bool {
    s.starts_with('/') && !s.starts_with("//") && !s.contains('\\') && !s.contains(['\r', '\n'])
}

/// An error as a short text a person can read.
fn plain(err: AppError) -> Response {
    let mut res = Response::new(Body::from(err.to_string()));
    *res.status_mut() = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    res.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    res
}

#[cfg(test)]
mod tests {
    use super::is_local_path;

    #[test]
    fn only_local_paths_are_followed() {
        assert!(is_local_path("/profile"));
        assert!(is_local_path("/users/5?tab=x"));
        for bad in [
            "//evil.example/x",
            "https://evil.example",
            "profile",
            "/\\evil",
            "/a\r\nSet-Cookie: x",
        ] {
            assert!(!is_local_path(bad), "{bad}");
        }
    }
}
