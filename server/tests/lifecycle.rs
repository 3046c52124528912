//! The user lifecycle over HTTP on SQLite and PostgreSQL: suspending (with a reason, and a
//! 14-day wait before reactivating), disabling and re-inviting (with a reset link that
//! works), deleting (gone from every list, the address free, history keeping the name);
//! sessions ended at the next request on every server sharing the database; who may change
//! whose status; the last administrator kept, even when two suspend each other at once; and
//! an audit entry for every change.

use crate::common::{Backend, PASSWORD, TestApp, call, client, json, ok, refused};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_backends!(
    a_suspension_needs_a_reason_and_ends_sessions_on_every_server,
    reactivation_is_refused_for_fourteen_days_and_names_the_date,
    a_disabled_person_keeps_their_roles_and_a_reinvite_mails_a_working_link,
    deleting_hides_the_person_everywhere_frees_the_address_and_keeps_history,
    only_the_allowed_transitions_happen,
    nobody_changes_their_own_status_nor_someone_more_powerful_or_out_of_reach,
    the_last_administrator_cannot_be_suspended_disabled_or_deleted,
    two_administrators_suspending_each_other_at_once_leave_one_active,
);

const MINUTE: i64 = 60 * 1000;
const DAY: i64 = 24 * 60 * MINUTE;
const NOT_FOUND: &str = "There is no such person, or they are out of your reach.";

fn pairs<'a>(form: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The agency (Ada administers it) and an account North below it.
async fn agency_and_north(app: &TestApp) -> (i64, i64) {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    let agency = entry[0]["node"]["id"].as_i64().unwrap();
    (agency, create(app, agency, "North").await)
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let form = [("parent_id", parent.to_string()), ("name", name.to_string())];
    ok(app, &app.client, "create_node", &pairs(&form)).await["id"].as_i64().unwrap()
}

async fn role(app: &TestApp, agency: i64, name: &str) -> i64 {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let found = roles.as_array().unwrap().iter().find(|r| r["name"] == name);
    found.unwrap_or_else(|| panic!("no role {name} in {roles}"))["id"].as_i64().unwrap()
}

/// Ada gives `user` the role called `role_name` at `node`.
async fn give(app: &TestApp, agency: i64, node: i64, user: i64, role_name: &str) {
    let role = role(app, agency, role_name).await;
    let form = [
        ("node_id", node.to_string()),
        ("user_id", user.to_string()),
        ("role_id", role.to_string()),
    ];
    ok(app, &app.client, "grant_role", &pairs(&form)).await;
}

/// Someone active at home at `home` holding `role_name` there, with the test password.
async fn person(
    app: &TestApp,
    agency: i64,
    email: &str,
    first: &str,
    home: i64,
    role_name: &str,
) -> i64 {
    let id = app.add_user(email, first, home).await;
    give(app, agency, home, id, role_name).await;
    id
}

async fn act(app: &TestApp, c: &Client, endpoint: &str, user: i64) -> (StatusCode, Value) {
    call(app, c, endpoint, &[("user_id", &user.to_string())]).await
}

async fn suspend(app: &TestApp, c: &Client, user: i64, reason: &str) -> (StatusCode, Value) {
    call(app, c, "suspend_user", &[("user_id", &user.to_string()), ("reason", reason)]).await
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or_else(|| panic!("no message in {body}"))
}

/// status, status_reason, status_changed_at
async fn status_of(app: &TestApp, user: i64) -> (String, Option<String>, Option<i64>) {
    sqlx::query_as("SELECT status, status_reason, status_changed_at FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.server.state.db.pool).await.unwrap();
    n
}

async fn count(app: &TestApp, sql: &str, user: i64) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as(sql).bind(user).fetch_one(&app.server.state.db.pool).await.unwrap();
    n
}

/// The audit entries about `user` with `action`: actor id, actor name, target name, node,
/// details, time.
async fn audited(
    app: &TestApp,
    user: i64,
    action: &str,
) -> Vec<(Option<i64>, String, Option<String>, Option<i64>, String, i64)> {
    sqlx::query_as(
        "SELECT actor_id, actor_name, target_name, node_id, details, at FROM audit_log \
         WHERE target_user_id = $1 AND action = $2 ORDER BY id",
    )
    .bind(user)
    .bind(action)
    .fetch_all(&app.server.state.db.pool)
    .await
    .unwrap()
}

