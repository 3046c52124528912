//! Benchmark of the users directory on a generated agency: 1,000,000 people on PostgreSQL,
//! 100,000 on SQLite (`BENCH_DIRECTORY_USERS` changes both).
//!
//! ```sh
//! cargo bench -p server --bench directory            # both backends
//! cargo bench -p server --bench directory -- sqlite  # or: postgres
//! ```
//!
//! PostgreSQL: a fresh database is created (and dropped afterwards) on
//! `postgres://postgres@127.0.0.1:5432/postgres`, or `BENCH_POSTGRES_URL`. The data is
//! generated with a fixed seed by `support/agency.rs` (which `scripts/bench.sh` seeds with
//! too), so every run measures the same agency:
//!
//! - one agency of 50 accounts, each with 4 groups of 4 sub-groups (1,051 nodes);
//! - people at home in a random account, with names drawn with Zipf-like weights from lists
//!   of common and rare names; 85% active, 7% invited, 3% suspended, 3% disabled, 2% deleted;
//! - each person holds one role at a random group of their account, one in ten a second
//!   role at the account itself; five agency administrators at the agency.
//!
//! Measured, one call at a time on one connection, after a warm-up: what `list_directory`
//! asks the database for one page of 50 (the permission check, choosing the plan and
//! counting on a first page, the page, the roles and home accounts of its rows). Each case
//! prints the plan chosen and the count, and the benchmark fails if a statement's plan reads
//! the whole users table (PostgreSQL: a `Seq Scan on users`; SQLite: `SCAN` without index).

use app::{
    api::directory::{
        DirectoryFilter, SortKey,
        query::{self, Criteria, Cursor, Page, Plan, Scope},
        ssr::rows_of,
    },
    domain::{BuiltinRole, NodeId, Permission, UserId, UserStatus},
    server::{
        db::{Backend, Db},
        policy::permissions_at,
        repo::roles,
    },
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use sqlx::{Connection, Executor};
use std::{
    fmt::Write as _,
    time::{Duration, Instant},
};

#[path = "support/agency.rs"]
mod agency;

/// The directory's agency: 50 accounts of 4 groups of 4 sub-groups (1,051 nodes), one role
/// per person and one in ten a second (see `support/agency.rs`).
const ACCOUNTS: usize = 50;
const GROUPS: usize = 4;
const SUBGROUPS: usize = 4;
const AGENCY_ADMINS: usize = 5;
const SEED: u64 = 20_260_921;
const WARMUP: usize = 20;
const ITERATIONS: usize = 200;
const PAGE: u32 = 50;
/// The server's default exact-count limit.
const EXACT_UP_TO: u64 = 5_000;

// ------------------------------------------------------------------ measuring

struct Stats {
    p50: Duration,
    p99: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).max(1) - 1];
    Stats { p50: at(0.50), p99: at(0.99) }
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1e3)
}

/// One directory case: where, which filter, first page or the one after.
struct Case {
    label: &'static str,
    node: i64,
    filter: DirectoryFilter,
    second_page: bool,
}

