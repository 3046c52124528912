//! Benchmark of bulk add: a batch of 10,000 lines, previewed and committed through the
//! running server (HTTP, JSON, as the page sends it), on SQLite and on PostgreSQL.
//!
//! ```sh
//! cargo bench -p server --bench bulk_add            # both backends
//! cargo bench -p server --bench bulk_add -- sqlite  # or: postgres
//! ```
//!
//! PostgreSQL: a fresh database is created (and dropped afterwards) on
//! `postgres://postgres@127.0.0.1:5432/postgres`, or `BENCH_POSTGRES_URL`.
//!
//! The agency has one account holding 20,000 people (so lookups do not run on an empty
//! table). Each batch is 10,000 lines: 9,000 new addresses (invited: a user, an invitation,
//! a mail and an audit entry each) and 1,000 addresses of people of the account (given the
//! role: a membership, a mail and an audit entry each). Measured: the preview, three times
//! (read only); then the commit, twice, each with its own new addresses, at two sub-groups.
//! The SQL statements of a commit are counted from sqlx's own statement events.

use clap::Parser;
use reqwest::Client;
use serde_json::{Value, json};
use sqlx::{Connection, Executor};
use std::{
    fmt::Write as _,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};

const PEOPLE: usize = 20_000;
const LINES: usize = 10_000;
const EXISTING_IN_BATCH: usize = 1_000;
const PREVIEWS: usize = 3;
const COMMITS: usize = 2;

// ------------------------------------------------------------------ statement counting

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Counts sqlx's per-statement events (target `sqlx::query`) while `COUNTING` is on.
struct StatementCounter;

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for StatementCounter {
    fn register_callsite(
        &self,
        meta: &'static tracing::Metadata<'static>,
    ) -> tracing::subscriber::Interest {
        if meta.target() == "sqlx::query" {
            tracing::subscriber::Interest::sometimes()
        } else {
            tracing::subscriber::Interest::never()
        }
    }

    fn enabled(
        &self,
        meta: &tracing::Metadata<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) -> bool {
        meta.target() == "sqlx::query" && COUNTING.load(Ordering::Relaxed)
    }

    fn on_event(&self, _: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }
}

// ------------------------------------------------------------------ the server

struct Bench {
    base: String,
    client: Client,
    server: server::Running,
}

impl Bench {
    async fn start(url: &str) -> anyhow::Result<Bench> {
        let cli =
            server::cli::Cli::try_parse_from(["server", "--database-url", url, "--log", "warn"])?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let options = leptos::config::LeptosOptions::builder()
            .output_name("roster")
            .site_root("target/site")
            .build();
        let server =
            server::start(&cli.config, options, app::server::clock::Clock::System, listener)
                .await?;
        let base = format!("http://{}", server.addr);
        let client = Client::builder().cookie_store(true).build()?;
        Ok(Bench { base, client, server })
    }

    async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> anyhow::Result<Value> {
        let res =
            self.client.post(format!("{}/api/{endpoint}", self.base)).form(form).send().await?;
        anyhow::ensure!(res.status().is_success(), "{endpoint}: {}", res.text().await?);
        Ok(res.json().await?)
    }

    async fn json(&self, endpoint: &str, body: &Value) -> anyhow::Result<(Value, usize)> {
        let res =
            self.client.post(format!("{}/api/{endpoint}", self.base)).json(body).send().await?;
        let ok = res.status().is_success();
        let bytes = res.bytes().await?;
        anyhow::ensure!(ok, "{endpoint}: {}", String::from_utf8_lossy(&bytes));
        Ok((serde_json::from_slice(&bytes)?, bytes.len()))
    }
}

/// The agency, one account with [`PEOPLE`] people at home in it, and the Call Agent role.
async fn prepare(b: &Bench) -> anyhow::Result<(i64, i64)> {
    let code = b.server.setup_code.clone().expect("a fresh database has a setup code");
    b.call(
        "complete_setup",
        &[
            ("code", &code),
            ("agency_name", "Bench Agency"),
            ("first_name", "Ada"),
            ("last_name", "Admin"),
            ("email", "ada@bench.example"),
            ("password", "a long enough passphrase"),
        ],
    )
    .await?;
    let agency = b.call("list_entry_points", &[]).await?[0]["node"]["id"].as_i64().unwrap();
    let account = b
        .call("create_node", &[("parent_id", &agency.to_string()), ("name", "Account")])
        .await?["id"]
        .as_i64()
        .unwrap();
    let roles = b.call("list_roles", &[("agency_node_id", &account.to_string())]).await?;
    let role = roles.as_array().unwrap().iter().find(|r| r["name"] == "Call Agent").unwrap()["id"]
        .as_i64()
        .unwrap();
    let db = &b.server.state.db;
    let mut tx = db.begin().await?;
    for chunk in (0..PEOPLE).collect::<Vec<_>>().chunks(1_000) {
        let rows: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('person{i}@bench.example', 'person{i}', 'First{i}', 'Last{i}', 'active', \
                     {account}, 0, 0, 0)"
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO users (email, username, first_name, last_name, status, home_node_id, \
             status_changed_at, created_at, updated_at) VALUES {}",
            rows.join(",")
        );
        tx.execute(sql.as_str()).await?;
    }
    tx.commit().await?;
    (&db.pool).execute("ANALYZE").await?;
    Ok((account, role))
}

