//! Accepting an invitation (signed in, active, roles given, once), what expired, resent and
//! revoked links say, and 50 concurrent accepts of one link.

use super::{
    DAY, accept, count, create, invited, invited_as, ok, preview, refused, role, setup_agency,
    token_for,
};
use crate::common::{Backend, PASSWORD, TestApp, client, json, set_cookie};
use reqwest::StatusCode;

crate::on_both_backends!(
    accepting_signs_in_activates_and_gives_the_roles_once,
    expired_resent_and_revoked_links_say_why,
    fifty_concurrent_accepts_let_exactly_one_in,
);

async fn accepting_signs_in_activates_and_gives_the_roles_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let office = create(&app, north, "Office").await;
    let (user, agent) = (role(&app, agency, "User").await, role(&app, agency, "Call Agent").await);
    let ann = invited(&app, office, "ann@example.com", "Ann", &[user, agent]).await;
    let token = token_for(&app, "ann@example.com").await;

    let (status, shown) = preview(&app, &token).await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["first_name"], "Ann");
    assert_eq!(shown["email"], "ann@example.com");
    assert_eq!(shown["node_name"], "Office");
    assert_eq!(shown["agency_name"], "Acme Agency");
    assert_eq!(shown["invited_by"], "Ada Admin");

    let c = client();
    let (status, err) = accept(&app, &c, &token, "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "password", "{err}");
    assert_eq!(preview(&app, &token).await.0, StatusCode::OK, "a refused password spends nothing");

    let form = [("token", token.as_str()), ("password", PASSWORD)];
    let res = app.call_with(&c, "accept_invitation", &form).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(set_cookie(&res).is_some_and(|v| v.starts_with("roster_session=")), "signed in");
    assert_eq!(json(res).await, format!("/nodes/{office}"));
    assert_eq!(app.viewer_email(&c).await.as_deref(), Some("ann@example.com"));
    ok(&app, &c, "get_node", &[("node_id", &office.to_string())]).await;
    let (status,): (String,) = sqlx::query_as("SELECT status FROM users WHERE id = $1")
        .bind(ann)
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "active");
    let roles = ok(&app, &app.client, "list_user_roles", &[("user_id", &ann.to_string())]).await;
    let mut held: Vec<(String, i64)> = roles
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["role_name"].as_str().unwrap().to_string(), r["at_node_id"].as_i64().unwrap()))
        .collect();
    held.sort();
    assert_eq!(held, [("Call Agent".to_string(), office), ("User".to_string(), office)]);
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'invitation_accepted'";
    assert_eq!(count(&app, audited).await, 1);
    let pending =
        ok(&app, &app.client, "list_invitations", &[("node_id", &office.to_string())]).await;
    assert_eq!(pending, serde_json::json!([]));

    // The link works once.
    for (status, err) in
        [accept(&app, &client(), &token, PASSWORD).await, preview(&app, &token).await]
    {
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(err["message"].as_str().unwrap().contains("already been used"), "{err}");
    }
    // The new password is hers.
    app.client_for("ann@example.com").await;
    // A made-up link.
    let (status, err) = preview(&app, &"ab".repeat(32)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(err["message"].as_str().unwrap().contains("not valid"), "{err}");
}

async fn expired_resent_and_revoked_links_say_why(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let user = role(&app, agency, "User").await;
    invited(&app, north, "bob@example.com", "Bob", &[user]).await;
    let old = token_for(&app, "bob@example.com").await;

    app.clock.advance(7 * DAY);
    assert_eq!(preview(&app, &old).await.0, StatusCode::CONFLICT, "expired at 7 days exactly");
    app.clock.advance(-1);
    assert_eq!(preview(&app, &old).await.0, StatusCode::OK, "still good a moment before");
    app.clock.advance(1 + 1);
    for (status, err) in [preview(&app, &old).await, accept(&app, &client(), &old, PASSWORD).await]
    {
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            err["message"],
            "This invitation has expired. Ask your administrator to send a new one."
        );
    }
    // A week on, Ada signs in again.
    let ada = app.client_for("ada@example.com").await;
    let list = ok(&app, &ada, "list_invitations", &[("node_id", &north.to_string())]).await;
    assert_eq!(list[0]["expired"], true, "{list}");
    let id = list[0]["id"].as_i64().unwrap().to_string();

    ok(&app, &ada, "resend_invitation", &[("invitation_id", &id)]).await;
    let new = token_for(&app, "bob@example.com").await;
    assert_ne!(new, old);
    let mails = "SELECT COUNT(*) FROM outbox WHERE to_address = 'bob@example.com'";
    assert_eq!(count(&app, mails).await, 2);
    let (status, err) = accept(&app, &client(), &old, PASSWORD).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old link is dead: {err}");
    let list = ok(&app, &ada, "list_invitations", &[("node_id", &north.to_string())]).await;
    assert_eq!(list[0]["expired"], false);
    assert_eq!(list[0]["sent_at"].as_i64(), Some(app.clock.now()));
    assert_eq!(accept(&app, &client(), &new, PASSWORD).await.0, StatusCode::OK);
    refused(&app, &ada, "resend_invitation", &[("invitation_id", &id)], StatusCode::CONFLICT).await;

    invited_as(&app, &ada, north, "cy@example.com", &[user]).await;
    let token = token_for(&app, "cy@example.com").await;
    let list = ok(&app, &ada, "list_invitations", &[("node_id", &north.to_string())]).await;
    let id = list[0]["id"].as_i64().unwrap().to_string();
    ok(&app, &ada, "revoke_invitation", &[("invitation_id", &id)]).await;
    for (status, err) in
        [preview(&app, &token).await, accept(&app, &client(), &token, PASSWORD).await]
    {
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(err["message"].as_str().unwrap().contains("withdrawn"), "{err}");
    }
    let list = ok(&app, &ada, "list_invitations", &[("node_id", &north.to_string())]).await;
    assert_eq!(list, serde_json::json!([]));
    refused(&app, &ada, "resend_invitation", &[("invitation_id", &id)], StatusCode::CONFLICT).await;
    let audited = "SELECT COUNT(*) FROM audit_log WHERE action = 'invitation_revoked'";
    assert_eq!(count(&app, audited).await, 1);
}

async fn fifty_concurrent_accepts_let_exactly_one_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let user = role(&app, agency, "User").await;
    let ann = invited(&app, north, "ann@example.com", "Ann", &[user]).await;
    let token = token_for(&app, "ann@example.com").await;

    // 50 browsers, each with its own client, at once.
    let mut attempts = tokio::task::JoinSet::new();
    for _ in 0..50 {
        let (url, token) = (app.url("/api/accept_invitation"), token.clone());
        attempts.spawn(async move {
            let form = [("token", token.as_str()), ("password", PASSWORD)];
            client().post(url).form(&form).send().await.expect("request").status()
        });
    }
    let statuses = attempts.join_all().await;
    let won = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    assert_eq!(won, 1, "{statuses:?}");
    let others_told = statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::CONFLICT);
    assert!(others_told, "{statuses:?}");
    let sql = |table: &str| format!("SELECT COUNT(*) FROM {table} WHERE user_id = {ann}");
    assert_eq!(count(&app, &sql("sessions")).await, 1);
    assert_eq!(count(&app, &sql("memberships")).await, 1);
}
