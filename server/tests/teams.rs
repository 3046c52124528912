//! Contacts, call teams, teams, "view other users' activities", tracking numbers and
//! access-control groups over HTTP on SQLite and PostgreSQL: every field checked at the
//! server with nothing saved on a failed submit; who may read and change what; members only
//! from within the caller's reach; call teams in order, each member reached by their own
//! preference, disabled and suspended people marked and deleted ones gone from everything;
//! and the narrowing of tracking numbers by access-control groups.

use crate::common::{self, Backend, TestApp, ok, refused};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_backends!(
    contacts_are_checked_at_every_field_and_nothing_is_saved_on_failure,
    contacts_change_with_a_version_and_only_at_their_own_node,
    a_call_team_calls_users_and_contacts_in_order_each_their_own_way,
    missed_call_emails_follow_the_team_unless_the_person_chose_always_or_never,
    call_team_members_come_from_within_reach_and_the_list_must_be_current,
    disabled_and_suspended_members_stay_marked_and_deleted_ones_leave_everything,
    teams_and_activity_visibility_need_manage_users_and_people_in_reach,
    access_groups_narrow_the_tracking_numbers_their_members_see,
    group_members_hold_a_calling_role_and_changes_are_made_at_the_account,
    who_may_read_and_change_what,
    a_persons_page_lists_their_teams_and_groups_where_the_caller_may_see,
    only_those_who_manage_a_call_team_see_where_its_members_calls_go,
    access_groups_read_at_a_sub_group_leave_out_people_only_in_a_sibling,
);

type Form = Vec<(&'static str, String)>;

fn pairs(form: &Form) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn fields(err: &Value) -> Vec<String> {
    let list = err["fields"].as_array().cloned().unwrap_or_default();
    list.iter().map(|f| f["field"].as_str().unwrap_or_default().to_string()).collect()
}

fn field_message(err: &Value, field: &str) -> String {
    let list = err["fields"].as_array().cloned().unwrap_or_default();
    let found = list.iter().find(|f| f["field"] == field);
    found.and_then(|f| f["message"].as_str()).unwrap_or_default().to_string()
}

/// The fixture: the agency (Ada administers it) with the accounts North (and its sub-group
/// West) and South. Nina is Account Admin of North; Ann and Rita hold Call Agent and Report
/// Manager at North, Bob Call Agent at West, Carl User at North, Sam Call Agent at South.
struct Fx {
    app: TestApp,
    agency: i64,
    north: i64,
    west: i64,
    south: i64,
    nina: i64,
    ann: i64,
    bob: i64,
    carl: i64,
    sam: i64,
    rita: i64,
}

impl Fx {
    async fn build(backend: Backend) -> Fx {
        let app = TestApp::spawn(backend).await;
        assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
        let entry = ok(&app, &app.client, "list_entry_points", &[]).await;
        let agency = entry[0]["node"]["id"].as_i64().unwrap();
        let north = create_node(&app, agency, "North").await;
        let west = create_node(&app, north, "West").await;
        let south = create_node(&app, agency, "South").await;
        let mut fx = Fx {
            app,
            agency,
            north,
            west,
            south,
            nina: 0,
            ann: 0,
            bob: 0,
            carl: 0,
            sam: 0,
            rita: 0,
        };
        fx.nina = fx.person("nina", "Nina", north, "Account Admin").await;
        fx.ann = fx.person("ann", "Ann", north, "Call Agent").await;
        fx.bob = fx.person("bob", "Bob", west, "Call Agent").await;
        fx.carl = fx.person("carl", "Carl", north, "User").await;
        fx.sam = fx.person("sam", "Sam", south, "Call Agent").await;
        fx.rita = fx.person("rita", "Rita", north, "Report Manager").await;
        fx
    }

    /// Someone active at home at `home` holding `role` there.
    async fn person(&self, local: &str, first: &str, home: i64, role: &str) -> i64 {
        let id = self.app.add_user(&format!("{local}@example.com"), first, home).await;
        self.give(id, home, role).await;
        id
    }

    async fn give(&self, user: i64, node: i64, role: &str) {
        let roles = ok(
            &self.app,
            &self.app.client,
            "list_roles",
            &[("agency_node_id", &self.agency.to_string())],
        )
        .await;
        let found = roles.as_array().unwrap().iter().find(|r| r["name"] == role);
        let role = found.unwrap_or_else(|| panic!("no role {role}"))["id"].as_i64().unwrap();
        let form: Form = vec![
            ("node_id", node.to_string()),
            ("user_id", user.to_string()),
            ("role_id", role.to_string()),
        ];
        ok(&self.app, &self.app.client, "grant_role", &pairs(&form)).await;
    }

    async fn client(&self, local: &str) -> Client {
        self.app.client_for(&format!("{local}@example.com")).await
    }

    async fn ok(&self, c: &Client, endpoint: &str, form: &Form) -> Value {
        ok(&self.app, c, endpoint, &pairs(form)).await
    }

    async fn refused(&self, c: &Client, endpoint: &str, form: &Form, status: StatusCode) -> Value {
        refused(&self.app, c, endpoint, &pairs(form), status).await
    }

    async fn scalar(&self, sql: &str) -> i64 {
        let (n,): (i64,) =
            sqlx::query_as(sql).fetch_one(&self.app.server.state.db.pool).await.unwrap();
        n
    }

    async fn audits(&self, action: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
            .bind(action)
            .fetch_one(&self.app.server.state.db.pool)
            .await
            .unwrap();
        n
    }
}

async fn create_node(app: &TestApp, parent: i64, name: &str) -> i64 {
    let form = [("parent_id", parent.to_string()), ("name", name.to_string())];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(app, &app.client, "create_node", &form).await["id"].as_i64().unwrap()
}

fn contact_form(node: i64, first: &str, last: &str, phone: &str, email: &str, by: &str) -> Form {
    vec![
        ("node_id", node.to_string()),
        ("first_name", first.into()),
        ("last_name", last.into()),
        ("phone", phone.into()),
        ("email", email.into()),
        ("send_calls_to", by.into()),
    ]
}

fn members_form(node: i64, team: &Value, members: &[String]) -> Form {
    let mut form: Form = vec![
        ("node_id", node.to_string()),
        ("team_id", team["id"].as_i64().unwrap().to_string()),
        ("version", team["version"].as_i64().unwrap().to_string()),
    ];
    const KEYS: [&str; 6] =
        ["members[0]", "members[1]", "members[2]", "members[3]", "members[4]", "members[5]"];
    for (i, m) in members.iter().enumerate() {
        form.push((KEYS[i], m.clone()));
    }
    form
}

fn ids_form(node: i64, id_key: &'static str, id: i64, list_key: &str, ids: &[i64]) -> Form {
    let mut form: Form = vec![("node_id", node.to_string()), (id_key, id.to_string())];
    for (i, u) in ids.iter().enumerate() {
        let key: &'static str = Box::leak(format!("{list_key}[{i}]").into_boxed_str());
        form.push((key, u.to_string()));
    }
    form
}

fn user(id: i64) -> String {
    format!("user:{id}")
}

fn contact(c: &Value) -> String {
    format!("contact:{}", c["id"].as_i64().unwrap())
}

async fn call_teams(fx: &Fx, c: &Client, node: i64) -> Value {
    fx.ok(c, "list_call_teams", &vec![("node_id", node.to_string())]).await
}

/// (name, status, how they are reached) of each member of the first call team, in order.
fn roster(teams: &Value) -> Vec<(String, Value, String)> {
    teams[0]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let route = format!("{} {}", m["route"]["by"].as_str().unwrap(), m["route"]["to"]);
            (m["name"].as_str().unwrap().to_string(), m["status"].clone(), route)
        })
        .collect()
}

