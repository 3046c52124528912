//! Decisions taken on one server hold on every other at once: roles, a person's status and
//! the sign-in throttle are read from the database at each request, never from a copy in a
//! server's memory.

use super::{Cluster, scalar};
use crate::common::{Backend, PASSWORD, TestApp, call, client, json, refused};
use reqwest::{Client, StatusCode};

on_postgres!(
    a_role_taken_away_on_one_server_is_refused_at_once_on_the_others,
    a_person_disabled_on_one_server_is_signed_out_on_every_server,
    sign_in_failures_on_every_server_count_together,
);

/// Removals of the role, each followed by a request on both other servers.
const TRIES: usize = 1_000;
const SECOND: i64 = 1_000;
const MINUTE: i64 = 60 * SECOND;

/// Ann, at home in North (under the agency), holding no role yet.
async fn north_and_ann(cluster: &Cluster) -> (i64, i64) {
    let north = cluster.create_node(cluster.agency, "North").await;
    let ann = cluster.server(0).add_user("ann@example.com", "Ann", north).await;
    (north, ann)
}

/// Grants (`give`) or revokes the role as Ada through `server`; the change must succeed.
async fn change(cluster: &Cluster, server: usize, give: bool, role: [i64; 3]) {
    let [node, user, role] = role.map(|n| n.to_string());
    let form = [("node_id", node.as_str()), ("user_id", &user), ("role_id", &role)];
    let endpoint = if give { "grant_role" } else { "revoke_role" };
    let (status, body) = call(cluster.server(server), cluster.ada(), endpoint, &form).await;
    assert_eq!(status, StatusCode::OK, "{endpoint} through server {server}: {body}");
}

/// Whether Ann may list North's people (View users) on `server`; anything but a plain yes
/// or no fails the test.
async fn may_view(cluster: &Cluster, server: usize, ann: &Client, north: &str) -> bool {
    let (status, body) =
        call(cluster.server(server), ann, "list_node_members", &[("node_id", north)]).await;
    match status {
        StatusCode::OK => true,
        StatusCode::FORBIDDEN => false,
        other => panic!("list_node_members on server {server}: {other} {body}"),
    }
}

async fn a_role_taken_away_on_one_server_is_refused_at_once_on_the_others(backend: Backend) {
    let cluster = Cluster::start(backend).await;
    let (north, ann_id) = north_and_ann(&cluster).await;
    let role = cluster.role("Account Admin").await;
    // One browser, signed in once: its cookie goes to whichever server answers.
    let ann = cluster.server(0).client_for("ann@example.com").await;
    let north_id = north.to_string();
    assert!(!may_view(&cluster, 1, &ann, &north_id).await, "no role yet");

    // Each try: the role given through one server is honoured on the next; taken away
    // through that next one, it is refused on the two others at their very next request.
    // The servers take turns at every step.
    let mut stale = Vec::new();
    for i in 0..TRIES {
        let (x, y, z) = (i % 3, (i + 1) % 3, (i + 2) % 3);
        change(&cluster, x, true, [north, ann_id, role]).await;
        if !may_view(&cluster, y, &ann, &north_id).await {
            stale.push(format!("try {i}: granted on {x}, still refused on {y}"));
        }
        change(&cluster, y, false, [north, ann_id, role]).await;
        for other in [z, x] {
            if may_view(&cluster, other, &ann, &north_id).await {
                stale.push(format!("try {i}: revoked on {y}, still allowed on {other}"));
            }
        }
    }
    assert!(
        stale.is_empty(),
        "{} stale decisions in {TRIES} tries; first: {:?}",
        stale.len(),
        &stale[..stale.len().min(5)]
    );
    // Every change happened, each once: the audit log has them all.
    let a = cluster.server(0);
    let audited = |action: &'static str| async move {
        let sql = "SELECT COUNT(*) FROM audit_log WHERE action = $1";
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(action)
            .fetch_one(&a.server.state.db.pool)
            .await
            .expect("the audit log");
        n
    };
    assert_eq!(audited("role_granted").await, TRIES as i64);
    assert_eq!(audited("role_revoked").await, TRIES as i64);
}

