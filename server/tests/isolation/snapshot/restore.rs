//! Putting the covered tables back as a snapshot has them, row by row.

use super::{Layout, Snapshot, Value, quoted};
use crate::common::catalog::Family;
use sqlx::{AnyConnection, AnyPool};

impl Snapshot {
    /// Puts the covered tables of `pool` back to `self` from `now`, their state as last
    /// snapshotted: new rows deleted (children first), missing rows inserted and changed rows
    /// updated (parents first). A statement a constraint refuses is tried again after the
    /// others (a row freeing the value another needs, a parent before its child in the same
    /// table), until a pass changes nothing. Then, when anything was written, the covered
    /// tables, derived ones included, must be exactly as in `self`.
    pub async fn restore(&self, now: &Snapshot, pool: &AnyPool) {
        let written = self.schema.rows.iter().zip(self.rows.iter().zip(&now.rows));
        let written: Vec<_> = written.filter(|(l, _)| l.table.is_some()).collect();
        let mut pending = Vec::new();
        for (layout, (was, is)) in written.iter().copied() {
            for (k, row) in was {
                match is.get(k) {
                    None => pending.push(Op::Insert(layout, row)),
                    Some(current) if current != row => pending.push(Op::Update(layout, row)),
                    Some(_) => {}
                }
            }
        }
        for (layout, (was, is)) in written.into_iter().rev() {
            let gone = is.iter().rev().filter(|(k, _)| !was.contains_key(*k));
            pending.extend(gone.map(|(_, row)| Op::Delete(layout, row)));
        }
        let wrote = !pending.is_empty();
        let mut conn = pool.acquire().await.expect("a connection");
        while !pending.is_empty() {
            let mut refused = Vec::new();
            let mut errors = Vec::new();
            for op in pending.iter().copied() {
                if let Err(e) = op.run(&mut conn).await {
                    errors.push(format!("{op}: {e}"));
                    refused.push(op);
                }
            }
            assert!(
                refused.len() < pending.len(),
                "the fixture cannot be restored:\n{}",
                errors.join("\n")
            );
            pending = refused;
        }
        drop(conn);
        if wrote {
            let left = self.row_differences(&Snapshot::take(&self.schema, pool).await, true);
            assert!(left.is_empty(), "the restore left differences:\n{}", left.join("\n"));
        }
    }
}

/// Binds `value` as a column of `family` (a NULL needs the column's type on PostgreSQL).
fn bind<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    value: &Value,
    family: Family,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    match (value, family) {
        (Value::Int(i), _) => query.bind(*i),
        (Value::Real(bits), _) => query.bind(f64::from_bits(*bits)),
        (Value::Text(s), _) => query.bind(s.clone()),
        (Value::Bytes(b), _) => query.bind(b.clone()),
        (Value::Null, Family::Integer | Family::Numeric) => query.bind(None::<i64>),
        (Value::Null, Family::Text) => query.bind(None::<String>),
        (Value::Null, Family::Blob) => query.bind(None::<Vec<u8>>),
        (Value::Null, Family::Real) => query.bind(None::<f64>),
    }
}

/// One statement of a restore, on one row (as it should be, or, to delete, as it is).
#[derive(Clone, Copy)]
enum Op<'a> {
    Insert(&'a Layout, &'a [Value]),
    Update(&'a Layout, &'a [Value]),
    Delete(&'a Layout, &'a [Value]),
}

impl std::fmt::Display for Op<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (verb, layout, row) = match self {
            Op::Insert(l, r) => ("insert into", l, r),
            Op::Update(l, r) => ("update", l, r),
            Op::Delete(l, r) => ("delete from", l, r),
        };
        let key: Vec<String> = layout.key.iter().map(|k| row[*k].to_string()).collect();
        write!(f, "{verb} {} ({})", layout.name, key.join(", "))
    }
}

impl Op<'_> {
    async fn run(self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let (layout, row) = match self {
            Op::Insert(l, r) | Op::Update(l, r) | Op::Delete(l, r) => (l, r),
        };
        let name = quoted(&layout.name);
        let n = layout.columns.len();
        // An update binds the row, then the key; a delete binds the key alone.
        let first = if matches!(self, Op::Delete(..)) { 1 } else { n + 1 };
        let matches: Vec<String> = (layout.key.iter().enumerate())
            .map(|(i, k)| format!("{} = ${}", quoted(&layout.columns[*k].0), first + i))
            .collect();
        let sql = match self {
            Op::Insert(..) => {
                let columns: Vec<String> = layout.columns.iter().map(|(c, _)| quoted(c)).collect();
                let values: Vec<String> = (1..=n).map(|i| format!("${i}")).collect();
                format!(
                    "INSERT INTO {name} ({}) VALUES ({})",
                    columns.join(", "),
                    values.join(", ")
                )
            }
            Op::Update(..) => {
                let set: Vec<String> = (1..=n)
                    .map(|i| format!("{} = ${i}", quoted(&layout.columns[i - 1].0)))
                    .collect();
                format!("UPDATE {name} SET {} WHERE {}", set.join(", "), matches.join(" AND "))
            }
            Op::Delete(..) => format!("DELETE FROM {name} WHERE {}", matches.join(" AND ")),
        };
        let mut query = sqlx::query(&sql);
        if !matches!(self, Op::Delete(..)) {
            for (value, (_, family)) in row.iter().zip(&layout.columns) {
                query = bind(query, value, *family);
            }
        }
        if !matches!(self, Op::Insert(..)) {
            for k in &layout.key {
                query = bind(query, &row[*k], layout.columns[*k].1);
            }
        }
        query.execute(&mut *conn).await.map(|_| ())
    }
}