async fn ada_id(app: &TestApp) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = 'ada@example.com'")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    id
}

async fn a_suspension_needs_a_reason_and_ends_sessions_on_every_server(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "User").await;
    // Ann is signed in on this server and on a second one sharing the database.
    let here = app.client_for("ann@example.com").await;
    let other = TestApp::spawn_on(backend, app.database_url.clone()).await;
    let there = other.client_for("ann@example.com").await;
    assert_eq!(other.viewer_email(&there).await.as_deref(), Some("ann@example.com"));

    for (reason, why) in [("   ", "Give a reason"), (&"x".repeat(501), "at most 500")] {
        let (status, err) = suspend(&app, &app.client, ann, reason).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["fields"][0]["field"], "reason", "{err}");
        assert!(message(&err).contains(why), "{err}");
    }
    assert_eq!(status_of(&app, ann).await.0, "active", "a refused suspension changes nothing");
    assert_eq!(app.viewer_email(&here).await.as_deref(), Some("ann@example.com"));

    app.clock.advance(MINUTE);
    let (status, body) = suspend(&app, &app.client, ann, "  Left for a competitor ").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let now = app.clock.now();
    assert_eq!(
        status_of(&app, ann).await,
        ("suspended".into(), Some("Left for a competitor".into()), Some(now))
    );
    // The sessions opened before end at their next request, on both servers.
    assert_eq!(app.viewer_email(&here).await, None);
    assert_eq!(other.viewer_email(&there).await, None);
    refused(&app, &here, "list_entry_points", &[], StatusCode::UNAUTHORIZED).await;
    assert_eq!(count(&app, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", ann).await, 0);
    // And no new one starts.
    let res = app.sign_in_with(&client(), "ann@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(message(&json(res).await).contains("suspended"));

    let entries = audited(&app, ann, "user_suspended").await;
    let ada = ada_id(&app).await;
    assert_eq!(
        entries,
        vec![(
            Some(ada),
            "Ada Admin".into(),
            Some("Ann Tester".into()),
            Some(north),
            "Left for a competitor".into(),
            now
        )],
        "one entry: actor, target, the person's home account, the reason, the time"
    );
    // What the user page shows.
    let shown = ok(&app, &app.client, "get_user", &[("user_id", &ann.to_string())]).await;
    assert_eq!(shown["status"], "Suspended");
    assert_eq!(shown["status_reason"], "Left for a competitor");
    assert_eq!(shown["status_changed_at"], now);
    assert_eq!(shown["reactivate_from"], now + 14 * DAY);
    assert_eq!(shown["reactivation_waits"], true);
    assert_eq!(shown["home_node"], serde_json::json!([north, "North"]));
    assert_eq!(shown["may_manage"], true);
    other.server.handle.abort();
}

async fn reactivation_is_refused_for_fourteen_days_and_names_the_date(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "User").await;
    // Suspended on 22 November 2026 at 18:30 UTC, so the date named is 14 days later.
    app.clock.advance(1_796_581_800_000 - 14 * DAY - app.clock.now());
    // Sessions do not last days: Ada signs in again each time the clock jumps.
    let ada = app.client_for("ada@example.com").await;
    assert_eq!(suspend(&app, &ada, ann, "Investigation").await.0, StatusCode::OK);

    let (status, err) = act(&app, &ada, "reactivate_user", ann).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert_eq!(message(&err), "Ann Tester can be reactivated from 6 December 2026, 18:30 UTC.");
    app.clock.advance(13 * DAY);
    let ada = app.client_for("ada@example.com").await;
    let (status, again) = act(&app, &ada, "reactivate_user", ann).await;
    assert_eq!((status, again), (StatusCode::CONFLICT, err), "13 days later: still refused");
    assert_eq!(status_of(&app, ann).await.0, "suspended");
    assert!(audited(&app, ann, "user_reactivated").await.is_empty());
    let shown = ok(&app, &ada, "get_user", &[("user_id", &ann.to_string())]).await;
    assert_eq!(shown["reactivation_waits"], true);

    app.clock.advance(DAY - MINUTE);
    let ada = app.client_for("ada@example.com").await;
    assert_eq!(act(&app, &ada, "reactivate_user", ann).await.0, StatusCode::CONFLICT);
    app.clock.advance(MINUTE);
    let (status, body) = act(&app, &ada, "reactivate_user", ann).await;
    assert_eq!(status, StatusCode::OK, "14 days later: {body}");
    assert_eq!(status_of(&app, ann).await, ("active".into(), None, Some(app.clock.now())));
    let shown = ok(&app, &ada, "get_user", &[("user_id", &ann.to_string())]).await;
    assert_eq!(shown["reactivate_from"], Value::Null);
    assert_eq!(shown["reactivation_waits"], false);
    let entries = audited(&app, ann, "user_reactivated").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].3, Some(north));
    let c = app.client_for("ann@example.com").await;
    assert_eq!(app.viewer_email(&c).await.as_deref(), Some("ann@example.com"));
}