fn names(list: &Value, key: &str) -> Vec<String> {
    let items = list.as_array().cloned().unwrap_or_default();
    items.iter().map(|x| x[key].as_str().unwrap_or_default().to_string()).collect()
}

async fn contacts_are_checked_at_every_field_and_nothing_is_saved_on_failure(backend: Backend) {
    let fx = Fx::build(backend).await;
    let ada = &fx.app.client;
    let n = fx.north;
    // (form, the fields at fault, a word of the message of the first)
    let cases = [
        (contact_form(n, " ", "", "", "", ""), vec!["first_name", "last_name", "send_calls_to"]),
        (contact_form(n, "Ann", "Lee", "202 555 0100", "", "text"), vec!["phone"]),
        (contact_form(n, "Ann", "Lee", "", "", "text"), vec!["phone"]),
        (contact_form(n, "Ann", "Lee", "", "", "email"), vec!["email"]),
        (contact_form(n, "Ann", "Lee", "", "not-an-address", "email"), vec!["email"]),
        (contact_form(n, "Ann", "Lee", "+1 202 555 0100", "", "fax"), vec!["send_calls_to"]),
        (
            contact_form(n, &"x".repeat(101), "Lee", "", "a@example.com", "email"),
            vec!["first_name"],
        ),
        (contact_form(n, "Ann", "Lee", "+1 (202) 55", "x@y", "text"), vec!["phone", "email"]),
    ];
    for (form, expected) in cases {
        let err = fx.refused(ada, "create_contact", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&err), expected, "{form:?}: {err}");
    }
    assert_eq!(
        field_message(
            &fx.refused(
                ada,
                "create_contact",
                &contact_form(n, "Ann", "Lee", "", "", "text"),
                StatusCode::UNPROCESSABLE_ENTITY
            )
            .await,
            "phone"
        ),
        "Enter a phone number: this contact gets their calls by text."
    );
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM contacts").await, 0, "nothing saved");
    assert_eq!(fx.audits("contact_created").await, 0);

    // Typed as people type, stored normalised.
    let form = contact_form(n, " Ann ", "Lee", " +1 (202) 555-0100 ", " Ann@Example.COM ", "text");
    let created = fx.ok(ada, "create_contact", &form).await;
    assert_eq!(created["first_name"], "Ann");
    assert_eq!(created["phone"], "+12025550100");
    assert_eq!(created["email"], "ann@example.com");
    assert_eq!(created["calls_by"], "text");
    let listed = fx.ok(ada, "list_contacts", &vec![("node_id", n.to_string())]).await;
    assert_eq!(names(&listed, "last_name"), vec!["Lee"]);
    // A contact is no user: no identity, no sign-in, no role.
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM users WHERE last_name = 'Lee'").await, 0);
    assert_eq!(fx.audits("contact_created").await, 1);
    // Optional fields may stay empty when the other one carries the calls.
    fx.ok(ada, "create_contact", &contact_form(n, "Bea", "Ray", "", "bea@example.com", "email"))
        .await;
}

async fn contacts_change_with_a_version_and_only_at_their_own_node(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let n = fx.north;
    let created = fx
        .ok(&nina, "create_contact", &contact_form(n, "Ann", "Lee", "", "ann@example.com", "email"))
        .await;
    let id = created["id"].as_i64().unwrap().to_string();
    let update = |node: i64, first: &str, version: i64| {
        let mut form = contact_form(node, first, "Lee", "+44 20 7946 0958", "", "text");
        form.push(("contact_id", id.clone()));
        form.push(("version", version.to_string()));
        form
    };
    let saved = fx.ok(&nina, "update_contact", &update(n, "Anne", 1)).await;
    assert_eq!((saved["first_name"].as_str(), saved["version"].as_i64()), (Some("Anne"), Some(2)));
    assert_eq!(saved["phone"], "+442079460958");
    assert_eq!(saved["email"], Value::Null, "an emptied field is cleared");
    // Saving from the old version would overwrite the change: refused.
    let err =
        fx.refused(&nina, "update_contact", &update(n, "Annie", 1), StatusCode::CONFLICT).await;
    assert!(err["message"].as_str().unwrap().contains("Someone else changed"), "{err}");
    // A failed check saves nothing either.
    let mut bad = update(n, "", 2);
    bad[4] = ("email", "nope".into());
    let err = fx.refused(&nina, "update_contact", &bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&err), vec!["first_name", "email"]);
    let listed = fx.ok(&nina, "list_contacts", &vec![("node_id", n.to_string())]).await;
    assert_eq!(names(&listed, "first_name"), vec!["Anne"]);

    // Through another node, the contact does not exist: at West (Nina manages it too) and at
    // the agency (Ada manages everything), "not found" either way.
    fx.refused(&nina, "update_contact", &update(fx.west, "X", 2), StatusCode::NOT_FOUND).await;
    let ada = &fx.app.client;
    let del = |node: i64| vec![("node_id", node.to_string()), ("contact_id", id.clone())];
    fx.refused(ada, "delete_contact", &del(fx.agency), StatusCode::NOT_FOUND).await;
    // Nina does not manage South: refused before anything is looked up.
    fx.refused(&nina, "delete_contact", &del(fx.south), StatusCode::FORBIDDEN).await;
    fx.ok(&nina, "delete_contact", &del(n)).await;
    let listed = fx.ok(&nina, "list_contacts", &vec![("node_id", n.to_string())]).await;
    assert_eq!(listed, serde_json::json!([]));
    fx.refused(&nina, "delete_contact", &del(n), StatusCode::NOT_FOUND).await;
    assert_eq!(fx.audits("contact_updated").await, 1);
    assert_eq!(fx.audits("contact_deleted").await, 1);
}

