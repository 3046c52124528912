//! The audit log's hash chain, attacked as someone with rights on the database would: the
//! append-only triggers dropped, then an entry changed, removed, moved, or the table emptied.
//! `audit verify` (the function and the command's) names the first broken entry each time;
//! TRUNCATE is refused outright; concurrent audited writes leave one unbroken chain; entries
//! older than the chain are reported, not taken for tampering.

use super::{create, setup};
use crate::common::{self, Backend, TestApp, ok};
use app::server::audit::verify::{self, Anchor, Problem, Report};
use reqwest::StatusCode;

crate::on_both_backends!(
    an_intact_log_verifies_and_the_command_prints_its_head,
    a_changed_entry_is_found_at_its_id,
    a_removed_entry_is_found_at_the_entry_after_it,
    swapped_entries_are_found_out_of_order,
    truncate_is_refused_and_an_emptied_log_fails_its_anchor,
    concurrent_audited_writes_leave_one_chain,
    entries_older_than_the_chain_are_reported_not_taken_for_tampering,
);

async fn verify(app: &TestApp, anchor: Option<Anchor>) -> Report {
    let mut conn = app.server.state.db.pool.acquire().await.expect("connection");
    verify::verify(&mut conn, anchor).await.expect("verify reads the log")
}

/// `roster audit verify` as the binary runs it (an `Err` is a non-zero exit).
async fn command(app: &TestApp, anchor: Option<Anchor>) -> anyhow::Result<String> {
    server::audit_verify::verify(&common::config(app.database_url.clone()), anchor).await
}

/// What an attacker with rights on the database does first: the triggers of 0006 and 0013
/// that keep the log append-only are dropped.
async fn drop_append_only_triggers(app: &TestApp) {
    match app.backend {
        Backend::Sqlite => {
            app.sql("DROP TRIGGER audit_log_no_update").await;
            app.sql("DROP TRIGGER audit_log_no_delete").await;
        }
        Backend::Postgres => {
            app.sql("DROP TRIGGER audit_log_append_only ON audit_log").await;
            app.sql("DROP TRIGGER audit_log_no_truncate ON audit_log").await;
        }
    }
}

/// An agency with a few entries (setup, five nodes); the entries' ids in order.
async fn history(app: &TestApp) -> Vec<i64> {
    let agency = setup(app).await;
    for name in ["North", "South", "East", "West", "Centre"] {
        create(app, agency, name).await;
    }
    let ids: Vec<(i64,)> = sqlx::query_as("SELECT id FROM audit_log ORDER BY id")
        .fetch_all(&app.server.state.db.pool)
        .await
        .unwrap();
    let ids: Vec<i64> = ids.into_iter().map(|(id,)| id).collect();
    assert!(ids.len() >= 6, "setup and five nodes are audited: {ids:?}");
    ids
}

fn broken(report: &Report) -> (i64, Problem) {
    let b = report.broken.clone().unwrap_or_else(|| panic!("not found: {report}"));
    (b.id, b.problem)
}

async fn an_intact_log_verifies_and_the_command_prints_its_head(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = history(&app).await;
    let report = verify(&app, None).await;
    assert_eq!(report.broken, None, "{report}");
    assert_eq!((report.entries, report.before_chain), (ids.len() as u64, 0));
    assert_eq!(report.chain_from, Some(ids[0]));
    let head = report.head.clone().unwrap();
    assert_eq!(head.seq, ids.len() as i64, "positions 1..n without gaps");

    let printed = command(&app, None).await.expect("intact: exit status 0");
    assert!(printed.contains(&format!("intact: {} entries", ids.len())), "{printed}");
    let anchor: Anchor = printed.rsplit(' ').next().unwrap().parse().expect("the head");
    assert_eq!(anchor, head);
    // More entries later: the chain still passes through the head kept from before.
    create(&app, ids[0], "Later").await;
    let later = command(&app, Some(anchor)).await.expect("still intact");
    assert!(later.contains(&format!("intact: {} entries", ids.len() + 1)), "{later}");
}

async fn a_changed_entry_is_found_at_its_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = history(&app).await;
    drop_append_only_triggers(&app).await;
    let target = ids[3];
    app.sql(&format!("UPDATE audit_log SET details = 'nothing to see' WHERE id = {target}")).await;

    assert_eq!(broken(&verify(&app, None).await), (target, Problem::ContentChanged));
    let err = command(&app, None).await.expect_err("broken: a non-zero exit").to_string();
    assert!(err.contains(&format!("BROKEN: entry {target}: ")), "{err}");
    assert!(err.contains("changed"), "{err}");
}

async fn a_removed_entry_is_found_at_the_entry_after_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = history(&app).await;
    drop_append_only_triggers(&app).await;
    app.sql(&format!("DELETE FROM audit_log WHERE id = {}", ids[2])).await;

    let expected = Problem::Missing { expected: 3, found: 4 };
    assert_eq!(broken(&verify(&app, None).await), (ids[3], expected));
    let err = command(&app, None).await.expect_err("broken").to_string();
    assert!(err.contains(&format!("entry {}: 1 entry before it missing", ids[3])), "{err}");
}

