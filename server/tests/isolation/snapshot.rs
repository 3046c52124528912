//! The isolation fixture's snapshots, comparisons and restores, driven by the schema: the
//! tables, their columns and primary keys, and the order their foreign keys impose are read
//! from the database's catalog (common/catalog). A snapshot holds every row of every covered
//! table by primary key; a comparison names the table, row and column that changed; a restore
//! deletes, re-inserts and updates rows by key, parents before children, until the covered
//! tables are exactly as the fixture left them.
//!
//! A new table needs one line in [`COVER`]: the [`Table`] a server function changes when it
//! writes there, or why the table is counted or left out. A table of the schema missing from
//! [`COVER`] fails `every_table_is_covered_or_exempt` (isolation.rs).

mod restore;

use crate::common::{
    Backend,
    catalog::{self, Catalog, Family},
};
use sqlx::AnyPool;
use std::{collections::BTreeMap, sync::Arc};

/// What server functions change, as the isolation cases declare it (`Entry::touches`). One
/// `Table` may stand for several tables of the schema (see [`COVER`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    /// `nodes` and `node_closure`.
    Nodes,
    Memberships,
    Roles,
    /// `users` and their profile pictures.
    Users,
    Invitations,
    PasswordResets,
    /// Mail queued in the outbox (counted: see [`COVER`]).
    Outbox,
    CallPreferences,
    AgencySettings,
    Contacts,
    /// `call_teams` and their members.
    CallTeams,
    /// `teams` and their members.
    Teams,
    ActivityVisibility,
    TrackingNumbers,
    /// `access_groups`, the numbers they grant and their members.
    AccessGroups,
    /// A caller's hourly count of addresses looked up outside their reach.
    EmailLookups,
    TrustedDevices,
    Throttle,
    SetupCodes,
}

/// How the fixture treats a table of the schema.
#[derive(Clone, Copy, Debug)]
pub enum Cover {
    /// Every row compared, and put back after each case.
    Rows(Table),
    /// Kept by triggers from other covered tables, for the reason given: never written by
    /// the restore (the triggers put it back with its sources), and checked after it.
    Derived(&'static str),
    /// Compared by number of rows only, and never put back, for the reason given.
    Count(Option<Table>, &'static str),
    /// Neither compared nor put back, for the reason given.
    Exempt(&'static str),
}

/// Every table of the schema, and how the fixture covers it.
pub const COVER: &[(&str, Cover)] = &[
    ("nodes", Cover::Rows(Table::Nodes)),
    ("node_closure", Cover::Rows(Table::Nodes)),
    ("memberships", Cover::Rows(Table::Memberships)),
    ("roles", Cover::Rows(Table::Roles)),
    ("users", Cover::Rows(Table::Users)),
    ("profile_pictures", Cover::Rows(Table::Users)),
    ("invitations", Cover::Rows(Table::Invitations)),
    ("password_resets", Cover::Rows(Table::PasswordResets)),
    ("call_preferences", Cover::Rows(Table::CallPreferences)),
    ("agency_settings", Cover::Rows(Table::AgencySettings)),
    ("contacts", Cover::Rows(Table::Contacts)),
    ("call_teams", Cover::Rows(Table::CallTeams)),
    ("call_team_members", Cover::Rows(Table::CallTeams)),
    ("teams", Cover::Rows(Table::Teams)),
    ("team_members", Cover::Rows(Table::Teams)),
    ("activity_visibility", Cover::Rows(Table::ActivityVisibility)),
    ("tracking_numbers", Cover::Rows(Table::TrackingNumbers)),
    ("access_groups", Cover::Rows(Table::AccessGroups)),
    ("access_group_numbers", Cover::Rows(Table::AccessGroups)),
    ("access_group_members", Cover::Rows(Table::AccessGroups)),
    ("email_lookups", Cover::Rows(Table::EmailLookups)),
    ("trusted_devices", Cover::Rows(Table::TrustedDevices)),
    ("throttle", Cover::Rows(Table::Throttle)),
    ("setup_codes", Cover::Rows(Table::SetupCodes)),
    (
        "role_reach",
        Cover::Derived("who holds each role at or above each node, kept by the triggers of 0014"),
    ),
    (
        "role_holder_counts",
        Cover::Derived("how many hold each role at each node, kept by the triggers of 0014"),
    ),
    (
        "outbox",
        Cover::Count(
            Some(Table::Outbox),
            "the mail worker marks mail sent (and drops its text) on its own time, so rows \
             change after the call that queued them; and mail that left cannot be unsent",
        ),
    ),
    (
        "audit_log",
        Cover::Count(
            None,
            "append-only: the database refuses to update or delete an entry. Allowed changes \
             add entries, which the runner checks against what the case may change",
        ),
    ),
    (
        "sessions",
        Cover::Exempt(
            "every request moves its caller's session on (last_seen_at), and the callers stay \
             signed in for the whole suite; sign-in and sign-out are tested in foundation.rs",
        ),
    ),
    ("_sqlx_migrations", Cover::Exempt("sqlx's record of the migrations, written at start")),
];

impl Cover {
    /// Why a table is not simply compared and restored row by row.
    pub fn reason(self) -> Option<&'static str> {
        match self {
            Cover::Rows(_) => None,
            Cover::Derived(why) | Cover::Count(_, why) | Cover::Exempt(why) => Some(why),
        }
    }
}

pub fn cover(table: &str) -> Option<Cover> {
    COVER.iter().find(|(t, _)| *t == table).map(|(_, c)| *c)
}

/// One stored value. Reals are kept as bits, so that rows compare exactly.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Value {
    Null,
    Int(i64),
    Real(u64),
    Text(String),
    Bytes(Vec<u8>),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => write!(f, "NULL"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Real(bits) => write!(f, "{}", f64::from_bits(*bits)),
            Value::Text(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "<{} bytes>", b.len()),
        }
    }
}