async fn a_person_disabled_on_one_server_is_signed_out_on_every_server(backend: Backend) {
    let cluster = Cluster::start(backend).await;
    let (north, ann_id) = north_and_ann(&cluster).await;
    let role = cluster.role("Account Admin").await;
    change(&cluster, 0, true, [north, ann_id, role]).await;
    // Ann in two browsers, each signed in through a different server.
    let (b, c) = (cluster.server(1), cluster.server(2));
    let on_b = b.client_for("ann@example.com").await;
    let on_c = c.client_for("ann@example.com").await;
    let north_id = north.to_string();
    assert!(may_view(&cluster, 1, &on_b, &north_id).await);
    assert!(may_view(&cluster, 2, &on_c, &north_id).await);
    assert_eq!(scalar(b, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", &[ann_id]).await, 2);

    let a = cluster.server(0);
    let (status, body) =
        call(a, cluster.ada(), "disable_user", &[("user_id", &ann_id.to_string())]).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The very next request of each browser, on the server it signed in on and on the
    // other ones: signed out, refused.
    let form = [("node_id", north_id.as_str())];
    refused(b, &on_b, "list_node_members", &form, StatusCode::UNAUTHORIZED).await;
    assert_eq!(c.viewer_email(&on_c).await, None, "no session for C's browser");
    for server in 0..3 {
        let s = cluster.server(server);
        refused(s, &on_c, "list_node_members", &form, StatusCode::UNAUTHORIZED).await;
        assert_eq!(s.viewer_email(&on_b).await, None);
    }
    assert_eq!(scalar(c, "SELECT COUNT(*) FROM sessions WHERE user_id = $1", &[ann_id]).await, 0);
    // And no server lets her in again.
    for server in 0..3 {
        let res = cluster.server(server).sign_in_with(&client(), "ann@example.com", PASSWORD).await;
        assert_ne!(res.status(), StatusCode::OK, "server {server} signed a disabled person in");
    }
}

/// Status of a sign-in attempt from a new browser through `app`.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> StatusCode {
    let res = app.sign_in_with(&client(), email, password).await;
    let status = res.status();
    json(res).await;
    status
}

async fn sign_in_failures_on_every_server_count_together(backend: Backend) {
    let cluster = Cluster::start(backend).await;
    // Five failures in a row lock an address: two on A, two on B, one on C. Counted per
    // server, none would have reached five.
    for n in 0..5 {
        let status = sign_in(cluster.server(n), "ada@example.com", "not the password").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "failure {n}");
    }
    for server in 0..3 {
        let status = sign_in(cluster.server(server), "ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "server {server} let a new browser in");
    }
    // The lock lifts everywhere at once.
    cluster.advance(31 * SECOND);
    assert_eq!(sign_in(cluster.server(2), "ada@example.com", PASSWORD).await, StatusCode::OK);

    // Per client: 30 failures in ten minutes from one address, whatever the accounts tried,
    // sent to all three servers at once (each attempt is one atomic count in the database,
    // so none is lost to a race).
    cluster.advance(11 * MINUTE);
    let mut attempts = tokio::task::JoinSet::new();
    for n in 0..30 {
        let url = cluster.server(n).url("/api/sign_in");
        attempts.spawn(async move {
            let form = [("email", format!("guess{n}@example.com")), ("password", "wrong".into())];
            client().post(url).form(&form).send().await.expect("sign-in").status()
        });
    }
    let statuses = attempts.join_all().await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY), "{statuses:?}");
    for server in 0..3 {
        let status = sign_in(cluster.server(server), "ada@example.com", PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "server {server}: the client's budget");
    }
}