/// Gives `user` call preferences: calls by text to `phone`.
async fn prefers_text(fx: &Fx, user: i64, phone: &str) {
    sqlx::query(
        "INSERT INTO call_preferences (user_id, send_calls_to, phone, email, missed_call_email, \
         dial_app_first, call_waiting, audio_bitrate, text_window_start, text_window_end, \
         schedule, can_view_messages_tab, can_view_all_sms, can_view_missed_calls, \
         can_view_unassigned_recordings, updated_at) \
         VALUES ($1, 'text', $2, NULL, 'team', 0, 1, 32, 0, 1440, '[[],[],[],[],[],[],[]]', \
         0, 0, 0, 0, 0)",
    )
    .bind(user)
    .bind(phone)
    .execute(&fx.app.server.state.db.pool)
    .await
    .unwrap();
}

async fn a_call_team_calls_users_and_contacts_in_order_each_their_own_way(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let n = fx.north;
    let lee = fx
        .ok(&nina, "create_contact", &contact_form(n, "Lee", "Contact", "+12025550199", "", "text"))
        .await;
    let team = fx
        .ok(&nina, "create_call_team", &vec![("node_id", n.to_string()), ("name", "Nights".into())])
        .await;
    assert_eq!((team["name"].as_str(), team["version"].as_i64()), (Some("Nights"), Some(1)));
    // Names are unique per node, whatever their case; the field says so.
    let dup = vec![("node_id", n.to_string()), ("name", " nIGHTS ".into())];
    let err = fx.refused(&nina, "create_call_team", &dup, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(field_message(&err, "name"), "There is already a call team called nIGHTS here.");
    let blank = vec![("node_id", n.to_string()), ("name", "  ".into())];
    let err = fx.refused(&nina, "create_call_team", &blank, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&err), vec!["name"]);
    // The same name at another node is another team.
    fx.ok(
        &nina,
        "create_call_team",
        &vec![("node_id", fx.west.to_string()), ("name", "Nights".into())],
    )
    .await;

    // Ann prefers texts; Bob has never said (e-mail at his own address).
    prefers_text(&fx, fx.ann, "+12025550123").await;
    let order = [user(fx.bob), contact(&lee), user(fx.ann)];
    let saved = fx.ok(&nina, "set_call_team_members", &members_form(n, &team, &order)).await;
    assert_eq!(saved["version"], 2);
    let teams = call_teams(&fx, &nina, n).await;
    assert_eq!(
        roster(&teams),
        vec![
            ("Bob Tester".into(), "Active".into(), "email \"bob@example.com\"".into()),
            ("Lee Contact".into(), Value::Null, "text \"+12025550199\"".into()),
            ("Ann Tester".into(), "Active".into(), "text \"+12025550123\"".into()),
        ]
    );
    // Moving Ann up is a new order, saved from the current version.
    let team = &teams[0];
    let order = [user(fx.bob), user(fx.ann), contact(&lee)];
    fx.ok(&nina, "set_call_team_members", &members_form(n, team, &order)).await;
    let names_in_order: Vec<String> =
        roster(&call_teams(&fx, &nina, n).await).into_iter().map(|m| m.0).collect();
    assert_eq!(names_in_order, ["Bob Tester", "Ann Tester", "Lee Contact"]);
    // A contact's own preference changes every team's route to them.
    let mut form = contact_form(n, "Lee", "Contact", "", "lee@example.com", "email");
    form.push(("contact_id", lee["id"].to_string()));
    form.push(("version", "1".into()));
    fx.ok(&nina, "update_contact", &form).await;
    let routes = roster(&call_teams(&fx, &nina, n).await);
    assert_eq!(routes[2].2, "email \"lee@example.com\"");
    // Renaming and deleting.
    let id = team["id"].to_string();
    let rename = vec![("node_id", n.to_string()), ("team_id", id.clone()), ("name", "Late".into())];
    fx.ok(&nina, "rename_call_team", &rename).await;
    assert_eq!(call_teams(&fx, &nina, n).await[0]["name"], "Late");
    fx.ok(&nina, "delete_call_team", &vec![("node_id", n.to_string()), ("team_id", id)]).await;
    assert_eq!(call_teams(&fx, &nina, n).await, serde_json::json!([]));
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM call_team_members").await, 0);
    for action in
        ["call_team_created", "call_team_members_set", "call_team_renamed", "call_team_deleted"]
    {
        assert!(fx.audits(action).await >= 1, "{action} audited");
    }
}

/// Sets `user`'s missed-call e-mail preference ("team", "always", "never") directly.
async fn misses_by_mail(fx: &Fx, user: i64, choice: &str) {
    prefers_text(fx, user, "+12025550123").await;
    sqlx::query("UPDATE call_preferences SET missed_call_email = $1 WHERE user_id = $2")
        .bind(choice)
        .bind(user)
        .execute(&fx.app.server.state.db.pool)
        .await
        .unwrap();
}

