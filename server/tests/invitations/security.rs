//! Attacks on invitations (issue 11): a link that still grants what its inviter may no longer
//! give, and another agency's invitation ids probed through 403 versus 404.

use super::{accept, create, invite, invited, preview, role, setup_agency, token_for};
use crate::common::{Backend, TestApp, call, client, ok, set_cookie};
use app::{
    domain::{NodeId, NodeKind, RoleId, UserId},
    server::repo::{memberships, nodes},
};
use reqwest::StatusCode;

crate::on_both_backends!(
    an_invitation_is_refused_once_its_inviter_may_no_longer_give_its_roles,
    another_agencys_invitation_answers_as_one_that_never_existed,
    usernames_are_unique_per_agency_and_tell_nothing_of_another,
    addresses_outside_reach_are_counted_audited_and_bounded,
    usernames_per_agency_migrate_existing_data,
);

/// A second agency, "Bravo Agency", with an Agency Administrator at home there.
async fn bravo(app: &TestApp, email: &str) -> i64 {
    let bravo = {
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        nodes::insert(&mut conn, None, NodeKind::Agency, "Bravo Agency", app.clock.now())
            .await
            .unwrap()
    };
    let person = app.add_user(email, "Bea", bravo.0).await;
    let admin = {
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        app::server::repo::roles::builtin_id(
            &mut conn,
            app::domain::BuiltinRole::AgencyAdministrator,
        )
        .await
        .unwrap()
    };
    let mut conn = app.server.state.db.pool.acquire().await.unwrap();
    memberships::grant(&mut conn, UserId(person), NodeId(bravo.0), admin, None, 0).await.unwrap();
    bravo.0
}

async fn username(app: &TestApp, user: i64) -> String {
    let (name,): (String,) = sqlx::query_as("SELECT username FROM users WHERE id = $1")
        .bind(user)
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    name
}

async fn usernames_are_unique_per_agency_and_tell_nothing_of_another(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let user_role = role(&app, agency, "User").await;
    bravo(&app, "carl@bravo.example").await;
    let carl = id_of(&app, "carl@bravo.example").await;
    assert_eq!(username(&app, carl).await, "carl");

    // A new person of Acme whose address starts like Carl's gets the plain name: a "carl-2"
    // would tell that another agency has a Carl.
    let cy = invited(&app, agency, "carl@acme.example", "Cy", &[user_role]).await;
    assert_eq!(username(&app, cy).await, "carl");
    // Ada takes the username of someone of Bravo: hers to take, nothing said of Bravo.
    let ada = id_of(&app, "ada@example.com").await;
    let save = |name: &'static str, version: i64| {
        [
            ("user_id", ada.to_string()),
            ("first_name", "Ada".to_string()),
            ("last_name", "Admin".to_string()),
            ("username", name.to_string()),
            ("time_zone", "UTC".to_string()),
            ("version", version.to_string()),
        ]
    };
    let version = one(&app, "SELECT version FROM users WHERE id = $1", ada).await;
    let form = save("bea", version);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = call(&app, &app.client, "update_profile", &form).await;
    assert_eq!(status, StatusCode::OK, "another agency's username is free here: {body}");
    assert_eq!(username(&app, ada).await, "bea");
    // Within the agency a username is still one person's.
    let form = save("carl", version + 1);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, err) = call(&app, &app.client, "update_profile", &form).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["fields"][0]["field"], "username");
    // Bulk add picks names the same way.
    let batch = serde_json::json!({
        "node_id": agency, "role_id": user_role, "text": "carl@third.example,Cyd,Third\n",
        "batch_id": "usernames",
    });
    let res = app.client.post(app.url("/api/commit_bulk_add")).json(&batch).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let third = id_of(&app, "carl@third.example").await;
    assert_eq!(username(&app, third).await, "carl-2", "Cy of Acme has carl");
}

