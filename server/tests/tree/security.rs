//! Attacks on the tree and the role editor (issue 11): a move checked where the node is, not
//! where the client says; role edits and deletes that would take away permissions the editor
//! lacks; another agency's role ids probed through 403 versus 404.

use super::{Form, call, closure, create, grant, move_form, ok, role, setup_agency};
use crate::common::{Backend, TestApp};
use app::{
    domain::{NodeId, NodeKind},
    server::repo::nodes,
};
use reqwest::StatusCode;
use serde_json::Value;

crate::on_both_backends!(
    a_sub_group_administrator_cannot_move_it_out_of_the_account_above,
    a_role_editor_cannot_take_away_permissions_they_lack,
    another_agencys_role_answers_as_a_role_that_never_existed,
);

/// A role id no agency ever had.
const NEVER: &str = "987654321";

async fn a_sub_group_administrator_cannot_move_it_out_of_the_account_above(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let desk = create(&app, north, "Desk").await;
    let inner = create(&app, desk, "Inner").await;
    let administrator = role(&app, agency, "Administrator").await;
    // Cal administers the Desk sub-group of North, and the South account.
    let cal = app.add_user("cal@example.com", "Cal", north).await;
    for at in [desk, south] {
        assert_eq!(grant(&app, &app.client, at, cal, administrator).await.0, StatusCode::OK);
    }
    let c = app.client_for("cal@example.com").await;
    let before = closure(&app).await;

    // The attack: Desk taken out of North (where Cal has no say) into South.
    let (status, err) = call(&app, &c, "move_node", &move_form(desk, south).pairs()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // Nor within North, under North itself.
    let (status, _) = call(&app, &c, "move_node", &move_form(inner, north).pairs()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "the destination is checked too");
    assert_eq!(closure(&app).await, before, "a refused move changes nothing");
    let (moved,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind("node_moved")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    assert_eq!(moved, 0);

    // Where Cal holds the right at the current parent and at the destination, he may move.
    let inner_south = create(&app, south, "Inner South").await;
    let moved = ok(&app, &c, "move_node", &move_form(inner, inner_south).pairs()).await;
    assert_eq!(moved["parent_id"].as_i64(), Some(inner_south), "{moved}");
    // The agency's administrator holds it everywhere: Desk goes to South.
    let moved = ok(&app, &app.client, "move_node", &move_form(desk, south).pairs()).await;
    assert_eq!(moved["parent_id"].as_i64(), Some(south));
    // A node that does not exist is answered as one out of reach.
    let (status, _) = call(&app, &c, "move_node", &move_form(99_999, south).pairs()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// `save_role` or `preview_role_change` arguments, with the permission keys as a list.
fn role_form(fields: &[(&str, &str)], permissions: &[&str]) -> Form {
    let mut form: Vec<(String, String)> =
        fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (i, p) in permissions.iter().enumerate() {
        form.push((format!("permissions[{i}]"), p.to_string()));
    }
    Form(form)
}

async fn permissions_of(app: &TestApp, role: i64) -> String {
    let (keys,): (String,) = sqlx::query_as("SELECT permissions FROM roles WHERE id = $1")
        .bind(role)
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    keys
}

async fn a_role_editor_cannot_take_away_permissions_they_lack(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let a = agency.to_string();
    let north = create(&app, agency, "North").await;
    let s = &app.client;
    // The agency's administrator makes a role with billing in it, and gives it to Bob.
    let base = [("agency_node_id", a.as_str()), ("name", "Front desk")];
    let saved =
        ok(&app, s, "save_role", &role_form(&base, &["view_account", "view_billing"]).pairs())
            .await;
    let (desk, desk_s) = (saved["id"].as_i64().unwrap(), saved["id"].to_string());
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    assert_eq!(grant(&app, s, north, bob, desk).await.0, StatusCode::OK);
    // Ann manages roles at the agency, as an Account Admin: no billing.
    let ann = app.add_user("ann@example.com", "Ann", agency).await;
    let account_admin = role(&app, agency, "Account Admin").await;
    assert_eq!(grant(&app, s, agency, ann, account_admin).await.0, StatusCode::OK);
    let c = app.client_for("ann@example.com").await;
    let edit = |version: &str, name: &str, permissions: &[&str]| {
        let fields = [
            ("agency_node_id", a.as_str()),
            ("role_id", desk_s.as_str()),
            ("name", name),
            ("expected_version", version),
        ];
        role_form(&fields, permissions)
    };

    // The attack: an edit that drops billing, which Ann does not hold, from Bob's role.
    let form = edit("1", "Front desk", &["view_account"]);
    let (status, err) = call(&app, &c, "save_role", &form.pairs()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    // The other way round too: nor may she add it.
    let form = edit("1", "Front desk", &["view_account", "view_billing", "manage_billing"]);
    assert_eq!(call(&app, &c, "save_role", &form.pairs()).await.0, StatusCode::FORBIDDEN);
    // Deleting the role would take billing from Bob as well, whatever the replacement.
    let user = role(&app, agency, "User").await.to_string();
    let delete = [("role_id", desk_s.as_str()), ("replacement", user.as_str())];
    let (status, err) = call(&app, &c, "delete_role", &delete).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    assert_eq!(permissions_of(&app, desk).await, "view_account view_billing", "unchanged");

    // What she holds she may change, keeping billing as it is: a rename and a new permission.
    let form = edit("1", "Reception", &["view_account", "view_billing", "view_users"]);
    let (status, saved) = call(&app, &c, "save_role", &form.pairs()).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(permissions_of(&app, desk).await, "view_account view_users view_billing");

    // A role within her own permissions she may delete, but its holders can only be handed
    // a role she may give.
    let base = [("agency_node_id", a.as_str()), ("name", "Greeter")];
    let greeter = ok(&app, &c, "save_role", &role_form(&base, &["view_account"]).pairs()).await;
    let greeter = greeter["id"].to_string();
    assert_eq!(grant(&app, s, north, bob, greeter.parse().unwrap()).await.0, StatusCode::OK);
    let billing = role(&app, agency, "Billing Manager").await.to_string();
    let delete = [("role_id", greeter.as_str()), ("replacement", billing.as_str())];
    assert_eq!(call(&app, &c, "delete_role", &delete).await.0, StatusCode::FORBIDDEN);
    let delete = [("role_id", greeter.as_str()), ("replacement", user.as_str())];
    ok(&app, &c, "delete_role", &delete).await;
    // The agency's administrator holds everything: the billing role goes.
    let delete = [("role_id", desk_s.as_str()), ("replacement", user.as_str())];
    ok(&app, s, "delete_role", &delete).await;
}

/// Status and body of a call, to compare two answers whole.
async fn answer(
    app: &TestApp,
    c: &reqwest::Client,
    endpoint: &str,
    form: &Form,
) -> (StatusCode, Value) {
    call(app, c, endpoint, &form.pairs()).await
}

async fn another_agencys_role_answers_as_a_role_that_never_existed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let a = agency.to_string();
    // A second agency with a custom role of its own.
    let bravo = {
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        nodes::insert(&mut conn, None, NodeKind::Agency, "Bravo Agency", app.clock.now())
            .await
            .unwrap()
    };
    let bea = app.add_user("bea@example.com", "Bea", bravo.0).await;
    let admin = role(&app, agency, "Agency Administrator").await;
    {
        use app::{
            domain::{RoleId, UserId},
            server::repo::memberships,
        };
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        memberships::grant(&mut conn, UserId(bea), NodeId(bravo.0), RoleId(admin), None, 0)
            .await
            .unwrap();
    }
    let b = app.client_for("bea@example.com").await;
    let base = [("agency_node_id", bravo.0.to_string())];
    let base: Vec<(&str, &str)> =
        base.iter().map(|(k, v)| (*k, v.as_str())).chain([("name", "Secret")]).collect();
    let theirs = ok(&app, &b, "save_role", &role_form(&base, &["view_account"]).pairs()).await;
    let theirs = theirs["id"].to_string();

    // Ada, the first agency's administrator, probes the id of Bravo's role and one that
    // never existed: every answer must be the same, status and body.
    let user = role(&app, agency, "User").await.to_string();
    let cases = |id: &str| -> Vec<(&'static str, Form)> {
        vec![
            ("get_role", role_form(&[("role_id", id)], &[])),
            ("preview_role_change", role_form(&[("role_id", id)], &["view_account"])),
            ("delete_role", role_form(&[("role_id", id), ("replacement", user.as_str())], &[])),
            (
                "save_role",
                role_form(
                    &[
                        ("agency_node_id", a.as_str()),
                        ("role_id", id),
                        ("name", "Mine"),
                        ("expected_version", "1"),
                    ],
                    &["view_account"],
                ),
            ),
        ]
    };
    for ((endpoint, theirs), (_, never)) in cases(&theirs).into_iter().zip(cases(NEVER)) {
        let probed = answer(&app, &app.client, endpoint, &theirs).await;
        let missing = answer(&app, &app.client, endpoint, &never).await;
        assert_eq!(probed, missing, "{endpoint}: another agency's role told from a missing one");
        assert_eq!(probed.0, StatusCode::NOT_FOUND, "{endpoint}");
    }
    assert_eq!(permissions_of(&app, theirs.parse().unwrap()).await, "view_account");
}
