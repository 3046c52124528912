//! Delivery: over SMTP to a sink in the test (waiting and retrying while the mail server is
//! down), and the development mailbox when no SMTP server is configured.

use super::{
    DAY, count, create, invited, ok, pairs, preview, refused, role, setup_agency, token_in,
};
use crate::common::{Backend, TestApp, client, smtp::SmtpSink};
use reqwest::StatusCode;
use std::time::Duration;

crate::on_both_backends!(
    mail_goes_out_over_smtp_and_waits_while_the_server_is_down,
    the_development_mailbox_is_for_agency_administrators,
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
    // Real mail is configured: there is no development mailbox.
    refused(&app, &app.client, "list_dev_mailbox", &[], StatusCode::FORBIDDEN).await;

    // The mail server is down: the mail waits, and is tried again a minute later.
    sink.stop().await;
    invited(&app, agency, "bob@example.com", "Bob", &[user]).await;
    let failed = "SELECT COUNT(*) FROM outbox WHERE to_address = 'bob@example.com' \
                  AND attempts = 1 AND sent_at IS NULL AND last_error IS NOT NULL";
    eventually(&app, failed).await;
    sink.restart().await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(count(&app, failed).await, 1, "not retried before its time");
    assert_eq!(sink.received().len(), 1);
    app.clock.advance(60_000);
    let mails = sink.wait_for(2).await;
    assert_eq!(mails[1].to, ["bob@example.com"]);
    assert_eq!(token_in(&mails[1].text()).len(), 64);
    let delivered = "SELECT COUNT(*) FROM outbox WHERE to_address = 'bob@example.com' \
                     AND attempts = 2 AND sent_at IS NOT NULL";
    eventually(&app, delivered).await;
    // Sent is sent: never again, whatever the time.
    app.clock.advance(2 * DAY);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(sink.received().len(), 2);
}

async fn the_development_mailbox_is_for_agency_administrators(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let agency = setup_agency(&app).await;
    let north = create(&app, agency, "North").await;
    let user = role(&app, agency, "User").await;
    invited(&app, north, "ann@example.com", "Ann", &[user]).await;
    invited(&app, north, "bob@example.com", "Bob", &[user]).await;
    // Without SMTP, the worker marks mail delivered to the development mailbox.
    let kept = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL AND attempts = 1 \
                AND to_address = 'bob@example.com'";
    eventually(&app, kept).await;

    let mails = ok(&app, &app.client, "list_dev_mailbox", &[]).await;
    let to: Vec<&str> =
        mails.as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
    assert_eq!(to, ["bob@example.com", "ann@example.com"], "newest first");
    assert!(mails[0]["sent_at"].is_i64());
    let token = token_in(mails[1]["body"].as_str().unwrap());
    assert_eq!(preview(&app, &token).await.0, StatusCode::OK);

    // An account's administrator is not an agency administrator.
    let account_admin = role(&app, agency, "Account Admin").await;
    let dee = app.add_user("dee@example.com", "Dee", north).await;
    let form = [
        ("node_id", north.to_string()),
        ("user_id", dee.to_string()),
        ("role_id", account_admin.to_string()),
    ];
    ok(&app, &app.client, "grant_role", &pairs(&form)).await;
    let dee = app.client_for("dee@example.com").await;
    refused(&app, &dee, "list_dev_mailbox", &[], StatusCode::FORBIDDEN).await;
    refused(&app, &client(), "list_dev_mailbox", &[], StatusCode::UNAUTHORIZED).await;
}