/// 10,000 lines: `run`'s own new addresses, then people of the account.
fn batch(run: usize) -> String {
    let mut text = String::from("email,first name,last name\n");
    for i in 0..LINES - EXISTING_IN_BATCH {
        writeln!(text, "new{run}-{i}@bench.example,New,\"Person {i}\"").unwrap();
    }
    for i in 0..EXISTING_IN_BATCH {
        let who = run * EXISTING_IN_BATCH + i;
        writeln!(text, "person{who}@bench.example,First{who},Last{who}").unwrap();
    }
    text
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

async fn bench(name: &str, url: &str) -> anyhow::Result<String> {
    let b = Bench::start(url).await?;
    let started = Instant::now();
    let (account, role) = prepare(&b).await?;
    println!(
        "{name}: agency with {PEOPLE} people prepared in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let mut out = String::new();
    let mut row = |what: &str, took: &str, statements: String, note: String| {
        let line = format!("| {name} | {what} | {took} | {statements} | {note} |");
        println!("{line}");
        writeln!(out, "{line}").unwrap();
    };

    let text = batch(0);
    let body = json!({ "node_id": account, "role_id": role, "text": text });
    let mut times = Vec::new();
    for _ in 0..PREVIEWS {
        let t = Instant::now();
        let (p, bytes) = b.json("preview_bulk_add", &body).await?;
        times.push(t.elapsed());
        let c = &p["counts"];
        anyhow::ensure!(c["invite"] == 9_000 && c["grant"] == 1_000, "unexpected preview {c}");
        if times.len() == PREVIEWS {
            times.sort();
            let all: Vec<String> = times.iter().map(|d| secs(*d)).collect();
            row(
                "preview, 10,000 lines (median of 3)",
                &secs(times[1]),
                "-".into(),
                format!("runs {} s; answer {} KB", all.join(", "), bytes / 1024),
            );
        }
    }
    for run in 0..COMMITS {
        let group = b
            .call(
                "create_node",
                &[("parent_id", &account.to_string()), ("name", &format!("Group {run}"))],
            )
            .await?["id"]
            .as_i64()
            .unwrap();
        let text = batch(run);
        let batch_id = format!("bench-{run}");
        let body = json!({ "node_id": group, "role_id": role, "text": text, "batch_id": batch_id });
        STATEMENTS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        let t = Instant::now();
        let (result, _) = b.json("commit_bulk_add", &body).await?;
        let took = t.elapsed();
        COUNTING.store(false, Ordering::SeqCst);
        anyhow::ensure!(
            result
                == json!({ "invited": 9_000, "granted": 1_000, "unchanged": 0, "duplicates": 0 }),
            "unexpected result {result}"
        );
        row(
            &format!("commit, 10,000 lines (run {})", run + 1),
            &secs(took),
            STATEMENTS.load(Ordering::SeqCst).to_string(),
            "9,000 invited, 1,000 given the role; 10,000 mails, 10,001 audit entries".into(),
        );
    }
    let (users,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&b.server.state.db.pool).await?;
    println!("{name}: {users} users at the end");
    b.server.handle.abort();
    Ok(out)
}

async fn postgres_database() -> anyhow::Result<(String, String, String)> {
    let admin = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("roster_bench_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    let mut url = url::Url::parse(&admin)?;
    url.set_path(&format!("/{name}"));
    Ok((admin, name, url.to_string()))
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::registry().with(StatementCounter).init();
    sqlx::any::install_default_drivers();
    // `cargo bench` passes `--bench`; anything else selects a backend.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |b: &str| only.is_empty() || only.iter().any(|o| b.contains(o.as_str()));
    println!("| backend | what | seconds | SQL statements | notes |\n|---|---|---|---|---|");
    let mut out = String::new();
    if wanted("sqlite") {
        let dir = std::env::temp_dir().join(format!("roster-bench-bulk-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let result = bench("SQLite", &url).await;
        let _ = std::fs::remove_dir_all(&dir);
        out.push_str(&result?);
    }
    if wanted("postgres") {
        let (admin, name, url) = postgres_database().await?;
        let result = bench("PostgreSQL", &url).await;
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        // FORCE ends the connections of the server's pool, still open.
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
        out.push_str(&result?);
    }
    println!("\nSummary:\n{out}");
    Ok(())
}
