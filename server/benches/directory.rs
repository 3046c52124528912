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
//! generated with a fixed seed, so every run measures the same agency:
//!
//! - one agency of 50 accounts, each with 4 groups of 4 sub-groups (1,051 nodes);
//! - people at home in a random account; first and last names drawn with Zipf-like weights
//!   from lists of 120 and 160 names (some common, some rare, as real names are), e-mail
//!   `first.last.ID@…`, username `firstlastID`; 85% active, 7% invited, 3% suspended, 3%
//!   disabled, 2% deleted; added one a minute;
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

const ACCOUNTS: usize = 50;
const GROUPS: usize = 4;
const SUBGROUPS: usize = 4;
const SEED: u64 = 20_260_921;
const WARMUP: usize = 20;
const ITERATIONS: usize = 200;
const BATCH: usize = 2_000;
const NOW: i64 = 1_790_000_000_000;
const PAGE: u32 = 50;
/// The server's default exact-count limit.
const EXACT_UP_TO: u64 = 5_000;

const FIRST: &[&str] = &[
    "james",
    "mary",
    "robert",
    "patricia",
    "john",
    "jennifer",
    "michael",
    "linda",
    "david",
    "elizabeth",
    "william",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "christopher",
    "lisa",
    "daniel",
    "nancy",
    "matthew",
    "betty",
    "anthony",
    "margaret",
    "mark",
    "sandra",
    "donald",
    "ashley",
    "steven",
    "kimberly",
    "paul",
    "emily",
    "andrew",
    "donna",
    "joshua",
    "michelle",
    "kenneth",
    "carol",
    "kevin",
    "amanda",
    "brian",
    "dorothy",
    "george",
    "melissa",
    "timothy",
    "deborah",
    "ronald",
    "stephanie",
    "edward",
    "rebecca",
    "jason",
    "sharon",
    "jeffrey",
    "laura",
    "ryan",
    "cynthia",
    "jacob",
    "kathleen",
    "gary",
    "amy",
    "nicholas",
    "angela",
    "eric",
    "shirley",
    "jonathan",
    "anna",
    "stephen",
    "brenda",
    "larry",
    "pamela",
    "justin",
    "emma",
    "scott",
    "nicole",
    "brandon",
    "helen",
    "benjamin",
    "samantha",
    "samuel",
    "katherine",
    "gregory",
    "christine",
    "alexander",
    "debra",
    "frank",
    "rachel",
    "patrick",
    "carolyn",
    "raymond",
    "janet",
    "jack",
    "catherine",
    "dennis",
    "maria",
    "jerry",
    "heather",
    "tyler",
    "diane",
    "aaron",
    "ruth",
    "jose",
    "julie",
    "adam",
    "olivia",
    "nathan",
    "joyce",
    "henry",
    "virginia",
    "douglas",
    "victoria",
    "zachary",
    "kelly",
    "peter",
    "lauren",
    "kyle",
    "christina",
];
const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "jimenez",
    "powell",
    "jenkins",
    "perry",
    "russell",
    "sullivan",
    "bell",
    "coleman",
    "butler",
    "henderson",
    "barnes",
    "gonzales",
    "fisher",
    "vasquez",
    "simmons",
    "romero",
    "jordan",
    "patterson",
    "alexander",
    "hamilton",
    "graham",
    "reynolds",
    "griffin",
    "wallace",
    "moreno",
    "west",
    "cole",
    "hayes",
    "bryant",
    "herrera",
    "gibson",
    "ellis",
    "tran",
    "medina",
    "aguilar",
    "stevens",
    "murray",
    "ford",
    "castro",
    "marshall",
    "owens",
    "harrison",
    "fernandez",
    "mcdonald",
    "woods",
    "washington",
    "kennedy",
    "wells",
    "vargas",
    "henry",
    "chen",
    "freeman",
    "webb",
    "tucker",
    "guzman",
    "burns",
    "crawford",
    "olson",
    "simpson",
    "porter",
    "hunter",
    "gordon",
    "mendez",
    "silva",
    "zeller",
];

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// An index into a list of `n`, the first ones far likelier (weights 1/(rank+1)).
fn zipf(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let x = rng.r#gen::<f64>() * cumulative[cumulative.len() - 1];
    cumulative.partition_point(|c| *c < x)
}

fn cumulative(n: usize) -> Vec<f64> {
    let mut total = 0.0;
    (0..n)
        .map(|i| {
            total += 1.0 / (i as f64 + 1.0);
            total
        })
        .collect()
}

/// The generated tree: node ids 1 (agency), then accounts, groups, sub-groups.
struct Tree {
    /// (id, parent, depth)
    nodes: Vec<(i64, Option<i64>, usize)>,
    accounts: Vec<i64>,
    /// The groups and sub-groups of each account (by account index).
    below: Vec<Vec<i64>>,
}

fn tree() -> Tree {
    let mut nodes = vec![(1, None, 0)];
    let mut accounts = Vec::new();
    let mut below = Vec::new();
    let mut next = 2;
    for _ in 0..ACCOUNTS {
        let account = next;
        next += 1;
        nodes.push((account, Some(1), 1));
        accounts.push(account);
        let mut mine = Vec::new();
        for _ in 0..GROUPS {
            let group = next;
            next += 1;
            nodes.push((group, Some(account), 2));
            mine.push(group);
            for _ in 0..SUBGROUPS {
                nodes.push((next, Some(group), 3));
                mine.push(next);
                next += 1;
            }
        }
        below.push(mine);
    }
    Tree { nodes, accounts, below }
}

