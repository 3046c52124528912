//! Invitations and the mail outbox, end to end over HTTP on SQLite and PostgreSQL: inviting
//! (one transaction, no escalation, one identity per address), accepting (signed in, single
//! use even under concurrency), expiry, resending and revoking, and delivery over SMTP to a
//! sink in the test, with retries while the mail server is down.

use crate::common::{self, Backend, TestApp, call, client, ok, refused};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_backends!(
    an_invitation_writes_the_user_the_invitation_and_the_mail_together,
    only_managers_invite_and_never_beyond_their_own_roles,
    an_existing_address_is_reported_and_gets_no_second_identity,
);

/// Accepting, expiry, resending and revoking; and mail delivery. Kept in a folder of its
/// own so cargo does not take them for test crates.
mod accept;
mod mail;
/// Attacks on invitations (issue 11).
mod security;

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.server.state.db.pool).await.unwrap();
    n
}

/// Users, invitations and mails: what an invitation writes.
async fn written(app: &TestApp) -> (i64, i64, i64) {
    (
        count(app, "SELECT COUNT(*) FROM users").await,
        count(app, "SELECT COUNT(*) FROM invitations").await,
        count(app, "SELECT COUNT(*) FROM outbox").await,
    )
}

/// Sets up the agency with Ada as its administrator; returns the agency's id.
async fn setup_agency(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let form = [("parent_id", parent.to_string()), ("name", name.to_string())];
    let node = ok(app, &app.client, "create_node", &pairs(&form)).await;
    node["id"].as_i64().unwrap()
}

async fn role(app: &TestApp, agency: i64, name: &str) -> i64 {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let found = roles.as_array().unwrap().iter().find(|r| r["name"] == name);
    found.unwrap_or_else(|| panic!("no role {name} in {roles}"))["id"].as_i64().unwrap()
}

fn pairs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// `invite_user` as `c`; returns the status and the body.
async fn invite(
    app: &TestApp,
    c: &Client,
    node: i64,
    email: &str,
    first_name: &str,
    roles: &[i64],
) -> (StatusCode, Value) {
    let mut form = vec![
        ("node_id".to_string(), node.to_string()),
        ("email".to_string(), email.to_string()),
        ("first_name".to_string(), first_name.to_string()),
        ("last_name".to_string(), "Smith".to_string()),
    ];
    for (i, r) in roles.iter().enumerate() {
        form.push((format!("role_ids[{i}]"), r.to_string()));
    }
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(app, c, "invite_user", &form).await
}

/// Invites as Ada, which must work; returns the new user's id.
async fn invited(app: &TestApp, node: i64, email: &str, first_name: &str, roles: &[i64]) -> i64 {
    let (status, body) = invite(app, &app.client, node, email, first_name, roles).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "invited", "{body}");
    body["user_id"].as_i64().unwrap()
}

/// The token in the invitation link of `text`.
fn token_in(text: &str) -> String {
    let at = text.find("/invitations/").unwrap_or_else(|| panic!("no link in {text}")) + 13;
    let token: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64, "a whole token in {text}");
    token
}

/// The token of the latest invitation mail to `to`, as its addressee reads it.
async fn token_for(app: &TestApp, to: &str) -> String {
    token_in(&app.mail_to(to).await.text)
}

async fn accept(app: &TestApp, c: &Client, token: &str, password: &str) -> (StatusCode, Value) {
    call(app, c, "accept_invitation", &[("token", token), ("password", password)]).await
}

async fn preview(app: &TestApp, token: &str) -> (StatusCode, Value) {
    call(app, &client(), "get_invitation", &[("token", token)]).await
}