async fn a_disabled_person_keeps_their_roles_and_a_reinvite_mails_a_working_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let south = create(&app, agency, "South").await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "Call Agent").await;
    let session = app.client_for("ann@example.com").await;

    let (status, body) = act(&app, &app.client, "disable_user", ann).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&app, ann).await, ("disabled".into(), None, Some(app.clock.now())));
    // "A disabled user's open session is refused on its next request."
    refused(&app, &session, "list_entry_points", &[], StatusCode::UNAUTHORIZED).await;
    assert_eq!(app.viewer_email(&session).await, None);
    let res = app.sign_in_with(&client(), "ann@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    assert!(message(&json(res).await).contains("disabled"));
    // Nor a password reset.
    ok(&app, &client(), "request_password_reset", &[("email", "ann@example.com")]).await;
    let mails = "SELECT COUNT(*) FROM outbox WHERE to_address = 'ann@example.com'";
    assert_eq!(scalar(&app, mails).await, 0, "no reset mail for a disabled person");

    // They stay on their teams: roles kept, shown as disabled.
    let members =
        ok(&app, &app.client, "list_node_members", &[("node_id", &north.to_string())]).await;
    let row = members.as_array().unwrap().iter().find(|m| m["user_id"] == ann).expect("listed");
    assert_eq!(row["status"], "Disabled");
    assert_eq!(row["roles"][0]["role_name"], "Call Agent");

    // The "Disabled users" list, at their account and above, not elsewhere.
    for (node, listed) in [(north, true), (agency, true), (south, false)] {
        let list =
            ok(&app, &app.client, "list_disabled_users", &[("node_id", &node.to_string())]).await;
        let ids: Vec<i64> =
            list.as_array().unwrap().iter().filter_map(|u| u["id"].as_i64()).collect();
        assert_eq!(ids.contains(&ann), listed, "at {node}: {list}");
    }
    // With a reason, from suspended.
    let bob = person(&app, agency, "bob@example.com", "Bob", north, "User").await;
    assert_eq!(suspend(&app, &app.client, bob, "Holiday fraud").await.0, StatusCode::OK);
    let form = [("user_id", bob.to_string()), ("reason", "Confirmed".to_string())];
    ok(&app, &app.client, "disable_user", &pairs(&form)).await;
    assert_eq!(status_of(&app, bob).await.1.as_deref(), Some("Confirmed"));
    let list =
        ok(&app, &app.client, "list_disabled_users", &[("node_id", &north.to_string())]).await;
    let names: Vec<&str> =
        list.as_array().unwrap().iter().filter_map(|u| u["name"].as_str()).collect();
    assert_eq!(names, ["Ann Tester", "Bob Tester"], "by name");
    assert_eq!(list[1]["status_reason"], "Confirmed");
    assert_eq!(list[1]["may_manage"], true);
    assert_eq!(audited(&app, bob, "user_disabled").await[0].4, "Confirmed");

    // Reinvite: active again, and a mail with a link to choose a password.
    let (status, body) = act(&app, &app.client, "reinvite_user", ann).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(status_of(&app, ann).await, ("active".into(), None, Some(app.clock.now())));
    assert_eq!(audited(&app, ann, "user_reinvited").await.len(), 1);
    let body = app.mail_to("ann@example.com").await.text;
    let at = body.find("/reset-password/").unwrap_or_else(|| panic!("no link in {body}")) + 16;
    let token: String = body[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64, "{body}");
    let browser = client();
    let form = [("token", token.as_str()), ("password", "a new start for Ann")];
    ok(&app, &browser, "reset_password", &form).await;
    assert_eq!(app.viewer_email(&browser).await.as_deref(), Some("ann@example.com"));
    let res = app.sign_in_with(&client(), "ann@example.com", "a new start for Ann").await;
    assert_eq!(res.status(), StatusCode::OK);
    let list =
        ok(&app, &app.client, "list_disabled_users", &[("node_id", &north.to_string())]).await;
    assert_eq!(list.as_array().unwrap().len(), 1, "only Bob is still disabled: {list}");
}

