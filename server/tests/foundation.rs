//! The foundation, end to end over HTTP, on SQLite and PostgreSQL: first-run setup,
//! sign-in and sign-out, sessions, throttling, deny-by-default, cross-site refusal and
//! what error responses may contain.

use crate::common::{self, Backend, PASSWORD, TestApp, client, json, set_cookie};
use reqwest::{StatusCode, header};

on_both_backends!(
    first_run_setup_creates_the_agency_and_signs_in,
    setup_refuses_a_wrong_code_and_bad_fields_and_runs_once,
    pages_redirect_to_setup_then_to_sign_in,
    wrong_password_and_unknown_email_get_the_same_answer,
    sign_in_rotates_the_session_and_sign_out_ends_it,
    failed_sign_ins_lock_the_account_for_a_while_only,
    a_user_who_is_no_longer_active_loses_their_session_at_the_next_request,
    every_server_function_denies_anonymous_callers_unless_public,
    cross_site_posts_are_refused,
    failing_server_functions_never_reveal_internal_errors,
    sign_in_works_without_javascript,
    pages_carry_security_headers_and_unknown_pages_are_404,
    create_admin_adds_an_administrator_who_can_sign_in,
    migrations_are_idempotent_and_state_survives_a_restart,
);

/// Throttling and lockout attacks, in a folder of their own so cargo does not take them for
/// a test crate.
mod throttling;

async fn first_run_setup_creates_the_agency_and_signs_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res = app.complete_setup("Ada@Example.com").await;
    assert_eq!(res.status(), StatusCode::OK, "{:?}", res.text().await);
    let cookie = set_cookie(&res).expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    assert_eq!(json(res).await, "/");
    // E-mail is stored normalised.
    assert_eq!(app.viewer_email(&app.client).await.as_deref(), Some("ada@example.com"));

    let tree = json(app.call("list_entry_points", &[]).await).await;
    assert_eq!(tree[0]["node"]["name"], "Acme Agency");
    assert_eq!(tree[0]["node"]["kind"], "Agency");

    let page =
        app.client.get(app.url("/")).header(header::ACCEPT, "text/html").send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("Ada Admin"), "the page shows who is signed in");
}