/// A covered table as the snapshot reads it: its stored columns (generated ones are
/// derived, never written) and which of them make the primary key.
#[derive(Debug)]
struct Layout {
    name: String,
    /// `None` for a derived table.
    table: Option<Table>,
    columns: Vec<(String, Family)>,
    key: Vec<usize>,
}

/// The covered tables, parents before children, and the counted ones.
#[derive(Debug)]
pub struct Schema {
    rows: Vec<Layout>,
    counted: Vec<(String, Option<Table>)>,
    /// What [`Snapshot::take`] runs.
    sql: String,
}

type Key = Vec<Value>;
type Rows = BTreeMap<Key, Vec<Value>>;

#[derive(Clone, Debug)]
pub struct Snapshot {
    schema: Arc<Schema>,
    /// The rows of each covered table, in `schema.rows` order.
    rows: Vec<Rows>,
    counts: Vec<i64>,
    pub audit_entries: i64,
}

fn quoted(name: &str) -> String {
    format!("\"{name}\"")
}

impl Schema {
    /// The covered tables of `pool`'s database; panics on a table [`COVER`] does not name,
    /// or a covered table without a primary key.
    pub async fn read(pool: &AnyPool, backend: Backend) -> Arc<Schema> {
        Arc::new(Schema::from_catalog(&catalog::read(pool, backend).await, backend))
    }

    pub fn from_catalog(catalog: &Catalog, backend: Backend) -> Schema {
        let mut schema = Schema { rows: Vec::new(), counted: Vec::new(), sql: String::new() };
        for name in catalog.parents_first() {
            let t = &catalog.tables[&name];
            match cover(&name) {
                None => panic!("{name} is not in COVER (server/tests/isolation/snapshot.rs)"),
                Some(Cover::Exempt(_)) => {}
                Some(Cover::Count(table, _)) => schema.counted.push((name, table)),
                Some(cover @ (Cover::Rows(_) | Cover::Derived(_))) => {
                    let table = match cover {
                        Cover::Rows(table) => Some(table),
                        _ => None,
                    };
                    let columns: Vec<(String, Family)> = t
                        .columns
                        .iter()
                        .filter(|(_, c)| !c.generated)
                        .map(|(n, c)| (n.clone(), c.family))
                        .collect();
                    let key = t
                        .primary_key
                        .iter()
                        .map(|k| columns.iter().position(|(c, _)| c == k).expect("a key column"))
                        .collect::<Vec<_>>();
                    assert!(!key.is_empty(), "{name} has no primary key: count it or exempt it");
                    schema.rows.push(Layout { name, table, columns, key });
                }
            }
        }
        schema.sql = snapshot_sql(backend, &schema.rows, &schema.counted);
        schema
    }
}

/// How one value of a column is written into the snapshot's JSON (a BLOB as hex text: JSON
/// has no bytes).
fn as_json(backend: Backend, column: &str, family: Family) -> String {
    match (backend, family) {
        (Backend::Sqlite, Family::Blob) => format!("hex({})", quoted(column)),
        (Backend::Postgres, Family::Blob) => format!("encode({}, 'hex')", quoted(column)),
        _ => quoted(column),
    }
}

/// One statement reading every covered row and every count: a row per table row, named by
/// its table, its values a JSON array in `Layout::columns` order; a row per counted table,
/// the count as text. One round trip per snapshot, not one per table: the suite takes two
/// snapshots per case, thousands of cases per backend.
fn snapshot_sql(backend: Backend, rows: &[Layout], counted: &[(String, Option<Table>)]) -> String {
    let array = match backend {
        Backend::Sqlite => "json_array",
        Backend::Postgres => "json_build_array",
    };
    let mut parts = Vec::new();
    for layout in rows {
        let values: Vec<String> =
            layout.columns.iter().map(|(c, family)| as_json(backend, c, *family)).collect();
        parts.push(format!(
            "SELECT CAST('{}' AS TEXT), CAST({array}({}) AS TEXT) FROM {}",
            layout.name,
            values.join(", "),
            quoted(&layout.name)
        ));
    }
    for (table, _) in counted {
        parts.push(format!(
            "SELECT CAST('{table}' AS TEXT), CAST(COUNT(*) AS TEXT) FROM {}",
            quoted(table)
        ));
    }
    parts.join(" UNION ALL ")
}

