//! The outbox worker: a task that delivers due mail, then sleeps a second or until woken.
//!
//! Delivery goes through a [`Transport`]: SMTP when configured, else the development
//! mailbox, which only marks mail delivered (it stays in the outbox table, where
//! administrators read it).

use super::outbox::{self, Claimed};
use crate::server::{AppConfig, AppState};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

/// How many mails one round claims.
const BATCH: i64 = 20;
/// The poll interval when nobody wakes the worker.
const POLL: Duration = Duration::from_secs(1);

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Where mail goes. The error is kept in the outbox row (`last_error`) and the log.
pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, mail: &'a Claimed) -> SendResult<'a>;
}

/// Mail stays in the outbox table, marked delivered: the development mailbox.
pub struct DevMailbox;

impl Transport for DevMailbox {
    fn send<'a>(&'a self, mail: &'a Claimed) -> SendResult<'a> {
        tracing::info!(to = %mail.to_address, subject = %mail.subject, "mail kept in the development mailbox");
        Box::pin(async { Ok(()) })
    }
}

/// Delivery over SMTP with lettre (rustls for `smtps://` and STARTTLS).
pub struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Smtp {
    /// From a URL as lettre reads it: `smtp://host:port` (plain), `smtp://…?tls=required`
    /// (STARTTLS) or `smtps://user:pass@host` (TLS), and a sender like `Name <a@b.c>`.
    pub fn new(url: &str, from: &str) -> Result<Self, String> {
        let from = from.parse().map_err(|e| format!("the mail sender {from:?} is invalid: {e}"))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("the SMTP URL is invalid: {e}"))?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        Ok(Self { transport, from })
    }
}

impl Transport for Smtp {
    fn send<'a>(&'a self, mail: &'a Claimed) -> SendResult<'a> {
        Box::pin(async move {
            let to: Mailbox =
                mail.to_address.parse().map_err(|e| format!("invalid recipient: {e}"))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(&mail.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(mail.body_text.clone())
                .map_err(|e| format!("cannot build the message: {e}"))?;
            self.transport.send(message).await.map(drop).map_err(|e| e.to_string())
        })
    }
}

/// The transport the configuration asks for: SMTP when a URL is set, else the development
/// mailbox. An invalid URL or sender is an error at start, not at the first mail.
pub fn transport_for(config: &AppConfig) -> Result<Arc<dyn Transport>, String> {
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(Smtp::new(url, &config.mail_from)?),
        None => {
            // Checked even when unused, so a typo shows before SMTP is switched on.
            config
                .mail_from
                .parse::<Mailbox>()
                .map_err(|e| format!("the mail sender {:?} is invalid: {e}", config.mail_from))?;
            Arc::new(DevMailbox)
        }
    })
}

/// Starts the worker. It runs as long as the runtime does.
pub fn spawn(state: AppState, transport: Arc<dyn Transport>) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let full = match deliver_due(&state, transport.as_ref()).await {
                Ok(n) => n as i64 == BATCH,
                Err(err) => {
                    tracing::error!(error = %err, "the outbox cannot be read");
                    false
                }
            };
            if !full {
                tokio::select! {
                    _ = tokio::time::sleep(POLL) => {}
                    _ = state.mail.woken() => {}
                }
            }
        }
    })
}

/// One round: claims the mail that is due and delivers each; returns how many were claimed.
pub async fn deliver_due(
    state: &AppState,
    transport: &dyn Transport,
) -> Result<usize, sqlx::Error> {
    let batch = outbox::claim(&state.db, state.clock.now(), BATCH).await?;
    for mail in &batch {
        match transport.send(mail).await {
            Ok(()) => {
                outbox::mark_sent(&state.db, mail.id, state.clock.now()).await?;
            }
            Err(error) => {
                tracing::warn!(mail = mail.id, attempts = mail.attempts + 1, %error, "mail not delivered; will retry");
                outbox::mark_failed(&state.db, mail, &error, state.clock.now()).await?;
            }
        }
    }
    Ok(batch.len())
}