async fn deleting_hides_the_person_everywhere_frees_the_address_and_keeps_history(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "Administrator").await;
    give(&app, agency, north, ann, "Call Agent").await;
    let session = app.client_for("ann@example.com").await;
    // Something Ann did herself, for the history.
    let form = [("parent_id", north.to_string()), ("name", "Ann's group".to_string())];
    ok(&app, &session, "create_node", &pairs(&form)).await;

    let (status, body) = act(&app, &app.client, "delete_user", ann).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    refused(&app, &session, "list_entry_points", &[], StatusCode::UNAUTHORIZED).await;
    let (email, username, status, password): (String, String, String, Option<String>) =
        sqlx::query_as("SELECT email, username, status, password_hash FROM users WHERE id = $1")
            .bind(ann)
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!(
        (email.as_str(), username.as_str(), status.as_str(), password),
        (
            format!("deleted-{ann}@deleted.invalid").as_str(),
            format!("deleted-{ann}").as_str(),
            "deleted",
            None
        )
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM memberships WHERE user_id = $1", ann).await, 0);

    // Gone from every list and picker, and "not found" like someone who never existed.
    let id = ann.to_string();
    let (status, err) = call(&app, &app.client, "get_user", &[("user_id", &id)]).await;
    let (_, never) = call(&app, &app.client, "get_user", &[("user_id", "987654")]).await;
    assert_eq!((status, &err), (StatusCode::NOT_FOUND, &never));
    assert_eq!(message(&err), NOT_FOUND);
    let members =
        ok(&app, &app.client, "list_node_members", &[("node_id", &north.to_string())]).await;
    assert!(!members.to_string().contains("Ann"), "{members}");
    let picker =
        ok(&app, &app.client, "list_agency_users", &[("node_id", &north.to_string())]).await;
    assert!(!picker.to_string().contains("Ann"), "{picker}");
    assert_eq!(
        ok(&app, &app.client, "list_user_roles", &[("user_id", &id)]).await,
        serde_json::json!([])
    );
    assert_eq!(act(&app, &app.client, "delete_user", ann).await.0, StatusCode::NOT_FOUND);
    assert_eq!(act(&app, &app.client, "reinvite_user", ann).await.0, StatusCode::NOT_FOUND);
    assert!(
        app.sign_in_with(&client(), "ann@example.com", PASSWORD).await.status().is_client_error()
    );

    // History keeps her by name, as actor and as target.
    let entries = audited(&app, ann, "user_deleted").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].2.as_deref(), Some("Ann Tester"));
    assert_eq!(entries[0].4, "roles ended: 2; invitations withdrawn: 0");
    assert_eq!(audited(&app, ann, "role_granted").await[0].2.as_deref(), Some("Ann Tester"));
    let acted = count(
        &app,
        "SELECT COUNT(*) FROM audit_log WHERE actor_id = $1 AND actor_name = 'Ann Tester' \
         AND action <> 'signed_in'",
        ann,
    )
    .await;
    assert_eq!(acted, 1);

    // The address is free: inviting it makes someone new.
    let role = role(&app, agency, "User").await;
    let form = [
        ("node_id", north.to_string()),
        ("email", "ann@example.com".to_string()),
        ("first_name", "Ann".to_string()),
        ("last_name", "Again".to_string()),
        ("role_ids[0]", role.to_string()),
    ];
    let invited = ok(&app, &app.client, "invite_user", &pairs(&form)).await;
    assert_eq!(invited["outcome"], "invited", "{invited}");
    let again = invited["user_id"].as_i64().unwrap();
    assert_ne!(again, ann);

    // Deleting someone invited withdraws the invitation: the pending list forgets them.
    let (status, body) = act(&app, &app.client, "delete_user", again).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let pending =
        ok(&app, &app.client, "list_invitations", &[("node_id", &north.to_string())]).await;
    assert_eq!(pending, serde_json::json!([]));
    let revoked = "SELECT COUNT(*) FROM invitations WHERE user_id = $1 AND revoked_at IS NOT NULL";
    assert_eq!(count(&app, revoked, again).await, 1);
    assert_eq!(
        audited(&app, again, "user_deleted").await[0].4,
        "roles ended: 0; invitations withdrawn: 1"
    );
}