fn decode(layout: &Layout, json: &str) -> Vec<Value> {
    let values: Vec<serde_json::Value> = serde_json::from_str(json).expect("a JSON array");
    let columns = layout.columns.iter().zip(values);
    let decode = |((column, family), value): (&(String, Family), serde_json::Value)| {
        let decoded = match (family, &value) {
            (_, serde_json::Value::Null) => Some(Value::Null),
            (Family::Integer, v) => v.as_i64().map(Value::Int),
            (Family::Text, v) => v.as_str().map(|s| Value::Text(s.to_owned())),
            (Family::Blob, v) => v.as_str().map(|s| Value::Bytes(unhex(s))),
            (Family::Real, v) => v.as_f64().map(|f| Value::Real(f.to_bits())),
            (Family::Numeric, _) => None,
        };
        decoded.unwrap_or_else(|| panic!("{}.{column} ({family:?}): {value}", layout.name))
    };
    columns.map(decode).collect()
}

fn unhex(hex: &str) -> Vec<u8> {
    let digit = |b: u8| (b as char).to_digit(16).expect("a hex digit") as u8;
    hex.as_bytes().chunks(2).map(|pair| digit(pair[0]) << 4 | digit(pair[1])).collect()
}

impl Snapshot {
    pub async fn take(schema: &Arc<Schema>, pool: &AnyPool) -> Snapshot {
        let found: Vec<(String, String)> =
            sqlx::query_as(&schema.sql).fetch_all(pool).await.expect("the snapshot");
        let mut rows: Vec<Rows> = schema.rows.iter().map(|_| Rows::new()).collect();
        let mut counts = vec![0; schema.counted.len()];
        for (table, json) in found {
            if let Some(i) = schema.rows.iter().position(|l| l.name == table) {
                let layout = &schema.rows[i];
                let values = decode(layout, &json);
                rows[i].insert(layout.key.iter().map(|k| values[*k].clone()).collect(), values);
            } else {
                let i = schema.counted.iter().position(|(t, _)| *t == table).expect("counted");
                counts[i] = json.parse().expect("a count");
            }
        }
        let audit = schema.counted.iter().position(|(t, _)| t == "audit_log");
        let audit_entries = counts[audit.expect("the audit log is counted")];
        Snapshot { schema: schema.clone(), rows, counts, audit_entries }
    }

    /// The tables that differ (the audit log is not one: allowed changes add to it).
    pub fn changed(&self, other: &Snapshot) -> Vec<Table> {
        let rows = self.schema.rows.iter().zip(self.rows.iter().zip(&other.rows));
        let mut out: Vec<Table> =
            rows.filter(|(_, (a, b))| a != b).filter_map(|(l, _)| l.table).collect();
        let counts = self.schema.counted.iter().zip(self.counts.iter().zip(&other.counts));
        out.extend(counts.filter(|(_, (a, b))| a != b).filter_map(|((_, table), _)| *table));
        let mut seen = Vec::new();
        out.retain(|t| {
            !seen.contains(t) && {
                seen.push(*t);
                true
            }
        });
        out
    }

    /// What a case changed, a line per row: `table (key): column a -> b`, `+ table (key)`
    /// for a row only in `other`, `- table (key)` for one only in `self`; then the counted
    /// tables whose number of rows differs. Derived tables are left out (their sources say it).
    pub fn differences(&self, other: &Snapshot) -> Vec<String> {
        let mut out = self.row_differences(other, false);
        let counted = self.schema.counted.iter().zip(self.counts.iter().zip(&other.counts));
        for ((table, _), (a, b)) in counted.filter(|(_, (a, b))| a != b) {
            out.push(format!("{table}: {a} rows -> {b}"));
        }
        out
    }

    /// The rows that differ, of the tables the restore writes and, with `derived`, of the
    /// derived ones too.
    fn row_differences(&self, other: &Snapshot, derived: bool) -> Vec<String> {
        let mut out = Vec::new();
        let tables = self.schema.rows.iter().zip(self.rows.iter().zip(&other.rows));
        for (layout, (a, b)) in tables.filter(|(l, _)| derived || l.table.is_some()) {
            let key = |k: &Key| k.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            for (k, row) in a {
                match b.get(k) {
                    None => out.push(format!("- {} ({})", layout.name, key(k))),
                    Some(new) if new != row => {
                        let columns = layout.columns.iter().zip(row.iter().zip(new));
                        let changes: Vec<String> = columns
                            .filter(|(_, (x, y))| x != y)
                            .map(|((c, _), (x, y))| format!("{c} {x} -> {y}"))
                            .collect();
                        out.push(format!("{} ({}): {}", layout.name, key(k), changes.join(", ")));
                    }
                    Some(_) => {}
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("+ {} ({})", layout.name, key(k)));
            }
        }
        out
    }
}
