//! Giving and taking roles (no escalation, the last administrator stays) and the custom-role
//! editor (names, versions, previews, deletion with a replacement).

use super::{Form, call, can_view, create, grant, names, ok, refused, revoke, role, setup_agency};
use crate::common::{Backend, TestApp};
use reqwest::{Client, StatusCode};
use serde_json::Value;

crate::on_both_backends!(
    a_grant_beyond_the_granters_own_permissions_is_refused,
    the_last_active_administrator_cannot_be_removed,
    custom_roles_are_saved_versioned_compared_and_replaced,
);

async fn a_grant_beyond_the_granters_own_permissions_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let south = create(&app, agency, "South").await;
    let ann = app.add_user("ann@example.com", "Ann", north).await;
    let bob = app.add_user("bob@example.com", "Bob", north).await;
    let dee = app.add_user("dee@example.com", "Dee", south).await;
    let account_admin = role(&app, agency, "Account Admin").await;
    let administrator = role(&app, agency, "Administrator").await;
    let billing = role(&app, agency, "Billing Manager").await;
    let user = role(&app, agency, "User").await;
    let agency_admin = role(&app, agency, "Agency Administrator").await;
    let agency_billing = role(&app, agency, "Agency Billing Manager").await;
    assert_eq!(grant(&app, &app.client, north, ann, account_admin).await.0, StatusCode::OK);
    let c = app.client_for("ann@example.com").await;

    // An Account Admin has no billing: roles with billing are beyond her.
    for r in [administrator, billing] {
        let (status, err) = grant(&app, &c, north, bob, r).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{err}");
    }
    assert_eq!(grant(&app, &c, agency, bob, agency_admin).await.0, StatusCode::FORBIDDEN);
    // People outside her reach cannot be picked, even by id.
    assert_eq!(grant(&app, &c, north, dee, user).await.0, StatusCode::NOT_FOUND);
    assert_eq!(grant(&app, &c, north, bob, user).await.0, StatusCode::OK);
    assert_eq!(
        grant(&app, &c, north, bob, user).await.0,
        StatusCode::OK,
        "granting twice is a no-op"
    );
    // Agency-level roles go at the agency only, whoever grants them.
    let (status, err) = grant(&app, &app.client, north, bob, agency_billing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(err["fields"][0]["field"], "role_id");
    // Nor may she take away a role she could not give.
    assert_eq!(grant(&app, &app.client, north, bob, billing).await.0, StatusCode::OK);
    assert_eq!(revoke(&app, &c, north, bob, billing).await.0, StatusCode::FORBIDDEN);

    let roles = ok(&app, &app.client, "list_user_roles", &[("user_id", &bob.to_string())]).await;
    let mut held: Vec<&str> =
        roles.as_array().unwrap().iter().map(|r| r["role_name"].as_str().unwrap()).collect();
    held.sort();
    assert_eq!(held, ["Billing Manager", "User"]);

    // The picker lists the people she may see, by name or e-mail.
    let north_s = north.to_string();
    let picked = ok(&app, &c, "list_agency_users", &[("node_id", &north_s), ("query", "")]).await;
    let mut emails: Vec<&str> =
        picked.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    emails.sort();
    assert_eq!(emails, ["ann@example.com", "bob@example.com"]);
    let picked =
        ok(&app, &app.client, "list_agency_users", &[("node_id", &north_s), ("query", "DEE")])
            .await;
    assert_eq!(picked[0]["email"], "dee@example.com");
    assert_eq!(picked.as_array().unwrap().len(), 1);
    let picked =
        ok(&app, &app.client, "list_agency_users", &[("node_id", &north_s), ("query", "%")]).await;
    assert_eq!(picked, Value::Array(vec![]), "wildcards are taken literally");
}

