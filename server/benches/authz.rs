//! Benchmark of the authorisation check and of the node users page on a generated agency of
//! 10,000 nodes (depth 8) and 100,000 users, on SQLite and on PostgreSQL.
//!
//! ```sh
//! cargo bench -p server --bench authz            # both backends
//! cargo bench -p server --bench authz -- sqlite  # or: postgres
//! ```
//!
//! PostgreSQL: a fresh database is created (and dropped afterwards) on
//! `postgres://postgres@127.0.0.1:5432/postgres`, or `BENCH_POSTGRES_URL`. The data is
//! generated with a fixed seed, so every run measures the same agency.
//!
//! Measured, each after a warm-up, one call at a time on one connection:
//! - `policy::permissions_at` for random (person, node at depth 8) pairs, and for pairs where
//!   the person holds a role at an ancestor of the node (the answer is not empty);
//! - the query of the node users page (`memberships::held_at_or_above`, as
//!   `list_node_members` runs it) at the agency, at an account (depth 1) and at depth 8.
//!
//! The number of SQL statements each makes is counted from sqlx's own statement events.

use app::{
    domain::{BuiltinRole, NodeId, UserId},
    server::{
        db::{Backend, Db},
        policy::permissions_at,
        repo::{memberships, roles},
    },
};
use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use sqlx::{Connection, Executor};
use std::{
    collections::HashSet,
    fmt::Write as _,
    sync::atomic::{AtomicBool, AtomicUsize, Ordering},
    time::{Duration, Instant},
};
use tracing_subscriber::{layer::SubscriberExt, util::SubscriberInitExt};

const NODES: usize = 10_000;
const DEPTH: usize = 8;
/// Nodes per level below the agency (level 1 = accounts), 9,999 in all.
const LEVELS: [usize; DEPTH] = [20, 60, 150, 350, 800, 1_600, 2_800, 4_219];
const USERS: usize = 100_000;
/// People holding an agency-level role at the agency itself.
const AGENCY_HOLDERS: usize = 30;
const SEED: u64 = 20_240_601;
const WARMUP: usize = 200;
const ITERATIONS: usize = 2_000;
const BATCH: usize = 1_000;
const NOW: i64 = 1_790_000_000_000;

/// The generated agency: node `i` has id `i + 1`; the agency is node 0.
struct Agency {
    parent: Vec<Option<usize>>,
    depth: Vec<usize>,
    /// (user id, node index, role id)
    memberships: Vec<(usize, usize, i64)>,
}

impl Agency {
    fn ancestors_or_self(&self, mut n: usize) -> Vec<usize> {
        let mut out = vec![n];
        while let Some(p) = self.parent[n] {
            out.push(p);
            n = p;
        }
        out
    }

    fn at_depth(&self, d: usize) -> Vec<usize> {
        (0..NODES).filter(|n| self.depth[*n] == d).collect()
    }
}

fn generate(rng: &mut StdRng, role_ids: &[(BuiltinRole, i64)]) -> Agency {
    assert_eq!(1 + LEVELS.iter().sum::<usize>(), NODES);
    let mut parent = vec![None];
    let mut depth = vec![0];
    let mut previous: Vec<usize> = vec![0];
    for (level, size) in LEVELS.iter().enumerate() {
        let mut this = Vec::with_capacity(*size);
        for i in 0..*size {
            // Every node of the level above gets a child first, so the tree is depth 8
            // throughout, then the rest go to random parents.
            let p = if i < previous.len() { previous[i] } else { *previous.choose(rng).unwrap() };
            this.push(parent.len());
            parent.push(Some(p));
            depth.push(level + 1);
        }
        previous = this;
    }
    let local: Vec<i64> =
        role_ids.iter().filter(|(r, _)| !r.is_agency_level()).map(|(_, id)| *id).collect();
    let agency_level: Vec<i64> =
        role_ids.iter().filter(|(r, _)| r.is_agency_level()).map(|(_, id)| *id).collect();
    let mut memberships = Vec::new();
    let mut seen = HashSet::new();
    for user in 1..=USERS {
        if user <= AGENCY_HOLDERS {
            memberships.push((user, 0, *agency_level.choose(rng).unwrap()));
            continue;
        }
        for _ in 0..rng.gen_range(1..=3) {
            let m = (user, rng.gen_range(1..NODES), *local.choose(rng).unwrap());
            if seen.insert(m) {
                memberships.push(m);
            }
        }
    }
    Agency { parent, depth, memberships }
}

