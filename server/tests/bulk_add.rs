//! Bulk add, end to end over HTTP on SQLite and PostgreSQL: what the preview says of each
//! kind of line, a commit that is all or nothing (one invalid line: nothing at all is
//! written), what a commit writes (people, invitations, roles, mail, audit entries), the
//! limits, who may do it and with which roles, and progress seen only by its owner.

use crate::common::{self, Backend, TestApp, call, ok};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

on_both_backends!(
    the_preview_says_what_each_line_will_do_and_writes_nothing,
    one_invalid_line_in_the_committed_set_adds_nothing_at_all,
    a_commit_invites_grants_mails_and_audits_in_one_go,
    batches_over_the_limits_are_refused_before_anything_is_looked_up,
    only_managers_bulk_add_and_never_beyond_their_own_roles,
    progress_is_seen_only_by_whoever_started_the_batch,
);

const EXISTS: &str = "A user with this e-mail address already exists.";

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.server.state.db.pool).await.unwrap();
    n
}

/// Rows of every table a bulk add writes: users, invitations, memberships, outbox, audit.
async fn written(app: &TestApp) -> [i64; 5] {
    let mut out = [0; 5];
    // The audit of addresses found outside the caller's reach records an answer, not a
    // change (tests/invitations/security.rs).
    let audit_log = "audit_log WHERE action NOT IN ('email_outside_reach_looked_up', 'signed_in')";
    for (i, table) in
        ["users", "invitations", "memberships", "outbox", audit_log].iter().enumerate()
    {
        out[i] = count(app, &format!("SELECT COUNT(*) FROM {table}")).await;
    }
    out
}