async fn only_the_allowed_transitions_happen(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "User").await;
    let user = role(&app, agency, "User").await;
    let form = [
        ("node_id", north.to_string()),
        ("email", "ivy@example.com".to_string()),
        ("first_name", "Ivy".to_string()),
        ("last_name", "Invited".to_string()),
        ("role_ids[0]", user.to_string()),
    ];
    let ivy =
        ok(&app, &app.client, "invite_user", &pairs(&form)).await["user_id"].as_i64().unwrap();

    let conflict = |endpoint: &'static str, who: i64, expected: &'static str| {
        let app = &app;
        async move {
            let (status, err) = match endpoint {
                "suspend_user" => suspend(app, &app.client, who, "A reason").await,
                _ => act(app, &app.client, endpoint, who).await,
            };
            assert_eq!(status, StatusCode::CONFLICT, "{endpoint}: {err}");
            assert_eq!(message(&err), expected, "{endpoint}");
        }
    };
    // Active.
    conflict("reactivate_user", ann, "Ann Tester is already active.").await;
    conflict("reinvite_user", ann, "Ann Tester is already active.").await;
    // Invited.
    let not_yet = "Ivy Invited has not accepted their invitation yet. Resend or revoke the \
                   invitation instead.";
    for endpoint in ["suspend_user", "reactivate_user", "disable_user", "reinvite_user"] {
        conflict(endpoint, ivy, not_yet).await;
    }
    // Suspended.
    assert_eq!(suspend(&app, &app.client, ann, "First").await.0, StatusCode::OK);
    conflict("suspend_user", ann, "Ann Tester is already suspended.").await;
    conflict(
        "reinvite_user",
        ann,
        "Ann Tester is suspended, not disabled: reactivate them instead.",
    )
    .await;
    // Disabled.
    assert_eq!(act(&app, &app.client, "disable_user", ann).await.0, StatusCode::OK);
    conflict("disable_user", ann, "Ann Tester is already disabled.").await;
    conflict(
        "suspend_user",
        ann,
        "Ann Tester is disabled, which already keeps them from signing in.",
    )
    .await;
    conflict(
        "reactivate_user",
        ann,
        "Ann Tester is disabled, not suspended: reinvite them instead.",
    )
    .await;
    // Refusals changed nothing and wrote no history.
    assert_eq!(status_of(&app, ivy).await.0, "invited");
    assert_eq!(status_of(&app, ann).await.0, "disabled");
    let entries =
        "SELECT COUNT(*) FROM audit_log WHERE target_user_id = $1 AND action LIKE 'user_%'";
    assert_eq!(count(&app, entries, ann).await, 2, "suspended, disabled");
    assert_eq!(count(&app, entries, ivy).await, 1, "invited");
}

