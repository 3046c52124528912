//! Attacks on the public doors (sign-in, setup, forgotten password, links) and on password
//! checks: throttles that hold per address and per client, known and unknown addresses told
//! apart by nothing, lockouts a stranger cannot hold, client addresses that only trusted
//! proxies may name, and refusals that come before the costly password hashing.

use crate::common::{Backend, PASSWORD, TestApp, call, client, json, ok};
use reqwest::{Client, StatusCode};
use serde_json::Value;

crate::on_both_backends!(
    known_and_unknown_addresses_get_the_same_answers_at_every_try,
    a_stranger_cannot_keep_a_person_locked_out,
    setup_refuses_before_hashing_and_its_code_expires,
    forwarded_addresses_count_only_behind_a_trusted_proxy,
    forgotten_password_requests_are_limited_per_address_and_per_client,
    guessing_links_is_throttled_per_client,
    wrong_current_passwords_are_throttled,
    sign_ins_and_lockouts_are_audited,
);

const MINUTE: i64 = 60_000;

/// Status and message of a sign-in attempt (the part a client sees).
async fn attempt(app: &TestApp, c: &Client, email: &str, password: &str) -> (StatusCode, Value) {
    let res = app.sign_in_with(c, email, password).await;
    let status = res.status();
    let body = json(res).await;
    (status, body["message"].clone())
}

async fn known_and_unknown_addresses_get_the_same_answers_at_every_try(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let hashes_before = app.server.state.hasher.started();
    let c = client();
    let mut throttled = 0;
    for n in 1..=100 {
        let known = attempt(&app, &c, "ada@example.com", "not the password").await;
        let unknown = attempt(&app, &c, "nobody@example.com", "not the password").await;
        assert_eq!(known, unknown, "try {n}: the answers tell the addresses apart");
        if known.0 == StatusCode::TOO_MANY_REQUESTS {
            throttled += 1;
        }
    }
    assert!(throttled >= 90, "both addresses are locked after a few tries ({throttled})");
    // Locked tries cost no hashing: only the free tries and the first locking ones did.
    let hashed = app.server.state.hasher.started() - hashes_before;
    assert!(hashed <= 12, "{hashed} password checks for 200 tries");
}

