//! The catalog of a PostgreSQL database's current schema: `information_schema` for columns,
//! `pg_constraint`, `pg_index` and `pg_trigger` for the rest. Every value is cast to text or
//! bigint: sqlx's Any driver decodes neither `name` nor `"char"`.

use super::{Catalog, Column, ForeignKey, Index, Table, family};
use sqlx::AnyPool;
use std::collections::BTreeMap;

type Result<T> = std::result::Result<T, sqlx::Error>;

/// The names of `columns` (an attnum array) of relation `rel`, in array order, comma-joined.
fn names(rel: &str, columns: &str) -> String {
    format!(
        "array_to_string(ARRAY(SELECT a.attname FROM unnest({columns}) WITH ORDINALITY k(n, o) \
         JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.n ORDER BY k.o), ',')"
    )
}

fn split(list: &str) -> Vec<String> {
    list.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

pub async fn read(pool: &AnyPool) -> Result<Catalog> {
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let names_of_tables: Vec<(String,)> = sqlx::query_as(
        "SELECT table_name::text FROM information_schema.tables \
         WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
    )
    .fetch_all(pool)
    .await?;
    for (t,) in names_of_tables {
        tables.insert(t, Table::default());
    }

    let columns: Vec<(String, String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, \
                column_default::text, is_generated::text \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .fetch_all(pool)
    .await?;
    for (t, c, data_type, nullable, default, generated) in columns {
        let Some(table) = tables.get_mut(&t) else { continue };
        let column = Column {
            family: family(&data_type),
            nullable: nullable == "YES",
            has_default: default.is_some(),
            generated: generated == "ALWAYS",
        };
        table.columns.insert(c, column);
    }

    // Primary and foreign keys.
    let constraints: Vec<(String, String, Option<String>, String, String, String)> =
        sqlx::query_as(&format!(
            "SELECT c.contype::text, cl.relname::text, r.relname::text, c.confdeltype::text, \
                    {}, {} \
             FROM pg_constraint c \
             JOIN pg_class cl ON cl.oid = c.conrelid \
             JOIN pg_namespace ns ON ns.oid = cl.relnamespace \
             LEFT JOIN pg_class r ON r.oid = c.confrelid \
             WHERE ns.nspname = current_schema() AND c.contype IN ('p', 'f')",
            names("c.conrelid", "c.conkey"),
            names("c.confrelid", "c.confkey")
        ))
        .fetch_all(pool)
        .await?;
    for (kind, t, target, on_delete, from, to) in constraints {
        let Some(table) = tables.get_mut(&t) else { continue };
        if kind == "p" {
            table.primary_key = split(&from);
            continue;
        }
        let on_delete = match on_delete.as_str() {
            "a" => "NO ACTION",
            "r" => "RESTRICT",
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            other => panic!("unknown ON DELETE action {other:?} on {t}"),
        };
        table.foreign_keys.insert(ForeignKey {
            columns: split(&from),
            table: target.expect("a foreign key references a table"),
            references: split(&to),
            on_delete: on_delete.into(),
        });
    }
    // PostgreSQL never lets a key column be null; SQLite's catalog says the same once
    // normalised (catalog/mod.rs).
    for table in tables.values_mut() {
        for c in &table.primary_key {
            if let Some(column) = table.columns.get_mut(c) {
                column.nullable = false;
            }
        }
    }

    // Every index but the primary key's, one row per column (INCLUDE columns too: `indnatts`
    // counts them). attnum 0 is an expression.
    let parts: Vec<(String, String, i64, i64, i64, i64, String)> = sqlx::query_as(
        "SELECT t.relname::text, i.relname::text, x.indisunique::int::bigint, \
                (x.indpred IS NOT NULL)::int::bigint, \
                EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid \
                        AND c.contype = 'u')::int::bigint, \
                k.n::bigint, \
                CASE WHEN x.indkey[k.n - 1] = 0 THEN '(expression)' \
                     ELSE pg_get_indexdef(x.indexrelid, k.n, true) END \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         CROSS JOIN LATERAL generate_series(1, x.indnatts) AS k(n) \
         WHERE ns.nspname = current_schema() AND NOT x.indisprimary \
         ORDER BY t.relname, i.relname, k.n",
    )
    .fetch_all(pool)
    .await?;
    let mut indexes: BTreeMap<(String, String), Index> = BTreeMap::new();
    for (t, index, unique, partial, constraint, _, column) in parts {
        let entry = indexes.entry((t, index.clone())).or_insert_with(|| Index {
            name: (constraint == 0).then_some(index),
            columns: Vec::new(),
            unique: unique != 0,
            partial: partial != 0,
        });
        // pg_get_indexdef quotes a name only when it must; these never need it.
        entry.columns.push(column);
    }
    for ((t, _), index) in indexes {
        if let Some(table) = tables.get_mut(&t) {
            table.indexes.insert(index);
        }
    }

    // tgtype's bits: 2 BEFORE, 64 INSTEAD OF (else AFTER); 4 INSERT, 8 DELETE, 16 UPDATE,
    // 32 TRUNCATE. Internal triggers are the foreign keys' own.
    let triggers: Vec<(String, i64)> = sqlx::query_as(
        "SELECT t.relname::text, g.tgtype::bigint FROM pg_trigger g \
         JOIN pg_class t ON t.oid = g.tgrelid \
         JOIN pg_namespace ns ON ns.oid = t.relnamespace \
         WHERE ns.nspname = current_schema() AND NOT g.tgisinternal",
    )
    .fetch_all(pool)
    .await?;
    for (t, bits) in triggers {
        let Some(table) = tables.get_mut(&t) else { continue };
        let timing = match (bits & 2 != 0, bits & 64 != 0) {
            (_, true) => "INSTEAD OF",
            (true, _) => "BEFORE",
            _ => "AFTER",
        };
        for (bit, event) in [(4, "INSERT"), (8, "DELETE"), (16, "UPDATE"), (32, "TRUNCATE")] {
            if bits & bit != 0 {
                table.triggers.insert((timing.into(), event.into()));
            }
        }
    }
    Ok(Catalog { tables })
}