async fn nobody_changes_their_own_status_nor_someone_more_powerful_or_out_of_reach(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let south = create(&app, agency, "South").await;
    let ada = ada_id(&app).await;
    for (endpoint, verb) in [
        ("suspend_user", "suspend"),
        ("reactivate_user", "reactivate"),
        ("disable_user", "disable"),
        ("reinvite_user", "reinvite"),
        ("delete_user", "delete"),
    ] {
        let form = [("user_id", ada.to_string()), ("reason", "Tired".to_string())];
        let err = refused(&app, &app.client, endpoint, &pairs(&form), StatusCode::CONFLICT).await;
        assert_eq!(message(&err), format!("You cannot {verb} your own account."));
    }
    let own = ok(&app, &app.client, "get_user", &[("user_id", &ada.to_string())]).await;
    assert_eq!(own["may_manage"], false, "not on one's own page either");

    // Carl manages the users of North; Ann is at home there but also holds a role at South;
    // Olga holds Administrator at North, with billing, which Carl lacks.
    let carl = person(&app, agency, "carl@example.com", "Carl", north, "Account Admin").await;
    let ann = person(&app, agency, "ann@example.com", "Ann", north, "User").await;
    give(&app, agency, south, ann, "Call Agent").await;
    let eve = person(&app, agency, "eve@example.com", "Eve", south, "User").await;
    let olga = person(&app, agency, "olga@example.com", "Olga", north, "Administrator").await;
    let carl_c = app.client_for("carl@example.com").await;

    let err = suspend(&app, &carl_c, olga, "Because").await;
    assert_eq!(err.0, StatusCode::FORBIDDEN, "{}", err.1);
    let err = suspend(&app, &carl_c, ann, "Because").await;
    assert_eq!(err.0, StatusCode::FORBIDDEN, "{}", err.1);
    let shown = ok(&app, &carl_c, "get_user", &[("user_id", &ann.to_string())]).await;
    assert_eq!(shown["may_manage"], false);
    for endpoint in ["disable_user", "delete_user"] {
        assert_eq!(act(&app, &carl_c, endpoint, ann).await.0, StatusCode::FORBIDDEN);
    }
    // Out of reach: the same answer as for nobody at all.
    let (status, err) = suspend(&app, &carl_c, eve, "Because").await;
    let (_, nobody) = suspend(&app, &carl_c, 987_654, "Because").await;
    assert_eq!((status, &err), (StatusCode::NOT_FOUND, &nobody));
    assert_eq!(message(&err), NOT_FOUND);
    assert!(!err.to_string().contains("Eve"));
    // Nor an administrator above him.
    assert_eq!(act(&app, &carl_c, "disable_user", ada).await.0, StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, ann).await.0, "active");
    assert_eq!(status_of(&app, eve).await.0, "active");

    // Once Ann's role at South is gone, she is within Carl's management.
    let call_agent = role(&app, agency, "Call Agent").await;
    let form = [
        ("node_id", south.to_string()),
        ("user_id", ann.to_string()),
        ("role_id", call_agent.to_string()),
    ];
    ok(&app, &app.client, "revoke_role", &pairs(&form)).await;
    let shown = ok(&app, &carl_c, "get_user", &[("user_id", &ann.to_string())]).await;
    assert_eq!(shown["may_manage"], true);
    let (status, body) = suspend(&app, &carl_c, ann, "Because").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let entry = &audited(&app, ann, "user_suspended").await[0];
    assert_eq!((entry.0, entry.1.as_str()), (Some(carl), "Carl Tester"));
}

