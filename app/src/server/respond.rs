//! Helpers for shaping server-function responses.

use super::auth::is_plain_form_post;
use crate::error::AppResult;

/// For forms that must work without JavaScript: when a plain form post fails, send the
/// browser back to `page` with the error's code in the query (`?error=code`), where the
/// page shows the message. Callers with JavaScript get the error itself, as usual.
pub fn redirect_on_error_without_js<T>(result: AppResult<T>, page: &str) -> AppResult<T> {
    if let Err(err) = &result
        && is_plain_form_post()
    {
        let sep = if page.contains('?') { '&' } else { '?' };
        leptos_axum::redirect(&format!("{page}{sep}error={}", err.code()));
    }
    result
}

/// Sends the browser to `dest` after a successful form post. A plain form post (no
/// JavaScript) gets a 302; a call from the hydrated page gets `dest` back and loads it in
/// full, so the new session is resolved by the server like on any first page load.
pub fn navigate_after(dest: String) -> AppResult<String> {
    if is_plain_form_post() {
        leptos_axum::redirect(&dest);
    }
    Ok(dest)
}

/// Only same-site relative paths may be used as a post-sign-in destination.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.into(),
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_stays_on_site() {
        for (input, expected) in [
            (None, "/"),
            (Some("/nodes/3"), "/nodes/3"),
            (Some("//evil.example"), "/"),
            (Some("https://evil.example"), "/"),
            (Some("/\\evil.example"), "/"),
        ] {
            assert_eq!(safe_next(input), expected, "{input:?}");
        }
    }
}
