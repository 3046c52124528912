//! The account tree, memberships and roles, end to end over HTTP on SQLite and PostgreSQL:
//! building and reshaping the tree and who may act where (inherited downward only) here;
//! granting without escalation, keeping an administrator and the role editor in `roles`.

use crate::common::{Backend, TestApp, call, ok, refused};
use reqwest::{Client, StatusCode};
use serde_json::Value;

on_both_backends!(
    a_three_level_tree_is_built_renamed_and_archived,
    a_move_under_its_own_sub_group_is_refused_and_changes_nothing,
    a_move_carries_the_subtree_to_its_new_ancestors_roles,
    a_call_agent_at_a_sub_group_sees_only_that_sub_group,
    permissions_flow_down_but_not_up_or_sideways,
);

/// Granting and revoking roles, and the custom-role editor. Kept in a folder of its own so
/// cargo does not take it for a test crate.
mod roles;
/// Attacks on moves and on the role editor (issue 11).
mod security;

/// Sets up the agency with Ada as its administrator; returns the agency's id.
async fn setup_agency(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn create(app: &TestApp, parent: i64, name: &str) -> i64 {
    let node =
        ok(app, &app.client, "create_node", &[("parent_id", &parent.to_string()), ("name", name)])
            .await;
    node["id"].as_i64().unwrap()
}

/// The id of the role called `name`, as the agency's administrator sees the list.
async fn role(app: &TestApp, agency: i64, name: &str) -> i64 {
    let roles =
        ok(app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let found = roles.as_array().unwrap().iter().find(|r| r["name"] == name);
    found.unwrap_or_else(|| panic!("no role {name} in {roles}"))["id"].as_i64().unwrap()
}

async fn grant(app: &TestApp, c: &Client, node: i64, user: i64, role: i64) -> (StatusCode, Value) {
    let (node, user, role) = (node.to_string(), user.to_string(), role.to_string());
    call(app, c, "grant_role", &[("node_id", &node), ("user_id", &user), ("role_id", &role)]).await
}

async fn revoke(app: &TestApp, c: &Client, node: i64, user: i64, role: i64) -> (StatusCode, Value) {
    let (node, user, role) = (node.to_string(), user.to_string(), role.to_string());
    call(app, c, "revoke_role", &[("node_id", &node), ("user_id", &user), ("role_id", &role)]).await
}

/// `get_node` as `c`: the status only.
async fn can_view(app: &TestApp, c: &Client, node: i64) -> StatusCode {
    call(app, c, "get_node", &[("node_id", &node.to_string())]).await.0
}

fn names(nodes: &Value) -> Vec<&str> {
    nodes.as_array().unwrap().iter().map(|n| n["name"].as_str().unwrap()).collect()
}

/// Form fields with owned values; `pairs` lends them the way `call` takes them.
struct Form(Vec<(String, String)>);

impl Form {
    fn pairs(&self) -> Vec<(&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
    }
}

fn move_form(node: i64, new_parent: i64) -> Form {
    Form(vec![
        ("node_id".into(), node.to_string()),
        ("new_parent_id".into(), new_parent.to_string()),
    ])
}

async fn closure(app: &TestApp) -> Vec<(i64, i64, i64)> {
    sqlx::query_as(
        "SELECT ancestor_id, descendant_id, depth FROM node_closure \
         ORDER BY ancestor_id, descendant_id",
    )
    .fetch_all(&app.server.state.db.pool)
    .await
    .unwrap()
}

async fn a_three_level_tree_is_built_renamed_and_archived(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let (s, a) = (&app.client, agency.to_string());
    let north = ok(&app, s, "create_node", &[("parent_id", &a), ("name", " North ")]).await;
    assert_eq!((north["name"].as_str(), north["kind"].as_str()), (Some("North"), Some("Account")));
    let north = north["id"].as_i64().unwrap();
    let office =
        ok(&app, s, "create_node", &[("parent_id", &north.to_string()), ("name", "Office")]).await;
    assert_eq!(office["kind"], "Group");
    let office = office["id"].as_i64().unwrap();
    let desk = create(&app, office, "Desk").await;

    let tree = ok(&app, s, "get_tree", &[("root_id", &a)]).await;
    assert_eq!(names(&tree), ["Acme Agency", "North", "Office", "Desk"]);
    let detail = ok(&app, s, "get_node", &[("node_id", &desk.to_string())]).await;
    assert_eq!(names(&detail["ancestors"]), ["Acme Agency", "North", "Office"], "root first");
    assert_eq!(detail["node"]["kind"], "Group");
    assert!(detail["permissions"].as_array().unwrap().contains(&"ManageUsers".into()));
    let detail = ok(&app, s, "get_node", &[("node_id", &north.to_string())]).await;
    assert_eq!(names(&detail["children"]), ["Office"]);

    let err = refused(
        &app,
        s,
        "create_node",
        &[("parent_id", &a), ("name", "  ")],
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(err["fields"][0]["field"], "name");

    let office_id = office.to_string();
    let renamed =
        ok(&app, s, "rename_node", &[("node_id", &office_id), ("name", "Main office")]).await;
    assert_eq!(renamed["name"], "Main office");
    assert_eq!(renamed["kind"], "Group");

    refused(&app, s, "archive_node", &[("node_id", &a)], StatusCode::CONFLICT).await;
    ok(&app, s, "archive_node", &[("node_id", &office_id)]).await;
    assert_eq!(can_view(&app, s, desk).await, StatusCode::NOT_FOUND, "archived with its parent");
    assert_eq!(names(&ok(&app, s, "get_tree", &[("root_id", &a)]).await), ["Acme Agency", "North"]);
    refused(
        &app,
        s,
        "create_node",
        &[("parent_id", &office_id), ("name", "x")],
        StatusCode::NOT_FOUND,
    )
    .await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action LIKE 'node_%'")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(n, 5, "three creations, a rename and an archive are audited");
}

async fn a_move_under_its_own_sub_group_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let office = create(&app, north, "Office").await;
    let desk = create(&app, office, "Desk").await;
    let before = closure(&app).await;
    let s = &app.client;
    for dest in [desk, office, north] {
        let form = move_form(north, dest);
        let err =
            refused(&app, s, "move_node", &form.pairs(), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(
            err["message"],
            "A sub-group cannot be moved under itself or one of its own sub-groups."
        );
    }
    refused(&app, s, "move_node", &move_form(agency, north).pairs(), StatusCode::CONFLICT).await;
    assert_eq!(closure(&app).await, before, "the closure table is untouched");
    let tree = ok(&app, s, "get_tree", &[("root_id", &agency.to_string())]).await;
    let parents: Vec<Value> =
        tree.as_array().unwrap().iter().map(|n| n["parent_id"].clone()).collect();
    assert_eq!(parents, [Value::Null, agency.into(), north.into(), office.into()]);
}

async fn a_move_carries_the_subtree_to_its_new_ancestors_roles(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let team = create(&app, north, "Team").await;
    let desk = create(&app, team, "Desk").await;
    let user_role = role(&app, agency, "User").await;
    let nora = app.add_user("nora@example.com", "Nora", north).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    assert_eq!(grant(&app, &app.client, north, nora, user_role).await.0, StatusCode::OK);
    assert_eq!(grant(&app, &app.client, south, sam, user_role).await.0, StatusCode::OK);
    let (nora_c, sam_c) =
        (app.client_for("nora@example.com").await, app.client_for("sam@example.com").await);
    assert_eq!(can_view(&app, &nora_c, desk).await, StatusCode::OK);
    assert_eq!(can_view(&app, &sam_c, desk).await, StatusCode::FORBIDDEN);

    let moved = ok(&app, &app.client, "move_node", &move_form(team, south).pairs()).await;
    assert_eq!(moved["parent_id"], south);
    assert_eq!(moved["kind"], "Group");

    // The role at the old ancestor no longer applies to the moved subtree; the new one does.
    for node in [team, desk] {
        assert_eq!(can_view(&app, &nora_c, node).await, StatusCode::FORBIDDEN);
        assert_eq!(can_view(&app, &sam_c, node).await, StatusCode::OK);
    }
    assert_eq!(can_view(&app, &nora_c, north).await, StatusCode::OK, "North itself stays");
    let rows: Vec<(i64, i64, i64)> =
        closure(&app).await.into_iter().filter(|r| r.1 == desk).collect();
    let mut expected = vec![(agency, desk, 3), (south, desk, 2), (team, desk, 1), (desk, desk, 0)];
    expected.sort();
    assert_eq!(rows, expected);
    let detail = ok(&app, &app.client, "get_node", &[("node_id", &desk.to_string())]).await;
    assert_eq!(names(&detail["ancestors"]), ["Acme Agency", "South", "Team"]);
}

async fn a_call_agent_at_a_sub_group_sees_only_that_sub_group(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let desk = create(&app, north, "Desk").await;
    let cal = app.add_user("cal@example.com", "Cal", north).await;
    let agent = role(&app, agency, "Call Agent").await;
    assert_eq!(grant(&app, &app.client, desk, cal, agent).await.0, StatusCode::OK);
    let c = app.client_for("cal@example.com").await;

    let entry = ok(&app, &c, "list_entry_points", &[]).await;
    assert_eq!(entry.as_array().unwrap().len(), 1);
    assert_eq!(entry[0]["node"]["name"], "Desk");
    let detail = ok(&app, &c, "get_node", &[("node_id", &desk.to_string())]).await;
    assert_eq!(detail["ancestors"], Value::Array(vec![]), "no breadcrumbs out of reach");
    let perms = detail["permissions"].as_array().unwrap();
    assert!(perms.contains(&"ViewOwnCallsOnly".into()));
    assert!(!perms.contains(&"ManageUsers".into()));

    assert_eq!(can_view(&app, &c, north).await, StatusCode::FORBIDDEN);
    assert_eq!(can_view(&app, &c, agency).await, StatusCode::FORBIDDEN);
    let (desk_s, north_s) = (desk.to_string(), north.to_string());
    refused(&app, &c, "get_tree", &[("root_id", &north_s)], StatusCode::FORBIDDEN).await;
    refused(&app, &c, "list_node_members", &[("node_id", &desk_s)], StatusCode::FORBIDDEN).await;
    refused(
        &app,
        &c,
        "create_node",
        &[("parent_id", &desk_s), ("name", "x")],
        StatusCode::FORBIDDEN,
    )
    .await;
    refused(&app, &c, "list_roles", &[("agency_node_id", &desk_s)], StatusCode::FORBIDDEN).await;
}

async fn permissions_flow_down_but_not_up_or_sideways(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let desk = create(&app, north, "Desk").await;
    let hal = app.add_user("hal@example.com", "Hal", north).await;
    let admin = role(&app, agency, "Administrator").await;
    assert_eq!(grant(&app, &app.client, north, hal, admin).await.0, StatusCode::OK);
    let c = app.client_for("hal@example.com").await;

    assert_eq!(can_view(&app, &c, north).await, StatusCode::OK);
    assert_eq!(can_view(&app, &c, desk).await, StatusCode::OK, "down");
    assert_eq!(can_view(&app, &c, agency).await, StatusCode::FORBIDDEN, "not up");
    assert_eq!(can_view(&app, &c, south).await, StatusCode::FORBIDDEN, "not sideways");
    let (desk_s, south_s, north_s) = (desk.to_string(), south.to_string(), north.to_string());
    refused(
        &app,
        &c,
        "create_node",
        &[("parent_id", &south_s), ("name", "x")],
        StatusCode::FORBIDDEN,
    )
    .await;
    ok(&app, &c, "create_node", &[("parent_id", &desk_s), ("name", "Corner")]).await;
    refused(&app, &c, "move_node", &move_form(desk, south).pairs(), StatusCode::FORBIDDEN).await;
    refused(&app, &c, "archive_node", &[("node_id", &north_s)], StatusCode::FORBIDDEN).await;

    let entry = ok(&app, &c, "list_entry_points", &[]).await;
    assert_eq!(entry[0]["node"]["name"], "North");
    let detail = ok(&app, &c, "get_node", &[("node_id", &desk_s)]).await;
    assert_eq!(names(&detail["ancestors"]), ["North"], "breadcrumbs start where the reach does");

    let members = ok(&app, &c, "list_node_members", &[("node_id", &desk_s)]).await;
    let hal_row = members.as_array().unwrap().iter().find(|m| m["user_id"] == hal).unwrap();
    assert_eq!(hal_row["roles"][0]["at_node_name"], "North");
    assert_eq!(hal_row["roles"][0]["inherited"], true);
    let ada_row = members.as_array().unwrap().iter().find(|m| m["name"] == "Ada Admin").unwrap();
    assert_eq!(ada_row["roles"][0]["role_name"], "Agency Administrator");
    assert_eq!(ada_row["roles"][0]["at_node_name"], "Acme Agency");
    let at_north = ok(&app, &c, "list_node_members", &[("node_id", &north_s)]).await;
    let hal_row = at_north.as_array().unwrap().iter().find(|m| m["user_id"] == hal).unwrap();
    assert_eq!(hal_row["roles"][0]["inherited"], false);

    // A person's roles, only where the caller may view users.
    let ada_id = ada_row["user_id"].to_string();
    assert_eq!(
        ok(&app, &c, "list_user_roles", &[("user_id", &ada_id)]).await,
        Value::Array(vec![])
    );
    let hal_roles =
        ok(&app, &app.client, "list_user_roles", &[("user_id", &hal.to_string())]).await;
    assert_eq!(hal_roles.as_array().unwrap().len(), 1);
    assert_eq!(hal_roles[0]["role_name"], "Administrator");
    assert_eq!(hal_roles[0]["at_node_name"], "North");
}