async fn the_last_administrator_cannot_be_suspended_disabled_or_deleted(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, north) = agency_and_north(&app).await;
    let bob = person(&app, agency, "bob@example.com", "Bob", agency, "Agency Administrator").await;
    // Cy holds every permission across the agency without an administrator role (nobody
    // changes the status of someone holding permissions beyond their own).
    let keys: Vec<(String, String)> = app::domain::Permission::all()
        .into_iter()
        .filter(|p| *p != app::domain::Permission::ViewOwnCallsOnly)
        .enumerate()
        .map(|(i, p)| (format!("permissions[{i}]"), p.key()))
        .collect();
    let mut form =
        vec![("agency_node_id", agency.to_string()), ("name", "People Manager".to_string())];
    form.extend(keys.iter().map(|(k, v)| (k.as_str(), v.clone())));
    ok(&app, &app.client, "save_role", &pairs(&form)).await;
    let cy = person(&app, agency, "cy@example.com", "Cy", agency, "People Manager").await;
    let bob_c = app.client_for("bob@example.com").await;
    let cy_c = app.client_for("cy@example.com").await;
    let dan = person(&app, agency, "dan@example.com", "Dan", north, "Administrator").await;

    // Bob suspends Ada: Bob is still there to administer the agency.
    let ada = ada_id(&app).await;
    assert_eq!(suspend(&app, &bob_c, ada, "Gone fishing").await.0, StatusCode::OK);
    let entries = "SELECT COUNT(*) FROM audit_log";
    let before = scalar(&app, entries).await;
    let last = "Bob Tester is the last administrator of Acme Agency. Give someone else an \
                administrator role there first, so that someone can still manage it.";
    for endpoint in ["suspend_user", "disable_user", "delete_user"] {
        let (status, err) = match endpoint {
            "suspend_user" => suspend(&app, &cy_c, bob, "Coup").await,
            _ => act(&app, &cy_c, endpoint, bob).await,
        };
        assert_eq!(status, StatusCode::CONFLICT, "{endpoint}: {err}");
        assert_eq!(message(&err), last, "{endpoint}");
    }
    // Nothing changed: his status, his roles, his session, the history.
    assert_eq!(status_of(&app, bob).await.0, "active");
    assert_eq!(count(&app, "SELECT COUNT(*) FROM memberships WHERE user_id = $1", bob).await, 1);
    assert_eq!(app.viewer_email(&bob_c).await.as_deref(), Some("bob@example.com"));
    assert_eq!(scalar(&app, entries).await, before);

    // Dan is not the last administrator of North: Bob counts there too.
    assert_eq!(act(&app, &bob_c, "disable_user", dan).await.0, StatusCode::OK);
    // Two weeks later Ada is back; then Bob may go.
    app.clock.advance(14 * DAY);
    let cy_c = app.client_for("cy@example.com").await;
    assert_eq!(act(&app, &cy_c, "reactivate_user", ada).await.0, StatusCode::OK);
    let (status, body) = suspend(&app, &cy_c, bob, "Coup").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(cy, audited(&app, bob, "user_suspended").await[0].0.unwrap());
}

async fn two_administrators_suspending_each_other_at_once_leave_one_active(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (agency, _) = agency_and_north(&app).await;
    let ada = ada_id(&app).await;
    let bob = person(&app, agency, "bob@example.com", "Bob", agency, "Agency Administrator").await;
    let (mut ada_c, mut bob_c) = (app.client.clone(), app.client_for("bob@example.com").await);
    for round in 0..4 {
        let (a, b) =
            tokio::join!(suspend(&app, &ada_c, bob, "Round"), suspend(&app, &bob_c, ada, "Round"),);
        let wins = [&a, &b].iter().filter(|r| r.0 == StatusCode::OK).count();
        assert_eq!(wins, 1, "round {round}: exactly one succeeds: {a:?} {b:?}");
        for (status, body) in [&a, &b].into_iter().filter(|r| r.0 != StatusCode::OK) {
            // Refused as the last administrator, or found already signed out.
            assert!(
                *status == StatusCode::CONFLICT || *status == StatusCode::UNAUTHORIZED,
                "round {round}: {status} {body}"
            );
        }
        let (ada_status, bob_status) = (status_of(&app, ada).await.0, status_of(&app, bob).await.0);
        let mut both = [ada_status.as_str(), bob_status.as_str()];
        both.sort();
        assert_eq!(both, ["active", "suspended"], "round {round}");
        // The winner brings the other back two weeks later (signing in again: sessions do
        // not last that long), for the next round.
        app.clock.advance(14 * DAY);
        let (winner, loser) = match ada_status.as_str() {
            "active" => ("ada@example.com", bob),
            _ => ("bob@example.com", ada),
        };
        let winner = app.client_for(winner).await;
        assert_eq!(act(&app, &winner, "reactivate_user", loser).await.0, StatusCode::OK);
        ada_c = app.client_for("ada@example.com").await;
        bob_c = app.client_for("bob@example.com").await;
    }
}
