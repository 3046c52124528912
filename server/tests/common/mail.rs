//! Reading the mail the server wrote to its mail folder (no SMTP configured): one `.eml` file
//! per mail, parsed as a mail client would (headers, then the body with its transfer
//! encoding, quoted-printable or base64, undone).

use mail_parser::MessageParser;
use std::path::{Path, PathBuf};

/// A delivered mail.
#[derive(Clone, Debug)]
pub struct Mail {
    pub subject: String,
    /// The body, decoded.
    pub text: String,
    /// Its file in the mail folder.
    pub path: PathBuf,
}

/// Every mail to `to` in `dir`, oldest first. The server names each message
/// `<outbox id.created_at@domain>`, which gives the order.
pub fn read(dir: &Path, to: &str) -> Vec<Mail> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<(i64, Mail)> = Vec::new();
    for entry in entries {
        let path = entry.expect("a mail folder entry").path();
        if path.extension().is_none_or(|e| e != "eml") {
            continue;
        }
        let raw = std::fs::read(&path).expect("a readable mail file");
        let message = MessageParser::default()
            .parse(&raw)
            .unwrap_or_else(|| panic!("{} is not a mail", path.display()));
        let addressed = message.to().is_some_and(|a| {
            a.iter().any(|a| a.address().is_some_and(|a| a.eq_ignore_ascii_case(to)))
        });
        if !addressed {
            continue;
        }
        let id = message.message_id().and_then(|m| m.split('.').next()?.parse().ok());
        let id =
            id.unwrap_or_else(|| panic!("no outbox id in the Message-ID of {}", path.display()));
        let mail = Mail {
            subject: message.subject().unwrap_or_default().to_owned(),
            text: message.body_text(0).unwrap_or_default().into_owned(),
            path,
        };
        found.push((id, mail));
    }
    found.sort_by_key(|(id, _)| *id);
    found.into_iter().map(|(_, mail)| mail).collect()
}