/// Inserts `rows` (already SQL literals) in multi-row statements.
async fn insert_rows(
    tx: &mut sqlx::AnyConnection,
    head: &str,
    rows: impl Iterator<Item = String>,
) -> anyhow::Result<()> {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(BATCH) {
        let sql = format!("{head} VALUES {}", chunk.join(","));
        tx.execute(sql.as_str()).await?;
    }
    Ok(())
}

async fn load(db: &Db, a: &Agency, rng: &mut StdRng) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    insert_rows(
        &mut tx,
        "INSERT INTO nodes (id, parent_id, kind, name, created_at)",
        (0..NODES).map(|n| {
            let (parent, kind) = match (a.parent[n], a.depth[n]) {
                (None, _) => ("NULL".to_string(), "agency"),
                (Some(p), 1) => ((p + 1).to_string(), "account"),
                (Some(p), _) => ((p + 1).to_string(), "group"),
            };
            format!("({}, {parent}, '{kind}', 'Node {n}', {NOW})", n + 1)
        }),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO node_closure (ancestor_id, descendant_id, depth)",
        (0..NODES).flat_map(|n| {
            a.ancestors_or_self(n)
                .into_iter()
                .enumerate()
                .map(move |(d, anc)| format!("({}, {}, {d})", anc + 1, n + 1))
        }),
    )
    .await?;
    let homes: Vec<usize> = (0..USERS).map(|_| rng.gen_range(0..NODES)).collect();
    insert_rows(
        &mut tx,
        "INSERT INTO users (id, email, username, first_name, last_name, status, \
         home_node_id, status_changed_at, created_at, updated_at)",
        (1..=USERS).map(|u| {
            format!(
                "({u}, 'user{u}@bench.example', 'user{u}', 'First{u}', 'Last{}', 'active', {}, \
                 {NOW}, {NOW}, {NOW})",
                u % 997,
                homes[u - 1] + 1
            )
        }),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO memberships (user_id, node_id, role_id, granted_at)",
        a.memberships.iter().map(|(u, n, r)| format!("({u}, {}, {r}, {NOW})", n + 1)),
    )
    .await?;
    tx.commit().await?;
    // As a long-running database would be after autovacuum (PostgreSQL) or
    // `PRAGMA optimize` (SQLite).
    (&db.pool).execute("ANALYZE").await?;
    Ok(())
}

// ------------------------------------------------------------------ statement counting

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicUsize = AtomicUsize::new(0);

/// Counts sqlx's per-statement events (target `sqlx::query`), only while `COUNTING` is on,
/// so the timed loops pay one atomic load per statement.
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

async fn count_statements<F: std::future::Future>(f: F) -> usize {
    STATEMENTS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    f.await;
    COUNTING.store(false, Ordering::SeqCst);
    STATEMENTS.load(Ordering::SeqCst)
}

// ------------------------------------------------------------------ measuring

struct Stats {
    p50: Duration,
    p99: Duration,
    mean: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).max(1) - 1];
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    Stats { p50: at(0.50), p99: at(0.99), mean }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

struct Report {
    backend: &'static str,
    lines: String,
}

impl Report {
    fn row(&mut self, what: &str, s: &Stats, statements: usize, rows: &str) {
        let line = format!(
            "| {} | {what} | {} | {} | {} | {statements} | {rows} |",
            self.backend,
            ms(s.p50),
            ms(s.p99),
            ms(s.mean)
        );
        println!("{line}");
        writeln!(self.lines, "{line}").unwrap();
    }
}