async fn the_last_active_administrator_cannot_be_removed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let agency_admin = role(&app, agency, "Agency Administrator").await;
    let members =
        ok(&app, &app.client, "list_node_members", &[("node_id", &agency.to_string())]).await;
    let ada = members[0]["user_id"].as_i64().unwrap();

    let (status, err) = revoke(&app, &app.client, agency, ada, agency_admin).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let message = err["message"].as_str().unwrap();
    assert!(message.contains("Ada Admin is the last administrator of Acme Agency"), "{message}");
    assert!(message.contains("someone can still manage it"), "{message}");

    let eve = app.add_user("eve@example.com", "Eve", agency).await;
    let fay = app.add_user("fay@example.com", "Fay", agency).await;
    for u in [eve, fay] {
        assert_eq!(grant(&app, &app.client, agency, u, agency_admin).await.0, StatusCode::OK);
    }
    // A suspended administrator cannot manage anything, so does not count.
    app.sql(&format!("UPDATE users SET status = 'suspended' WHERE id = {fay}")).await;
    let c = app.client_for("eve@example.com").await;
    assert_eq!(revoke(&app, &c, agency, ada, agency_admin).await.0, StatusCode::OK);
    let (status, err) = revoke(&app, &c, agency, eve, agency_admin).await;
    assert_eq!(status, StatusCode::CONFLICT, "{err}");
    assert!(err["message"].as_str().unwrap().contains("Eve Tester is the last administrator"));
    // Removing the suspended one leaves the active one: allowed.
    assert_eq!(revoke(&app, &c, agency, fay, agency_admin).await.0, StatusCode::OK);
    assert_eq!(can_view(&app, &c, agency).await, StatusCode::OK, "Eve still administers");
    let (n,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = 'role_revoked'")
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    assert_eq!(n, 2, "only the two removals that happened are audited");
}

/// `save_role` arguments, with the permission keys as the list serde_qs reads.
fn role_form(fields: &[(&str, &str)], permissions: &[&str]) -> Form {
    let mut form: Vec<(String, String)> =
        fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    for (i, p) in permissions.iter().enumerate() {
        form.push((format!("permissions[{i}]"), p.to_string()));
    }
    Form(form)
}

async fn call_owned(app: &TestApp, c: &Client, endpoint: &str, form: &Form) -> (StatusCode, Value) {
    call(app, c, endpoint, &form.pairs()).await
}

