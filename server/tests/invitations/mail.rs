//! Delivery: over SMTP to a sink in the test (waiting and retrying while the mail server is
//! down), and without SMTP to the operator's mail folder. Either way no link can be read
//! through Roster by anyone but its addressee: no page or endpoint shows mail, and a sent
//! mail's text leaves the outbox table.

use super::{DAY, count, invited, ok, pairs, preview, role, setup_agency, token_in};
use crate::common::{Backend, TestApp, call, client, smtp::SmtpSink};
use reqwest::StatusCode;
use std::{os::unix::fs::PermissionsExt, time::Duration};

crate::on_both_backends!(
    mail_goes_out_over_smtp_and_waits_while_the_server_is_down,
    an_account_admin_cannot_read_the_agency_administrators_reset_link,
    without_smtp_mail_is_a_file_only_the_operator_reads,
);

/// Waits (up to 15 s) until `sql` counts at least one row.
async fn eventually(app: &TestApp, sql: &str) {
    for _ in 0..150 {
        if count(app, sql).await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never true: {sql}");
}

async fn mail_goes_out_over_smtp_and_waits_while_the_server_is_down(backend: Backend) {
    let mut sink = SmtpSink::start().await;
    let url = sink.url();
    let app = TestApp::spawn_with(backend, |c| c.smtp_url = Some(url)).await;
    let agency = setup_agency(&app).await;
    let user = role(&app, agency, "User").await;

    invited(&app, agency, "ann@example.com", "Ann", &[user]).await;
    let mail = sink.wait_for(1).await.remove(0);
    assert_eq!(mail.from, "roster@localhost");
    assert_eq!(mail.to, ["ann@example.com"]);
    let text = mail.text();
    assert!(text.contains("Subject: Ada Admin invited you to Acme Agency"), "{text}");
    assert!(text.contains(&format!("{}/invitations/", app.base)), "{text}");
    let token = token_in(&text);
    assert_eq!(preview(&app, &token).await.0, StatusCode::OK, "the mailed link works");
    let sent = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1";
    eventually(&app, sent).await;
    assert!(!kept_in_outbox(&app, &token).await, "a sent mail keeps no link");

    // The mail server is down: the mail waits, and is tried again a minute later.
    sink.stop().await;
    invited(&app, agency, "bob@example.com", "Bob", &[user]).await;
    let failed = "SELECT COUNT(*) FROM outbox WHERE to_address = 'bob@example.com' \
                  AND attempts = 1 AND sent_at IS NULL AND last_error IS NOT NULL \
                  AND last_error NOT LIKE '%/invitations/%'";
    eventually(&app, failed).await;
    sink.restart().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&app, failed).await, 1, "not retried before its time");
    assert_eq!(sink.received().len(), 1);
    app.clock.advance(60_000);
    let mails = sink.wait_for(2).await;
    assert_eq!(mails[1].to, ["bob@example.com"]);
    let token = token_in(&mails[1].text());
    let delivered = "SELECT COUNT(*) FROM outbox WHERE to_address = 'bob@example.com' \
                     AND attempts = 2 AND sent_at IS NOT NULL";
    eventually(&app, delivered).await;
    assert!(!kept_in_outbox(&app, &token).await, "a mail sent on a retry keeps no link either");
    // Sent is sent: never again, whatever the time.
    app.clock.advance(2 * DAY);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), 2);
}

/// Whether `token` is anywhere in the outbox table (every text column of every row).
async fn kept_in_outbox(app: &TestApp, token: &str) -> bool {
    let rows: Vec<(String, String, String, Option<String>)> =
        sqlx::query_as("SELECT to_address, subject, body_text, last_error FROM outbox")
            .fetch_all(&app.server.state.db.pool)
            .await
            .unwrap();
    rows.iter().any(|(to, subject, body, error)| {
        [to, subject, body].into_iter().chain(error).any(|text| text.contains(token))
    })
}

/// The token in the password-reset link of `text`.
fn reset_token_in(text: &str) -> String {
    let at = text.find("/reset-password/").unwrap_or_else(|| panic!("no link in {text}")) + 16;
    let token: String = text[at..].chars().take_while(char::is_ascii_hexdigit).collect();
    assert_eq!(token.len(), 64, "a whole token in {text}");
    token
}

/// The attack of issue 11: someone holding Account Admin at the agency asks for the Agency
/// Administrator's password reset (a public form) and looks for the link in Roster, as they
/// could in the development mailbox. The link reaches its addressee only.
async fn an_account_admin_cannot_read_the_agency_administrators_reset_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let account_admin = role(&app, agency, "Account Admin").await;
    let dee = app.add_user("dee@example.com", "Dee", agency).await;
    let form = [
        ("node_id", agency.to_string()),
        ("user_id", dee.to_string()),
        ("role_id", account_admin.to_string()),
    ];
    ok(&app, &app.client, "grant_role", &pairs(&form)).await;
    let dee = app.client_for("dee@example.com").await;
    ok(&app, &dee, "request_password_reset", &[("email", "ada@example.com")]).await;
    let delivered = app.mails_to("ada@example.com").await;

    // No page and no endpoint shows mail, to her or to the agency administrator.
    for c in [&dee, &app.client] {
        let page = c.get(app.url("/dev/mailbox")).send().await.unwrap();
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let html = page.text().await.unwrap();
        assert!(!html.contains("/reset-password/"), "a link on the page: {html}");
        let api = app.call_with(c, "list_dev_mailbox", &[]).await;
        assert_eq!(api.status(), StatusCode::NOT_FOUND);
        let text = api.text().await.unwrap();
        assert!(!text.contains("/reset-password/"), "a link from the API: {text}");
    }
    // The mail went out, with a live link, and the table no longer holds it.
    let mail = delivered.last().expect("the reset mail was delivered");
    let token = reset_token_in(&mail.text);
    let (status, _) = call(&app, &client(), "get_password_reset", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "the mailed link is the live one");
    assert!(!kept_in_outbox(&app, &token).await, "the link is readable at rest in the outbox");
    let sent_with_text = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL \
                          AND body_text LIKE '%/reset-password/%'";
    assert_eq!(count(&app, sent_with_text).await, 0);
}

/// Without SMTP the mail is a file in the operator's folder: the folder 0700 (an existing one
/// is narrowed), each file 0600, holding the link for the operator to forward.
async fn without_smtp_mail_is_a_file_only_the_operator_reads(backend: Backend) {
    let dir = std::env::temp_dir()
        .join("roster-tests")
        .join(format!("mail_open_{:016x}", rand::random::<u64>()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let folder = dir.clone();
    let app = TestApp::spawn_with(backend, |c| c.mail_dir = Some(folder)).await;
    setup_agency(&app).await;
    ok(&app, &client(), "request_password_reset", &[("email", "ada@example.com")]).await;

    let mail = app.mail_to("ada@example.com").await;
    assert!(mail.path.starts_with(&dir), "{}", mail.path.display());
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&mail.path), 0o600, "the file is the operator's alone");
    assert_eq!(mode(&dir), 0o700, "the folder is the operator's alone");
    let token = reset_token_in(&mail.text);
    assert!(mail.text.contains(&format!("{}/reset-password/{token}", app.base)), "{}", mail.text);
    let (status, _) = call(&app, &client(), "get_password_reset", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "the link in the file works");
}
