//! A server killed with SIGKILL in the middle of a bulk add: the batch is one transaction,
//! so PostgreSQL rolls all of it back when the dead server's connection goes; what was
//! committed before stays, and the same batch can then be added through another server.
//!
//! Bulk-add progress is kept in the memory of the server running the batch: asked of
//! another server, it answers "nothing known" (`null`; the page shows a bar without a
//! figure until the commit answers), never a wrong figure.

use super::{child::ChildServer, mail, scalar};
use crate::common::{Backend, PASSWORD, TestApp, client, ok};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use sqlx::{Connection, PgConnection};
use std::time::{Duration, Instant};

on_postgres!(a_server_killed_in_the_middle_of_a_bulk_add_leaves_nothing_half_done);

/// New addresses in the interrupted batch: more than one chunk of the commit (500).
const NEW: usize = 600;
/// People who exist already: given the role after every invitation is written.
const EXISTING: [&str; 3] = ["dee@example.com", "eve@example.com", "fay@example.com"];

fn batch_text() -> String {
    let mut text: Vec<String> =
        (0..NEW).map(|i| format!("new{i}@example.com, New, Person{i}")).collect();
    text.extend(EXISTING.iter().map(|e| format!("{e}, Known, Person")));
    text.join("\n")
}

fn commit_body(node: i64, role: i64, text: &str, batch: &str) -> Value {
    json!({ "node_id": node, "role_id": role, "text": text, "batch_id": batch })
}

/// `commit_bulk_add` at `url` (the server's base), as the page sends it.
async fn commit(c: &Client, base: &str, body: &Value) -> reqwest::Result<reqwest::Response> {
    c.post(format!("{base}/api/commit_bulk_add")).json(body).send().await
}

