//! The Roster server: configuration, database, HTTP surface and command line.
//! `main.rs` is a thin shell over [`run`]; integration tests call [`start`] directly.

mod admin;
pub mod audit_verify;
pub mod cli;
pub mod database;
mod http;

use anyhow::Context;
use app::server::{
    AppConfig, AppState,
    clock::{Clock, DAY, HOUR, MINUTE},
    mail::{self, Wakeup},
    password::Hasher,
    repo::roles,
    setup, throttle,
};
use axum::serve::ListenerExt;
use cli::{Cli, Command, Config};
use leptos::config::LeptosOptions;
use std::{net::SocketAddr, sync::Arc};
use tokio::net::TcpListener;

pub use admin::create_admin;

/// Parses nothing, decides nothing: runs the command the CLI asked for.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut options = leptos::config::get_configuration(None)
        .context("cannot read the Leptos configuration")?
        .leptos_options;
    // scripts/build.sh names the WASM, JS and CSS after their content and lists the names in
    // a hash file beside the binary; with it, pages link those names and browsers may keep
    // the files for a year (see `http::headers`).
    options.hash_files = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .is_some_and(|file| file.exists());
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let addr = cli.config.addr.unwrap_or(options.site_addr);
            let listener = TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let server = start(&cli.config, options, Clock::System, listener).await?;
            tracing::info!("Roster is listening on {}", server.public_url);
            server.handle.await.context("server task failed")?
        }
        Command::Migrate => {
            let db = database::connect(&cli.config.database_url).await?;
            database::migrate(&db).await?;
            tracing::info!("database is up to date");
            Ok(())
        }
        Command::CreateAdmin { agency, email, first_name, last_name } => {
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("cannot read the password")?;
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            create_admin(&cli.config, &agency, &email, &first_name, &last_name, password).await
        }
        Command::Audit { command: cli::AuditCommand::Verify { anchor } } => {
            println!("{}", audit_verify::verify(&cli.config, anchor).await?);
            Ok(())
        }
    }
}

/// A running server.
pub struct Running {
    pub addr: SocketAddr,
    pub public_url: url::Url,
    pub state: AppState,
    /// The one-time first-run code, when no agency existed at start.
    pub setup_code: Option<String>,
    pub handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Connects, migrates, prepares first-run setup and serves on `listener` in a task.
pub async fn start(
    config: &Config,
    leptos_options: LeptosOptions,
    clock: Clock,
    listener: TcpListener,
) -> anyhow::Result<Running> {
    let addr = listener.local_addr()?;
    let public_url = match &config.public_url {
        Some(url) => url.clone(),
        None => url::Url::parse(&format!("http://{addr}"))?,
    };
    let db = database::connect(&config.database_url).await?;
    database::migrate(&db).await?;
    let now = clock.now();
    {
        let mut conn = db.pool.acquire().await?;
        roles::sync_builtins(&mut conn, now).await?;
    }
    let setup_code = setup::issue_code(&db, now).await?;
    if let Some(code) = &setup_code {
        tracing::warn!(
            "No agency exists yet. Open {}setup and enter the one-time setup code: {code}",
            public_url
        );
    }
    let app_config = AppConfig {
        public_url: public_url.clone(),
        session_idle_ms: config.session_idle_minutes * MINUTE,
        session_max_ms: config.session_max_hours * HOUR,
        invite_ttl_ms: config.invite_ttl_days * DAY,
        smtp_url: config.smtp_url.clone().filter(|u| !u.trim().is_empty()),
        mail_from: config.mail_from.clone(),
        directory_exact_count: config.directory_exact_count,
        trusted_proxies: config.trusted_proxies.clone(),
        mail_dir: config.mail_dir.clone().unwrap_or_else(|| "roster-mail".into()),
    };
    let transport = mail::worker::transport_for(&app_config).map_err(anyhow::Error::msg)?;
    if app_config.smtp_url.is_none() {
        // The folder exists now (the transport made it): name it in full for the operator.
        let folder = std::fs::canonicalize(&app_config.mail_dir)
            .unwrap_or_else(|_| app_config.mail_dir.clone());
        tracing::info!("No SMTP server configured: mail is written to {}", folder.display());
    }
    let state = AppState {
        leptos_options,
        db,
        config: Arc::new(app_config),
        clock,
        hasher: Hasher::default(),
        mail: Wakeup::default(),
        bulk_progress: Default::default(),
    };
    // Delivers the outbox, including mail queued before a restart.
    mail::worker::spawn(state.clone(), transport);
    spawn_throttle_pruning(state.clone());
    let router = http::router(state.clone());
    // Small answers go out at once: without TCP_NODELAY a kept-alive connection waits ~40 ms
    // on the client's delayed acknowledgement (Nagle), and axum 0.8 no longer sets it.
    let listener = listener.tap_io(|tcp| {
        if let Err(err) = tcp.set_nodelay(true) {
            tracing::warn!(error = %err, "cannot set TCP_NODELAY");
        }
    });
    let handle = tokio::spawn(async move {
        axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown_signal())
            .await
            .context("server error")
    });
    Ok(Running { addr, public_url, state, setup_code, handle })
}

/// Every few minutes, forgets throttle counts that hold nothing back any more (any server
/// may do it; it is idempotent).
fn spawn_throttle_pruning(state: AppState) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(err) = throttle::prune(&state.db, state.clock.now()).await {
                tracing::warn!(error = %err, "cannot prune the throttle table");
            }
        }
    });
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