async fn missed_call_emails_follow_the_team_unless_the_person_chose_always_or_never(
    backend: Backend,
) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let n = fx.north;
    let lee = fx
        .ok(
            &nina,
            "create_contact",
            &contact_form(n, "Lee", "Contact", "", "lee@example.com", "email"),
        )
        .await;
    let team = fx
        .ok(&nina, "create_call_team", &vec![("node_id", n.to_string()), ("name", "Days".into())])
        .await;
    assert_eq!(team["missed_call_emails"], false, "off until turned on");
    misses_by_mail(&fx, fx.ann, "always").await;
    misses_by_mail(&fx, fx.carl, "never").await;
    misses_by_mail(&fx, fx.rita, "team").await;
    // Bob has no preferences at all: he follows the team too.
    let order = [user(fx.ann), user(fx.carl), user(fx.rita), user(fx.bob), contact(&lee)];
    fx.ok(&nina, "set_call_team_members", &members_form(n, &team, &order)).await;
    let mailed = |teams: &Value| -> Vec<bool> {
        teams[0]["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["missed_call_email"] == true)
            .collect()
    };
    let teams = call_teams(&fx, &nina, n).await;
    assert_eq!(mailed(&teams), [true, false, false, false, false]);

    let toggle = |on: bool| {
        vec![
            ("node_id", n.to_string()),
            ("team_id", team["id"].to_string()),
            ("enabled", on.to_string()),
        ]
    };
    let changed = fx.ok(&nina, "set_call_team_missed_call_emails", &toggle(true)).await;
    assert_eq!(changed["missed_call_emails"], true);
    assert_eq!(changed["version"], teams[0]["version"], "the member list did not change");
    assert_eq!(mailed(&call_teams(&fx, &nina, n).await), [true, false, true, true, true]);
    // Turning it on again changes nothing and files nothing.
    fx.ok(&nina, "set_call_team_missed_call_emails", &toggle(true)).await;
    assert_eq!(fx.audits("call_team_missed_call_emails_set").await, 1);
    fx.ok(&nina, "set_call_team_missed_call_emails", &toggle(false)).await;
    assert_eq!(mailed(&call_teams(&fx, &nina, n).await), [true, false, false, false, false]);
    assert_eq!(fx.audits("call_team_missed_call_emails_set").await, 2);

    // Ann (Call Agent) may not change it; a team of another node is not found there.
    let ann = fx.client("ann").await;
    fx.refused(&ann, "set_call_team_missed_call_emails", &toggle(true), StatusCode::FORBIDDEN)
        .await;
    let mut elsewhere = toggle(true);
    elsewhere[0].1 = fx.west.to_string();
    fx.refused(&nina, "set_call_team_missed_call_emails", &elsewhere, StatusCode::NOT_FOUND).await;
    assert_eq!(call_teams(&fx, &nina, n).await[0]["missed_call_emails"], false);
}

async fn call_team_members_come_from_within_reach_and_the_list_must_be_current(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let (n, w) = (fx.north, fx.west);
    let team = fx
        .ok(&nina, "create_call_team", &vec![("node_id", w.to_string()), ("name", "West".into())])
        .await;
    let north_contact = fx
        .ok(
            &nina,
            "create_contact",
            &contact_form(n, "Nora", "North", "", "n@example.com", "email"),
        )
        .await;
    const NOT_HERE: &str = "One of the people chosen is not someone you can add here.";
    // Sam is of South, out of Nina's reach; user 999999 does not exist: the same answer.
    for stranger in [fx.sam, 999_999] {
        let form = members_form(w, &team, &[user(fx.bob), user(stranger)]);
        let err = fx
            .refused(&nina, "set_call_team_members", &form, StatusCode::UNPROCESSABLE_ENTITY)
            .await;
        assert_eq!(field_message(&err, "members"), NOT_HERE, "{stranger}");
    }
    // A contact of North is not West's.
    let form = members_form(w, &team, &[contact(&north_contact)]);
    let err =
        fx.refused(&nina, "set_call_team_members", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&err), vec!["members"]);
    // Nobody twice.
    let form = members_form(w, &team, &[user(fx.bob), user(fx.bob)]);
    fx.refused(&nina, "set_call_team_members", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM call_team_members").await, 0, "nothing saved");
    assert_eq!(fx.scalar("SELECT version FROM call_teams WHERE name = 'West'").await, 1);

    // Bob is at home at West; Nina and Carl hold roles at North, above it, and so have a say
    // there: all may be on its team.
    let form = members_form(w, &team, &[user(fx.bob), user(fx.nina), user(fx.carl)]);
    fx.ok(&nina, "set_call_team_members", &form).await;
    // Someone saving from the list they loaded before that change is told, not obeyed.
    let stale = members_form(w, &team, &[user(fx.bob)]);
    let err = fx.refused(&nina, "set_call_team_members", &stale, StatusCode::CONFLICT).await;
    assert!(err["message"].as_str().unwrap().contains("Someone else changed"), "{err}");
    assert_eq!(roster(&call_teams(&fx, &nina, w).await).len(), 3);
    // A team of another node is not found through this one.
    let form = members_form(n, &call_teams(&fx, &nina, w).await[0], &[user(fx.ann)]);
    fx.refused(&nina, "set_call_team_members", &form, StatusCode::NOT_FOUND).await;
}

