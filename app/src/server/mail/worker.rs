//! The outbox worker: a task that delivers due mail, then sleeps a second or until woken.
//!
//! Delivery goes through a [`Transport`]: SMTP when configured, else the operator's mail
//! folder (`--mail-dir`), one `.eml` file per mail that only the operator's account can
//! read. Roster itself shows no mail to anyone: a link is for the person it was sent to.

use super::outbox::{self, Claimed};
use crate::server::{AppConfig, AppState};
use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use std::{
    future::Future,
    os::unix::fs::{DirBuilderExt, PermissionsExt},
    path::{Path, PathBuf},
    pin::Pin,
    sync::Arc,
    time::Duration,
};

/// How many mails one round claims.
const BATCH: i64 = 20;
/// The poll interval when nobody wakes the worker.
const POLL: Duration = Duration::from_secs(1);

pub type SendResult<'a> = Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>>;

/// Where mail goes. The error is kept in the outbox row (`last_error`) and the log, so it
/// must never quote the mail (see [`without_tokens`]).
pub trait Transport: Send + Sync {
    fn send<'a>(&'a self, mail: &'a Claimed) -> SendResult<'a>;
}

/// The message for `mail`. Its `Message-ID` is stable, `<id.created_at@sender's domain>`:
/// a mail tried again after a lost answer is recognisably the same one, and the mail folder's
/// files sort by outbox id.
fn message(from: &Mailbox, mail: &Claimed) -> Result<Message, String> {
    let to: Mailbox = mail.to_address.parse().map_err(|e| format!("invalid recipient: {e}"))?;
    Message::builder()
        .message_id(Some(format!("<{}.{}@{}>", mail.id, mail.created_at, from.email.domain())))
        .from(from.clone())
        .to(to)
        .subject(&mail.subject)
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body_text.clone())
        .map_err(|e| format!("cannot build the message: {e}"))
}

/// Without SMTP: each mail becomes a file `<uuid>.eml` in a folder of the operator's, the
/// folder mode 0700 and each file 0600, so neither other accounts on the machine nor anyone
/// using Roster can read a link meant for someone else.
pub struct MailFolder {
    transport: AsyncFileTransport<Tokio1Executor>,
    dir: PathBuf,
    from: Mailbox,
}

impl MailFolder {
    /// Creates `dir` if needed and makes it private (mode 0700, an existing folder too). A
    /// folder the server cannot make private (not its own) is an error at start.
    pub fn open(dir: &Path, from: Mailbox) -> Result<Self, String> {
        let fail =
            |e: std::io::Error| format!("the mail folder {} is unusable: {e}", dir.display());
        std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(fail)?;
        // `mode` above is narrowed by the umask but never widened; an existing folder keeps
        // its mode, so set it either way.
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        let dir = dir.to_path_buf();
        Ok(Self { transport: AsyncFileTransport::new(&dir), dir, from })
    }
}

impl Transport for MailFolder {
    fn send<'a>(&'a self, mail: &'a Claimed) -> SendResult<'a> {
        Box::pin(async move {
            let message = message(&self.from, mail)?;
            let id = self.transport.send(message).await.map_err(|e| e.to_string())?;
            // lettre writes with the process umask; the file is private before the mail
            // counts as delivered (the folder, 0700, keeps it from others meanwhile).
            let file = self.dir.join(format!("{id}.eml"));
            let private = std::fs::Permissions::from_mode(0o600);
            if let Err(e) = tokio::fs::set_permissions(&file, private).await {
                let _ = tokio::fs::remove_file(&file).await;
                return Err(format!("cannot make {} private: {e}", file.display()));
            }
            tracing::info!(mail = mail.id, file = %file.display(), "mail written to the mail folder");
            Ok(())
        })
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
    pub fn new(url: &str, from: Mailbox) -> Result<Self, String> {
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
            let message = message(&self.from, mail)?;
            self.transport.send(message).await.map(drop).map_err(|e| e.to_string())
        })
    }
}

/// The transport the configuration asks for: SMTP when a URL is set, else the mail folder.
/// An invalid URL or sender, or an unusable folder, is an error at start, not at the first
/// mail.
pub fn transport_for(config: &AppConfig) -> Result<Arc<dyn Transport>, String> {
    let from: Mailbox = config
        .mail_from
        .parse()
        .map_err(|e| format!("the mail sender {:?} is invalid: {e}", config.mail_from))?;
    Ok(match &config.smtp_url {
        Some(url) => Arc::new(Smtp::new(url, from)?),
        None => Arc::new(MailFolder::open(&config.mail_dir, from)?),
    })
}

/// `text` with every run of 32 or more hexadecimal digits (a link's token) replaced: a
/// delivery error is stored and logged, and a mail server that quotes the mail back must
/// not put a live link there.
pub fn without_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find(|c: char| c.is_ascii_hexdigit()) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let len = rest.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(rest.len());
        out.push_str(if len >= 32 { "[redacted]" } else { &rest[..len] });
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
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
                let error = without_tokens(&error);
                tracing::warn!(mail = mail.id, attempts = mail.attempts + 1, %error, "mail not delivered; will retry");
                outbox::mark_failed(&state.db, mail, &error, state.clock.now()).await?;
            }
        }
    }
    Ok(batch.len())
}

#[cfg(test)]
mod tests {
    use super::without_tokens;

    #[test]
    fn tokens_are_taken_out_of_delivery_errors() {
        let token = "0123456789abcdef".repeat(4);
        let cases = [
            (
                format!("554 rejected: https://x/reset-password/{token} bad"),
                "554 rejected: https://x/reset-password/[redacted] bad".to_string(),
            ),
            (token.clone(), "[redacted]".to_string()),
            (
                "550 5.1.1 user unknown, id 0badcafe".into(),
                "550 5.1.1 user unknown, id 0badcafe".into(),
            ),
            ("".into(), "".into()),
        ];
        for (input, expected) in cases {
            assert_eq!(without_tokens(&input), expected, "{input}");
        }
    }
}