async fn a_stranger_cannot_keep_a_person_locked_out(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    // Ada's own browser: it signed in to her account before.
    let ada = client();
    assert_eq!(app.sign_in_with(&ada, "ada@example.com", PASSWORD).await.status(), StatusCode::OK);
    ok(&app, &ada, "sign_out", &[]).await;

    // A stranger keeps guessing, one try each time the lock lifts, for hours.
    let stranger = client();
    for _ in 0..5 {
        attempt(&app, &stranger, "ada@example.com", "guess").await;
    }
    for _ in 0..20 {
        let (status, _) = attempt(&app, &stranger, "ada@example.com", "guess").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        app.clock.advance(15 * MINUTE);
        attempt(&app, &stranger, "ada@example.com", "guess").await;
        // The address is locked for unknown browsers, even with the right password...
        let (status, _) = attempt(&app, &client(), "ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        // ...but Ada, on the browser she used before, still gets in.
        let (status, body) = attempt(&app, &ada, "ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        ok(&app, &ada, "sign_out", &[]).await;
    }
    // A known device has a budget of its own: guessing from it ends its privilege.
    for _ in 0..5 {
        let (status, _) = attempt(&app, &ada, "ada@example.com", "typo").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _) = attempt(&app, &ada, "ada@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the device is no longer trusted");
}

async fn setup_refuses_before_hashing_and_its_code_expires(backend: Backend) {
    // A code that has expired is refused like a wrong one.
    let app = TestApp::spawn(backend).await;
    app.clock.advance(25 * 60 * MINUTE);
    let res = app.complete_setup("ada@example.com").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(json(res).await.to_string().contains("expired"));

    let app = TestApp::spawn(backend).await;
    let hasher = app.server.state.hasher.clone();
    // Wrong codes are refused, and counted, without hashing the password they came with.
    let before = hasher.started();
    let mut last = StatusCode::OK;
    for _ in 0..12 {
        let form = [
            ("code", "WRONG-CODE1"),
            ("agency_name", "Evil"),
            ("first_name", "Eve"),
            ("last_name", "Evil"),
            ("email", "eve@example.com"),
            ("password", "a long enough passphrase"),
        ];
        last = app.call("complete_setup", &form).await.status();
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS, "wrong codes are throttled per client");
    assert_eq!(hasher.started(), before, "no password was hashed for a wrong code");
    // The throttled client waits; then the right code still works.
    app.clock.advance(11 * MINUTE);
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    // After setup, the page answers at once: nothing to hash, for anyone.
    let before = hasher.started();
    for _ in 0..20 {
        assert_eq!(app.complete_setup("eve@example.com").await.status(), StatusCode::CONFLICT);
    }
    assert_eq!(hasher.started(), before, "setup is done: no hashing");
}

async fn forwarded_addresses_count_only_behind_a_trusted_proxy(backend: Backend) {
    let sign_in = |app: &TestApp, forwarded_for: &'static str, n: usize| {
        let c = client();
        let url = app.url("/api/sign_in");
        async move {
            let email = format!("person{n}@example.com");
            let form = [("email", email.as_str()), ("password", "wrong")];
            c.post(url).header("x-forwarded-for", forwarded_for).form(&form).send().await.unwrap()
        }
    };
    // Behind a trusted proxy: each client address has its own budget of failures.
    let app = TestApp::spawn_with(backend, |c| {
        c.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    app.complete_setup("ada@example.com").await;
    for n in 0..30 {
        let res = sign_in(&app, "198.51.100.1", n).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(sign_in(&app, "198.51.100.1", 31).await.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(sign_in(&app, "198.51.100.2", 32).await.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // The sessions list shows the client's address, not the proxy's.
    let c = client();
    let res = c
        .post(app.url("/api/sign_in"))
        .header("x-forwarded-for", "203.0.113.7")
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let sessions = ok(&app, &c, "list_my_sessions", &[]).await;
    assert!(sessions.to_string().contains("203.0.113.7"), "{sessions}");

    // Without trusted proxies, a client cannot escape its budget by naming other addresses.
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let spoofed = ["198.51.100.1", "198.51.100.2", "198.51.100.3"];
    for n in 0..30 {
        sign_in(&app, spoofed[n % 3], n).await;
    }
    assert_eq!(sign_in(&app, "198.51.100.9", 40).await.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn forgotten_password_requests_are_limited_per_address_and_per_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let ask = |email: &'static str| {
        let app = &app;
        async move {
            let (status, body) =
                call(app, &client(), "request_password_reset", &[("email", email)]).await;
            (status, body["message"].clone())
        }
    };
    // Per address, known or not: three requests an hour, then the same refusal for both.
    for _ in 0..3 {
        assert_eq!(ask("ada@example.com").await.0, StatusCode::OK);
        assert_eq!(ask("nobody@example.com").await.0, StatusCode::OK);
    }
    let known = ask("ada@example.com").await;
    assert_eq!(known.0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(known, ask("nobody@example.com").await);
    // Per client, across addresses: 20 an hour (6 used above).
    let addresses: Vec<String> = (0..14).map(|n| format!("p{n}@example.com")).collect();
    for a in &addresses {
        let (status, _) = call(&app, &client(), "request_password_reset", &[("email", a)]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, _) =
        call(&app, &client(), "request_password_reset", &[("email", "last@example.com")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(61 * MINUTE);
    assert_eq!(ask("ada@example.com").await.0, StatusCode::OK);
}

async fn guessing_links_is_throttled_per_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let guesser = client();
    let hashes_before = app.server.state.hasher.started();
    // Invitation and reset links share one budget per client.
    for n in 0..30 {
        let token = format!("{n:064x}");
        let (status, _) = if n % 2 == 0 {
            let form = [("token", token.as_str()), ("password", "a brand new passphrase")];
            call(&app, &guesser, "reset_password", &form).await
        } else {
            let form = [("token", token.as_str()), ("password", "a brand new passphrase")];
            call(&app, &guesser, "accept_invitation", &form).await
        };
        assert_eq!(status, StatusCode::NOT_FOUND, "guess {n}");
    }
    let token = format!("{:064x}", 99);
    for endpoint in ["get_password_reset", "get_invitation"] {
        let (status, _) = call(&app, &guesser, endpoint, &[("token", &token)]).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{endpoint}");
    }
    assert_eq!(app.server.state.hasher.started(), hashes_before, "no hashing for a bad link");
}

async fn wrong_current_passwords_are_throttled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    let change = |current: &'static str| {
        let app = &app;
        async move {
            let form = [("current_password", current), ("new_password", "another fine passphrase")];
            call(app, &app.client, "change_password", &form).await.0
        }
    };
    for _ in 0..5 {
        assert_eq!(change("guess").await, StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(change(PASSWORD).await, StatusCode::TOO_MANY_REQUESTS);
    app.clock.advance(MINUTE);
    assert_eq!(change(PASSWORD).await, StatusCode::OK);
}

async fn sign_ins_and_lockouts_are_audited(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.complete_setup("ada@example.com").await;
    app.sign_in_with(&client(), "ada@example.com", PASSWORD).await;
    for _ in 0..5 {
        attempt(&app, &client(), "ada@example.com", "guess").await;
    }
    // The lockout entry is written just after the answer.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let actions = loop {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT action FROM audit_log ORDER BY id")
            .fetch_all(&app.server.state.db.pool)
            .await
            .unwrap();
        let actions: Vec<String> = rows.into_iter().map(|r| r.0).collect();
        if actions.iter().any(|a| a == "sign_in_locked") || std::time::Instant::now() > deadline {
            break actions;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(actions.iter().any(|a| a == "signed_in"), "{actions:?}");
    assert!(actions.iter().any(|a| a == "sign_in_locked"), "{actions:?}");
}
