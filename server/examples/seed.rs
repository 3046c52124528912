//! Seeds a fresh database for `scripts/bench.sh`: a real first-run agency and its Agency
//! Administrator (through the server's own `create-admin` code, so the password hash is
//! argon2id as in production and the benchmark signs in like a person), then the generated
//! agency of `benches/support/agency.rs` under it: 20 accounts of 4 groups of 4 sub-groups,
//! and the people, about two role grants each.
//!
//! ```sh
//! echo 'the admin password' | cargo run -p server --example seed -- \
//!     --database-url sqlite://bench.db --people 100000 --admin-email ada@example.com
//! ```
//!
//! Prints `key=value` lines at the end (agency, account, person, counts) for the script.

#[path = "../benches/support/agency.rs"]
mod agency;

use anyhow::{Context, bail};
use app::{domain::BuiltinRole, server::repo::roles};
use clap::Parser;
use rand::{SeedableRng, rngs::StdRng};
use std::time::Instant;

/// A different seed from the directory benchmark's: this agency is another shape anyway.
const SEED: u64 = 20_261_203;

/// Seeds a fresh database with a generated agency for the HTTP benchmark.
#[derive(Parser)]
struct Args {
    /// `sqlite://FILE` or `postgres://USER@HOST/DB`; it must hold no people yet.
    #[arg(long)]
    database_url: String,
    /// People to generate (the administrator not counted).
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(u64).range(10..=10_000_000))]
    people: u64,
    #[arg(long, default_value_t = 20)]
    accounts: usize,
    #[arg(long, default_value = "Bench Insurance Agency")]
    agency: String,
    /// The administrator who signs in; the password is read from standard input.
    #[arg(long, default_value = "ada.admin@example.com")]
    admin_email: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let db = server::database::connect(&args.database_url).await?;
    server::database::migrate(&db).await?;
    let (people,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(&db.pool).await?;
    if people > 0 {
        bail!("the database already has {people} people: seed a fresh one");
    }
    let mut password = String::new();
    std::io::stdin().read_line(&mut password).context("cannot read the password")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let config = server::cli::Cli::parse_from(["server", "--database-url", &args.database_url]);
    let started = Instant::now();
    server::create_admin(&config.config, &args.agency, &args.admin_email, "Ada", "Admin", password)
        .await?;
    let hashed = started.elapsed();

    let mut conn = db.pool.acquire().await?;
    let (agency,): (i64,) = sqlx::query_as("SELECT id FROM nodes WHERE parent_id IS NULL")
        .fetch_one(&mut *conn)
        .await?;
    let (next_node, next_user): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT MAX(id) FROM nodes) + 1, (SELECT COALESCE(MAX(id), 0) FROM users) + 1",
    )
    .fetch_one(&mut *conn)
    .await?;
    let mut role_ids = Vec::new();
    for r in BuiltinRole::ALL {
        role_ids.push((r, roles::builtin_id(&mut conn, r).await?.0));
    }
    drop(conn);

    let shape = agency::Shape {
        accounts: args.accounts,
        groups: 4,
        subgroups: 4,
        people: args.people as usize,
        agency_admins: 5,
        // With the one in ten Account Admins: two grants a person on average.
        second_role_percent: 90,
    };
    let started = Instant::now();
    let t = agency::tree(&shape, agency, next_node);
    let people = agency::people(&shape, &t, &mut StdRng::seed_from_u64(SEED), next_user, &role_ids);
    let (count, grants) = (people.count(), people.grants());
    let person = people.sample.context("no active person with two roles was generated")?;
    agency::write(&db, &t, people, true).await?;
    eprintln!(
        "seeded {} nodes, {count} people and {grants} role grants in {:.1} s \
         (the administrator's argon2id hash and setup took {:.1} s)",
        t.node_count(),
        started.elapsed().as_secs_f64(),
        hashed.as_secs_f64()
    );
    println!("agency={agency}");
    println!("account={}", t.accounts[0]);
    println!("person={person}");
    println!("people={count}");
    println!("grants={grants}");
    println!("nodes={}", t.node_count());
    Ok(())
}