async fn swapped_entries_are_found_out_of_order(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = history(&app).await;
    drop_append_only_triggers(&app).await;
    let (a, b) = (ids[1], ids[4]);
    app.sql(&format!("UPDATE audit_log SET id = -1 WHERE id = {a}")).await;
    app.sql(&format!("UPDATE audit_log SET id = {a} WHERE id = {b}")).await;
    app.sql(&format!("UPDATE audit_log SET id = {b} WHERE id = -1")).await;

    let expected = Problem::OutOfOrder { seq: 5, expected: 2 };
    assert_eq!(broken(&verify(&app, None).await), (a, expected));
}

async fn truncate_is_refused_and_an_emptied_log_fails_its_anchor(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ids = history(&app).await;
    let pool = &app.server.state.db.pool;
    let head = verify(&app, None).await.head.unwrap();
    // SQLite has no TRUNCATE: its bulk removal is an unqualified DELETE (refused by 0006).
    let empty_it = match backend {
        Backend::Sqlite => "DELETE FROM audit_log",
        Backend::Postgres => "TRUNCATE audit_log",
    };
    let err = sqlx::query(empty_it).execute(pool).await.expect_err("refused");
    assert!(err.to_string().contains("append-only"), "{err}");
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.unwrap();
    assert_eq!(n, ids.len() as i64);

    // With the triggers dropped it goes through; only a head kept elsewhere tells.
    drop_append_only_triggers(&app).await;
    app.sql(empty_it).await;
    assert_eq!(verify(&app, None).await.broken, None, "an empty log is consistent in itself");
    let expected = Problem::EndsBeforeAnchor { last_seq: 0, anchor_seq: head.seq };
    assert_eq!(broken(&verify(&app, Some(head.clone())).await), (0, expected));
    assert!(command(&app, Some(head)).await.is_err(), "a non-zero exit");
}

async fn concurrent_audited_writes_leave_one_chain(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup(&app).await.to_string();
    // Twenty requests at once, on tasks of their own, from the administrator's browser.
    let mut writes = tokio::task::JoinSet::new();
    for i in 0..20 {
        let (c, url, agency) = (app.client.clone(), app.url("/api/create_node"), agency.clone());
        writes.spawn(async move {
            let form = [("parent_id", agency), ("name", format!("Office {i}"))];
            c.post(url).form(&form).send().await.expect("request").status()
        });
    }
    // And a bulk add whose 600 entries go in as multi-row inserts (two chunks of `CHUNK`).
    let roles = ok(&app, &app.client, "list_roles", &[("agency_node_id", &agency)]).await;
    let role = roles.as_array().unwrap().iter().find(|r| r["name"] == "Call Agent").unwrap();
    let text: String = (0..600).map(|i| format!("p{i}@example.com,P{i},Person\n")).collect();
    let body = serde_json::json!({
        "node_id": agency.parse::<i64>().unwrap(), "role_id": role["id"], "text": text,
        "batch_id": "chain-batch",
    });
    let (c, url) = (app.client.clone(), app.url("/api/commit_bulk_add"));
    writes.spawn(async move { c.post(url).json(&body).send().await.expect("request").status() });
    let statuses = writes.join_all().await;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK), "{statuses:?}");

    let report = verify(&app, None).await;
    assert_eq!(report.broken, None, "{report}");
    let (created,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'node_created'")
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!(created, 20);
    let (invited,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'user_invited'")
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!(invited, 600);
    assert_eq!(report.head.unwrap().seq, report.entries as i64, "no fork, no gap");
}

async fn entries_older_than_the_chain_are_reported_not_taken_for_tampering(backend: Backend) {
    // Entries as migration 0013 finds them in an existing log: no chain fields, and older
    // than any chained entry (a fresh server has written none yet).
    let app = TestApp::spawn(backend).await;
    let pool = &app.server.state.db.pool;
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.unwrap();
    assert_eq!(n, 0);
    for action in ["old_one", "old_two", "old_three"] {
        sqlx::query("INSERT INTO audit_log (at, actor_name, action) VALUES (1, 'Old', $1)")
            .bind(action)
            .execute(pool)
            .await
            .unwrap();
    }
    setup(&app).await;

    let report = verify(&app, None).await;
    assert_eq!(report.broken, None, "{report}");
    assert_eq!(report.before_chain, 3);
    let (first,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM audit_log WHERE seq IS NOT NULL")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(report.chain_from, Some(first));
    let printed = command(&app, None).await.unwrap();
    assert!(printed.contains(&format!("the chain starts at entry {first} (3 older")), "{printed}");

    // One more written around Roster now is no longer "older": it breaks the chain.
    sqlx::query("INSERT INTO audit_log (at, actor_name, action) VALUES (2, 'Sneaky', 'x')")
        .execute(pool)
        .await
        .unwrap();
    let (sneaky,): (i64,) =
        sqlx::query_as("SELECT MAX(id) FROM audit_log").fetch_one(pool).await.unwrap();
    assert_eq!(broken(&verify(&app, None).await), (sneaky, Problem::Unchained));
}