async fn disabled_and_suspended_members_stay_marked_and_deleted_ones_leave_everything(
    backend: Backend,
) {
    let fx = Fx::build(backend).await;
    let ada = &fx.app.client;
    let n = fx.north;
    let team = fx
        .ok(ada, "create_call_team", &vec![("node_id", n.to_string()), ("name", "Days".into())])
        .await;
    let order = [user(fx.ann), user(fx.carl), user(fx.rita)];
    fx.ok(ada, "set_call_team_members", &members_form(n, &team, &order)).await;
    // Carl is also on a team, in Rita's access group, and sees Ann's activities.
    let t = fx
        .ok(ada, "create_team", &vec![("node_id", n.to_string()), ("name", "Sales".into())])
        .await;
    let t_id = t["id"].as_i64().unwrap();
    fx.ok(ada, "set_team_members", &ids_form(n, "team_id", t_id, "user_ids", &[fx.carl, fx.ann]))
        .await;
    let g = fx
        .ok(ada, "create_access_group", &vec![("node_id", n.to_string()), ("name", "G".into())])
        .await;
    let g_id = g["id"].as_i64().unwrap();
    fx.ok(ada, "set_access_group_members", &ids_form(n, "group_id", g_id, "user_ids", &[fx.rita]))
        .await;
    let vis = ids_form(n, "user_id", fx.carl, "subject_ids", &[fx.ann]);
    fx.ok(ada, "set_activity_visibility", &vis).await;
    let vis = ids_form(n, "user_id", fx.ann, "subject_ids", &[fx.carl]);
    fx.ok(ada, "set_activity_visibility", &vis).await;

    let fxr = &fx;
    let change = move |endpoint: &'static str, who: i64| async move {
        let form = vec![("user_id", who.to_string()), ("reason", "Case".to_string())];
        fxr.ok(&fxr.app.client, endpoint, &form).await;
    };
    change("disable_user", fx.ann).await;
    change("suspend_user", fx.carl).await;
    let statuses: Vec<(String, Value)> =
        roster(&call_teams(&fx, ada, n).await).into_iter().map(|m| (m.0, m.1)).collect();
    assert_eq!(
        statuses,
        vec![
            ("Ann Tester".into(), "Disabled".into()),
            ("Carl Tester".into(), "Suspended".into()),
            ("Rita Tester".into(), "Active".into()),
        ],
        "disabled and suspended people stay on the team, in their place, marked"
    );

    // Carl has saved call preferences (personal contact details): they go with him.
    let form = vec![("user_id", fx.carl.to_string())];
    let mut prefs = fx.ok(ada, "get_call_preferences", &form).await["prefs"].clone();
    prefs["missed_call_email"] = "always".into();
    let body = serde_json::json!({ "user_id": fx.carl, "prefs": prefs, "version": 0 });
    let res = ada.post(fx.app.url("/api/save_call_preferences")).json(&body).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let saved = format!("SELECT COUNT(*) FROM call_preferences WHERE user_id = {}", fx.carl);
    assert_eq!(fx.scalar(&saved).await, 1);

    change("delete_user", fx.carl).await;
    change("delete_user", fx.rita).await;
    let teams = call_teams(&fx, ada, n).await;
    let left: Vec<String> = roster(&teams).into_iter().map(|m| m.0).collect();
    assert_eq!(left, ["Ann Tester"], "deleted people leave the call team");
    assert_eq!(teams[0]["version"], 4, "the list moved on: older copies cannot restore them");
    for (table, column) in [
        ("call_team_members", "user_id"),
        ("team_members", "user_id"),
        ("access_group_members", "user_id"),
        ("activity_visibility", "viewer_user_id"),
        ("activity_visibility", "subject_user_id"),
        ("call_preferences", "user_id"),
    ] {
        let sql =
            format!("SELECT COUNT(*) FROM {table} WHERE {column} IN ({}, {})", fx.carl, fx.rita);
        assert_eq!(fx.scalar(&sql).await, 0, "{table}.{column}");
    }
    let teams = fx.ok(ada, "list_teams", &vec![("node_id", n.to_string())]).await;
    assert_eq!(names(&teams[0]["members"], "name"), vec!["Ann Tester"]);
    let vis = fx.ok(ada, "list_activity_visibility", &vec![("node_id", n.to_string())]).await;
    assert_eq!(vis, serde_json::json!([]));
    // Deleted people cannot be added back either.
    let form = members_form(n, &teams_first(&fx, n).await, &[user(fx.ann), user(fx.carl)]);
    let err =
        fx.refused(ada, "set_call_team_members", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&err), vec!["members"]);
}

async fn teams_first(fx: &Fx, node: i64) -> Value {
    call_teams(fx, &fx.app.client, node).await[0].clone()
}

