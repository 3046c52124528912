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

/// The post-sign-in destination: `next` when it is a plain path on this site, else `/`.
///
/// Browsers do not read a URL the way it is written: they drop tabs and newlines anywhere,
/// trim spaces and controls at the ends, and take `\` for `/`. So `/\t/evil.example` arrives
/// as `//evil.example`, another host. Only printable ASCII without `\` is accepted (paths
/// built by Roster are percent-encoded anyway), it must start with one `/` and not two, and
/// it must still resolve to this site when parsed the way a browser would.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|p| is_local_path(p)).unwrap_or("/").into()
}

/// Longer than any path Roster makes; a cap keeps a crafted link from bloating the redirect.
const MAX_NEXT_LEN: usize = 2_000;

fn is_local_path(p: &str) -> bool {
    let plain = p.len() <= MAX_NEXT_LEN
        && p.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && p.starts_with('/')
        && !p.starts_with("//");
    // Belt and braces: whatever slipped past the rules above must stay on the same origin.
    let base = url::Url::parse("https://roster.invalid/").expect("a valid base");
    plain && base.join(p).is_ok_and(|u| u.origin() == base.origin())
}

#[cfg(test)]
mod tests {
    use super::safe_next;
    use proptest::prelude::*;

    /// Where `next` takes the browser, resolved as a browser does (the `url` crate follows
    /// the WHATWG URL standard: tabs and newlines dropped, `\\` read as `/`).
    fn lands_on(next: &str) -> Option<String> {
        let base = url::Url::parse("https://roster.example/nodes/1").unwrap();
        base.join(next).ok().and_then(|u| u.host_str().map(str::to_owned))
    }

    #[test]
    fn next_stays_on_site() {
        let kept = ["/", "/nodes/3", "/nodes/3?tab=people#top", "/a%2Fb", "/%2F/evil.example"];
        for input in kept {
            assert_eq!(safe_next(Some(input)), input, "{input:?}");
            assert_eq!(lands_on(input).as_deref(), Some("roster.example"), "{input:?}");
        }
        let refused = [
            "//evil.example",
            "///evil.example",
            "/\\evil.example",
            "\\/evil.example",
            "/\t/evil.example/x",
            "/\n/evil.example",
            "/\r\n/evil.example",
            "\t//evil.example",
            " //evil.example",
            "/ /evil.example",
            "/\u{0}/evil.example",
            "/\u{1f}/evil.example",
            "/\u{7f}/evil.example",
            "/\u{a0}/evil.example",
            "/\u{3000}/evil.example",
            "/\u{2028}/evil.example",
            "/\u{feff}/evil.example",
            "/\u{ff0f}evil.example",
            "https://evil.example",
            "https:evil.example",
            "http:/evil.example",
            "javascript:alert(1)",
            "evil.example",
            "",
            "nodes/3",
        ];
        for input in refused {
            assert_eq!(safe_next(Some(input)), "/", "{input:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(3_000)))), "/", "too long");
        // The attack of issue 11 would have left: the old rule let it through.
        assert_eq!(lands_on("/\t/evil.example/x").as_deref(), Some("evil.example"));
    }

    /// Pieces that confuse URL parsers, glued together at random.
    fn tricky() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "/",
            "//",
            "\\",
            "\t",
            "\n",
            "\r",
            " ",
            "\u{0}",
            "\u{b}",
            "\u{c}",
            "\u{7f}",
            "\u{a0}",
            "\u{2028}",
            "\u{3000}",
            "\u{ff0f}",
            "\u{2215}",
            "%09",
            "%2F",
            "%5C",
            "%2e",
            ".",
            "..",
            ":",
            "@",
            "?",
            "#",
            "evil.example",
            "roster.example",
            "https:",
            "http:",
            "javascript:",
            "x",
        ]);
        prop::collection::vec(piece, 0..8).prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 4_000,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        /// Whatever `next` holds, the browser ends up on Roster's own host.
        #[test]
        fn every_accepted_next_stays_on_roster(next in prop_oneof![tricky(), any::<String>()]) {
            let dest = safe_next(Some(&next));
            prop_assert!(dest == "/" || dest == next);
            let host = lands_on(&dest);
            prop_assert_eq!(host.as_deref(), Some("roster.example"), "{:?}", next);
        }
    }
}
