//! The catalog of a SQLite database: `sqlite_master` and the `pragma_*` table functions.

use super::{Catalog, Column, ForeignKey, Index, Table, family};
use sqlx::{AnyPool, Row};
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, sqlx::Error>;

pub async fn read(pool: &AnyPool) -> Result<Catalog> {
    // SQLite's own tables (sqlite_sequence, sqlite_stat1...) are not the migrations'.
    let names: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .fetch_all(pool)
    .await?;
    let mut tables = BTreeMap::new();
    for (name,) in names {
        let table = read_table(pool, &name).await?;
        tables.insert(name, table);
    }
    let triggers: Vec<(String, String)> =
        sqlx::query_as("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
            .fetch_all(pool)
            .await?;
    for (table, sql) in triggers {
        let trigger = parse_trigger(&sql)
            .unwrap_or_else(|| panic!("a trigger of {table} this reader cannot parse: {sql}"));
        tables.entry(table).or_default().triggers.insert(trigger);
    }
    Ok(Catalog { tables })
}

async fn read_table(pool: &AnyPool, name: &str) -> Result<Table> {
    // Names come from sqlite_master, not from outside; quoted all the same.
    let quoted = name.replace('\'', "''");
    let mut table = Table::default();
    // table_xinfo, not table_info: the latter leaves out generated columns.
    let columns = sqlx::query(&format!(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden \
         FROM pragma_table_xinfo('{quoted}') ORDER BY cid"
    ))
    .fetch_all(pool)
    .await?;
    let mut key: Vec<(i64, String)> = Vec::new();
    for row in columns {
        let column: String = row.try_get(0)?;
        let declared: String = row.try_get::<Option<String>, _>(1)?.unwrap_or_default();
        let not_null: i64 = row.try_get(2)?;
        let default: Option<String> = row.try_get(3)?;
        let pk: i64 = row.try_get(4)?;
        let hidden: i64 = row.try_get(5)?;
        if pk > 0 {
            key.push((pk, column.clone()));
        }
        table.columns.insert(
            column,
            Column {
                family: family(&declared),
                nullable: not_null == 0 && pk == 0,
                has_default: default.is_some(),
                // 2: VIRTUAL, 3: STORED (1 is a virtual table's hidden column).
                generated: hidden >= 2,
            },
        );
    }
    key.sort();
    table.primary_key = key.into_iter().map(|(_, c)| c).collect();

    // One row per column of each foreign key; `seq` orders the columns of a composite key.
    let fks: Vec<(i64, i64, String, String, Option<String>, String)> = sqlx::query_as(&format!(
        "SELECT id, seq, \"table\", \"from\", \"to\", on_delete \
         FROM pragma_foreign_key_list('{quoted}') ORDER BY id, seq"
    ))
    .fetch_all(pool)
    .await?;
    let mut by_id: BTreeMap<i64, ForeignKey> = BTreeMap::new();
    for (id, _, target, from, to, on_delete) in fks {
        let fk = by_id.entry(id).or_insert_with(|| ForeignKey {
            columns: Vec::new(),
            table: target.clone(),
            references: Vec::new(),
            on_delete,
        });
        fk.columns.push(from);
        // `REFERENCES t` without columns means t's primary key.
        fk.references.push(to.unwrap_or_default());
    }
    for mut fk in by_id.into_values() {
        if fk.references.iter().any(String::is_empty) {
            fk.references = primary_key_of(pool, &fk.table).await?;
        }
        table.foreign_keys.insert(fk);
    }

    let indexes: Vec<(String, i64, String, i64)> = sqlx::query_as(&format!(
        "SELECT name, \"unique\", origin, partial FROM pragma_index_list('{quoted}')"
    ))
    .fetch_all(pool)
    .await?;
    for (index, unique, origin, partial) in indexes {
        // The primary key's own index ('pk') is the primary key, stated above.
        if origin == "pk" {
            continue;
        }
        let quoted_index = index.replace('\'', "''");
        // cid -2 is an expression, -1 the rowid.
        let parts: Vec<(i64, Option<String>)> = sqlx::query_as(&format!(
            "SELECT cid, name FROM pragma_index_info('{quoted_index}') ORDER BY seqno"
        ))
        .fetch_all(pool)
        .await?;
        let columns = parts
            .into_iter()
            .map(|(cid, name)| match cid {
                -2 => "(expression)".to_string(),
                _ => name.unwrap_or_else(|| "rowid".into()),
            })
            .collect();
        table.indexes.insert(Index {
            // 'u': made by a UNIQUE constraint, named sqlite_autoindex_… by SQLite.
            name: (origin != "u").then_some(index),
            columns,
            unique: unique != 0,
            partial: partial != 0,
        });
    }
    Ok(table)
}

async fn primary_key_of(pool: &AnyPool, table: &str) -> Result<Vec<String>> {
    let quoted = table.replace('\'', "''");
    let rows: Vec<(String,)> = sqlx::query_as(&format!(
        "SELECT name FROM pragma_table_info('{quoted}') WHERE pk > 0 ORDER BY pk"
    ))
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// `CREATE TRIGGER [IF NOT EXISTS] name [BEFORE|AFTER|INSTEAD OF] event [OF cols] ON table`:
/// the timing (AFTER when none is written) and the event.
fn parse_trigger(sql: &str) -> Option<(String, String)> {
    let words: Vec<String> = sql.split_whitespace().map(str::to_uppercase).collect();
    let mut at = words.iter().position(|w| w == "TRIGGER")? + 1;
    if words.get(at..at + 3).is_some_and(|w| w == ["IF", "NOT", "EXISTS"]) {
        at += 3;
    }
    // Past the name.
    let mut rest = words.get(at + 1..)?.iter();
    let mut timing = "AFTER".to_string();
    for word in rest.by_ref() {
        match word.as_str() {
            "BEFORE" | "AFTER" => timing = word.clone(),
            "INSTEAD" => timing = "INSTEAD OF".into(),
            "OF" => {}
            "DELETE" | "INSERT" | "UPDATE" => return Some((timing, word.clone())),
            _ => return None,
        }
    }
    None
}

#[test]
fn triggers_are_read_as_timing_and_event() {
    let parsed = |sql| parse_trigger(sql).map(|(t, e)| format!("{t} {e}"));
    let cases = [
        ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log", "BEFORE UPDATE"),
        ("create trigger if not exists t_delete delete on x begin end", "AFTER DELETE"),
        ("CREATE TRIGGER v INSTEAD OF INSERT ON v BEGIN END", "INSTEAD OF INSERT"),
        ("CREATE TRIGGER u AFTER UPDATE OF a, b ON t BEGIN END", "AFTER UPDATE"),
    ];
    for (sql, expected) in cases {
        assert_eq!(parsed(sql).as_deref(), Some(expected), "{sql}");
    }
    assert_eq!(parsed("CREATE TRIGGER odd SOMETIMES ON t"), None);
}
