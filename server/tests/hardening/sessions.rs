//! Under an https public URL the session cookie is `__Host-roster_session` (`Secure`,
//! `Path=/`, no `Domain`, so no sibling subdomain or plain-http page can plant one) and every
//! answer carries HSTS; over plain http neither. Sessions end after 30 idle minutes and
//! 12 hours in any case, the defaults ASVS level 2 asks for.

use crate::common::{Backend, PASSWORD, TestApp, client};
use clap::Parser;
use reqwest::{Client, Response, StatusCode, header};
use server::cli::Cli;

crate::on_both_backends!(
    under_https_the_session_cookie_is_host_only_and_hsts_is_sent,
    over_plain_http_there_is_no_prefix_no_secure_and_no_hsts,
    sessions_end_after_30_idle_minutes_and_after_12_hours_in_any_case,
);

const MINUTE: i64 = 60_000;
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// The `Set-Cookie` line of the session among those of `res` (others may set more cookies).
fn session_cookie(res: &Response) -> Option<String> {
    res.headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().expect("ascii").to_owned())
        .find(|v| v.starts_with("__Host-roster_session=") || v.starts_with("roster_session="))
}

fn value_of(set_cookie: &str) -> (String, String) {
    let pair = set_cookie.split(';').next().unwrap();
    let (name, value) = pair.split_once('=').unwrap();
    (name.to_owned(), value.to_owned())
}

/// Who a request carrying exactly `cookie` is signed in as. A client without a cookie store,
/// since a store keeps `Secure` cookies away from this plain-http test server.
async fn viewer_with_cookie(app: &TestApp, cookie: &str) -> Option<String> {
    let res = Client::new()
        .post(app.url("/api/get_session"))
        .header(header::COOKIE, cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let v: serde_json::Value = res.json().await.expect("json");
    v["viewer"]["email"].as_str().map(str::to_owned)
}

async fn under_https_the_session_cookie_is_host_only_and_hsts_is_sent(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| {
        c.public_url = Some("https://roster.example/".parse().unwrap());
    })
    .await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let res = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()[header::STRICT_TRANSPORT_SECURITY], HSTS, "on API answers");
    let set = session_cookie(&res).expect("a session cookie");
    assert!(set.starts_with("__Host-roster_session="), "{set}");
    let attributes: Vec<&str> = set.split(';').map(str::trim).collect();
    assert!(attributes.contains(&"Secure"), "{set}");
    assert!(attributes.contains(&"Path=/"), "{set}");
    assert!(attributes.contains(&"HttpOnly"), "{set}");
    assert!(!set.to_ascii_lowercase().contains("domain"), "host-only: {set}");

    // The prefixed cookie is the session; the same token under the plain name is not, so a
    // cookie planted over http or by a subdomain cannot stand in for it.
    let (name, token) = value_of(&set);
    let signed_in = viewer_with_cookie(&app, &format!("{name}={token}")).await;
    assert_eq!(signed_in.as_deref(), Some("ada@example.com"));
    assert_eq!(viewer_with_cookie(&app, &format!("roster_session={token}")).await, None);

    let page = client().get(app.url("/sign-in")).send().await.expect("page");
    assert_eq!(page.headers()[header::STRICT_TRANSPORT_SECURITY], HSTS, "on pages");
    let missing = client().get(app.url("/no/such/page")).send().await.expect("page");
    assert_eq!(missing.headers()[header::STRICT_TRANSPORT_SECURITY], HSTS, "on errors");
}

async fn over_plain_http_there_is_no_prefix_no_secure_and_no_hsts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let res = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none());
    let set = session_cookie(&res).expect("a session cookie");
    assert!(set.starts_with("roster_session="), "{set}");
    assert!(!set.split(';').any(|a| a.trim() == "Secure"), "{set}");
    let (_, token) = value_of(&set);
    let prefixed = format!("__Host-roster_session={token}");
    assert_eq!(viewer_with_cookie(&app, &prefixed).await, None, "one name per mode");
    let page = client().get(app.url("/sign-in")).send().await.expect("page");
    assert!(page.headers().get(header::STRICT_TRANSPORT_SECURITY).is_none());
}

async fn sessions_end_after_30_idle_minutes_and_after_12_hours_in_any_case(backend: Backend) {
    let defaults = Cli::try_parse_from(["roster"]).expect("no flags needed").config;
    assert_eq!((defaults.session_idle_minutes, defaults.session_max_hours), (30, 12));
    let app = TestApp::spawn_with(backend, |c| {
        c.session_idle_minutes = defaults.session_idle_minutes;
        c.session_max_hours = defaults.session_max_hours;
    })
    .await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);

    // Idle: 29 minutes apart keeps the session alive; 31 minutes without a request ends it.
    let c = app.client_for("ada@example.com").await;
    for _ in 0..3 {
        app.clock.advance(29 * MINUTE);
        assert_eq!(app.viewer_email(&c).await.as_deref(), Some("ada@example.com"));
    }
    app.clock.advance(31 * MINUTE);
    assert_eq!(app.viewer_email(&c).await, None, "ended after 31 idle minutes");

    // Absolute: active every 25 minutes, the session still ends 12 hours after sign-in.
    let res = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    let set = session_cookie(&res).expect("a session cookie");
    assert!(set.contains("Max-Age=43200"), "the cookie lasts 12 hours: {set}");
    let (name, token) = value_of(&set);
    let cookie = format!("{name}={token}");
    let mut elapsed = 0;
    while elapsed + 25 * MINUTE < 12 * 60 * MINUTE {
        app.clock.advance(25 * MINUTE);
        elapsed += 25 * MINUTE;
        let who = viewer_with_cookie(&app, &cookie).await;
        assert_eq!(who.as_deref(), Some("ada@example.com"), "active at {elapsed} ms");
    }
    app.clock.advance(12 * 60 * MINUTE - elapsed);
    assert_eq!(viewer_with_cookie(&app, &cookie).await, None, "ended at 12 hours");
}