/// What `list_directory` asks of the database for one page.
async fn one_page(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    viewer: UserId,
    scope: &Scope,
    c: &Criteria,
    cursor: Option<&Cursor>,
) -> anyhow::Result<Page> {
    let allowed = permissions_at(conn, viewer, scope.node).await?.contains(Permission::ViewUsers);
    anyhow::ensure!(allowed, "the viewer may list this node");
    let page = query::page(conn, backend, EXACT_UP_TO, scope, c, cursor, PAGE).await?;
    let rows = rows_of(conn, viewer, scope, page.rows.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    anyhow::ensure!(rows.len() == page.rows.len());
    Ok(page)
}

fn criteria(f: &DirectoryFilter) -> Criteria {
    Criteria::new(&f.query, &f.statuses, f.role_id, f.team_id, f.sort, f.descending)
}

/// Fails when a statement of `plan` would read every row of the users table.
async fn check_plan(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    plan: Plan,
    scope: &Scope,
    c: &Criteria,
    label: &str,
) -> anyhow::Result<()> {
    let text = query::explain(conn, backend, plan, scope, c, None, PAGE + 1).await?;
    if std::env::var_os("BENCH_PLANS").is_some() {
        println!("--- {label} ({plan:?})\n{text}");
    }
    for line in text.lines() {
        let l = line.trim();
        let full = match backend {
            Backend::Postgres => l.contains("Seq Scan on users"),
            Backend::Sqlite => {
                (l.starts_with("SCAN u") || l.starts_with("SCAN users")) && !l.contains("INDEX")
            }
        };
        anyhow::ensure!(!full, "{label}: the plan reads the whole users table:\n{text}");
    }
    Ok(())
}

async fn bench(backend: Backend, url: &str, users: usize) -> anyhow::Result<String> {
    let name = match backend {
        Backend::Sqlite => "SQLite",
        Backend::Postgres => "PostgreSQL",
    };
    let db: Db = server::database::connect(url).await?;
    server::database::migrate(&db).await?;
    let mut conn = db.pool.acquire().await?;
    roles::sync_builtins(&mut conn, agency::NOW).await?;
    let mut role_ids = Vec::new();
    for r in BuiltinRole::ALL {
        role_ids.push((r, roles::builtin_id(&mut conn, r).await?.0));
    }
    drop(conn);
    let shape = agency::Shape {
        accounts: ACCOUNTS,
        groups: GROUPS,
        subgroups: SUBGROUPS,
        people: users,
        agency_admins: AGENCY_ADMINS,
        second_role_percent: 0,
    };
    let t = agency::tree(&shape, 1, 2);
    let started = Instant::now();
    let people = agency::people(&shape, &t, &mut StdRng::seed_from_u64(SEED), 1, &role_ids);
    let (count, grants) = (people.count(), people.grants());
    agency::write(&db, &t, people, false).await?;
    println!(
        "{name}: generated {} nodes, {count} people and {grants} role grants in {:.1} s",
        t.node_count(),
        started.elapsed().as_secs_f64()
    );
    let mut conn = db.pool.acquire().await?;
    let viewer = UserId(1); // an agency administrator
    let account = t.accounts[0];
    let group = t.below[0][0];
    let filter = |f: DirectoryFilter| f;
    let cases = [
        Case {
            label: "first page, agency, by name",
            node: 1,
            filter: filter(DirectoryFilter::default()),
            second_page: false,
        },
        Case {
            label: "next page (cursor), agency, by name",
            node: 1,
            filter: DirectoryFilter::default(),
            second_page: true,
        },
        Case {
            label: "agency, active + search \"mar\"",
            node: 1,
            filter: DirectoryFilter {
                query: "mar".into(),
                statuses: vec![UserStatus::Active],
                ..Default::default()
            },
            second_page: false,
        },
        Case {
            label: "agency, active + search \"pat\" (Patel, Patricia, Patrick, Patterson)",
            node: 1,
            filter: DirectoryFilter {
                query: "pat".into(),
                statuses: vec![UserStatus::Active],
                ..Default::default()
            },
            second_page: false,
        },
        Case {
            label: "agency, search \"zel\" (rare)",
            node: 1,
            filter: DirectoryFilter { query: "zel".into(), ..Default::default() },
            second_page: false,
        },
        Case {
            label: "agency, suspended, newest first",
            node: 1,
            filter: DirectoryFilter {
                statuses: vec![UserStatus::Suspended],
                sort: SortKey::Created,
                descending: true,
                ..Default::default()
            },
            second_page: false,
        },
        Case {
            label: "first page, an account",
            node: account,
            filter: DirectoryFilter::default(),
            second_page: false,
        },
        Case {
            label: "an account, active + search \"mar\"",
            node: account,
            filter: DirectoryFilter {
                query: "mar".into(),
                statuses: vec![UserStatus::Active],
                ..Default::default()
            },
            second_page: false,
        },
        Case {
            label: "first page, a group",
            node: group,
            filter: DirectoryFilter::default(),
            second_page: false,
        },
    ];
    let mut out = String::new();
    for case in &cases {
        let scope = Scope { node: NodeId(case.node), inherited: case.filter.inherited };
        let c = criteria(&case.filter);
        let first = one_page(&mut conn, db.backend, viewer, &scope, &c, None).await?;
        check_plan(&mut conn, db.backend, first.plan, &scope, &c, case.label).await?;
        let cursor = if case.second_page { first.next.clone() } else { None };
        let mut samples = Vec::with_capacity(ITERATIONS);
        let mut rows = 0;
        for i in 0..WARMUP + ITERATIONS {
            let t0 = Instant::now();
            let page = one_page(&mut conn, db.backend, viewer, &scope, &c, cursor.as_ref()).await?;
            if i >= WARMUP {
                samples.push(t0.elapsed());
                rows = page.rows.len();
            }
        }
        let s = stats(samples);
        let count = format!("{}{}", if first.exact { "" } else { "about " }, first.count);
        let line = format!(
            "| {name} | {} | {} | {} | {rows} | {count} | {:?} |",
            case.label,
            ms(s.p50),
            ms(s.p99),
            first.plan
        );
        println!("{line}");
        writeln!(out, "{line}").unwrap();
    }
    Ok(out)
}

async fn postgres_database() -> anyhow::Result<(String, String, String)> {
    let admin = std::env::var("BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let name = format!("roster_bench_{:016x}", rand::thread_rng().r#gen::<u64>());
    let mut conn = sqlx::PgConnection::connect(&admin).await?;
    conn.execute(format!("CREATE DATABASE {name}").as_str()).await?;
    let mut url = url::Url::parse(&admin)?;
    url.set_path(&format!("/{name}"));
    Ok((admin, name, url.to_string()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let only: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let wanted = |b: &str| only.is_empty() || only.iter().any(|o| b.contains(o.as_str()));
    let users = |default: usize| {
        std::env::var("BENCH_DIRECTORY_USERS").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
    };
    println!(
        "| backend | case (page of {PAGE}) | p50 ms | p99 ms | rows | count | plan |\n|---|---|---|---|---|---|---|"
    );
    let mut out = String::new();
    if wanted("sqlite") {
        let dir = std::env::temp_dir().join(format!("roster-dir-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let url = format!("sqlite://{}", dir.join("bench.db").display());
        let result = bench(Backend::Sqlite, &url, users(100_000)).await;
        let _ = std::fs::remove_dir_all(&dir);
        out.push_str(&result?);
    }
    if wanted("postgres") {
        let (admin, name, url) = postgres_database().await?;
        let result = bench(Backend::Postgres, &url, users(1_000_000)).await;
        let mut conn = sqlx::PgConnection::connect(&admin).await?;
        conn.execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str()).await?;
        out.push_str(&result?);
    }
    println!("\nSummary:\n{out}");
    Ok(())
}
