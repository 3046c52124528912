//! The two migration sets (server/migrations/sqlite and server/migrations/postgres) are
//! written by hand, one per backend, and the server runs one code path over both. This test
//! migrates a fresh database of each kind from the migration files as they are on disk (so a
//! new migration is picked up without a rebuild) and compares what the catalogs say: tables,
//! columns (type family, nullability, default, generated), primary and foreign keys (with
//! their ON DELETE), indexes and triggers (common/catalog). What differs on purpose is listed
//! below with the reason, and an entry that no longer matches anything fails the test too.

use crate::common::{Backend, catalog};
use std::collections::BTreeSet;

/// Tables that are not the application's: not compared.
const NOT_OURS: &[(&str, &str)] = &[(
    "_sqlx_migrations",
    "sqlx's record of the migrations run, made by each driver in its own types",
)];

/// Facts (as `Catalog::facts` words them) true of one backend only, on purpose.
const ONLY_SQLITE: &[(&str, &str)] = &[];

const ONLY_POSTGRES: &[(&str, &str)] = &[
    (
        "index users.users_dir_home (home_node_id, id)",
        "0005: a PostgreSQL index does not carry the row id as SQLite's does, so the people \
         at home in a sub-tree need (home_node_id, id) to be read from the index alone",
    ),
    (
        "trigger audit_log: BEFORE TRUNCATE",
        "0013: SQLite has no TRUNCATE; PostgreSQL's skips the row triggers of 0006",
    ),
];

/// The catalog of a fresh database of `backend` after its migration set, minus [`NOT_OURS`].
async fn migrated(backend: Backend) -> catalog::Catalog {
    let mut catalog = catalog::of_fresh_database(backend).await;
    for (table, _) in NOT_OURS {
        assert!(catalog.tables.remove(*table).is_some(), "{table} (NOT_OURS) is not there");
    }
    catalog
}

/// Removes the facts listed in `exempt` from `only`; each must have been there.
fn exempt(only: &mut BTreeSet<String>, exempt: &[(&str, &str)], backend: &str) -> Vec<String> {
    let mut stale = Vec::new();
    for (fact, _) in exempt {
        if !only.remove(*fact) {
            stale.push(format!("{fact} (listed as {backend}-only, but not a difference)"));
        }
    }
    stale
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migration_sets_build_the_same_schema() {
    let sqlite = migrated(Backend::Sqlite).await.facts();
    let postgres = migrated(Backend::Postgres).await.facts();
    let mut only_sqlite: BTreeSet<String> = sqlite.difference(&postgres).cloned().collect();
    let mut only_postgres: BTreeSet<String> = postgres.difference(&sqlite).cloned().collect();
    let mut stale = exempt(&mut only_sqlite, ONLY_SQLITE, "SQLite");
    stale.extend(exempt(&mut only_postgres, ONLY_POSTGRES, "PostgreSQL"));
    let mut report = String::new();
    for (title, facts) in [("only on SQLite", &only_sqlite), ("only on PostgreSQL", &only_postgres)]
    {
        if !facts.is_empty() {
            report.push_str(&format!("\n{title}:\n"));
            for fact in facts {
                report.push_str(&format!("    {fact}\n"));
            }
        }
    }
    if !stale.is_empty() {
        report.push_str(&format!(
            "\nexemptions that no longer apply:\n    {}\n",
            stale.join("\n    ")
        ));
    }
    assert!(
        report.is_empty(),
        "server/migrations/sqlite and server/migrations/postgres disagree. Fix it with a new \
         migration (never by editing one that has run), or list a deliberate difference in \
         server/tests/schema.rs with the reason.\n{report}"
    );
    // The comparison saw the schema, not two empty lists.
    assert!(sqlite.iter().filter(|f| f.starts_with("table ")).count() >= 20);
}

#[test]
fn both_migration_sets_have_the_same_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let list = |backend: &str| -> BTreeSet<String> {
        std::fs::read_dir(dir.join(backend))
            .unwrap_or_else(|e| panic!("migrations/{backend}: {e}"))
            .map(|entry| entry.expect("a directory entry").file_name().to_string_lossy().into())
            .collect()
    };
    let (sqlite, postgres) = (list("sqlite"), list("postgres"));
    assert_eq!(
        sqlite.symmetric_difference(&postgres).collect::<Vec<_>>(),
        Vec::<&String>::new(),
        "each migration needs its twin, under the same name, in the other set"
    );
}
