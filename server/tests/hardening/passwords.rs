//! A password from the common-password list is refused at every place a password is set,
//! whatever its case, with the same message; a strong one is then accepted.

use crate::common::{self, Backend, PASSWORD, TestApp, call, client, ok};
use reqwest::StatusCode;
use serde_json::Value;

crate::on_both_backends!(
    setup_refuses_a_common_password,
    create_admin_refuses_a_common_password,
    accepting_an_invitation_refuses_a_common_password,
    a_password_reset_refuses_a_common_password,
    changing_a_password_refuses_a_common_password,
);

const TOO_COMMON: &str = "This password is too common. Choose another.";
/// Each is on the list (lower-cased there): case is no way around it.
const COMMON: [&str; 3] = ["Password1", "QWERTY123", "iloveyou1"];

/// The refusal names the field and says what to do.
fn assert_too_common(status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let fields = body["fields"].as_array().expect("field errors");
    assert!(
        fields.iter().any(|f| f["field"] == field && f["message"] == TOO_COMMON),
        "{field}: {body}"
    );
}

/// A token of our choosing for the latest row of `table` belonging to `user`: the tests
/// do not depend on how links reach people (the mail design may change).
async fn known_token(app: &TestApp, table: &str, user: i64) -> String {
    let token = app::server::token::generate();
    let sql = format!(
        "UPDATE {table} SET token_hash = $1 WHERE id = (SELECT MAX(id) FROM {table} \
         WHERE user_id = $2)"
    );
    let done = sqlx::query(&sql)
        .bind(app::server::token::hash(&token))
        .bind(user)
        .execute(&app.server.state.db.pool)
        .await
        .expect("token set");
    assert_eq!(done.rows_affected(), 1, "a row in {table} for user {user}");
    token
}

async fn agency(app: &TestApp) -> i64 {
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let entry = ok(app, &app.client, "list_entry_points", &[]).await;
    entry[0]["node"]["id"].as_i64().unwrap()
}

async fn setup_refuses_a_common_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let code = app.server.setup_code.clone().unwrap();
    for password in COMMON {
        let form = [
            ("code", code.as_str()),
            ("agency_name", "Acme Agency"),
            ("first_name", "Ada"),
            ("last_name", "Admin"),
            ("email", "ada@example.com"),
            ("password", password),
        ];
        let (status, body) = call(&app, &client(), "complete_setup", &form).await;
        assert_too_common(status, &body, "password");
    }
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
}

async fn create_admin_refuses_a_common_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let config = common::config(app.database_url.clone());
    for password in COMMON {
        let err =
            server::create_admin(&config, "Acme", "bo@example.com", "Bo", "Boss", password.into())
                .await
                .expect_err("a common password is refused");
        assert!(err.to_string().contains(TOO_COMMON), "{err}");
    }
    server::create_admin(&config, "Acme", "bo@example.com", "Bo", "Boss", PASSWORD.into())
        .await
        .expect("a strong password is taken");
}

async fn accepting_an_invitation_refuses_a_common_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = agency(&app).await;
    let roles =
        ok(&app, &app.client, "list_roles", &[("agency_node_id", &agency.to_string())]).await;
    let user_role = roles.as_array().unwrap().iter().find(|r| r["name"] == "User").unwrap()["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let form = [
        ("node_id", agency.to_string()),
        ("email", "ann@example.com".to_string()),
        ("first_name", "Ann".to_string()),
        ("last_name", "Smith".to_string()),
        ("role_ids[0]", user_role),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let invited = ok(&app, &app.client, "invite_user", &form).await;
    let ann = invited["user_id"].as_i64().expect("invited");
    let token = known_token(&app, "invitations", ann).await;
    for password in COMMON {
        let form = [("token", token.as_str()), ("password", password)];
        let (status, body) = call(&app, &client(), "accept_invitation", &form).await;
        assert_too_common(status, &body, "password");
    }
    let form = [("token", token.as_str()), ("password", PASSWORD)];
    let (status, body) = call(&app, &client(), "accept_invitation", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn a_password_reset_refuses_a_common_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = agency(&app).await;
    let bob = app.add_user("bob@example.com", "Bob", agency).await;
    let (status, body) =
        call(&app, &client(), "request_password_reset", &[("email", "bob@example.com")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = known_token(&app, "password_resets", bob).await;
    for password in COMMON {
        let form = [("token", token.as_str()), ("password", password)];
        let (status, body) = call(&app, &client(), "reset_password", &form).await;
        assert_too_common(status, &body, "password");
    }
    let form = [("token", token.as_str()), ("password", "a brand new passphrase")];
    let (status, body) = call(&app, &client(), "reset_password", &form).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

async fn changing_a_password_refuses_a_common_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = agency(&app).await;
    app.add_user("bob@example.com", "Bob", agency).await;
    let bob = app.client_for("bob@example.com").await;
    for password in COMMON {
        let form = [("current_password", PASSWORD), ("new_password", password)];
        let (status, body) = call(&app, &bob, "change_password", &form).await;
        assert_too_common(status, &body, "new_password");
    }
    let form = [("current_password", PASSWORD), ("new_password", "a brand new passphrase")];
    ok(&app, &bob, "change_password", &form).await;
}