async fn setup_agency(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let form = [("parent_id", parent.to_string()), ("name", name.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(app, &app.client, "create_node", &form).await["id"].as_i64().unwrap()
}

async fn role(app: &TestApp, agency: i64, name: &str) -> i64 {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let found = roles.as_array().unwrap().iter().find(|r| r["name"] == name);
    found.unwrap_or_else(|| panic!("no role {name} in {roles}"))["id"].as_i64().unwrap()
}

/// Gives `user` `role` at `node`, as Ada.
async fn grant(app: &TestApp, node: i64, user: i64, role: i64) {
    let (node, user, role) = (node.to_string(), user.to_string(), role.to_string());
    let form = [("node_id", node.as_str()), ("user_id", &user), ("role_id", &role)];
    ok(app, &app.client, "grant_role", &form).await;
}

/// Calls a bulk endpoint as `c` with a JSON body (as the page does); status and body.
async fn bulk(app: &TestApp, c: &Client, endpoint: &str, body: Value) -> (StatusCode, Value) {
    let res = c.post(app.url(&format!("/api/{endpoint}"))).json(&body).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn preview(
    app: &TestApp,
    c: &Client,
    node: i64,
    role: i64,
    text: &str,
) -> (StatusCode, Value) {
    bulk(app, c, "preview_bulk_add", json!({ "node_id": node, "role_id": role, "text": text }))
        .await
}

async fn commit(
    app: &TestApp,
    c: &Client,
    node: i64,
    role: i64,
    text: &str,
    batch: &str,
) -> (StatusCode, Value) {
    let body = json!({ "node_id": node, "role_id": role, "text": text, "batch_id": batch });
    bulk(app, c, "commit_bulk_add", body).await
}

async fn progress(app: &TestApp, c: &Client, batch: &str) -> Value {
    ok(app, c, "bulk_add_progress", &[("batch_id", batch)]).await
}

/// The outcome kinds of the preview's lines, with their line numbers.
fn kinds(preview: &Value) -> Vec<(i64, String)> {
    let lines = preview["lines"].as_array().unwrap();
    lines
        .iter()
        .map(|l| (l["line"].as_i64().unwrap(), l["outcome"]["kind"].as_str().unwrap().to_string()))
        .collect()
}

fn at_line(preview: &Value, n: i64) -> &Value {
    let lines = preview["lines"].as_array().unwrap();
    lines.iter().find(|l| l["line"] == n).unwrap_or_else(|| panic!("no line {n} in {preview}"))
}

/// Acme > North (Ann, an Account Admin; Dee at home; Carl, a Call Agent) and South (Sam).
struct Agency {
    agency: i64,
    north: i64,
    south: i64,
    call_agent: i64,
    dee: i64,
    carl: i64,
    ann: Client,
}

async fn agency(app: &TestApp) -> Agency {
    let agency = setup_agency(app).await;
    let north = create(app, agency, "North").await;
    let south = create(app, agency, "South").await;
    let call_agent = role(app, agency, "Call Agent").await;
    let account_admin = role(app, agency, "Account Admin").await;
    let ann = app.add_user("ann@example.com", "Ann", north).await;
    grant(app, north, ann, account_admin).await;
    let dee = app.add_user("dee@example.com", "Dee", north).await;
    let carl = app.add_user("carl@example.com", "Carl", north).await;
    grant(app, north, carl, call_agent).await;
    app.add_user("sam@example.com", "Sam", south).await;
    let ann = app.client_for("ann@example.com").await;
    Agency { agency, north, south, call_agent, dee, carl, ann }
}

async fn the_preview_says_what_each_line_will_do_and_writes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let before = written(&app).await;
    let text = [
        "E-mail, First name, Last name",       // 1: header
        "new.person@example.com,New,Person",   // 2: invite
        "",                                    // 3: blank
        "DEE@example.com , Dee , Tester",      // 4: grant (visible, name as stored)
        "carl@example.com,Carl,Tester",        // 5: already has the role
        "sam@example.com,Sam,Tester",          // 6: out of reach: invalid, not named
        "new.person@example.com,Again,Person", // 7: duplicate of 2
        "\"quoted@example.com\", \"Smith, Jr.\" , \"O'\"\"Neil\"", // 8: quotes
        "only-two@example.com,Two",            // 9: 2 values
        "not an address,Bad,Address",          // 10: bad e-mail
        "   ",                                 // 11: blank
        "=formula@example.com,=SUM(A1:A9),+Cmd", // 12: kept as text
        "empty@example.com,,Name",             // 13: empty first name
    ]
    .join("\r\n");
    let (status, p) = preview(&app, &a.ann, a.north, a.call_agent, &text).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    let want: Vec<(i64, String)> = [
        (2, "invite"),
        (4, "grant_access"),
        (5, "already_has_role"),
        (6, "invalid"),
        (7, "duplicate"),
        (8, "invite"),
        (9, "invalid"),
        (10, "invalid"),
        (12, "invite"),
        (13, "invalid"),
    ]
    .iter()
    .map(|(n, k)| (*n, k.to_string()))
    .collect();
    assert_eq!(kinds(&p), want);
    assert_eq!(
        p["counts"],
        json!({ "invite": 3, "grant": 1, "unchanged": 1, "duplicate": 1, "invalid": 4 })
    );
    let dee = at_line(&p, 4);
    assert_eq!(dee["email"], "dee@example.com", "normalised");
    assert_eq!(dee["outcome"]["user_id"].as_i64(), Some(a.dee));
    assert_eq!(dee["outcome"]["name"], "Dee Tester");
    assert_eq!(at_line(&p, 5)["outcome"]["user_id"].as_i64(), Some(a.carl));
    // Someone out of Ann's sight: the fact that the address is taken, nothing more.
    assert_eq!(at_line(&p, 6)["outcome"]["reason"], EXISTS);
    assert!(at_line(&p, 6)["outcome"].get("user_id").is_none());
    assert_eq!(at_line(&p, 7)["outcome"]["of_line"], 2);
    let quoted = at_line(&p, 8);
    assert_eq!(
        (quoted["email"].as_str(), quoted["first_name"].as_str(), quoted["last_name"].as_str()),
        (Some("quoted@example.com"), Some("Smith, Jr."), Some("O'\"Neil"))
    );
    assert!(at_line(&p, 9)["outcome"]["reason"].as_str().unwrap().contains("found 2 values"));
    assert!(at_line(&p, 10)["outcome"]["reason"].as_str().unwrap().starts_with("E-mail:"));
    let formula = at_line(&p, 12);
    assert_eq!(
        (formula["email"].as_str(), formula["first_name"].as_str(), formula["last_name"].as_str()),
        (Some("=formula@example.com"), Some("=SUM(A1:A9)"), Some("+Cmd"))
    );
    assert_eq!(at_line(&p, 13)["outcome"]["reason"], "First name: Enter a name.");
    assert_eq!(written(&app).await, before, "a preview writes nothing");

    // Ada may see Sam: for her the same line gives Sam the role.
    let (status, p) =
        preview(&app, &app.client, a.south, a.call_agent, "sam@example.com,S,T").await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(at_line(&p, 1)["outcome"]["kind"], "grant_access");
    assert_eq!(at_line(&p, 1)["outcome"]["name"], "Sam Tester");

    // Nothing to add at all.
    for empty in ["", "\n\n  \r\n", "email,first,last\n"] {
        let (status, err) = preview(&app, &a.ann, a.north, a.call_agent, empty).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{empty:?}");
        assert_eq!(err["fields"][0]["field"], "text");
        assert!(err["message"].as_str().unwrap().starts_with("Enter at least one line"), "{err}");
    }
}

async fn one_invalid_line_in_the_committed_set_adds_nothing_at_all(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let before = written(&app).await;
    let text = "one@example.com,One,Person\n\
                dee@example.com,Dee,Tester\n\
                two@example.com,Two,Person\n\
                sam@example.com,Sam,Tester\n\
                three@example.com,Three,Person\n";
    let (status, err) = commit(&app, &a.ann, a.north, a.call_agent, text, "batch-1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert_eq!(err["fields"][0]["field"], "text");
    assert_eq!(err["message"], format!("Line 4: {EXISTS} Nothing was added."));
    assert_eq!(written(&app).await, before, "no user, invitation, role, mail or audit entry");

    // Several invalid lines: the first ones are named.
    let mut text = String::from("fine@example.com,Fine,Person\n");
    for i in 0..7 {
        text.push_str(&format!("bad{i}-at-example.com,Bad,Line\n"));
    }
    let (status, err) = commit(&app, &a.ann, a.north, a.call_agent, &text, "batch-2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = err["message"].as_str().unwrap();
    assert!(message.starts_with("Line 2: E-mail: Enter a valid e-mail address"), "{message}");
    assert!(message.contains("Line 6:") && !message.contains("Line 7:"), "{message}");
    assert!(message.ends_with("And 2 more lines need fixing. Nothing was added."), "{message}");
    assert_eq!(written(&app).await, before);

    // A failure after people, invitations and mail are written (the audit table is gone):
    // rolled back whole.
    let good = "one@example.com,One,Person\ndee@example.com,Dee,Tester\n";
    app.sql("ALTER TABLE audit_log RENAME TO audit_log_gone").await;
    let (status, _) = commit(&app, &a.ann, a.north, a.call_agent, good, "batch-3").await;
    app.sql("ALTER TABLE audit_log_gone RENAME TO audit_log").await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(written(&app).await, before, "one transaction");
}

/// action, target name, node, at, details
type AuditRow = (String, Option<String>, Option<i64>, i64, String);

async fn a_commit_invites_grants_mails_and_audits_in_one_go(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let office = create(&app, a.north, "Office").await;
    // Ivy is invited already (at North): she is given the role, but gets no mail.
    let form = [
        ("node_id", a.north.to_string()),
        ("email", "ivy@example.com".to_string()),
        ("first_name", "Ivy".to_string()),
        ("last_name", "Invited".to_string()),
        ("role_ids[0]", a.call_agent.to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let ivy = ok(&app, &a.ann, "invite_user", &form).await["user_id"].as_i64().unwrap();
    // Their local parts are taken, or repeated within the batch.
    app.add_user("pat@other.example.com", "Pat", a.north).await;
    let before = written(&app).await;
    let text = "email,first,last\n\
                pat@example.com,Pat,One\n\
                pat@example.org,Pat,Two\n\
                \"new@example.com\",\"=HYPERLINK(\"\"x\"\")\",-Minus\n\
                dee@example.com,Ignored,Names\n\
                ivy@example.com,Ivy,Invited\n\
                new@example.com,New,Again\n";
    let (status, result) = commit(&app, &a.ann, office, a.call_agent, text, "b-ok").await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result, json!({ "invited": 3, "granted": 2, "unchanged": 0, "duplicates": 1 }));

    let after = written(&app).await;
    assert_eq!(after[0] - before[0], 3, "three people");
    assert_eq!(after[1] - before[1], 3, "three invitations");
    assert_eq!(after[2] - before[2], 2, "two roles given");
    assert_eq!(after[3] - before[3], 4, "three invitation mails and one to Dee, none to Ivy");
    assert_eq!(after[4] - before[4], 6, "one entry per person and one for the batch");

    let pool = &app.server.state.db.pool;
    let people: Vec<(String, String, String, String, String, Option<i64>)> = sqlx::query_as(
        "SELECT email, username, first_name, last_name, status, home_node_id FROM users \
         WHERE email IN ('pat@example.com', 'pat@example.org', 'new@example.com') ORDER BY email",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let row = |e: &str, u: &str, f: &str, l: &str| {
        (e.into(), u.into(), f.into(), l.into(), "invited".to_string(), Some(a.north))
    };
    assert_eq!(
        people,
        [
            row("new@example.com", "new", "=HYPERLINK(\"x\")", "-Minus"),
            row("pat@example.com", "pat-2", "Pat", "One"),
            row("pat@example.org", "pat-3", "Pat", "Two"),
        ],
        "formula-like names stored as typed; usernames free; home: the account"
    );
    let (node, roles, invited_by): (i64, String, Option<i64>) = sqlx::query_as(
        "SELECT i.node_id, i.role_ids, i.invited_by FROM invitations i \
         JOIN users u ON u.id = i.user_id WHERE u.email = 'new@example.com'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!((node, roles), (office, a.call_agent.to_string()));
    let ann_id = count(&app, "SELECT id FROM users WHERE email = 'ann@example.com'").await;
    assert_eq!(invited_by, Some(ann_id));
    let list = ok(&app, &a.ann, "list_invitations", &[("node_id", &office.to_string())]).await;
    let mut emails: Vec<&str> =
        list.as_array().unwrap().iter().map(|i| i["email"].as_str().unwrap()).collect();
    emails.sort();
    assert_eq!(emails, ["new@example.com", "pat@example.com", "pat@example.org"]);
    assert_eq!(list[0]["roles"], json!(["Call Agent"]));

    // The invitation link works, as for a single invitation.
    let mail = app.mail_to("pat@example.org").await;
    let (subject, body) = (mail.subject, mail.text);
    assert_eq!(subject, "Ann Tester invited you to Office (Acme Agency)");
    let at = body.find("/invitations/").unwrap() + 13;
    let token: String = body[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    let (status, _) = call(&app, &common::client(), "get_invitation", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &app,
        &common::client(),
        "accept_invitation",
        &[("token", &token), ("password", "a long enough passphrase")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    // Dee and Ivy hold the role at the office now; only Dee (active) was told.
    for who in [a.dee, ivy] {
        let sql = format!(
            "SELECT COUNT(*) FROM memberships WHERE user_id = {who} AND node_id = {office} \
             AND role_id = {}",
            a.call_agent
        );
        assert_eq!(count(&app, &sql).await, 1);
    }
    assert_eq!(app.mail_to("dee@example.com").await.subject, "You now have access to Office");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM outbox WHERE to_address = 'ivy@example.com'").await,
        1,
        "only her original invitation"
    );

    // The audit log: who did what, where, when (UTC milliseconds), with details.
    let entries: Vec<AuditRow> = sqlx::query_as(
        "SELECT action, target_name, node_id, at, details FROM audit_log \
         WHERE actor_id = $1 AND action IN ('user_invited', 'role_granted', 'bulk_added') \
         AND node_id = $2 ORDER BY id",
    )
    .bind(ann_id)
    .bind(office)
    .fetch_all(pool)
    .await
    .unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        actions,
        [
            "user_invited",
            "user_invited",
            "user_invited",
            "role_granted",
            "role_granted",
            "bulk_added"
        ]
    );
    assert!(entries.iter().all(|e| e.3 == common::START && e.2 == Some(office)));
    let invited = entries.iter().find(|e| e.1.as_deref() == Some("Pat Two")).unwrap();
    assert_eq!(invited.4, "email: pat@example.org; roles: Call Agent; at: Office");
    let granted = entries.iter().find(|e| e.1.as_deref() == Some("Dee Tester")).unwrap();
    assert_eq!(granted.4, "role: Call Agent; at: Office");
    let batch = entries.last().unwrap();
    assert_eq!(batch.1, None);
    assert_eq!(
        batch.4,
        "role: Call Agent; at: Office; lines: 6; invited: 3; granted: 2; unchanged: 0; \
         duplicates: 1"
    );

    // The same batch again: no one is new. Pat Two accepted (she holds the role now), as do
    // Dee and Ivy; Pat One and New are still invited, so they are given the role directly,
    // as "Grant access instead" would (and, invited, get no mail).
    let (status, p) = preview(&app, &a.ann, office, a.call_agent, text).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        p["counts"],
        json!({ "invite": 0, "grant": 2, "unchanged": 3, "duplicate": 1, "invalid": 0 })
    );
    let after = written(&app).await;
    let (status, result) = commit(&app, &a.ann, office, a.call_agent, text, "b-again").await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result, json!({ "invited": 0, "granted": 2, "unchanged": 3, "duplicates": 1 }));
    let again = written(&app).await;
    assert_eq!(
        [again[0], again[1], again[2], again[3]],
        [after[0], after[1], after[2] + 2, after[3]],
        "two roles, no new person, invitation or mail"
    );
}

async fn batches_over_the_limits_are_refused_before_anything_is_looked_up(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let before = written(&app).await;
    let full: String = (0..10_000).map(|i| format!("person{i}@example.com,P,{i}\n")).collect();
    // Exactly 10,000 lines, with a header and blank lines besides: allowed.
    let allowed = format!("email,first,last\n\n{full}\n");
    let (status, p) = preview(&app, &app.client, a.north, a.call_agent, &allowed).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(p["counts"]["invite"], 10_000);
    assert_eq!(p["lines"][9_999]["line"], 10_002);

    let over = format!("{full}one.more@example.com,One,More\n");
    let big = format!("a@example.com,A,{}\n", "x".repeat(1_048_576));
    for (text, says) in [(&over, "at most 10,000 lines"), (&big, "at most 1 MiB (1,048,576 bytes)")]
    {
        let (status, err) = preview(&app, &app.client, a.north, a.call_agent, text).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["fields"][0]["field"], "text");
        assert!(err["message"].as_str().unwrap().contains(says), "{err}");
        let (status, err) = commit(&app, &app.client, a.north, a.call_agent, text, "big").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["message"].as_str().unwrap().contains(says), "{err}");
    }
    // Checked before the role: a batch too large is refused even with a role that does not
    // exist, so no lookup ran.
    let (status, err) = preview(&app, &app.client, a.north, 999_999, &over).await;
    assert_eq!(
        (status, err["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("text"))
    );
    assert_eq!(written(&app).await, before);
}

async fn only_managers_bulk_add_and_never_beyond_their_own_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let billing = role(&app, a.agency, "Billing Manager").await;
    let agency_billing = role(&app, a.agency, "Agency Billing Manager").await;
    let before = written(&app).await;
    let text = "x@example.com,X,Person\n";

    // Carl, a Call Agent, may not manage users.
    let carl = app.client_for("carl@example.com").await;
    for (status, _) in [
        preview(&app, &carl, a.north, a.call_agent, text).await,
        commit(&app, &carl, a.north, a.call_agent, text, "c").await,
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // Ann manages North only: not South, nor the agency above it.
    for node in [a.south, a.agency] {
        assert_eq!(preview(&app, &a.ann, node, a.call_agent, text).await.0, StatusCode::FORBIDDEN);
        let (status, _) = commit(&app, &a.ann, node, a.call_agent, text, "c").await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    // No escalation: an Account Admin has no billing to give.
    assert_eq!(preview(&app, &a.ann, a.north, billing, text).await.0, StatusCode::FORBIDDEN);
    let (status, _) = commit(&app, &a.ann, a.north, billing, text, "c").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Agency-level roles only at the agency; unknown roles do not exist.
    let (status, err) = preview(&app, &app.client, a.north, agency_billing, text).await;
    assert_eq!(
        (status, err["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role_id"))
    );
    assert_eq!(preview(&app, &app.client, a.north, 999_999, text).await.0, StatusCode::NOT_FOUND);
    // Nobody signed in.
    let anonymous = common::client();
    assert_eq!(
        preview(&app, &anonymous, a.north, a.call_agent, text).await.0,
        StatusCode::UNAUTHORIZED
    );
    let (status, _) = commit(&app, &anonymous, a.north, a.call_agent, text, "c").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(written(&app).await, before, "nothing written by any refusal");

    // What Ann may do, she may do in bulk.
    let (status, result) = commit(&app, &a.ann, a.north, a.call_agent, text, "c").await;
    assert_eq!(status, StatusCode::OK, "{result}");
    assert_eq!(result["invited"], 1);
}

async fn progress_is_seen_only_by_whoever_started_the_batch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let a = agency(&app).await;
    let text = "p1@example.com,P,One\np2@example.com,P,Two\ndee@example.com,D,T\n";
    assert_eq!(progress(&app, &a.ann, "mine").await, Value::Null, "not started");
    let (status, _) = commit(&app, &a.ann, a.north, a.call_agent, text, "mine").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress(&app, &a.ann, "mine").await, json!({ "done": 3, "total": 3 }));
    assert_eq!(progress(&app, &app.client, "mine").await, Value::Null, "Ada's own batch only");
    assert_eq!(progress(&app, &a.ann, "other").await, Value::Null);
    let (status, _) =
        call(&app, &common::client(), "bulk_add_progress", &[("batch_id", "mine")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // A refused batch leaves no progress to see.
    let (status, _) = commit(&app, &a.ann, a.north, a.call_agent, "bad", "refused").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(progress(&app, &a.ann, "refused").await, Value::Null);
    // Batch ids are short and plain.
    let (status, err) = commit(&app, &a.ann, a.north, a.call_agent, text, "no spaces").await;
    assert_eq!(
        (status, err["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("batch_id"))
    );

    // Forgotten ten minutes after it ended (once another batch starts).
    app.clock.advance(10 * 60 * 1000);
    let (status, _) =
        commit(&app, &a.ann, a.north, a.call_agent, "p3@example.com,P,Three", "next").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress(&app, &a.ann, "mine").await, Value::Null);
    assert_eq!(progress(&app, &a.ann, "next").await, json!({ "done": 1, "total": 1 }));
}
