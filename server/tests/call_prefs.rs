//! Call preferences over HTTP on SQLite and PostgreSQL: the defaults; every field checked
//! with a message at the field and nothing saved on a failed save; people edit their own
//! but not the administrators' flags; whoever manages the person at their home account and
//! wherever they hold a role edits everything, anyone else cannot; two administrators
//! saving at once; rows stored in the table's format read back, a stale field as its
//! default; the agency's custom field labels; the audit log.

use crate::common::{Backend, TestApp, ok, refused};
use app::{
    domain::{BuiltinRole, NodeId, NodeKind, UserId},
    server::repo::{memberships, nodes, roles},
};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

on_both_backends!(
    a_person_starts_with_the_defaults_and_every_field_is_checked,
    people_edit_their_own_but_not_the_administrators_flags,
    the_home_accounts_administrators_edit_and_other_accounts_cannot,
    two_administrators_saving_at_once_cannot_overwrite_each_other,
);

mod agency_labels;
mod stored;

async fn setup(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn node(app: &TestApp, parent: Option<i64>, kind: NodeKind, name: &str) -> i64 {
    let mut conn = app.server.state.db.pool.acquire().await.unwrap();
    nodes::insert(&mut conn, parent.map(NodeId), kind, name, app.clock.now()).await.unwrap().0
}

async fn give(app: &TestApp, user: i64, at: i64, role: BuiltinRole) {
    let mut conn = app.server.state.db.pool.acquire().await.unwrap();
    let role = roles::builtin_id(&mut conn, role).await.unwrap();
    memberships::grant(&mut conn, UserId(user), NodeId(at), role, None, app.clock.now())
        .await
        .unwrap();
}

/// A person at home at `home` holding `role` there, signed in.
async fn person(app: &TestApp, email: &str, home: i64, role: BuiltinRole) -> (i64, Client) {
    let id = app.add_user(email, "Pat", home).await;
    give(app, id, home, role).await;
    (id, app.client_for(email).await)
}

async fn get(app: &TestApp, c: &Client, user: i64) -> Value {
    ok(app, c, "get_call_preferences", &[("user_id", &user.to_string())]).await
}

/// Saves `prefs` (JSON, as the page sends it).
async fn save(
    app: &TestApp,
    c: &Client,
    user: i64,
    prefs: &Value,
    version: i64,
) -> (StatusCode, Value) {
    let body = json!({ "user_id": user, "prefs": prefs, "version": version });
    let res = c.post(app.url("/api/save_call_preferences")).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn saved(app: &TestApp, c: &Client, user: i64, prefs: &Value, version: i64) -> Value {
    let (status, body) = save(app, c, user, prefs, version).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// One rule broken: the field it names, and the change to the preferences that breaks it.
type Case = (&'static str, Box<dyn Fn(&mut Value)>);

fn case(field: &'static str, change: impl Fn(&mut Value) + 'static) -> Case {
    (field, Box::new(change))
}

fn fields_named(err: &Value) -> Vec<String> {
    let mut named: Vec<String> = err["fields"]
        .as_array()
        .map(|a| a.iter().map(|f| f["field"].as_str().unwrap().to_string()).collect())
        .unwrap_or_default();
    named.sort();
    named
}

async fn rows(app: &TestApp, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    n
}

async fn audit_details(app: &TestApp, action: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT details FROM audit_log WHERE action = $1 ORDER BY id")
            .bind(action)
            .fetch_all(&app.server.state.db.pool)
            .await
            .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn a_person_starts_with_the_defaults_and_every_field_is_checked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (cal, c) = person(&app, "cal@example.com", agency, BuiltinRole::CallAgent).await;
    let before = get(&app, &c, cal).await;
    let p = &before["prefs"];
    assert_eq!(p["send_calls_to"], "email", "calls go by e-mail by default");
    assert_eq!(p["email"], "cal@example.com", "to the person's own address");
    assert_eq!(p["missed_call_email"], "team");
    assert_eq!(p["audio_bitrate"], 32);
    assert_eq!(p["text_window"], json!({ "start": 480, "end": 1140 }));
    assert_eq!(p["schedule"][0], json!([[540, 1020]]), "Monday 09:00–17:00");
    assert_eq!(p["schedule"][6], json!([]), "not on Sundays");
    assert_eq!(p["admin_flags"]["can_view_all_sms"], false);
    assert_eq!(before["version"], 0);
    assert_eq!(
        (before["can_edit"].as_bool(), before["can_edit_admin_flags"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(
        before["custom_labels"],
        json!(["Custom field 1", "Custom field 2", "Custom field 3", "Custom field 4"])
    );
    assert_eq!(before["time_zone"], "America/New_York");

    // One rule at a time: the field named, the whole save refused.
    let cases = [
        case("phone", |p: &mut Value| {
            p["send_calls_to"] = "text".into();
            p["phone"] = "555-1234".into();
        }),
        case("phone", |p: &mut Value| {
            p["send_calls_to"] = "text".into();
            p["phone"] = "".into();
        }),
        case("phone", |p: &mut Value| p["phone"] = "+1 202 555 012".into()),
        case("phone", |p: &mut Value| p["phone"] = "+999 1234 5678".into()),
        case("email", |p: &mut Value| p["email"] = "not an address".into()),
        case("email", |p: &mut Value| p["email"] = "".into()),
        case("direct_dial_number", |p: &mut Value| p["direct_dial_number"] = "202-555-0123".into()),
        case("direct_dial_number", |p: &mut Value| p["direct_dial_extension"] = "42".into()),
        case("direct_dial_extension", |p: &mut Value| {
            p["direct_dial_number"] = "+12025550123".into();
            p["direct_dial_extension"] = "12a".into();
        }),
        case("direct_dial_extension", |p: &mut Value| {
            p["direct_dial_number"] = "+12025550123".into();
            p["direct_dial_extension"] = "12345678901".into();
        }),
        case("sip_address", |p: &mut Value| p["sip_address"] = "http://x".into()),
        case("sip_address", |p: &mut Value| p["sip_address"] = "sip:pbx.example.com".into()),
        case("schedule.monday", |p: &mut Value| p["schedule"][0] = json!([[540, 720], [700, 800]])),
        case("schedule.tuesday", |p: &mut Value| p["schedule"][1] = json!([[720, 540]])),
        case("schedule.sunday", |p: &mut Value| p["schedule"][6] = json!([[0, 1500]])),
        case("text_window.end", |p: &mut Value| {
            p["text_window"] = json!({ "start": 1140, "end": 480 })
        }),
        case("audio_bitrate", |p: &mut Value| p["audio_bitrate"] = 33.into()),
        case("custom_fields.2", |p: &mut Value| p["custom_fields"][2] = "x".repeat(201).into()),
    ];
    for (field, change) in &cases {
        let mut prefs = before["prefs"].clone();
        change(&mut prefs);
        let (status, err) = save(&app, &c, cal, &prefs, 0).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {err}");
        assert_eq!(fields_named(&err), [*field], "{err}");
        assert!(!err["fields"][0]["message"].as_str().unwrap().is_empty());
    }
    // Everything at once: every field named together, each once, with its own message.
    let mut all = before["prefs"].clone();
    for (_, change) in cases.iter().skip(1).step_by(3) {
        change(&mut all);
    }
    let (status, err) = save(&app, &c, cal, &all, 0).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        fields_named(&err),
        [
            "audio_bitrate",
            "direct_dial_number",
            "email",
            "phone",
            "schedule.tuesday",
            "sip_address"
        ],
        "{err}"
    );
    let messages: Vec<&str> =
        err["fields"].as_array().unwrap().iter().map(|f| f["message"].as_str().unwrap()).collect();
    let distinct: std::collections::BTreeSet<&&str> = messages.iter().collect();
    assert_eq!(distinct.len(), messages.len(), "a specific message per field: {messages:?}");
    assert_eq!(get(&app, &c, cal).await, before, "nothing saved");
    assert_eq!(rows(&app, "call_preferences").await, 0);

    // Valid: tidied on the way in.
    let mut good = before["prefs"].clone();
    good["send_calls_to"] = "text".into();
    good["phone"] = " +1 (202) 555-0123 ".into();
    good["sip_address"] = "SIPS:cal@pbx.example.com".into();
    good["direct_dial_number"] = "+44 20 7946 0958".into();
    good["direct_dial_extension"] = "204".into();
    good["schedule"][5] = json!([[780, 840], [540, 720]]);
    good["text_window"] = json!({ "start": 0, "end": 1440 });
    good["dial_app_first"] = true.into();
    good["audio_bitrate"] = 64.into();
    good["missed_call_email"] = "always".into();
    good["custom_fields"][0] = "  Spanish ".into();
    let after = saved(&app, &c, cal, &good, 0).await;
    let p = &after["prefs"];
    assert_eq!(p["phone"], "+12025550123", "E.164");
    assert_eq!(p["direct_dial_number"], "+442079460958");
    assert_eq!(p["sip_address"], "sips:cal@pbx.example.com");
    assert_eq!(p["schedule"][5], json!([[540, 720], [780, 840]]), "in order");
    assert_eq!(p["custom_fields"][0], "Spanish");
    assert_eq!(after["version"], 1);
    assert_eq!(get(&app, &c, cal).await, after, "stored as answered");
    let (to, phone, email, bitrate): (String, Option<String>, Option<String>, i64) = sqlx::query_as(
        "SELECT send_calls_to, phone, email, audio_bitrate FROM call_preferences WHERE user_id = $1",
    )
    .bind(cal)
    .fetch_one(&app.server.state.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (to.as_str(), phone.as_deref(), email.as_deref(), bitrate),
        ("text", Some("+12025550123"), Some("cal@example.com"), 64)
    );

    // Calls back to e-mail; the phone may be cleared then.
    let mut back = after["prefs"].clone();
    back["send_calls_to"] = "email".into();
    back["phone"] = "".into();
    let again = saved(&app, &c, cal, &back, 1).await;
    assert_eq!(again["version"], 2);
    // A save that changes nothing writes nothing.
    let same = saved(&app, &c, cal, &again["prefs"], 2).await;
    assert_eq!(same["version"], 2);

    let details = audit_details(&app, "call_preferences_updated").await;
    assert_eq!(details.len(), 2, "{details:?}");
    assert!(details[0].contains("send calls to: E-mail → Text message (SMS)"), "{details:?}");
    assert!(
        details[0].contains("mobile number") && details[0].contains("audio bitrate: 32 → 64 kbps")
    );
    assert!(details[0].contains("Custom field 1"), "{details:?}");
    assert!(
        details[0].contains("hours on Saturday: not available → 09:00–12:00, 13:00–14:00")
            && details[0].contains("texting until: 19:00 → 24:00")
            && details[0].contains("dial the app first: on"),
        "{details:?}"
    );
    assert!(!details[0].contains("2025550123"), "contact details are named, not copied");
    assert!(!details[0].contains("Spanish"), "custom field text is named, not copied");
    assert_eq!(details[1], "send calls to: Text message (SMS) → E-mail; mobile number");
    let (actor, target): (String, Option<i64>) = sqlx::query_as(
        "SELECT actor_name, target_user_id FROM audit_log WHERE action = 'call_preferences_updated'",
    )
    .fetch_all(&app.server.state.db.pool)
    .await
    .unwrap()
    .remove(0);
    assert_eq!((actor.as_str(), target), ("Pat Tester", Some(cal)));
}

async fn people_edit_their_own_but_not_the_administrators_flags(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (cal, c) = person(&app, "cal@example.com", agency, BuiltinRole::CallAgent).await;
    let mine = get(&app, &c, cal).await;
    let mut flags = mine["prefs"].clone();
    flags["admin_flags"]["can_view_all_sms"] = true.into();
    refused_save(&app, &c, cal, &flags, 0, StatusCode::FORBIDDEN).await;
    assert_eq!(rows(&app, "call_preferences").await, 0, "nothing saved");

    // Ada (the agency's administrator) sets it; Cal sees it, and saves around it.
    let theirs = get(&app, &app.client, cal).await;
    assert_eq!(theirs["can_edit_admin_flags"], true);
    let set = saved(&app, &app.client, cal, &flags, 0).await;
    assert_eq!(set["prefs"]["admin_flags"]["can_view_all_sms"], true);
    let mut own = get(&app, &c, cal).await["prefs"].clone();
    assert_eq!(own["admin_flags"]["can_view_all_sms"], true, "read-only, but shown");
    own["call_waiting"] = false.into();
    let after = saved(&app, &c, cal, &own, 1).await;
    assert_eq!(after["prefs"]["admin_flags"]["can_view_all_sms"], true, "kept");
    assert_eq!(after["prefs"]["call_waiting"], false);
    own["admin_flags"]["can_view_all_sms"] = false.into();
    refused_save(&app, &c, cal, &own, 2, StatusCode::FORBIDDEN).await;
    // Someone else's preferences: not within a call agent's reach.
    let (other, _) = person(&app, "other@example.com", agency, BuiltinRole::User).await;
    let err = refused(
        &app,
        &c,
        "get_call_preferences",
        &[("user_id", &other.to_string())],
        StatusCode::NOT_FOUND,
    )
    .await;
    let none =
        refused(&app, &c, "get_call_preferences", &[("user_id", "99999")], StatusCode::NOT_FOUND)
            .await;
    assert_eq!(err, none, "the same answer as nobody at all");
    refused_save(&app, &c, other, &own, 0, StatusCode::NOT_FOUND).await;
}

async fn refused_save(
    app: &TestApp,
    c: &Client,
    user: i64,
    prefs: &Value,
    version: i64,
    expected: StatusCode,
) -> Value {
    let (status, body) = save(app, c, user, prefs, version).await;
    assert_eq!(status, expected, "{body}");
    body
}

async fn the_home_accounts_administrators_edit_and_other_accounts_cannot(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let north = node(&app, Some(agency), NodeKind::Account, "North").await;
    let south = node(&app, Some(agency), NodeKind::Account, "South").await;
    let (nadia, nadia_c) =
        person(&app, "nadia@example.com", north, BuiltinRole::Administrator).await;
    let (_, sam_c) = person(&app, "sam@example.com", south, BuiltinRole::Administrator).await;
    let (_, mia_c) = person(&app, "mia@example.com", agency, BuiltinRole::MarketingManager).await;
    let (bob, _) = person(&app, "bob@example.com", north, BuiltinRole::CallAgent).await;

    let seen = get(&app, &nadia_c, bob).await;
    assert_eq!(
        (seen["can_edit"].as_bool(), seen["can_edit_admin_flags"].as_bool()),
        (Some(true), Some(true))
    );
    let mut prefs = seen["prefs"].clone();
    prefs["admin_flags"]["can_view_missed_calls"] = true.into();
    prefs["sip_address"] = "sip:bob@pbx.example.com".into();
    let after = saved(&app, &nadia_c, bob, &prefs, 0).await;
    assert_eq!(after["prefs"]["admin_flags"]["can_view_missed_calls"], true);

    // Someone who may see Bob but not manage users: read-only.
    let read_only = get(&app, &mia_c, bob).await;
    assert_eq!(
        (read_only["can_edit"].as_bool(), read_only["can_edit_admin_flags"].as_bool()),
        (Some(false), Some(false))
    );
    assert_eq!(read_only["prefs"], after["prefs"]);
    refused_save(&app, &mia_c, bob, &prefs, 1, StatusCode::FORBIDDEN).await;
    // Another account's administrator: Bob is out of reach, as if he did not exist.
    refused(
        &app,
        &sam_c,
        "get_call_preferences",
        &[("user_id", &bob.to_string())],
        StatusCode::NOT_FOUND,
    )
    .await;
    refused_save(&app, &sam_c, bob, &prefs, 1, StatusCode::NOT_FOUND).await;
    // Bob, created by North, also works at South: South sees but does not manage him.
    give(&app, bob, south, BuiltinRole::CallAgent).await;
    let from_south = get(&app, &sam_c, bob).await;
    assert_eq!(from_south["can_edit"], false);
    refused_save(&app, &sam_c, bob, &prefs, 1, StatusCode::FORBIDDEN).await;
    // Another agency's administrator.
    let bravo = node(&app, None, NodeKind::Agency, "Bravo Agency").await;
    let (_, bea_c) = person(&app, "bea@example.com", bravo, BuiltinRole::AgencyAdministrator).await;
    refused(
        &app,
        &bea_c,
        "get_call_preferences",
        &[("user_id", &bob.to_string())],
        StatusCode::NOT_FOUND,
    )
    .await;
    refused_save(&app, &bea_c, bob, &prefs, 1, StatusCode::NOT_FOUND).await;
    let now = get(&app, &nadia_c, bob).await;
    assert_eq!((&now["prefs"], &now["version"]), (&after["prefs"], &after["version"]), "unchanged");
    // Now that Bob works at South too, North alone no longer manages where his calls go.
    assert_eq!(
        (now["can_edit"].as_bool(), now["can_edit_admin_flags"].as_bool()),
        (Some(false), Some(false))
    );
    refused_save(&app, &nadia_c, bob, &prefs, 1, StatusCode::FORBIDDEN).await;
    // Nadia's own preferences: she manages users at her home, so her flags too.
    assert_eq!(get(&app, &nadia_c, nadia).await["can_edit_admin_flags"], true);
    let anonymous = app
        .call_with(&Client::new(), "get_call_preferences", &[("user_id", &bob.to_string())])
        .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn two_administrators_saving_at_once_cannot_overwrite_each_other(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (_, eve) = person(&app, "eve@example.com", agency, BuiltinRole::Administrator).await;
    let (bob, _) = person(&app, "bob@example.com", agency, BuiltinRole::CallAgent).await;
    // Both open the form at version 0; Ada saves first.
    let form = get(&app, &app.client, bob).await;
    let mut ada_prefs = form["prefs"].clone();
    ada_prefs["custom_fields"][0] = "Ada's".into();
    let mut eve_prefs = form["prefs"].clone();
    eve_prefs["custom_fields"][1] = "Eve's".into();
    saved(&app, &app.client, bob, &ada_prefs, 0).await;
    let err = refused_save(&app, &eve, bob, &eve_prefs, 0, StatusCode::CONFLICT).await;
    assert!(
        err["message"].as_str().unwrap().contains("Someone else saved these preferences"),
        "{err}"
    );
    let now = get(&app, &eve, bob).await;
    assert_eq!(now["prefs"]["custom_fields"], json!(["Ada's", "", "", ""]), "Ada's save stands");
    // Eve reloads and saves again.
    let mut again = now["prefs"].clone();
    again["custom_fields"][1] = "Eve's".into();
    assert_eq!(saved(&app, &eve, bob, &again, 1).await["version"], 2);
    // Two saves truly at once, from the same version: one wins, the other is told.
    let mut x = again.clone();
    x["custom_fields"][2] = "x".into();
    let mut y = again.clone();
    y["custom_fields"][2] = "y".into();
    let (a, b) = tokio::join!(save(&app, &app.client, bob, &x, 2), save(&app, &eve, bob, &y, 2));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{a:?} {b:?}");
    let winner = if a.0 == StatusCode::OK { "x" } else { "y" };
    assert_eq!(get(&app, &eve, bob).await["prefs"]["custom_fields"][2], winner);
    // The same race on the very first save (nothing stored yet).
    let (carl, _) = person(&app, "carl@example.com", agency, BuiltinRole::CallAgent).await;
    let first = get(&app, &eve, carl).await["prefs"].clone();
    let mut x = first.clone();
    x["custom_fields"][0] = "x".into();
    let mut y = first;
    y["custom_fields"][0] = "y".into();
    let (a, b) = tokio::join!(save(&app, &app.client, carl, &x, 0), save(&app, &eve, carl, &y, 0));
    let mut statuses = [a.0, b.0];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT], "{a:?} {b:?}");
}
