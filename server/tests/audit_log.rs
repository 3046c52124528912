//! The audit log page's data over HTTP on SQLite and PostgreSQL: who sees which entries,
//! the filters, keyset paging while entries are added, times in the viewer's time zone, and
//! a log the database itself keeps append-only.

use crate::common::{Backend, START, TestApp, call, ok};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;

on_both_backends!(
    each_person_sees_the_entries_of_their_part_of_the_tree,
    filters_and_pages_hold_while_entries_are_added,
    the_database_refuses_to_change_or_remove_an_entry,
);

/// The hash chain: tampering found, TRUNCATE refused, concurrent writes (a folder of its own
/// so cargo does not take it for a test crate).
mod chain;

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn setup(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let (parent, name) = (parent.to_string(), name.to_string());
    let node =
        ok(app, &app.client, "create_node", &[("parent_id", &parent), ("name", &name)]).await;
    node["id"].as_i64().unwrap()
}

async fn grant(app: &TestApp, node: i64, user: i64, role_name: &str, agency: i64) {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let role = roles.as_array().unwrap().iter().find(|r| r["name"] == role_name).unwrap()["id"]
        .as_i64()
        .unwrap();
    let (node, user, role) = (node.to_string(), user.to_string(), role.to_string());
    ok(
        app,
        &app.client,
        "grant_role",
        &[("node_id", &node), ("user_id", &user), ("role_id", &role)],
    )
    .await;
}

async fn log(app: &TestApp, c: &Client, node: i64, extra: &[(&str, &str)]) -> (StatusCode, Value) {
    let node = node.to_string();
    let mut form = vec![("node_id", node.as_str())];
    form.extend_from_slice(extra);
    call(app, c, "list_audit_log", &form).await
}

fn actions(page: &Value) -> Vec<String> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

fn node_names(page: &Value) -> BTreeSet<String> {
    page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["node_name"].as_str().map(str::to_owned))
        .collect()
}

async fn each_person_sees_the_entries_of_their_part_of_the_tree(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await;
    let (north, south) = (create(&app, agency, "North").await, create(&app, agency, "South").await);
    let office = create(&app, north, "North Office").await;
    let nadia = app.add_user("nadia@example.com", "Nadia", north).await;
    let cal = app.add_user("cal@example.com", "Cal", office).await;
    grant(&app, north, nadia, "Administrator", agency).await;
    grant(&app, office, cal, "Call Agent", agency).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    grant(&app, south, sam, "User", agency).await;

    let (_, all) = log(&app, &app.client, agency, &[]).await;
    let everywhere = node_names(&all);
    assert!(everywhere.contains("North Office") && everywhere.contains("South"), "{all}");

    let nadia_c = app.client_for("nadia@example.com").await;
    let (status, north_log) = log(&app, &nadia_c, north, &[]).await;
    assert_eq!(status, StatusCode::OK, "{north_log}");
    assert_eq!(
        node_names(&north_log),
        ["North", "North Office"].map(String::from).into(),
        "North's administrator sees North and below, nothing of South"
    );
    let (status, _) = log(&app, &nadia_c, south, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = log(&app, &nadia_c, agency, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not the agency-wide log");

    let cal_c = app.client_for("cal@example.com").await;
    let (status, _) = log(&app, &cal_c, office, &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a Call Agent has no audit log");
}

async fn filters_and_pages_hold_while_entries_are_added(backend: Backend) {
    // Sessions that outlast the two months the clock is moved by.
    let app = TestApp::spawn_with(backend, |c| {
        c.session_idle_minutes = 90 * 24 * 60;
        c.session_max_hours = 90 * 24;
    })
    .await;
    let agency = setup(&app).await;
    // 60 accounts, one a day: 60 node_created entries over two months.
    for i in 0..60 {
        create(&app, agency, &format!("Branch {i:02}")).await;
        app.clock.advance(DAY);
    }
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    grant(&app, agency, bob, "User", agency).await;

    // By action, by target, by actor.
    let (_, granted) = log(&app, &app.client, agency, &[("filter[action]", "role_granted")]).await;
    assert_eq!(actions(&granted), ["role_granted"]);
    assert_eq!(granted["entries"][0]["target"], "Bob Tester");
    let (_, by_target) = log(&app, &app.client, agency, &[("filter[target]", "BO")]).await;
    assert_eq!(actions(&by_target), ["role_granted"]);
    let (_, by_actor) = log(&app, &app.client, agency, &[("filter[actor]", "nobody")]).await;
    assert!(actions(&by_actor).is_empty());

    // By day, in the viewer's time zone (America/New_York by default): the first ten days.
    let day = |offset: i64| chrono_day(START + offset * DAY);
    let (status, first_days) = log(
        &app,
        &app.client,
        agency,
        &[
            ("filter[action]", "node_created"),
            ("filter[from]", &day(0)),
            ("filter[until]", &day(9)),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{first_days}");
    let n = actions(&first_days).len();
    assert!((9..=11).contains(&n), "about ten days of entries, got {n}");
    let (status, err) = log(&app, &app.client, agency, &[("filter[from]", "yesterday")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "from");
    let shown = first_days["entries"][0]["at_local"].as_str().unwrap();
    assert!(shown.ends_with(" EST") || shown.ends_with(" EDT"), "New York time: {shown}");

    // Paging: 50 a page, newest first; entries added between pages neither repeat nor
    // push anything off.
    let filter = [("filter[action]", "node_created")];
    let (_, first) = log(&app, &app.client, agency, &filter).await;
    assert_eq!(actions(&first).len(), 50);
    create(&app, agency, "Added between pages").await;
    let before = first["next_before"].as_i64().unwrap().to_string();
    let mut second_form = filter.to_vec();
    second_form.push(("before_id", &before));
    let (_, second) = log(&app, &app.client, agency, &second_form).await;
    assert_eq!(actions(&second).len(), 10, "the 60 first entries, across two pages");
    assert!(second["next_before"].is_null());
    let ids = |p: &Value| -> Vec<i64> {
        p["entries"].as_array().unwrap().iter().map(|e| e["id"].as_i64().unwrap()).collect()
    };
    let seen: BTreeSet<i64> = ids(&first).into_iter().chain(ids(&second)).collect();
    assert_eq!(seen.len(), 60, "no duplicates, no gaps");
}

/// `YYYY-MM-DD` of an instant in New York.
fn chrono_day(ms: i64) -> String {
    use chrono::TimeZone;
    let t = chrono_tz::America::New_York.timestamp_millis_opt(ms).unwrap();
    t.format("%Y-%m-%d").to_string()
}

async fn the_database_refuses_to_change_or_remove_an_entry(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    setup(&app).await;
    let pool = &app.server.state.db.pool;
    let update =
        sqlx::query("UPDATE audit_log SET actor_name = 'someone else'").execute(pool).await;
    assert!(update.is_err(), "an entry cannot be changed");
    let delete = sqlx::query("DELETE FROM audit_log").execute(pool).await;
    assert!(delete.is_err(), "an entry cannot be removed");
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.unwrap();
    assert!(n > 0);
}
