//! What a migrated database holds, read from its own catalog: tables, columns, keys, indexes
//! and triggers, in one form for SQLite and PostgreSQL. The schema test compares the two
//! migration sets with it (tests/schema.rs), and the isolation fixture finds the tables, keys
//! and foreign-key order it snapshots and restores (tests/isolation/snapshot.rs).
//!
//! The form keeps what both backends can state and mean alike, and normalises the spelling:
//! a type is its family (SQLite's affinity rules), a primary-key column is never null (as
//! PostgreSQL enforces; SQLite would take a NULL in a TEXT key, a quirk of SQLite rather than
//! of the migrations), an index backing a UNIQUE constraint has no name (each backend invents
//! its own), an expression in an index is `(expression)` (each backend prints it its own way),
//! and a PostgreSQL `INCLUDE` column counts as a trailing index column (SQLite has no
//! `INCLUDE`: its migrations list the same columns as trailing keys). Column order is not
//! kept: SQLite rebuilds a table to change a constraint, PostgreSQL alters it in place.

mod postgres;
mod sqlite;

use crate::common::Backend;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Family {
    Integer,
    Text,
    Blob,
    Real,
    Numeric,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    pub family: Family,
    pub nullable: bool,
    /// A `DEFAULT` clause (an identity or SQLite rowid is not one).
    pub has_default: bool,
    /// Computed from other columns (`GENERATED ALWAYS AS`): never written.
    pub generated: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub table: String,
    pub references: Vec<String>,
    /// `NO ACTION`, `RESTRICT`, `CASCADE`, `SET NULL` or `SET DEFAULT`.
    pub on_delete: String,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Index {
    /// `None` for the index of a `UNIQUE` constraint.
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub unique: bool,
    /// Has a `WHERE` clause.
    pub partial: bool,
}

/// A trigger's timing and event (`BEFORE`, `UPDATE`); names are not compared (PostgreSQL
/// fires one function for `UPDATE OR DELETE` where SQLite needs two triggers).
pub type Trigger = (String, String);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub columns: BTreeMap<String, Column>,
    /// In key order; empty when the table has none.
    pub primary_key: Vec<String>,
    pub foreign_keys: BTreeSet<ForeignKey>,
    pub indexes: BTreeSet<Index>,
    pub triggers: BTreeSet<Trigger>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalog {
    pub tables: BTreeMap<String, Table>,
}

/// Reads the catalog of the database `pool` is connected to.
pub async fn read(pool: &sqlx::AnyPool, backend: Backend) -> Catalog {
    let result = match backend {
        Backend::Sqlite => sqlite::read(pool).await,
        Backend::Postgres => postgres::read(pool).await,
    };
    result.unwrap_or_else(|e| panic!("reading the {backend:?} catalog: {e}"))
}

/// Migrates a new database of `backend` from the migration files on disk and reads its
/// catalog. From the files, not from the set compiled into the server: `sqlx::migrate!` sees
/// a new migration file only when the server crate is rebuilt for another reason.
pub async fn of_fresh_database(backend: Backend) -> Catalog {
    let url = crate::common::fresh_database(backend).await;
    let db = server::database::connect(&url).await.expect("a fresh database");
    let set = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(set);
    let migrator = sqlx::migrate::Migrator::new(dir).await.expect("the migration files");
    migrator.run(&db.pool).await.unwrap_or_else(|e| panic!("migrating {backend:?}: {e}"));
    let catalog = read(&db.pool, backend).await;
    db.pool.close().await;
    catalog
}

/// SQLite's affinity rules (<https://sqlite.org/datatype3.html>, 3.1), applied to both
/// backends' declared types, with PostgreSQL's names added.
pub fn family(declared: &str) -> Family {
    let t = declared.to_uppercase();
    if t.contains("INT") {
        Family::Integer
    } else if ["CHAR", "CLOB", "TEXT"].iter().any(|s| t.contains(s)) {
        Family::Text
    } else if t.is_empty() || t.contains("BLOB") || t == "BYTEA" {
        Family::Blob
    } else if ["REAL", "FLOA", "DOUB"].iter().any(|s| t.contains(s)) {
        Family::Real
    } else {
        Family::Numeric
    }
}

impl Catalog {
    /// Tables in an order where each comes after the tables its foreign keys reference
    /// (a table referencing itself aside); ties broken by name.
    pub fn parents_first(&self) -> Vec<String> {
        let mut placed: Vec<String> = Vec::new();
        let mut left: BTreeSet<&String> = self.tables.keys().collect();
        while !left.is_empty() {
            let ready: Vec<&String> = left
                .iter()
                .copied()
                .filter(|t| {
                    self.tables[*t].foreign_keys.iter().all(|fk| {
                        fk.table == **t || !left.contains(&fk.table) || !self.has(&fk.table)
                    })
                })
                .collect();
            assert!(!ready.is_empty(), "foreign keys make a cycle between {left:?}");
            for t in ready {
                left.remove(t);
                placed.push(t.clone());
            }
        }
        placed
    }

    fn has(&self, table: &str) -> bool {
        self.tables.contains_key(table)
    }

    /// One line per fact, sorted: what the schema test compares and prints.
    pub fn facts(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for (name, t) in &self.tables {
            out.insert(format!("table {name}"));
            for (c, col) in &t.columns {
                out.insert(format!(
                    "column {name}.{c}: {:?}{}{}{}",
                    col.family,
                    if col.nullable { " null" } else { " not null" },
                    if col.has_default { " default" } else { "" },
                    if col.generated { " generated" } else { "" },
                ));
            }
            if !t.primary_key.is_empty() {
                out.insert(format!("primary key {name} ({})", t.primary_key.join(", ")));
            }
            for fk in &t.foreign_keys {
                out.insert(format!(
                    "foreign key {name} ({}) references {} ({}) on delete {}",
                    fk.columns.join(", "),
                    fk.table,
                    fk.references.join(", "),
                    fk.on_delete
                ));
            }
            for i in &t.indexes {
                out.insert(format!(
                    "{}index {name}.{} ({}){}",
                    if i.unique { "unique " } else { "" },
                    i.name.as_deref().unwrap_or("<constraint>"),
                    i.columns.join(", "),
                    if i.partial { " partial" } else { "" },
                ));
            }
            for (timing, event) in &t.triggers {
                out.insert(format!("trigger {name}: {timing} {event}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{Family, family};

    #[test]
    fn declared_types_fall_into_sqlite_affinities() {
        for (declared, expected) in [
            ("INTEGER", Family::Integer),
            ("bigint", Family::Integer),
            ("TEXT", Family::Text),
            ("character varying", Family::Text),
            ("BLOB", Family::Blob),
            ("bytea", Family::Blob),
            ("", Family::Blob),
            ("double precision", Family::Real),
            ("boolean", Family::Numeric),
        ] {
            assert_eq!(family(declared), expected, "{declared}");
        }
    }
}
