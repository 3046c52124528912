//! Refused pages answer with their status: a page about a person or an account the caller
//! may not see, or that does not exist, is the same friendly page, with 404 (or 403) instead
//! of 200, so tools, caches and monitors see what happened.

use crate::common::{Backend, TestApp, client, ok};
use reqwest::StatusCode;

on_both_backends!(refused_pages_answer_403_or_404_with_the_page);

async fn refused_pages_answer_403_or_404_with_the_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let (agency,): (i64,) = sqlx::query_as("SELECT id FROM nodes WHERE parent_id IS NULL")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    let north = ok(
        &app,
        &app.client,
        "create_node",
        &[("parent_id", &agency.to_string()), ("name", "North")],
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let south = ok(
        &app,
        &app.client,
        "create_node",
        &[("parent_id", &agency.to_string()), ("name", "South")],
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let (role,): (i64,) =
        sqlx::query_as("SELECT id FROM roles WHERE builtin_key = 'account_admin'")
            .fetch_one(&app.server.state.db.pool)
            .await
            .unwrap();
    let nora = app.add_user("nora@example.com", "Nora", north).await;
    let form = [
        ("user_id", nora.to_string()),
        ("node_id", north.to_string()),
        ("role_id", role.to_string()),
    ];
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ok(&app, &app.client, "grant_role", &form).await;
    let sam = app.add_user("sam@example.com", "Sam", south).await;
    let nora_client = app.client_for("nora@example.com").await;

    let get = |c: &reqwest::Client, path: String| {
        let url = app.url(&path);
        let c = c.clone();
        async move {
            let res = c.get(url).send().await.unwrap();
            let status = res.status();
            (status, res.text().await.unwrap())
        }
    };
    // What Nora may see answers 200.
    for path in
        [format!("/nodes/{north}"), format!("/users/{nora}"), format!("/nodes/{north}/roles")]
    {
        let (status, _) = get(&nora_client, path.clone()).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }
    // Another account's page, a person out of reach, and ids that never existed.
    for (path, heading) in [
        (format!("/nodes/{south}"), "Account"),
        (format!("/nodes/{agency}"), "Account"),
        (format!("/users/{sam}"), "Person"),
        ("/users/999999".to_string(), "Person"),
        ("/nodes/999999".to_string(), "Account"),
    ] {
        let (status, body) = get(&nora_client, path.clone()).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
            "{path} answered {status}"
        );
        assert!(
            body.contains(&format!("<h1>{heading}</h1>")),
            "{path} still shows its page: {body}"
        );
        assert!(body.contains("alert-error"), "{path} says why");
    }
    // Signed out, a page sends to sign-in as before (not a 404).
    let (status, _) = get(&client(), format!("/nodes/{north}")).await;
    assert_ne!(status, StatusCode::NOT_FOUND);
}
