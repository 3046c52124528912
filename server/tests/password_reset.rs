//! Forgotten passwords over HTTP on SQLite and PostgreSQL: one answer for every address,
//! mail only for active people, links single use and valid for one hour, the newest link the
//! only one working, and a reset signing the person out everywhere else.

use crate::common::{Backend, PASSWORD, TestApp, call, client, json, ok, set_cookie};
use reqwest::{Client, StatusCode};

on_both_backends!(
    every_address_gets_the_same_answer_and_only_active_people_get_mail,
    a_link_works_once_and_ends_every_other_session,
    links_expire_after_an_hour_and_only_the_newest_works,
    a_person_suspended_after_the_mail_cannot_use_the_link,
);

const MINUTE: i64 = 60_000;
const NEW_PASSWORD: &str = "a brand new passphrase";

/// The bodies of the mail to `to`, oldest first, as the addressee reads them.
async fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails_to(to).await.into_iter().map(|m| m.text).collect()
}

/// The token of the latest reset mail to `to`.
async fn token_for(app: &TestApp, to: &str) -> String {
    let mails = mails_to(app, to).await;
    let body = mails.last().unwrap_or_else(|| panic!("no mail to {to}"));
    let at = body.find("/reset-password/").unwrap_or_else(|| panic!("no link in {body}")) + 16;
    let token: String = body[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64, "a whole token in {body}");
    token
}

async fn request(app: &TestApp, email: &str) -> (StatusCode, serde_json::Value) {
    call(app, &client(), "request_password_reset", &[("email", email)]).await
}

async fn reset(app: &TestApp, c: &Client, token: &str, password: &str) -> reqwest::Response {
    app.call_with(c, "reset_password", &[("token", token), ("password", password)]).await
}

/// The agency, with Ada as its administrator and Bob, active, at home there.
async fn agency_with_bob(app: &TestApp) -> (i64, i64) {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    let agency = entry[0]["node"]["id"].as_i64().unwrap();
    (agency, app.add_user("bob@example.com", "Bob", agency).await)
}

async fn every_address_gets_the_same_answer_and_only_active_people_get_mail(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, bob) = agency_with_bob(&app).await;
    app.add_user("sue@example.com", "Sue", agency).await;
    app.sql("UPDATE users SET status = 'disabled' WHERE email = 'sue@example.com'").await;
    let known = request(&app, "Bob@Example.com ").await;
    let unknown = request(&app, "nobody@example.com").await;
    let disabled = request(&app, "sue@example.com").await;
    assert_eq!(known.0, StatusCode::OK, "{}", known.1);
    assert_eq!(known, unknown, "an unknown address is answered like a known one");
    assert_eq!(known, disabled, "a disabled account is answered like any other");
    assert_eq!(mails_to(&app, "bob@example.com").await.len(), 1);
    assert!(mails_to(&app, "nobody@example.com").await.is_empty());
    assert!(mails_to(&app, "sue@example.com").await.is_empty(), "disabled people get no link");
    let (status, err) = request(&app, "not an address").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "email", "{err}");

    // Asking again at once sends nothing more (no mail bombing), later it does.
    assert_eq!(request(&app, "bob@example.com").await.0, StatusCode::OK);
    assert_eq!(mails_to(&app, "bob@example.com").await.len(), 1);
    app.clock.advance(3 * MINUTE);
    assert_eq!(request(&app, "bob@example.com").await.0, StatusCode::OK);
    assert_eq!(mails_to(&app, "bob@example.com").await.len(), 2);
    let (audited,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM audit_log WHERE action = 'password_reset_requested' \
         AND target_user_id = $1",
    )
    .bind(bob)
    .fetch_one(&app.server.state.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 2);
}

async fn a_link_works_once_and_ends_every_other_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    agency_with_bob(&app).await;
    let laptop = app.client_for("bob@example.com").await;
    assert_eq!(request(&app, "bob@example.com").await.0, StatusCode::OK);
    let token = token_for(&app, "bob@example.com").await;
    let (status, shown) = call(&app, &client(), "get_password_reset", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["email"], "bob@example.com");

    let phone = client();
    let res = reset(&app, &phone, &token, "password").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a common password is refused");
    let res = reset(&app, &phone, &token, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookie(&res).is_some_and(|v| v.starts_with("roster_session=")), "signed in");
    assert_eq!(json(res).await, "/");
    assert_eq!(app.viewer_email(&phone).await.as_deref(), Some("bob@example.com"));
    assert_eq!(app.viewer_email(&laptop).await, None, "the other session ended");

    let (status, err) = call(&app, &client(), "get_password_reset", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["message"].as_str().unwrap().contains("already been used"), "{err}");
    assert_eq!(reset(&app, &client(), &token, "another new passphrase").await.status(), 409);
    let old = app.sign_in_with(&client(), "bob@example.com", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY, "the old password is gone");
    let new = app.sign_in_with(&client(), "bob@example.com", NEW_PASSWORD).await;
    assert_eq!(new.status(), StatusCode::OK);

    let (status, _) = call(&app, &client(), "get_password_reset", &[("token", "abc")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown link");
}

async fn links_expire_after_an_hour_and_only_the_newest_works(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    agency_with_bob(&app).await;
    request(&app, "bob@example.com").await;
    let first = token_for(&app, "bob@example.com").await;
    app.clock.advance(5 * MINUTE);
    request(&app, "bob@example.com").await;
    let second = token_for(&app, "bob@example.com").await;
    assert_ne!(first, second);
    let (status, err) = call(&app, &client(), "get_password_reset", &[("token", &first)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a newer link ends the older one: {err}");

    app.clock.advance(59 * MINUTE);
    let (status, _) = call(&app, &client(), "get_password_reset", &[("token", &second)]).await;
    assert_eq!(status, StatusCode::OK, "still within the hour");
    app.clock.advance(MINUTE + 1);
    let (status, err) = call(&app, &client(), "get_password_reset", &[("token", &second)]).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["message"].as_str().unwrap().contains("expired"), "{err}");
    assert_eq!(reset(&app, &client(), &second, NEW_PASSWORD).await.status(), 409);
}

async fn a_person_suspended_after_the_mail_cannot_use_the_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    agency_with_bob(&app).await;
    request(&app, "bob@example.com").await;
    let token = token_for(&app, "bob@example.com").await;
    app.sql("UPDATE users SET status = 'suspended' WHERE email = 'bob@example.com'").await;
    let res = reset(&app, &client(), &token, NEW_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(
        set_cookie(&res).is_none_or(|c| !c.contains("roster_session=") || c.contains("Max-Age=0"))
    );
    app.sql("UPDATE users SET status = 'active' WHERE email = 'bob@example.com'").await;
    assert_eq!(
        reset(&app, &client(), &token, NEW_PASSWORD).await.status(),
        StatusCode::OK,
        "the refusal spent nothing"
    );
}
