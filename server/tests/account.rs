//! One's own account over HTTP on SQLite and PostgreSQL: changing the password (with the
//! current one, optionally signing out elsewhere) and seeing and ending one's sessions.

use crate::common::{Backend, PASSWORD, TestApp, call, client, ok};
use reqwest::StatusCode;

on_both_backends!(
    changing_the_password_needs_the_current_one_and_can_end_other_sessions,
    people_see_and_end_only_their_own_sessions,
);

const NEW: &str = "an even better passphrase";

async fn setup(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn changing_the_password_needs_the_current_one_and_can_end_other_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    app.add_user("bob@example.com", "Bob", agency).await;
    let (laptop, phone, tablet) = (
        app.client_for("bob@example.com").await,
        app.client_for("bob@example.com").await,
        app.client_for("bob@example.com").await,
    );
    let form = |current: &'static str, new: &'static str| {
        [("current_password", current), ("new_password", new)]
    };
    let (status, err) = call(&app, &laptop, "change_password", &form("wrong one", NEW)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "current_password", "{err}");
    let (status, err) = call(&app, &laptop, "change_password", &form(PASSWORD, "password")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "new_password", "{err}");

    // Without signing out elsewhere: the other sessions go on.
    ok(&app, &laptop, "change_password", &form(PASSWORD, NEW)).await;
    assert!(app.viewer_email(&phone).await.is_some());
    let old = app.sign_in_with(&client(), "bob@example.com", PASSWORD).await;
    assert_eq!(old.status(), StatusCode::UNPROCESSABLE_ENTITY, "the old password is gone");

    // Signing out elsewhere: only this session is left.
    let mut again = form(NEW, "yet another passphrase").to_vec();
    again.push(("sign_out_others", "true"));
    ok(&app, &laptop, "change_password", &again).await;
    assert_eq!(app.viewer_email(&laptop).await.as_deref(), Some("bob@example.com"));
    assert_eq!(app.viewer_email(&phone).await, None);
    assert_eq!(app.viewer_email(&tablet).await, None);
}

async fn people_see_and_end_only_their_own_sessions(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    app.add_user("bob@example.com", "Bob", agency).await;
    let (laptop, phone) =
        (app.client_for("bob@example.com").await, app.client_for("bob@example.com").await);
    let sessions = ok(&app, &laptop, "list_my_sessions", &[]).await;
    let list = sessions.as_array().unwrap();
    assert_eq!(list.len(), 2, "{sessions}");
    assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
    let other = list.iter().find(|s| s["current"] == false).unwrap()["id"].as_str().unwrap();
    let mine = list.iter().find(|s| s["current"] == true).unwrap()["id"].as_str().unwrap();

    // Ada cannot end Bob's sessions with his handles.
    let (status, _) = call(&app, &app.client, "end_my_session", &[("id", other)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(app.viewer_email(&phone).await.is_some());
    let ada_sessions = ok(&app, &app.client, "list_my_sessions", &[]).await;
    assert_eq!(ada_sessions.as_array().unwrap().len(), 1, "Ada sees only hers");

    let (status, _) = call(&app, &laptop, "end_my_session", &[("id", mine)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "this session ends by signing out");
    ok(&app, &laptop, "end_my_session", &[("id", other)]).await;
    assert_eq!(app.viewer_email(&phone).await, None);
    let (status, _) = call(&app, &laptop, "end_my_session", &[("id", other)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "already ended");
    let (status, _) = call(&app, &laptop, "end_my_session", &[("id", "%")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no wildcard");
}