async fn setup_refuses_a_wrong_code_and_bad_fields_and_runs_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bad = app
        .call(
            "complete_setup",
            &[
                ("code", "AAAAA-AAAAA"),
                ("agency_name", "Acme"),
                ("first_name", "Ada"),
                ("last_name", "Admin"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = json(bad).await;
    assert_eq!(err["kind"], "validation");
    assert_eq!(err["fields"][0]["field"], "code");

    let code = app.server.setup_code.clone().unwrap();
    let invalid = app
        .call(
            "complete_setup",
            &[
                ("code", &code),
                ("agency_name", " "),
                ("first_name", "Ada"),
                ("last_name", "Admin"),
                ("email", "not-an-email"),
                ("password", "short"),
            ],
        )
        .await;
    assert_eq!(invalid.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let err = json(invalid).await;
    let fields: Vec<&str> =
        err["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["agency_name", "email", "password"]);
    assert_eq!(app.viewer_email(&app.client).await, None, "nothing was created");

    // Typed in lower case with spaces: still the code.
    let typed = code.to_lowercase().replace('-', " ");
    let ok = app
        .call(
            "complete_setup",
            &[
                ("code", &typed),
                ("agency_name", "Acme"),
                ("first_name", "Ada"),
                ("last_name", "Admin"),
                ("email", "ada@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(ok.status(), StatusCode::OK);

    let again = client();
    let res = app
        .call_with(
            &again,
            "complete_setup",
            &[
                ("code", &code),
                ("agency_name", "Evil"),
                ("first_name", "Eve"),
                ("last_name", "Intruder"),
                ("email", "eve@example.com"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert_eq!(app.viewer_email(&again).await, None);
}

async fn pages_redirect_to_setup_then_to_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let get = |path: &'static str| {
        let c = client();
        let url = app.url(path);
        async move { c.get(url).header(header::ACCEPT, "text/html").send().await.unwrap() }
    };
    let res = get("/").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/setup");

    app.complete_setup("ada@example.com").await;
    let res = get("/").await;
    assert_eq!(res.status(), StatusCode::FOUND);
    assert_eq!(res.headers()[header::LOCATION], "/sign-in");
    let res = get("/setup").await;
    assert_eq!(res.status(), StatusCode::FOUND, "setup is closed once done");
    assert_eq!(get("/sign-in").await.status(), StatusCode::OK);
}

async fn wrong_password_and_unknown_email_get_the_same_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let c = client();
    let wrong = app.sign_in_with(&c, "ada@example.com", "not the password").await;
    let unknown = app.sign_in_with(&c, "nobody@example.com", "not the password").await;
    let malformed = app.sign_in_with(&c, "nobody", "not the password").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.status(), wrong.status());
    assert_eq!(malformed.status(), wrong.status());
    let (wrong, unknown, malformed) =
        (json(wrong).await, json(unknown).await, json(malformed).await);
    assert_eq!(wrong, unknown);
    assert_eq!(wrong, malformed);
    assert_eq!(wrong["message"], "The e-mail address or password is incorrect.");
    assert_eq!(app.viewer_email(&c).await, None);
}

async fn sign_in_rotates_the_session_and_sign_out_ends_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let c = client();
    let first = app.sign_in_with(&c, "ADA@example.com ", PASSWORD).await;
    assert_eq!(first.status(), StatusCode::OK);
    let first_cookie = set_cookie(&first).unwrap();
    let first_token = first_cookie.split(';').next().unwrap().to_owned();

    let second = app.sign_in_with(&c, "ada@example.com", PASSWORD).await;
    let second_token = set_cookie(&second).unwrap().split(';').next().unwrap().to_owned();
    assert_ne!(first_token, second_token, "a new session id at each sign-in");
    // The first token no longer works.
    let stale = reqwest::Client::new()
        .post(app.url("/api/get_session"))
        .header(header::COOKIE, &first_token)
        .send()
        .await
        .unwrap();
    assert_eq!(json(stale).await["viewer"], serde_json::Value::Null);

    assert_eq!(app.viewer_email(&c).await.as_deref(), Some("ada@example.com"));
    let out = app.call_with(&c, "sign_out", &[]).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(set_cookie(&out).unwrap().contains("Max-Age=0"));
    // Replaying the old cookie after sign-out: the server-side session is gone.
    let replay = reqwest::Client::new()
        .post(app.url("/api/list_entry_points"))
        .header(header::COOKIE, &second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
}

async fn failed_sign_ins_lock_the_account_for_a_while_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let c = client();
    for _ in 0..5 {
        let res = app.sign_in_with(&c, "ada@example.com", "wrong password!").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Locked: even the right password is refused for now, with a clear message.
    let locked = app.sign_in_with(&c, "ada@example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(json(locked).await["message"].as_str().unwrap().contains("Try again"));
    // The lock is short and then lifts.
    app.clock.advance(31_000);
    let ok = app.sign_in_with(&c, "ada@example.com", PASSWORD).await;
    assert_eq!(ok.status(), StatusCode::OK);
    // Success resets the counter: one more failure does not lock again.
    app.sign_in_with(&client(), "ada@example.com", "wrong password!").await;
    let again = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    assert_eq!(again.status(), StatusCode::OK);
}

async fn a_user_who_is_no_longer_active_loses_their_session_at_the_next_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    assert!(app.viewer_email(&app.client).await.is_some());
    app.sql("UPDATE users SET status = 'disabled'").await;
    let res = app.call("list_entry_points", &[]).await;
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert!(set_cookie(&res).unwrap().contains("Max-Age=0"), "the cookie is cleared");
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 0, "the server-side session is gone");
    // And signing in is refused with a reason.
    app.sql("UPDATE users SET status = 'suspended'").await;
    let res = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(json(res).await["message"].as_str().unwrap().contains("suspended"));
}

async fn every_server_function_denies_anonymous_callers_unless_public(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let anonymous = client();
    let mut checked = 0;
    for (path, _method) in server_fn::axum::server_fn_paths() {
        let res = anonymous.post(app.url(path)).send().await.unwrap();
        if app::api::PUBLIC_ENDPOINTS.contains(&path) {
            assert_ne!(res.status(), StatusCode::UNAUTHORIZED, "{path} is public");
        } else {
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{path} must need a session");
            assert_eq!(json(res).await["kind"], "unauthenticated");
            checked += 1;
        }
    }
    assert!(checked >= 1, "at least one guarded endpoint exists");
    // The public list is short and every name on it exists.
    let registered: Vec<&str> = server_fn::axum::server_fn_paths().map(|(p, _)| p).collect();
    for public in app::api::PUBLIC_ENDPOINTS {
        assert!(registered.contains(public), "{public} is registered");
    }
}

async fn cross_site_posts_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let evil_origin = app
        .client
        .post(app.url("/api/sign_out"))
        .header(header::ORIGIN, "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(evil_origin.status(), StatusCode::FORBIDDEN);
    let evil_fetch = app
        .client
        .post(app.url("/api/sign_out"))
        .header("sec-fetch-site", "cross-site")
        .header(header::ORIGIN, app.base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(evil_fetch.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.viewer_email(&app.client).await.as_deref(),
        Some("ada@example.com"),
        "still signed in"
    );

    let same = app
        .client
        .post(app.url("/api/sign_out"))
        .header("sec-fetch-site", "same-origin")
        .header(header::ORIGIN, app.base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::OK);
    assert_eq!(app.viewer_email(&app.client).await, None);
}

async fn failing_server_functions_never_reveal_internal_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    // Break the storage under the server: the users table disappears.
    app.sql("ALTER TABLE users RENAME TO users_gone").await;
    let res = app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.text().await.unwrap();
    assert_eq!(body, r#"{"kind":"internal"}"#);
    for leak in ["users", "SELECT", "sqlite", "relation", "table", "sqlx"] {
        assert!(!body.to_lowercase().contains(&leak.to_lowercase()), "{leak} leaked: {body}");
    }
}

async fn sign_in_works_without_javascript(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let c = client();
    // A plain HTML form post: the browser sends Accept: text/html and follows a 302.
    let post = |email: &'static str, password: &'static str| {
        c.post(app.url("/api/sign_in"))
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .form(&[("email", email), ("password", password), ("next", "/")])
            .send()
    };
    let bad = post("ada@example.com", "wrong password!").await.unwrap();
    assert_eq!(bad.status(), StatusCode::FOUND);
    assert_eq!(bad.headers()[header::LOCATION], "/sign-in?error=validation");
    let page = c
        .get(app.url("/sign-in?error=validation"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert!(page.text().await.unwrap().contains("The e-mail address or password is incorrect."));

    let good = post("ada@example.com", PASSWORD).await.unwrap();
    assert_eq!(good.status(), StatusCode::FOUND);
    assert_eq!(good.headers()[header::LOCATION], "/");
    assert!(set_cookie(&good).is_some());
    assert_eq!(app.viewer_email(&c).await.as_deref(), Some("ada@example.com"));
}

async fn pages_carry_security_headers_and_unknown_pages_are_404(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let res =
        client().get(app.url("/sign-in")).header(header::ACCEPT, "text/html").send().await.unwrap();
    let h = res.headers();
    let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'nonce-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"));
    assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
    let missing = client()
        .get(app.url("/no/such/page"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("Page not found"));
}

async fn create_admin_adds_an_administrator_who_can_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let config = common::config(app.database_url.clone());
    let err = server::create_admin(&config, "Acme", "bad-email", "Bo", "Boss", PASSWORD.into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("--email"), "{err}");
    let err = server::create_admin(&config, "Acme", "bo@example.com", "Bo", "Boss", "123".into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("password"), "{err}");
    server::create_admin(&config, "Acme", "bo@example.com", "Bo", "Boss", PASSWORD.into())
        .await
        .unwrap();
    let c = client();
    assert_eq!(app.sign_in_with(&c, "bo@example.com", PASSWORD).await.status(), StatusCode::OK);
    let tree = json(app.call_with(&c, "list_entry_points", &[]).await).await;
    assert_eq!(tree[0]["node"]["name"], "Acme");
    // Setup is closed now: the code was spent.
    let res = app.complete_setup("eve@example.com").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
}

async fn migrations_are_idempotent_and_state_survives_a_restart(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let db = server::database::connect(&app.database_url).await.unwrap();
    server::database::migrate(&db).await.unwrap();
    server::database::migrate(&db).await.unwrap();
    let again = TestApp::spawn_on(backend, app.database_url.clone()).await;
    assert!(again.server.setup_code.is_none(), "no setup code once an agency exists");
    let c = client();
    assert_eq!(again.sign_in_with(&c, "ada@example.com", PASSWORD).await.status(), StatusCode::OK);
}

/// `docs/security.md` proves each ASVS requirement with named tests: a row that names a test
/// which no longer exists (renamed, deleted) fails here, so the table cannot silently rot.
/// A reference is `path::name` in backticks: a Rust test (`fn name`) or a Playwright test
/// (`test("name"`); a row without one must say why the requirement does not apply.
#[test]
fn the_security_table_names_only_tests_that_exist() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let table = std::fs::read_to_string(root.join("docs/security.md")).expect("docs/security.md");
    let mut rows = 0;
    let mut references = 0;
    for line in table.lines().filter(|l| l.starts_with("| V")) {
        rows += 1;
        let proof = line.rsplit('|').nth(1).unwrap_or_default();
        let named: Vec<&str> =
            proof.split('`').skip(1).step_by(2).filter(|r| r.contains("::")).collect();
        if named.is_empty() {
            assert!(
                proof.contains("Not applicable") || proof.contains("By design"),
                "row names no test and gives no reason: {line}"
            );
        }
        for reference in named {
            let (path, name) = reference.rsplit_once("::").expect("path::name");
            let source = std::fs::read_to_string(root.join(path))
                .unwrap_or_else(|_| panic!("{path} (named in docs/security.md) does not exist"));
            let found = source.contains(&format!("fn {name}("))
                || source.contains(&format!("fn {name}<"))
                || source.contains(&format!("test(\"{name}\""));
            assert!(found, "docs/security.md names {reference}, which is not a test there");
            references += 1;
        }
    }
    assert!(rows >= 60 && references >= 40, "{rows} rows, {references} test references");
}