async fn progress(c: &Client, base: &str, batch: &str) -> Value {
    let res = c
        .post(format!("{base}/api/bulk_add_progress"))
        .form(&[("batch_id", batch)])
        .send()
        .await
        .expect("a progress poll");
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

/// Polls `sql` (one integer) on `conn` until `want` holds for it, up to `secs` seconds.
async fn until(conn: &mut PgConnection, sql: &str, want: impl Fn(i64) -> bool, secs: u64) -> i64 {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&mut *conn).await.expect(sql);
        if want(n) {
            return n;
        }
        assert!(Instant::now() < deadline, "{sql}: still {n} after {secs} s");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Rows the interrupted batch would write, table by table.
async fn batch_rows(b: &TestApp, role: i64) -> Vec<(&'static str, i64)> {
    let checks = [
        ("new people", "SELECT COUNT(*) FROM users WHERE email LIKE 'new%@example.com'".into()),
        (
            "their invitations",
            "SELECT COUNT(*) FROM invitations i JOIN users u ON u.id = i.user_id \
             WHERE u.email LIKE 'new%@example.com'"
                .into(),
        ),
        (
            "their mail",
            "SELECT COUNT(*) FROM outbox WHERE to_address LIKE 'new%@example.com'".into(),
        ),
        ("roles given", format!("SELECT COUNT(*) FROM memberships WHERE role_id = {role}")),
        (
            "audit entries",
            "SELECT COUNT(*) FROM audit_log \
             WHERE action IN ('user_invited', 'role_granted', 'bulk_added')"
                .into(),
        ),
    ];
    let mut out = Vec::new();
    for (what, sql) in checks {
        out.push((what, scalar(b, &sql, &[]).await));
    }
    out
}

async fn a_server_killed_in_the_middle_of_a_bulk_add_leaves_nothing_half_done(backend: Backend) {
    // B runs in this process; A is the real binary in a child process, on B's database.
    let b = TestApp::spawn(backend).await;
    assert_eq!(b.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let agency =
        ok(&b, &b.client, "list_entry_points", &[]).await[0]["node"]["id"].as_i64().unwrap();
    let north =
        ok(&b, &b.client, "create_node", &[("parent_id", &agency.to_string()), ("name", "North")])
            .await["id"]
            .as_i64()
            .unwrap();
    let roles = ok(&b, &b.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let role = roles.as_array().unwrap().iter().find(|r| r["name"] == "Call Agent").unwrap()["id"]
        .as_i64()
        .unwrap();
    for email in EXISTING {
        b.add_user(email, "Known", north).await;
    }
    let mut a = ChildServer::start(&b.database_url);
    let ada_on_a = client();
    let res = ada_on_a
        .post(a.url("/api/sign_in"))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "Ada signs in on A:\n{}", a.log());

    // A batch A commits before anything goes wrong, its mail delivered by A's worker.
    let kept = "kept1@example.com, Kept, One\nkept2@example.com, Kept, Two";
    let res = commit(&ada_on_a, &a.base, &commit_body(north, role, kept, "first")).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let mut watcher = PgConnection::connect(&b.database_url).await.unwrap();
    until(&mut watcher, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL", |n| n == 0, 30).await;
    let before = batch_rows(&b, role).await;

    // Hold the batch where it gives the role to the people who exist: after every new
    // person, invitation, mail and audit entry is written inside its transaction.
    let mut locker = PgConnection::connect(&b.database_url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut locker).await.unwrap();
    sqlx::query("LOCK TABLE memberships IN SHARE MODE").execute(&mut locker).await.unwrap();
    let body = commit_body(north, role, &batch_text(), "interrupted");
    let running = tokio::spawn({
        let (c, base) = (ada_on_a.clone(), a.base.clone());
        async move { commit(&c, &base, &body).await }
    });
    let waiting = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() \
                   AND wait_event_type = 'Lock'";
    until(&mut watcher, waiting, |n| n == 1, 60).await;
    let (blocked,): (i32,) = sqlx::query_as(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
         AND wait_event_type = 'Lock'",
    )
    .fetch_one(&mut watcher)
    .await
    .unwrap();

    // Progress: A, running the batch, knows how far it got; B knows nothing of it, and says
    // so rather than guess. B's answer is the same for Ada's own batch as for none at all.
    let on_a = progress(&ada_on_a, &a.base, "interrupted").await;
    assert_eq!(on_a["total"], (NEW + EXISTING.len()) as i64, "{on_a}");
    let done = on_a["done"].as_i64().unwrap();
    assert!((1..(NEW + EXISTING.len()) as i64).contains(&done), "part-way: {on_a}");
    assert_eq!(progress(&b.client, &b.base, "interrupted").await, Value::Null);

    // SIGKILL, mid-transaction; then the lock is let go and PostgreSQL, finding the dead
    // server's connection closed, ends its backend and rolls the transaction back.
    a.kill();
    let answer = running.await.unwrap();
    assert!(answer.is_err(), "the killed server answered: {answer:?}");
    sqlx::query("ROLLBACK").execute(&mut locker).await.unwrap();
    let gone = format!("SELECT COUNT(*) FROM pg_stat_activity WHERE pid = {blocked}");
    until(&mut watcher, &gone, |n| n == 0, 30).await;
    assert_eq!(batch_rows(&b, role).await, before, "the interrupted batch left nothing");
    // What A committed before it died is all there, each mail delivered once (by A).
    let kept_people = "SELECT COUNT(*) FROM users WHERE email LIKE 'kept%@example.com'";
    assert_eq!(scalar(&b, kept_people, &[]).await, 2);
    let kept_mail: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM outbox WHERE to_address LIKE 'kept%@example.com'")
            .fetch_all(&b.server.state.db.pool)
            .await
            .unwrap();
    let kept_mail: Vec<i64> = kept_mail.into_iter().map(|(id,)| id).collect();
    let found = mail::delivered(&[a.mail_dir.as_path(), b.mail_dir.as_path()]);
    assert_eq!(kept_mail.len(), 2);
    assert_eq!(mail::not_once(&found, &kept_mail), vec![], "(outbox id, copies)");

    // The same batch, sent again through B, is added whole, each mail sent once.
    let again = commit_body(north, role, &batch_text(), "again");
    let res = commit(&b.client, &b.base, &again).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let result: Value = res.json().await.unwrap();
    assert_eq!(
        (result["invited"].as_i64(), result["granted"].as_i64()),
        (Some(NEW as i64), Some(3))
    );
    mail::all_sent(&b).await;
    let sent: Vec<(i64,)> = sqlx::query_as(
        "SELECT id FROM outbox WHERE to_address LIKE 'new%@example.com' \
         OR to_address IN ('dee@example.com', 'eve@example.com', 'fay@example.com')",
    )
    .fetch_all(&b.server.state.db.pool)
    .await
    .unwrap();
    let sent: Vec<i64> = sent.into_iter().map(|(id,)| id).collect();
    assert_eq!(sent.len(), NEW + EXISTING.len());
    let found = mail::delivered(&[a.mail_dir.as_path(), b.mail_dir.as_path()]);
    assert_eq!(mail::not_once(&found, &sent), vec![], "(outbox id, copies)");
}