async fn addresses_outside_reach_are_counted_audited_and_bounded(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let user_role = role(&app, agency, "User").await;
    let bravo_id = bravo(&app, "bea@bravo.example").await;
    app.add_user("sue@example.com", "Sue", south).await;
    let ann = app.add_user("ann@example.com", "Ann", north).await;
    give(&app, "grant_role", north, ann, role(&app, agency, "Account Admin").await).await;
    let c = app.client_for("ann@example.com").await;
    let audited = |app: &TestApp| {
        let pool = app.server.state.db.pool.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM audit_log \
                 WHERE action = 'email_outside_reach_looked_up' AND actor_id = $1",
            )
            .bind(ann)
            .fetch_one(&pool)
            .await
            .unwrap();
            n
        }
    };

    // The product's answer stays: the fact, without a name, for people out of reach (of
    // another agency, or of another account of hers)...
    for address in ["bea@bravo.example", "sue@example.com"] {
        let (status, err) = invite(&app, &c, north, address, "X", &[user_role]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{err}");
        assert!(err["message"].as_str().unwrap().contains("already exists"), "{err}");
    }
    // ... each one audited, naming Ann.
    assert_eq!(audited(&app).await, 2);
    // The attack: sifting a list of addresses. A bulk add answers line by line, but every
    // line about someone out of reach counts, and the hour's share runs out.
    let mut text = String::new();
    for _ in 0..5 {
        text.push_str("bea@bravo.example,B,B\nsue@example.com,S,S\n");
    }
    let lines: String = (0..27).map(|i| format!("probe{i}@example.com,P,P\n")).collect();
    let preview = |text: String| {
        let body = serde_json::json!({"node_id": north, "role_id": user_role, "text": text});
        let (client, url) = (c.clone(), app.url("/api/preview_bulk_add"));
        async move { client.post(url).json(&body).send().await.unwrap().status() }
    };
    // Repeated lines are answered once: 2 answers, 4 so far.
    assert_eq!(preview(text).await, StatusCode::OK);
    assert_eq!(audited(&app).await, 3, "one entry a call");
    // 26 more people of Bravo: 30 answers this hour, the share, still answered.
    let mut people = String::new();
    for i in 0..26 {
        let email = format!("far{i}@bravo.example");
        app.add_user(&email, "Far", bravo_id).await;
        people.push_str(&format!("{email},F,F\n"));
    }
    assert_eq!(preview(people).await, StatusCode::OK, "30 of 30");
    // Past the bound every address gets 429, one nobody has included: no answer tells.
    let (status, _) = invite(&app, &c, north, "bea@bravo.example", "X", &[user_role]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = invite(&app, &c, north, "nobody@example.com", "X", &[user_role]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(preview(lines).await, StatusCode::TOO_MANY_REQUESTS);
    // Inviting someone in reach is not what is bounded, but the bound is per caller: Ada
    // is not held back by Ann's count; Ann is again an hour later.
    invited(&app, north, "new@example.com", "New", &[user_role]).await;
    app.clock.advance(60 * 60 * 1000);
    let c = app.client_for("ann@example.com").await;
    let (status, _) = invite(&app, &c, north, "other@example.com", "X", &[user_role]).await;
    assert_eq!(status, StatusCode::OK);
}

const PASSWORD: &str = "a long enough passphrase";

async fn one(app: &TestApp, sql: &str, id: i64) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as(sql).bind(id).fetch_one(&app.server.state.db.pool).await.unwrap();
    n
}

/// Memberships held by `user`, and whether their invitation is spent.
async fn granted(app: &TestApp, user: i64) -> (i64, i64) {
    (
        one(app, "SELECT COUNT(*) FROM memberships WHERE user_id = $1", user).await,
        one(
            app,
            "SELECT COUNT(*) FROM invitations WHERE user_id = $1 AND accepted_at IS NOT NULL",
            user,
        )
        .await,
    )
}

async fn id_of(app: &TestApp, email: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    id
}

/// `grant_role` or `revoke_role` as Ada, which must work.
async fn give(app: &TestApp, endpoint: &str, node: i64, user: i64, role: i64) {
    let (node, user, role) = (node.to_string(), user.to_string(), role.to_string());
    ok(app, &app.client, endpoint, &[("node_id", &node), ("user_id", &user), ("role_id", &role)])
        .await;
}

async fn an_invitation_is_refused_once_its_inviter_may_no_longer_give_its_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let account_admin = role(&app, agency, "Account Admin").await;
    let agent = role(&app, agency, "Call Agent").await;
    let user_role = role(&app, agency, "User").await;
    // Ann administers North's users and invites Zed with her own role, and Yan by bulk add.
    let ann = app.add_user("ann@example.com", "Ann", north).await;
    give(&app, "grant_role", north, ann, account_admin).await;
    let c = app.client_for("ann@example.com").await;
    let (status, body) = invite(&app, &c, north, "zed@example.com", "Zed", &[account_admin]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let zed = body["user_id"].as_i64().unwrap();
    let batch = serde_json::json!({
        "node_id": north, "role_id": agent, "text": "yan@example.com,Yan,Young\n",
        "batch_id": "security-1",
    });
    let res = c.post(app.url("/api/commit_bulk_add")).json(&batch).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let yan = id_of(&app, "yan@example.com").await;
    let (zed_token, yan_token) =
        (token_for(&app, "zed@example.com").await, token_for(&app, "yan@example.com").await);

    // Ada takes Ann's Account Admin role away (she keeps User): the links Ann sent must no
    // longer hand out what she cannot give.
    give(&app, "grant_role", north, ann, user_role).await;
    give(&app, "revoke_role", north, ann, account_admin).await;

    for (token, person) in [(&zed_token, zed), (&yan_token, yan)] {
        let (status, err) = preview(&app, token).await;
        assert_eq!(status, StatusCode::CONFLICT, "the page says so at once: {err}");
        let browser = client();
        let res = app
            .call_with(&browser, "accept_invitation", &[("token", token), ("password", PASSWORD)])
            .await;
        assert_eq!(res.status(), StatusCode::CONFLICT);
        assert!(set_cookie(&res).is_none(), "not signed in");
        let err: serde_json::Value = res.json().await.unwrap();
        let message = err["message"].as_str().unwrap();
        assert!(message.contains("who invited you can no longer give you this access"), "{err}");
        assert_eq!(granted(&app, person).await, (0, 0), "nothing granted, the link unspent");
        let (status,): (String,) = sqlx::query_as("SELECT status FROM users WHERE id = $1")
            .bind(person)
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
        assert_eq!(status, "invited");
    }

    // An inviter who is no longer active vouches for nothing either: Ben, an Administrator of
    // North, invites Xia, and is suspended before she accepts.
    let ben = app.add_user("ben@example.com", "Ben", north).await;
    give(&app, "grant_role", north, ben, role(&app, agency, "Administrator").await).await;
    let b = app.client_for("ben@example.com").await;
    let (status, body) = invite(&app, &b, north, "xia@example.com", "Xia", &[agent]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let xia = body["user_id"].as_i64().unwrap();
    let xia_token = token_for(&app, "xia@example.com").await;
    app.sql(&format!("UPDATE users SET status = 'suspended' WHERE id = {ben}")).await;
    assert_eq!(accept(&app, &client(), &xia_token, PASSWORD).await.0, StatusCode::CONFLICT);
    assert_eq!(granted(&app, xia).await, (0, 0));
    app.sql(&format!("UPDATE users SET status = 'active' WHERE id = {ben}")).await;
    assert_eq!(accept(&app, &client(), &xia_token, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(granted(&app, xia).await, (1, 1));

    // Resent by Ada, Zed's invitation is hers: she may give Account Admin, so it works, and
    // the role is recorded as given by her.
    let pending =
        ok(&app, &app.client, "list_invitations", &[("node_id", &north.to_string())]).await;
    let id =
        pending.as_array().unwrap().iter().find(|i| i["user_id"] == zed).unwrap()["id"].to_string();
    ok(&app, &app.client, "resend_invitation", &[("invitation_id", &id)]).await;
    let token = token_for(&app, "zed@example.com").await;
    assert_eq!(accept(&app, &client(), &token, PASSWORD).await.0, StatusCode::OK);
    assert_eq!(granted(&app, zed).await, (1, 1));
    let ada = id_of(&app, "ada@example.com").await;
    let by = one(&app, "SELECT granted_by FROM memberships WHERE user_id = $1", zed).await;
    assert_eq!(by, ada, "the resender is the inviter");
}

async fn another_agencys_invitation_answers_as_one_that_never_existed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let user_role = role(&app, agency, "User").await;
    let bravo = {
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        nodes::insert(&mut conn, None, NodeKind::Agency, "Bravo Agency", app.clock.now())
            .await
            .unwrap()
    };
    let bea = app.add_user("bea@example.com", "Bea", bravo.0).await;
    let admin = role(&app, agency, "Agency Administrator").await;
    let mut conn = app.server.state.db.pool.acquire().await.unwrap();
    memberships::grant(&mut conn, UserId(bea), NodeId(bravo.0), RoleId(admin), None, 0)
        .await
        .unwrap();
    drop(conn);
    let b = app.client_for("bea@example.com").await;
    let (status, body) = invite(&app, &b, bravo.0, "cy@example.com", "Cy", &[user_role]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let theirs = one(
        &app,
        "SELECT id FROM invitations WHERE user_id = $1",
        body["user_id"].as_i64().unwrap(),
    )
    .await
    .to_string();
    // Ada's own invitation, so that both agencies have some.
    invited(&app, agency, "dan@example.com", "Dan", &[user_role]).await;

    for endpoint in ["resend_invitation", "revoke_invitation"] {
        let probed = call(&app, &app.client, endpoint, &[("invitation_id", &theirs)]).await;
        let missing = call(&app, &app.client, endpoint, &[("invitation_id", "987654321")]).await;
        assert_eq!(probed, missing, "{endpoint}: another agency's invitation told apart");
        assert_eq!(probed.0, StatusCode::NOT_FOUND);
    }
    let (revoked,): (Option<i64>,) =
        sqlx::query_as("SELECT revoked_at FROM invitations WHERE id = $1")
            .bind(theirs.parse::<i64>().unwrap())
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!(revoked, None);
}

/// Migration 0012 on a database with people in it: on SQLite the users table is rebuilt, and
/// nothing may be lost on the way (rows, sessions, trusted devices, references to people).
async fn usernames_per_agency_migrate_existing_data(backend: Backend) {
    let url = crate::common::fresh_database(backend).await;
    let db = server::database::connect(&url).await.unwrap();
    let mut before = match backend {
        Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
    };
    before.migrations = before.migrations.iter().filter(|m| m.version < 12).cloned().collect();
    before.run(&db.pool).await.unwrap();
    let statements = [
        "INSERT INTO nodes (id, parent_id, kind, name, created_at) VALUES \
         (1, NULL, 'agency', 'A', 0), (2, 1, 'account', 'X', 0), (3, NULL, 'agency', 'B', 0)",
        "INSERT INTO node_closure (ancestor_id, descendant_id, depth) VALUES \
         (1, 1, 0), (2, 2, 0), (1, 2, 1), (3, 3, 0)",
        "INSERT INTO users (id, email, username, first_name, last_name, status, home_node_id, \
         created_at, updated_at) VALUES (10, 'a@x.example', 'ann', 'Ann', 'A', 'active', 2, 0, 0), \
         (11, 'b@x.example', 'bob', 'Bob', 'B', 'invited', 3, 0, 0)",
        "INSERT INTO roles (id, agency_id, name, permissions, created_at, updated_at) \
         VALUES (100, 1, 'Custom', 'view_account', 0, 0)",
        "INSERT INTO memberships (user_id, node_id, role_id, granted_by, granted_at) \
         VALUES (10, 2, 100, 11, 0)",
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) \
         VALUES ('s1', 10, 0, 0, 1)",
        "INSERT INTO trusted_devices (token_hash, user_id, created_at, last_used_at) \
         VALUES ('d1', 10, 0, 0)",
    ];
    for sql in statements {
        sqlx::query(sql).execute(&db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    server::database::migrate(&db).await.unwrap();
    let pool = &db.pool;
    let users: Vec<(i64, String, Option<i64>)> =
        sqlx::query_as("SELECT id, username, agency_id FROM users ORDER BY id")
            .fetch_all(pool)
            .await
            .unwrap();
    assert_eq!(users, [(10, "ann".into(), Some(1)), (11, "bob".into(), Some(3))]);
    for (sql, want) in [
        ("SELECT COUNT(*) FROM sessions WHERE user_id = 10", 1),
        ("SELECT COUNT(*) FROM trusted_devices WHERE user_id = 10", 1),
        ("SELECT COUNT(*) FROM memberships WHERE user_id = 10 AND granted_by = 11", 1),
    ] {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        assert_eq!(n, want, "{sql}");
    }
    // The same username in another agency; not twice in one; references still enforced.
    let insert = "INSERT INTO users (email, username, first_name, last_name, status, \
                  home_node_id, agency_id, created_at, updated_at) \
                  VALUES ($1, 'ann', 'Ann', 'B', 'active', $2, $2, 0, 0)";
    sqlx::query(insert).bind("a@b.example").bind(3).execute(pool).await.unwrap();
    let dup = sqlx::query(insert).bind("c@b.example").bind(3).execute(pool).await;
    assert!(dup.is_err_and(|e| app::server::db::is_unique_violation(&e)));
    let orphan = sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, created_at, \
                              last_seen_at, expires_at) VALUES ('s2', 999, 0, 0, 1)",
    )
    .execute(pool)
    .await;
    assert!(orphan.is_err(), "foreign keys hold after the rebuild");
}