async fn an_invitation_writes_the_user_the_invitation_and_the_mail_together(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let office = create(&app, north, "Office").await;
    let (user, agent) = (role(&app, agency, "User").await, role(&app, agency, "Call Agent").await);

    let ann = invited(&app, office, " Ann@Example.com ", "Ann", &[agent, user, user]).await;
    let (status, home, password): (String, i64, Option<String>) =
        sqlx::query_as("SELECT status, home_node_id, password_hash FROM users WHERE id = $1")
            .bind(ann)
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), home, password), ("invited", north, None), "home: the account");
    let (node, roles, accepted): (i64, String, Option<i64>) =
        sqlx::query_as("SELECT node_id, role_ids, accepted_at FROM invitations WHERE user_id = $1")
            .bind(ann)
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!((node, accepted), (office, None));
    assert_eq!(roles.split(' ').count(), 2, "roles once each: {roles}");
    let mail = app.mail_to("ann@example.com").await;
    let (subject, body) = (mail.subject, mail.text);
    assert_eq!(subject, "Ada Admin invited you to Office (Acme Agency)");
    assert!(body.contains(&format!("{}/invitations/", app.base)), "{body}");
    let token = token_in(&body);
    let stored: i64 =
        count(&app, &format!("SELECT COUNT(*) FROM invitations WHERE token_hash = '{token}'"))
            .await;
    assert_eq!(stored, 0, "only the token's hash is stored");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM audit_log WHERE action = 'user_invited'").await,
        1
    );

    let list = ok(&app, &app.client, "list_invitations", &[("node_id", &office.to_string())]).await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["email"], "ann@example.com");
    assert_eq!(list[0]["name"], "Ann Smith");
    assert_eq!(list[0]["invited_by"], "Ada Admin");
    let mut names: Vec<&str> =
        list[0]["roles"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    names.sort();
    assert_eq!(names, ["Call Agent", "User"]);
    assert_eq!(list[0]["expires_at"].as_i64(), Some(common::START + 7 * DAY));
    assert_eq!(list[0]["expired"], false);

    // Every field is checked at once.
    let (status, err) = invite(&app, &app.client, office, "nope", " ", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        err["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "first_name", "role_ids"]);
    // Agency-level roles only at the agency.
    let agency_billing = role(&app, agency, "Agency Billing Manager").await;
    let (status, err) =
        invite(&app, &app.client, north, "bo@example.com", "Bo", &[agency_billing]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "role_ids");

    // One transaction: when the mail cannot be queued, neither the person nor the
    // invitation exists.
    let before = written(&app).await;
    app.sql("ALTER TABLE outbox RENAME TO outbox_gone").await;
    let (status, _) = invite(&app, &app.client, north, "cy@example.com", "Cy", &[user]).await;
    app.sql("ALTER TABLE outbox_gone RENAME TO outbox").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(written(&app).await, before);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM users WHERE email = 'cy@example.com'").await, 0);
}

async fn only_managers_invite_and_never_beyond_their_own_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let user = role(&app, agency, "User").await;
    let billing = role(&app, agency, "Billing Manager").await;
    let account_admin = role(&app, agency, "Account Admin").await;
    let carl = app.add_user("carl@example.com", "Carl", north).await;
    let ann = app.add_user("ann@example.com", "Ann", north).await;
    for (who, r) in [(carl, user), (ann, account_admin)] {
        let form = [
            ("node_id", north.to_string()),
            ("user_id", who.to_string()),
            ("role_id", r.to_string()),
        ];
        ok(&app, &app.client, "grant_role", &pairs(&form)).await;
    }
    let before = written(&app).await;

    let carl = app.client_for("carl@example.com").await;
    let (status, _) = invite(&app, &carl, north, "x@example.com", "X", &[user]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "viewing is not managing");
    let ann = app.client_for("ann@example.com").await;
    let (status, _) = invite(&app, &ann, north, "x@example.com", "X", &[user, billing]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an Account Admin has no billing to give");
    let (status, _) = invite(&app, &ann, agency, "x@example.com", "X", &[user]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "nor any say above her account");
    assert_eq!(written(&app).await, before, "nothing written");
    let anonymous = client();
    let (status, _) = invite(&app, &anonymous, north, "x@example.com", "X", &[user]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    invited_as(&app, &ann, north, "x@example.com", &[user]).await;
    assert_eq!(written(&app).await.0, before.0 + 1);
    // Resending and revoking need the same right where the invitation is.
    let id = ok(&app, &ann, "list_invitations", &[("node_id", &north.to_string())]).await[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    for endpoint in ["resend_invitation", "revoke_invitation"] {
        refused(&app, &carl, endpoint, &[("invitation_id", &id)], StatusCode::FORBIDDEN).await;
    }
    refused(&app, &ann, "resend_invitation", &[("invitation_id", "999999")], StatusCode::NOT_FOUND)
        .await;
}

async fn invited_as(app: &TestApp, c: &Client, node: i64, email: &str, roles: &[i64]) -> i64 {
    let (status, body) = invite(app, c, node, email, "Xena", roles).await;
    assert_eq!((status, body["outcome"].as_str()), (StatusCode::OK, Some("invited")), "{body}");
    body["user_id"].as_i64().unwrap()
}

async fn an_existing_address_is_reported_and_gets_no_second_identity(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let user = role(&app, agency, "User").await;
    let dee = app.add_user("dee@example.com", "Dee", north).await;
    app.add_user("sam@example.com", "Sam", south).await;
    let before = written(&app).await;

    let (status, body) = invite(&app, &app.client, north, "DEE@example.com", "Dee", &[user]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["outcome"], "already_exists");
    assert_eq!(body["user_id"].as_i64(), Some(dee));
    assert_eq!(
        (body["name"].as_str(), body["email"].as_str()),
        (Some("Dee Tester"), Some("dee@example.com"))
    );
    assert_eq!(written(&app).await, before, "no second identity, no invitation, no mail");

    // "Grant access instead", telling her by mail.
    let form = [
        ("node_id", north.to_string()),
        ("user_id", dee.to_string()),
        ("role_id", user.to_string()),
        ("notify", "true".to_string()),
    ];
    ok(&app, &app.client, "grant_role", &pairs(&form)).await;
    let mail = app.mail_to("dee@example.com").await;
    let (subject, body) = (mail.subject, mail.text);
    assert_eq!(subject, "You now have access to North");
    assert!(body.contains(&format!("{}/nodes/{north}", app.base)), "{body}");

    // Someone out of the caller's sight is not named.
    let account_admin = role(&app, agency, "Account Admin").await;
    let form = [
        ("node_id", north.to_string()),
        ("user_id", dee.to_string()),
        ("role_id", account_admin.to_string()),
    ];
    ok(&app, &app.client, "grant_role", &pairs(&form)).await;
    let c = app.client_for("dee@example.com").await;
    let (status, body) = invite(&app, &c, north, "sam@example.com", "Sam", &[user]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["message"], "A user with this e-mail address already exists.");
    assert!(!body.to_string().contains("Sam"));
}
