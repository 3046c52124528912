//! `audit verify`: walks the audit log's hash chain (`app::server::audit::chain`) and reports
//! the first broken link. Read-only: it neither migrates nor writes.

use crate::{cli::Config, database};
use anyhow::{Context, anyhow};
use app::server::audit::verify::{self, Anchor};

/// The report of an intact chain, or an error naming the first broken link (the process then
/// exits non-zero).
pub async fn verify(config: &Config, anchor: Option<Anchor>) -> anyhow::Result<String> {
    let db = database::connect(&config.database_url).await?;
    let mut conn = db.pool.acquire().await?;
    let report = verify::verify(&mut conn, anchor)
        .await
        .context("cannot read the audit log (is the database migrated? `roster migrate`)")?;
    match report.broken {
        None => Ok(report.to_string()),
        Some(_) => Err(anyhow!("{report}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::cli::{AuditCommand, Cli, Command};
    use clap::Parser;

    #[test]
    fn audit_verify_takes_an_optional_anchor_as_printed() {
        let head = format!("12:{}", "ab".repeat(32));
        let cli = Cli::try_parse_from(["roster", "audit", "verify", "--anchor", &head]).unwrap();
        let Some(Command::Audit { command: AuditCommand::Verify { anchor: Some(a) } }) =
            cli.command
        else {
            panic!("not parsed as audit verify with an anchor");
        };
        assert_eq!(a.to_string(), head);
        let bare = Cli::try_parse_from(["roster", "audit", "verify"]).unwrap();
        assert!(matches!(
            bare.command,
            Some(Command::Audit { command: AuditCommand::Verify { anchor: None } })
        ));
        assert!(Cli::try_parse_from(["roster", "audit", "verify", "--anchor", "12"]).is_err());
    }
}