impl Tree {
    fn ancestors_or_self(&self, id: i64) -> Vec<(i64, usize)> {
        let mut out = vec![(id, 0)];
        let mut at = id;
        while let Some(p) = self.nodes[(at - 1) as usize].1 {
            out.push((p, out.len()));
            at = p;
        }
        out
    }
}

async fn insert_rows(
    tx: &mut sqlx::AnyConnection,
    head: &str,
    rows: impl Iterator<Item = String>,
) -> anyhow::Result<()> {
    let mut chunk = Vec::with_capacity(BATCH);
    for row in rows {
        chunk.push(row);
        if chunk.len() == BATCH {
            tx.execute(format!("{head} VALUES {}", chunk.join(",")).as_str()).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        tx.execute(format!("{head} VALUES {}", chunk.join(",")).as_str()).await?;
    }
    Ok(())
}

async fn load(
    db: &Db,
    t: &Tree,
    users: usize,
    role_ids: &[(BuiltinRole, i64)],
) -> anyhow::Result<()> {
    let mut rng = StdRng::seed_from_u64(SEED);
    let (first_w, last_w) = (cumulative(FIRST.len()), cumulative(LAST.len()));
    let role = |r: BuiltinRole| role_ids.iter().find(|(b, _)| *b == r).unwrap().1;
    let local_roles = [
        BuiltinRole::User,
        BuiltinRole::CallAgent,
        BuiltinRole::CallManager,
        BuiltinRole::MessagingAgent,
    ];
    let mut tx = db.begin().await?;
    insert_rows(
        &mut tx,
        "INSERT INTO nodes (id, parent_id, kind, name, created_at)",
        t.nodes.iter().map(|(id, parent, depth)| {
            let kind = ["agency", "account", "group", "group"][*depth];
            let parent = parent.map_or("NULL".to_string(), |p| p.to_string());
            format!("({id}, {parent}, '{kind}', 'Node {id}', {NOW})")
        }),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO node_closure (ancestor_id, descendant_id, depth)",
        t.nodes.iter().flat_map(|(id, ..)| {
            t.ancestors_or_self(*id).into_iter().map(move |(a, d)| format!("({a}, {id}, {d})"))
        }),
    )
    .await?;
    let mut people = Vec::with_capacity(users);
    let mut memberships = Vec::with_capacity(users + users / 10);
    for id in 1..=users {
        let account = rng.gen_range(0..ACCOUNTS);
        let first = FIRST[zipf(&mut rng, &first_w)];
        let last = LAST[zipf(&mut rng, &last_w)];
        let status = match rng.gen_range(0..100) {
            0..85 => "active",
            85..92 => "invited",
            92..95 => "suspended",
            95..98 => "disabled",
            _ => "deleted",
        };
        let created = NOW - (users - id) as i64 * 60_000;
        people.push(format!(
            "({id}, '{first}.{last}.{id}@example.com', '{first}{last}{id}', '{}', '{}', \
             '{status}', {}, {created}, {created}, {created})",
            capitalise(first),
            capitalise(last),
            t.accounts[account]
        ));
        if id <= 5 {
            memberships
                .push(format!("({id}, 1, {}, {NOW})", role(BuiltinRole::AgencyAdministrator)));
            continue;
        }
        let group = t.below[account][rng.gen_range(0..t.below[account].len())];
        let r = role(local_roles[rng.gen_range(0..local_roles.len())]);
        memberships.push(format!("({id}, {group}, {r}, {NOW})"));
        if rng.gen_range(0..10) == 0 {
            memberships.push(format!(
                "({id}, {}, {}, {NOW})",
                t.accounts[account],
                role(BuiltinRole::AccountAdmin)
            ));
        }
    }
    insert_rows(
        &mut tx,
        "INSERT INTO users (id, email, username, first_name, last_name, status, home_node_id, \
         status_changed_at, created_at, updated_at)",
        people.into_iter(),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO memberships (user_id, node_id, role_id, granted_at)",
        memberships.into_iter(),
    )
    .await?;
    tx.commit().await?;
    if db.backend == Backend::Postgres {
        // The ids were given explicitly: move the sequence past them.
        (&db.pool).execute("SELECT setval('users_id_seq', (SELECT MAX(id) FROM users))").await?;
    }
    // As a long-running database would be after autovacuum (PostgreSQL: statistics, and
    // the visibility map that lets index-only scans skip the table) or `PRAGMA optimize`
    // (SQLite).
    let tidy = if db.backend == Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    (&db.pool).execute(tidy).await?;
    Ok(())
}

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
    let db = server::database::connect(url).await?;
    server::database::migrate(&db).await?;
    let mut conn = db.pool.acquire().await?;
    roles::sync_builtins(&mut conn, NOW).await?;
    let mut role_ids = Vec::new();
    for r in BuiltinRole::ALL {
        role_ids.push((r, roles::builtin_id(&mut conn, r).await?.0));
    }
    drop(conn);
    let t = tree();
    let started = Instant::now();
    load(&db, &t, users, &role_ids).await?;
    println!(
        "{name}: generated {} nodes, {users} people and their memberships in {:.1} s",
        t.nodes.len(),
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
    let name = format!("roster_bench_{:016x}", rand::random::<u64>());
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