async fn custom_roles_are_saved_versioned_compared_and_replaced(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let a = agency.to_string();
    let north = create(&app, agency, "North").await;
    let s = &app.client;
    let roles = ok(&app, s, "list_roles", &[("agency_node_id", &a)]).await;
    assert_eq!(roles.as_array().unwrap().len(), 11, "the built-ins");
    assert_eq!(roles[0]["name"], "Agency Administrator");
    assert_eq!(
        (roles[0]["builtin"].as_bool(), roles[0]["holders"].as_i64()),
        (Some(true), Some(1))
    );

    let base = [("agency_node_id", a.as_str()), ("name", "Front desk"), ("description", "Greets")];
    let (status, saved) =
        call_owned(&app, s, "save_role", &role_form(&base, &["view_account", "view_call_log"]))
            .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!((saved["version"].as_i64(), saved["builtin"].as_bool()), (Some(1), Some(false)));
    assert_eq!(saved["permissions"], serde_json::json!(["ViewAccount", "ViewCallLog"]));
    let id = saved["id"].as_i64().unwrap();
    let id_s = id.to_string();

    // Names are unique in the agency, built-in names included, ignoring case.
    for name in ["front DESK", "administrator"] {
        let form = [("agency_node_id", a.as_str()), ("name", name)];
        let (status, err) =
            call_owned(&app, s, "save_role", &role_form(&form, &["view_account"])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert_eq!(err["fields"][0]["field"], "name");
    }
    let form = [("agency_node_id", a.as_str()), ("name", "Odd")];
    let (status, err) = call_owned(&app, s, "save_role", &role_form(&form, &["fly"])).await;
    assert_eq!(
        (status, err["fields"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("permissions"))
    );
    let builtin = role(&app, agency, "User").await.to_string();
    let form = [
        ("agency_node_id", a.as_str()),
        ("role_id", &builtin),
        ("name", "Mine"),
        ("expected_version", "1"),
    ];
    let (status, _) = call_owned(&app, s, "save_role", &role_form(&form, &["view_account"])).await;
    assert_eq!(status, StatusCode::CONFLICT, "built-ins are read-only");

    let bob = app.add_user("bob@example.com", "Bob", north).await;
    assert_eq!(grant(&app, s, north, bob, id).await.0, StatusCode::OK);
    let preview = role_form(&[("role_id", &id_s)], &["view_account", "text_and_chat"]);
    let (status, diff) = call_owned(&app, s, "preview_role_change", &preview).await;
    assert_eq!(status, StatusCode::OK, "{diff}");
    assert_eq!(diff["added"], serde_json::json!(["TextAndChat"]));
    assert_eq!(diff["removed"], serde_json::json!(["ViewCallLog"]));
    assert_eq!(diff["holders_affected"], 1);

    let update = [
        ("agency_node_id", a.as_str()),
        ("role_id", &id_s),
        ("name", "Front desk"),
        ("expected_version", "1"),
    ];
    let update = role_form(&update, &["view_account", "text_and_chat"]);
    let (status, saved) = call_owned(&app, s, "save_role", &update).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!((saved["version"].as_i64(), saved["holders"].as_i64()), (Some(2), Some(1)));
    // The same edit made from a page loaded before that save: someone else's change wins.
    let (status, err) = call_owned(&app, s, "save_role", &update).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(err["message"].as_str().unwrap().contains("changed by someone else"), "{err}");

    let detail = ok(&app, s, "get_role", &[("role_id", &id_s)]).await;
    assert_eq!(detail["holders"][0]["name"], "Bob Tester");
    assert_eq!(detail["holders"][0]["node_name"], "North");
    assert_eq!(detail["role"]["permissions"], serde_json::json!(["ViewAccount", "TextAndChat"]));

    // No escalation: a role manager cannot put into a role what they do not hold.
    let gil = app.add_user("gil@example.com", "Gil", agency).await;
    let form = [("agency_node_id", a.as_str()), ("name", "Role keeper"), ("description", "")];
    let (_, keeper) = call_owned(
        &app,
        s,
        "save_role",
        &role_form(&form, &["view_account", "view_users", "manage_roles"]),
    )
    .await;
    assert_eq!(grant(&app, s, agency, gil, keeper["id"].as_i64().unwrap()).await.0, StatusCode::OK);
    let g = app.client_for("gil@example.com").await;
    let form = [("agency_node_id", a.as_str()), ("name", "Payer")];
    let (status, _) =
        call_owned(&app, &g, "save_role", &role_form(&form, &["manage_billing"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call_owned(&app, &g, "save_role", &role_form(&form, &["view_users"])).await;
    assert_eq!(status, StatusCode::OK);
    // Custom roles belong to the agency: managing roles at an account does not reach them.
    let form = [("agency_node_id", &north.to_string() as &str), ("name", "Local")];
    let (status, _) = call_owned(&app, s, "save_role", &role_form(&form, &["view_account"])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Deleting a role someone holds needs a replacement, given where the old one was held.
    let err = refused(&app, s, "delete_role", &[("role_id", &id_s)], StatusCode::CONFLICT).await;
    assert!(err["message"].as_str().unwrap().contains("held by 1 person"), "{err}");
    let agency_billing = role(&app, agency, "Agency Billing Manager").await.to_string();
    let form = [("role_id", id_s.as_str()), ("replacement", agency_billing.as_str())];
    refused(&app, s, "delete_role", &form, StatusCode::UNPROCESSABLE_ENTITY).await;
    refused(&app, s, "delete_role", &[("role_id", &builtin)], StatusCode::CONFLICT).await;
    ok(&app, s, "delete_role", &[("role_id", &id_s), ("replacement", &builtin)]).await;
    let bob_roles = ok(&app, s, "list_user_roles", &[("user_id", &bob.to_string())]).await;
    assert_eq!(bob_roles.as_array().unwrap().len(), 1);
    assert_eq!(
        (bob_roles[0]["role_name"].as_str(), bob_roles[0]["at_node_name"].as_str()),
        (Some("User"), Some("North"))
    );
    refused(&app, s, "get_role", &[("role_id", &id_s)], StatusCode::NOT_FOUND).await;
    let roles = ok(&app, s, "list_roles", &[("agency_node_id", &a)]).await;
    assert!(!names(&roles).contains(&"Front desk"));
    // At an account, the agency-level built-ins are not offered.
    let at_north = ok(&app, s, "list_roles", &[("agency_node_id", &north.to_string())]).await;
    assert!(!names(&at_north).contains(&"Agency Administrator"));
    assert!(names(&at_north).contains(&"Role keeper"));
}