async fn teams_and_activity_visibility_need_manage_users_and_people_in_reach(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let ann = fx.client("ann").await;
    let n = fx.north;
    let node = || vec![("node_id", n.to_string())];
    let mut create = node();
    create.push(("name", "Closers".into()));
    // Ann (Call Agent) neither sees teams nor makes them.
    fx.refused(&ann, "list_teams", &node(), StatusCode::FORBIDDEN).await;
    fx.refused(&ann, "create_team", &create, StatusCode::FORBIDDEN).await;
    let team = fx.ok(&nina, "create_team", &create).await;
    let id = team["id"].as_i64().unwrap();
    let mut dup = node();
    dup.push(("name", "CLOSERS".into()));
    let err = fx.refused(&nina, "create_team", &dup, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(field_message(&err, "name"), "There is already a team called CLOSERS here.");

    let err = fx
        .refused(
            &nina,
            "set_team_members",
            &ids_form(n, "team_id", id, "user_ids", &[fx.ann, fx.sam]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["user_ids"], "Sam is out of Nina's reach");
    let saved = fx
        .ok(
            &nina,
            "set_team_members",
            &ids_form(n, "team_id", id, "user_ids", &[fx.carl, fx.ann, fx.bob]),
        )
        .await;
    assert_eq!(names(&saved["members"], "name"), ["Ann Tester", "Bob Tester", "Carl Tester"]);
    let listed = fx.ok(&nina, "list_teams", &node()).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // Ada removes Bob; the team of North is not West's.
    let form = ids_form(fx.west, "team_id", id, "user_ids", &[fx.ann]);
    fx.refused(&fx.app.client, "set_team_members", &form, StatusCode::NOT_FOUND).await;

    // "View other users' activities".
    let see =
        |viewer: i64, subjects: &[i64]| ids_form(n, "user_id", viewer, "subject_ids", subjects);
    fx.refused(&ann, "set_activity_visibility", &see(fx.ann, &[fx.carl]), StatusCode::FORBIDDEN)
        .await;
    let err = fx
        .refused(
            &nina,
            "set_activity_visibility",
            &see(fx.ann, &[fx.ann]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["subject_ids"]);
    let err = fx
        .refused(
            &nina,
            "set_activity_visibility",
            &see(fx.ann, &[fx.sam]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["subject_ids"]);
    let err = fx
        .refused(
            &nina,
            "set_activity_visibility",
            &see(fx.sam, &[fx.ann]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["user_id"]);
    fx.ok(&nina, "set_activity_visibility", &see(fx.ann, &[fx.carl, fx.bob])).await;
    let vis = fx.ok(&nina, "list_activity_visibility", &node()).await;
    assert_eq!(vis[0]["viewer"]["name"], "Ann Tester");
    assert_eq!(names(&vis[0]["subjects"], "name"), ["Bob Tester", "Carl Tester"]);
    // Replacing the list; an empty one clears it.
    fx.ok(&nina, "set_activity_visibility", &see(fx.ann, &[fx.bob])).await;
    let vis = fx.ok(&nina, "list_activity_visibility", &node()).await;
    assert_eq!(names(&vis[0]["subjects"], "name"), ["Bob Tester"]);
    fx.ok(&nina, "set_activity_visibility", &see(fx.ann, &[])).await;
    assert_eq!(fx.ok(&nina, "list_activity_visibility", &node()).await, serde_json::json!([]));
    fx.ok(&nina, "delete_team", &vec![("node_id", n.to_string()), ("team_id", id.to_string())])
        .await;
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM team_members").await, 0);
    assert_eq!(fx.audits("activity_visibility_set").await, 3);
    assert_eq!(fx.audits("team_members_set").await, 1);
}

async fn number(fx: &Fx, c: &Client, node: i64, number: &str, name: &str) -> i64 {
    let form =
        vec![("node_id", node.to_string()), ("number", number.into()), ("name", name.into())];
    fx.ok(c, "create_tracking_number", &form).await["id"].as_i64().unwrap()
}

async fn numbers_seen(fx: &Fx, c: &Client, node: i64) -> Vec<String> {
    let list = fx.ok(c, "list_tracking_numbers", &vec![("node_id", node.to_string())]).await;
    names(&list, "name")
}

async fn access_groups_narrow_the_tracking_numbers_their_members_see(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let n = fx.north;
    let sales = number(&fx, &nina, n, "+1 202 555 0001", "Sales line").await;
    let support = number(&fx, &nina, n, "+1 202 555 0002", "Support line").await;
    let _ads = number(&fx, &nina, n, "+1 202 555 0003", "Ads line").await;
    let all = ["Sales line", "Support line", "Ads line"];
    let ann = fx.client("ann").await;
    let bob = fx.client("bob").await;
    // In no group: every number.
    assert_eq!(numbers_seen(&fx, &ann, n).await, all);
    let group = |name: &str| vec![("node_id", n.to_string()), ("name", name.to_string())];
    let g1 = fx.ok(&nina, "create_access_group", &group("Sales")).await["id"].as_i64().unwrap();
    let g2 = fx.ok(&nina, "create_access_group", &group("Support")).await["id"].as_i64().unwrap();
    fx.ok(&nina, "set_access_group_numbers", &ids_form(n, "group_id", g1, "number_ids", &[sales]))
        .await;
    fx.ok(
        &nina,
        "set_access_group_numbers",
        &ids_form(n, "group_id", g2, "number_ids", &[support]),
    )
    .await;
    // A group with no members narrows no one.
    assert_eq!(numbers_seen(&fx, &ann, n).await, all);
    fx.ok(
        &nina,
        "set_access_group_members",
        &ids_form(n, "group_id", g1, "user_ids", &[fx.ann, fx.bob]),
    )
    .await;
    assert_eq!(numbers_seen(&fx, &ann, n).await, ["Sales line"]);
    // Bob works at West, below North: there too he sees North's numbers as his groups allow.
    assert_eq!(numbers_seen(&fx, &bob, fx.west).await, ["Sales line"]);
    // Two groups: the numbers of both.
    fx.ok(&nina, "set_access_group_members", &ids_form(n, "group_id", g2, "user_ids", &[fx.ann]))
        .await;
    assert_eq!(numbers_seen(&fx, &ann, n).await, ["Sales line", "Support line"]);
    // The groups' own lists never show what the member may not see.
    let groups = fx.ok(&bob, "list_access_groups", &vec![("node_id", fx.west.to_string())]).await;
    assert_eq!(names(&groups, "name"), ["Sales", "Support"]);
    assert_eq!(names(&groups[0]["numbers"], "name"), ["Sales line"]);
    assert_eq!(groups[1]["numbers"], serde_json::json!([]), "Support's number is hidden from Bob");
    // Whoever manages the account's settings sees them all, even in a group: Rita is given
    // Account Admin as well as her Report Manager role.
    fx.give(fx.rita, n, "Account Admin").await;
    fx.ok(
        &nina,
        "set_access_group_members",
        &ids_form(n, "group_id", g1, "user_ids", &[fx.ann, fx.bob, fx.rita]),
    )
    .await;
    let rita = fx.client("rita").await;
    assert_eq!(numbers_seen(&fx, &rita, n).await, all);
    assert_eq!(numbers_seen(&fx, &nina, n).await, all);
    // Empty a group's numbers: its members see nothing of this account.
    fx.ok(&nina, "set_access_group_numbers", &ids_form(n, "group_id", g1, "number_ids", &[])).await;
    assert_eq!(numbers_seen(&fx, &bob, fx.west).await, Vec::<String>::new());
    // Deleting the group lifts the narrowing; removing a number takes it out of every group.
    fx.ok(
        &nina,
        "delete_access_group",
        &vec![("node_id", n.to_string()), ("group_id", g1.to_string())],
    )
    .await;
    assert_eq!(numbers_seen(&fx, &bob, fx.west).await, all);
    fx.ok(
        &nina,
        "delete_tracking_number",
        &vec![("node_id", n.to_string()), ("number_id", support.to_string())],
    )
    .await;
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM access_group_numbers").await, 0);
    assert_eq!(
        numbers_seen(&fx, &ann, n).await,
        Vec::<String>::new(),
        "Ann's group grants nothing now"
    );
    // Another account's numbers are never among them.
    let ada = &fx.app.client;
    number(&fx, ada, fx.south, "+1 202 555 0009", "South line").await;
    assert_eq!(numbers_seen(&fx, ada, n).await, ["Sales line", "Ads line"]);
    fx.refused(
        &ann,
        "list_tracking_numbers",
        &vec![("node_id", fx.south.to_string())],
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn group_members_hold_a_calling_role_and_changes_are_made_at_the_account(backend: Backend) {
    let fx = Fx::build(backend).await;
    let nina = fx.client("nina").await;
    let n = fx.north;
    // Numbers are checked at their fields, duplicates refused, nothing saved on failure.
    let bad = vec![("node_id", n.to_string()), ("number", "555-0100".into()), ("name", " ".into())];
    let err =
        fx.refused(&nina, "create_tracking_number", &bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&err), vec!["number", "name"]);
    number(&fx, &nina, n, "+12025550001", "Sales").await;
    let dup = vec![
        ("node_id", n.to_string()),
        ("number", "+1 202 555 0001".into()),
        ("name", "Again".into()),
    ];
    let err =
        fx.refused(&nina, "create_tracking_number", &dup, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        field_message(&err, "number"),
        "This account already has the number +1 202 555 0001."
    );
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM tracking_numbers").await, 1);
    // At a sub-group, nothing is changed: numbers and groups belong to the account.
    let at_west = vec![
        ("node_id", fx.west.to_string()),
        ("number", "+12025550002".into()),
        ("name", "W".into()),
    ];
    fx.refused(&nina, "create_tracking_number", &at_west, StatusCode::CONFLICT).await;
    let group_at_west = vec![("node_id", fx.west.to_string()), ("name", "W".into())];
    fx.refused(&nina, "create_access_group", &group_at_west, StatusCode::CONFLICT).await;

    let g = fx
        .ok(
            &nina,
            "create_access_group",
            &vec![("node_id", n.to_string()), ("name", "Sales".into())],
        )
        .await;
    let g = g["id"].as_i64().unwrap();
    let err = fx
        .refused(
            &nina,
            "create_access_group",
            &vec![("node_id", n.to_string()), ("name", "sales".into())],
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["name"]);
    // Carl holds only User: named, since Nina may see him, and refused.
    let err = fx
        .refused(
            &nina,
            "set_access_group_members",
            &ids_form(n, "group_id", g, "user_ids", &[fx.ann, fx.carl]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(
        field_message(&err, "user_ids"),
        "Carl Tester holds none of Call Agent, Call Manager or Report Manager in this account, so \
         an access-control group cannot narrow what they see."
    );
    // Sam is a Call Agent, of South: out of reach, not named.
    let err = fx
        .refused(
            &nina,
            "set_access_group_members",
            &ids_form(n, "group_id", g, "user_ids", &[fx.sam]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(
        field_message(&err, "user_ids"),
        "One of the people chosen is not someone you can add here."
    );
    assert_eq!(fx.scalar("SELECT COUNT(*) FROM access_group_members").await, 0);
    // Call Agent at North, Call Agent at West (below it), Report Manager at North.
    let saved = fx
        .ok(
            &nina,
            "set_access_group_members",
            &ids_form(n, "group_id", g, "user_ids", &[fx.ann, fx.bob, fx.rita]),
        )
        .await;
    assert_eq!(names(&saved["members"], "name"), ["Ann Tester", "Bob Tester", "Rita Tester"]);
    // The candidates offered are exactly the people who may be put in a group.
    let offered = fx
        .ok(
            &nina,
            "list_member_candidates",
            &vec![("node_id", n.to_string()), ("purpose", "access_group".into())],
        )
        .await;
    assert_eq!(names(&offered, "name"), ["Ann Tester", "Bob Tester", "Rita Tester"]);
    let offered = fx
        .ok(
            &nina,
            "list_member_candidates",
            &vec![("node_id", n.to_string()), ("purpose", "team".into())],
        )
        .await;
    assert_eq!(
        names(&offered, "name"),
        ["Ann Tester", "Bob Tester", "Carl Tester", "Nina Tester", "Rita Tester"],
        "North's people within Nina's reach; never South's"
    );
    // A number of another account cannot be granted.
    let south = number(&fx, &fx.app.client, fx.south, "+12025550003", "South").await;
    let err = fx
        .refused(
            &nina,
            "set_access_group_numbers",
            &ids_form(n, "group_id", g, "number_ids", &[south]),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    assert_eq!(fields(&err), vec!["number_ids"]);
    assert_eq!(fx.audits("access_group_members_set").await, 1);
    assert_eq!(fx.audits("tracking_number_created").await, 2);
}

async fn who_may_read_and_change_what(backend: Backend) {
    let fx = Fx::build(backend).await;
    let n = fx.north;
    let node = || vec![("node_id", n.to_string())];
    let named = |name: &str| {
        let mut f = node();
        f.push(("name", name.to_string()));
        f
    };
    let ann = fx.client("ann").await; // Call Agent: views the account, manages nothing
    let carl = fx.client("carl").await; // User
    let sam = fx.client("sam").await; // Call Agent of South
    let nina = fx.client("nina").await;
    let contact = contact_form(n, "Lee", "Contact", "", "lee@example.com", "email");
    for c in [&ann, &carl] {
        for endpoint in
            ["list_contacts", "list_call_teams", "list_tracking_numbers", "list_access_groups"]
        {
            fx.ok(c, endpoint, &node()).await;
        }
        fx.refused(c, "create_contact", &contact, StatusCode::FORBIDDEN).await;
        fx.refused(c, "create_call_team", &named("T"), StatusCode::FORBIDDEN).await;
        fx.refused(
            c,
            "create_tracking_number",
            &vec![
                ("node_id", n.to_string()),
                ("number", "+12025550001".into()),
                ("name", "N".into()),
            ],
            StatusCode::FORBIDDEN,
        )
        .await;
        fx.refused(c, "create_access_group", &named("G"), StatusCode::FORBIDDEN).await;
        fx.refused(c, "list_teams", &node(), StatusCode::FORBIDDEN).await;
        fx.refused(c, "list_activity_visibility", &node(), StatusCode::FORBIDDEN).await;
        for purpose in ["call_team", "team", "access_group"] {
            let mut f = node();
            f.push(("purpose", purpose.into()));
            fx.refused(c, "list_member_candidates", &f, StatusCode::FORBIDDEN).await;
        }
    }
    // Another account sees nothing of North.
    for endpoint in [
        "list_contacts",
        "list_call_teams",
        "list_tracking_numbers",
        "list_access_groups",
        "list_teams",
    ] {
        fx.refused(&sam, endpoint, &node(), StatusCode::FORBIDDEN).await;
    }
    // Nina manages North and everything below it, nothing beside it.
    fx.ok(&nina, "create_contact", &contact).await;
    fx.ok(&nina, "create_call_team", &named("T")).await;
    fx.ok(&nina, "create_team", &named("T")).await;
    fx.ok(&nina, "create_access_group", &named("G")).await;
    let mut at_west = contact.clone();
    at_west[0] = ("node_id", fx.west.to_string());
    fx.ok(&nina, "create_contact", &at_west).await;
    let mut at_south = contact.clone();
    at_south[0] = ("node_id", fx.south.to_string());
    fx.refused(&nina, "create_contact", &at_south, StatusCode::FORBIDDEN).await;
    fx.refused(
        &nina,
        "list_call_teams",
        &vec![("node_id", fx.agency.to_string())],
        StatusCode::FORBIDDEN,
    )
    .await;
    // Unknown ids at a node the caller manages: not found.
    let gone = vec![("node_id", n.to_string()), ("team_id", "999999".into())];
    fx.refused(&nina, "delete_call_team", &gone, StatusCode::NOT_FOUND).await;
    fx.refused(&nina, "delete_team", &gone, StatusCode::NOT_FOUND).await;
    let gone = vec![("node_id", n.to_string()), ("group_id", "999999".into())];
    fx.refused(&nina, "delete_access_group", &gone, StatusCode::NOT_FOUND).await;
    // Signed out: nothing.
    fx.refused(&common::client(), "list_contacts", &node(), StatusCode::UNAUTHORIZED).await;
}

async fn a_persons_page_lists_their_teams_and_groups_where_the_caller_may_see(backend: Backend) {
    let fx = Fx::build(backend).await;
    let ada = &fx.app.client;
    let (n, w) = (fx.north, fx.west);
    // Bob is on a call team at West and one at North, a team at West, a group of North, and
    // sees Ann's activities at North.
    for (node, name) in [(w, "West calls"), (n, "North calls")] {
        let team = fx
            .ok(
                ada,
                "create_call_team",
                &vec![("node_id", node.to_string()), ("name", name.into())],
            )
            .await;
        fx.ok(ada, "set_call_team_members", &members_form(node, &team, &[user(fx.bob)])).await;
    }
    let t = fx
        .ok(ada, "create_team", &vec![("node_id", w.to_string()), ("name", "West team".into())])
        .await;
    fx.ok(
        ada,
        "set_team_members",
        &ids_form(w, "team_id", t["id"].as_i64().unwrap(), "user_ids", &[fx.bob]),
    )
    .await;
    let g = fx
        .ok(
            ada,
            "create_access_group",
            &vec![("node_id", n.to_string()), ("name", "Group N".into())],
        )
        .await;
    fx.ok(
        ada,
        "set_access_group_members",
        &ids_form(n, "group_id", g["id"].as_i64().unwrap(), "user_ids", &[fx.bob]),
    )
    .await;
    fx.ok(
        ada,
        "set_activity_visibility",
        &ids_form(n, "user_id", fx.bob, "subject_ids", &[fx.ann]),
    )
    .await;

    let of_bob = vec![("user_id", fx.bob.to_string())];
    let all = fx.ok(ada, "list_user_teams_and_groups", &of_bob).await;
    assert_eq!(names(&all["call_teams"], "name"), ["North calls", "West calls"]);
    assert_eq!(names(&all["teams"], "name"), ["West team"]);
    assert_eq!(names(&all["access_groups"], "name"), ["Group N"]);
    assert_eq!(all["sees_activities_of"][0]["subject"]["name"], "Ann Tester");
    assert_eq!(all["sees_activities_of"][0]["node_name"], "North");
    // Bob himself views the account at West only: West's call team; no teams (he does not
    // view users).
    let bob = fx.client("bob").await;
    let own = fx.ok(&bob, "list_user_teams_and_groups", &of_bob).await;
    assert_eq!(names(&own["call_teams"], "name"), ["West calls"]);
    assert_eq!(own["teams"], serde_json::json!([]));
    assert_eq!(own["access_groups"], serde_json::json!([]));
    assert_eq!(own["sees_activities_of"], serde_json::json!([]));
    // Sam, of South, sees nothing of Bob.
    let sam = fx.client("sam").await;
    let none = fx.ok(&sam, "list_user_teams_and_groups", &of_bob).await;
    for key in ["teams", "call_teams", "access_groups", "sees_activities_of"] {
        assert_eq!(none[key], serde_json::json!([]), "{key}");
    }
}

/// Carl (User) and Rita (Report Manager) may view North's call teams: who is called, in which
/// order, but not the members' personal numbers and addresses; Ann sees her own.
async fn only_those_who_manage_a_call_team_see_where_its_members_calls_go(backend: Backend) {
    let fx = Fx::build(backend).await;
    let (nina, n) = (fx.client("nina").await, fx.north);
    let lee = contact_form(n, "Lee", "Contact", "+12025550199", "", "text");
    let lee = fx.ok(&nina, "create_contact", &lee).await;
    let team = vec![("node_id", n.to_string()), ("name", "Nights".into())];
    let team = fx.ok(&nina, "create_call_team", &team).await;
    prefers_text(&fx, fx.ann, "+12025550123").await;
    let order = [user(fx.bob), contact(&lee), user(fx.ann)];
    fx.ok(&nina, "set_call_team_members", &members_form(n, &team, &order)).await;
    let secrets = ["+12025550123", "+12025550199", "bob@example.com"];
    let all = call_teams(&fx, &nina, n).await;
    assert!(secrets.iter().all(|s| all.to_string().contains(s)), "the manager sees: {all}");
    for (local, own) in [("carl", None), ("rita", None), ("ann", Some(2))] {
        let c = fx.client(local).await;
        let seen = call_teams(&fx, &c, n).await;
        assert_eq!(names(&seen[0]["members"], "name"), ["Bob Tester", "Lee Contact", "Ann Tester"]);
        for (i, m) in seen[0]["members"].as_array().unwrap().iter().enumerate() {
            assert_eq!(m["route"].is_null(), own != Some(i), "{local} sees member {i}: {m}");
        }
        let text = seen.to_string();
        let leaked: Vec<&&str> =
            secrets.iter().filter(|s| text.contains(**s) && **s != "+12025550123").collect();
        assert!(leaked.is_empty(), "{local} sees {leaked:?}: {text}");
    }
}

/// The names of the members of the first access-control group, as `c` reads it at `node`.
async fn group_members(fx: &Fx, c: &Client, node: i64) -> Vec<String> {
    let groups = fx.ok(c, "list_access_groups", &vec![("node_id", node.to_string())]).await;
    names(&groups[0]["members"], "name")
}

/// An access-control group of North holds Ann (North), Bob (West) and Eve (East, a sibling
/// of West). Read at West, it lists Ann and Bob: Eve's only place is East.
async fn access_groups_read_at_a_sub_group_leave_out_people_only_in_a_sibling(backend: Backend) {
    let fx = Fx::build(backend).await;
    let (nina, n) = (fx.client("nina").await, fx.north);
    let east = create_node(&fx.app, n, "East").await;
    let eve = fx.person("eve", "Eve", east, "Call Agent").await;
    fx.person("wendy", "Wendy", fx.west, "User").await;
    let g = fx
        .ok(
            &nina,
            "create_access_group",
            &vec![("node_id", n.to_string()), ("name", "Sales".into())],
        )
        .await;
    let g = g["id"].as_i64().unwrap();
    let members = ids_form(n, "group_id", g, "user_ids", &[fx.ann, fx.bob, eve]);
    fx.ok(&nina, "set_access_group_members", &members).await;
    let everyone = ["Ann Tester", "Bob Tester", "Eve Tester"];
    assert_eq!(group_members(&fx, &nina, n).await, everyone);
    assert_eq!(
        group_members(&fx, &fx.client("carl").await, n).await,
        everyone,
        "read at the account"
    );
    let at_west = group_members(&fx, &fx.client("wendy").await, fx.west).await;
    assert_eq!(at_west, ["Ann Tester", "Bob Tester"], "read at West");
    assert_eq!(
        group_members(&fx, &fx.client("eve").await, east).await,
        ["Ann Tester", "Eve Tester"]
    );
}