async fn bench(backend: Backend, url: &str) -> anyhow::Result<String> {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let db = server::database::connect(url).await?;
    server::database::migrate(&db).await?;
    let mut conn = db.pool.acquire().await?;
    roles::sync_builtins(&mut conn, NOW).await?;
    let mut role_ids = Vec::new();
    for r in BuiltinRole::ALL {
        role_ids.push((r, roles::builtin_id(&mut conn, r).await?.0));
    }
    drop(conn);
    let mut rng = StdRng::seed_from_u64(SEED);
    let agency = generate(&mut rng, &role_ids);
    let started = Instant::now();
    load(&db, &agency, &mut rng).await?;
    let closure_rows: usize = (0..NODES).map(|n| agency.depth[n] + 1).sum();
    println!(
        "{name}: generated {NODES} nodes (depth {DEPTH}, {closure_rows} closure rows), {USERS} \
         users, {} memberships in {:.1} s",
        agency.memberships.len(),
        started.elapsed().as_secs_f64()
    );
    let mut report = Report { backend: name, lines: String::new() };
    let mut conn = db.pool.acquire().await?;
    let deep = agency.at_depth(DEPTH);
    let accounts = agency.at_depth(1);

    // permissions_at, random pairs: mostly nobody-here answers.
    let pairs: Vec<(i64, i64)> = (0..WARMUP + ITERATIONS)
        .map(|_| (rng.gen_range(1..=USERS) as i64, *deep.choose(&mut rng).unwrap() as i64 + 1))
        .collect();
    // ... and pairs where the person holds a role above the node.
    let mut by_node: Vec<Vec<usize>> = vec![Vec::new(); NODES];
    for (u, n, _) in &agency.memberships {
        if *u > AGENCY_HOLDERS {
            by_node[*n].push(*u);
        }
    }
    let mut held = Vec::new();
    while held.len() < WARMUP + ITERATIONS {
        let node = *deep.choose(&mut rng).unwrap();
        let holders: Vec<usize> = agency
            .ancestors_or_self(node)
            .into_iter()
            .flat_map(|n| by_node[n].iter().copied())
            .collect();
        if let Some(u) = holders.choose(&mut rng) {
            held.push((*u as i64, node as i64 + 1));
        }
    }
    for (label, pairs) in
        [("random person, depth-8 node", &pairs), ("holder above, depth-8 node", &held)]
    {
        let mut samples = Vec::with_capacity(ITERATIONS);
        let mut granted = 0;
        for (i, (user, node)) in pairs.iter().enumerate() {
            let t = Instant::now();
            let perms = permissions_at(&mut conn, UserId(*user), NodeId(*node)).await?;
            if i >= WARMUP {
                samples.push(t.elapsed());
                granted += usize::from(!perms.0.is_empty());
            }
        }
        let (u, n) = pairs[0];
        let statements = count_statements(async {
            permissions_at(&mut conn, UserId(u), NodeId(n)).await.unwrap()
        })
        .await;
        let rows = format!("{granted} of {ITERATIONS} with permissions");
        report.row(&format!("`permissions_at`, {label}"), &stats(samples), statements, &rows);
    }
    // One statement whatever the depth: the agency, an account, depth 8.
    for node in [0, accounts[0], deep[0]] {
        let s = count_statements(async {
            permissions_at(&mut conn, UserId(1), NodeId(node as i64 + 1)).await.unwrap()
        })
        .await;
        println!("{name}: permissions_at at depth {}: {s} statement(s)", agency.depth[node]);
        assert_eq!(s, 1, "permissions_at is one statement whatever the depth");
    }

    // The node users page.
    for (label, nodes) in
        [("the agency", vec![0]), ("an account (depth 1)", accounts), ("depth 8", deep)]
    {
        let picks: Vec<usize> =
            (0..WARMUP + ITERATIONS).map(|_| *nodes.choose(&mut rng).unwrap()).collect();
        let mut samples = Vec::with_capacity(ITERATIONS);
        let mut rows = 0;
        for (i, n) in picks.iter().enumerate() {
            let t = Instant::now();
            let found = memberships::held_at_or_above(&mut conn, NodeId(*n as i64 + 1), 50).await?;
            if i >= WARMUP {
                samples.push(t.elapsed());
                rows += found.len();
            }
        }
        let n = NodeId(picks[0] as i64 + 1);
        let statements = count_statements(async {
            memberships::held_at_or_above(&mut conn, n, 50).await.unwrap();
        })
        .await;
        let rows = format!("{} roles listed on average", rows / ITERATIONS);
        report.row(&format!("node users page query, {label}"), &stats(samples), statements, &rows);
    }
    Ok(report.lines)
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::registry().with(StatementCounter).init();
    sqlx::any::install_default_drivers();
    // `cargo bench` passes `--bench`; anything else selects a backend.
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |b: &str| only.is_empty() || only.iter().any(|o| b.contains(o.as_str()));
    println!(
        "| backend | what | p50 ms | p99 ms | mean ms | SQL statements | result |\n|---|---|---|---|---|---|---|"
    );
    let mut out = String::new();
    if wanted("sqlite") {
        let dir = std::env::temp_dir().join(format!("roster-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let result = bench(Backend::Sqlite, &url).await;
        let _ = std::fs::remove_dir_all(&dir);
        out.push_str(&result?);
    }
    if wanted("postgres") {
        let (admin, name, url) = postgres_database().await?;
        let result = bench(Backend::Postgres, &url).await;
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        // The pool above is gone with `bench`; FORCE ends any connection left behind.
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
        out.push_str(&result?);
    }
    println!("\nSummary (ms):\n{out}");
    Ok(())
}
