//! Command line and environment configuration.

use clap::{Args, Parser, Subcommand};
use std::{net::SocketAddr, path::PathBuf};

#[derive(Debug, Parser)]
#[command(name = "roster", version, about = "Roster: users, roles and access administration")]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app (the default). Migrates the database first.
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Create an agency (unless one of that name exists) and an Agency Administrator for it.
    /// The password is read from standard input (one line), never from the command line.
    CreateAdmin {
        /// Name of the agency (the root of the account tree).
        #[arg(long)]
        agency: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
    },
    /// Audit log tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the audit log's hash chain: prints the number of entries and the chain's head
    /// when intact; otherwise names the first broken entry and what is wrong, and exits
    /// non-zero.
    Verify {
        /// A head printed by an earlier run (`SEQ:HASH`), kept outside the database: proves
        /// the chain still passes through it, so entries cut from the end or a chain
        /// rewritten from some entry on are found too.
        #[arg(long)]
        anchor: Option<app::server::audit::verify::Anchor>,
    },
}

#[derive(Clone, Debug, Args)]
pub struct Config {
    /// Address to listen on [default: LEPTOS_SITE_ADDR, else 127.0.0.1:3000].
    #[arg(long, env = "ROSTER_ADDR", global = true)]
    pub addr: Option<SocketAddr>,

    /// Database: `sqlite://FILE` (created when missing) or `postgres://USER@HOST/DB`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://roster.db", global = true)]
    pub database_url: String,

    /// Address people use to reach the app, used in links in e-mails; `https://` makes
    /// session cookies `Secure` [default: http://ADDR].
    #[arg(long, env = "ROSTER_PUBLIC_URL", global = true)]
    pub public_url: Option<url::Url>,

    /// Sign out after this many minutes without activity. 30 minutes and 12 hours (below)
    /// are what ASVS level 2 and NIST SP 800-63B AAL2 ask of an administration tool.
    #[arg(long, env = "ROSTER_SESSION_IDLE_MINUTES", default_value_t = 30, global = true)]
    pub session_idle_minutes: i64,

    /// Sign out after this many hours in any case.
    #[arg(long, env = "ROSTER_SESSION_MAX_HOURS", default_value_t = 12, global = true)]
    pub session_max_hours: i64,

    /// How many days an invitation link works.
    #[arg(
        long,
        env = "ROSTER_INVITE_TTL_DAYS",
        default_value_t = 7,
        value_parser = clap::value_parser!(i64).range(1..=365),
        global = true
    )]
    pub invite_ttl_days: i64,

    /// SMTP server for outgoing mail: `smtps://user:pass@mail.example.com` (TLS, port 465),
    /// `smtp://user:pass@mail.example.com:587?tls=required` (STARTTLS), or plain
    /// `smtp://host:port` (unencrypted, for a local relay); unset, mail is written to
    /// `--mail-dir` for the operator to read and forward.
    #[arg(long, env = "ROSTER_SMTP_URL", global = true, hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// Sender address of outgoing mail.
    #[arg(
        long,
        env = "ROSTER_MAIL_FROM",
        default_value = "Roster <roster@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// The users directory counts lists of up to this many people exactly; larger lists
    /// show an estimate (and say so). Each page's count reads at most about this many rows.
    #[arg(
        long,
        env = "ROSTER_DIRECTORY_EXACT_COUNT",
        default_value_t = 5_000,
        value_parser = clap::value_parser!(u64).range(1..=1_000_000),
        global = true
    )]
    pub directory_exact_count: u64,

    /// Reverse proxies (CIDR ranges, comma-separated, e.g. `10.0.0.0/8,127.0.0.1/32`) whose
    /// `X-Forwarded-For` / `Forwarded` headers name the client. From any other peer those
    /// headers are ignored and the peer's own address is the client's [default: none].
    #[arg(long, env = "ROSTER_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<ipnet::IpNet>,

    /// Without SMTP, mail is written to this folder as `.eml` files that only the operator
    /// can read (mode 0600) [default: `roster-mail` in the working directory].
    #[arg(long, env = "ROSTER_MAIL_DIR", global = true)]
    pub mail_dir: Option<PathBuf>,

    /// Log filter, e.g. `info` or `server=debug,sqlx=warn`.
    #[arg(long, env = "RUST_LOG", default_value = "info,sqlx=warn", global = true)]
    pub log: String,
}
