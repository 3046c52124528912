//! The sort orders in SQL: their columns and index, and positions in them. Paging is by
//! keyset: a position is the sort values and id of a row, and the next page is the rows after
//! it, compared as a row value, so each page is one index range (no OFFSET) and rows added or
//! removed between pages cause neither duplicates nor gaps.

use super::binds::Args;
use crate::api::directory::SortKey;
use serde::{Deserialize, Serialize};

/// A value of the sort order, as kept in a cursor (a bare JSON number or string).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Text(String),
}

/// A place in a sort order: the sort values and the id of a row.
#[derive(Clone, Debug)]
pub struct Position {
    /// One value per column of [`sort_columns`].
    pub(super) keys: Vec<KeyValue>,
    pub(super) id: i64,
}

impl Position {
    /// Whether `self` comes before `other` in walking order, or is `other`.
    pub(super) fn not_after(&self, other: &Position, descending: bool) -> bool {
        let (a, b) = ((&self.keys, self.id), (&other.keys, other.id));
        if descending { a >= b } else { a <= b }
    }
}

/// The sort columns before the id, for the table alias `a`.
pub(super) fn sort_columns(sort: SortKey, a: &str) -> Vec<String> {
    let cols: &[&str] = match sort {
        SortKey::Name => &["last_key", "first_key"],
        SortKey::Email => &["email_key"],
        SortKey::Status => &["status", "last_key", "first_key"],
        SortKey::Created => &["created_at"],
    };
    cols.iter().map(|c| format!("{a}.{c}")).collect()
}

/// The sort columns and the id of `a`: a position, as a column list.
fn position_columns(sort: SortKey, a: &str) -> Vec<String> {
    let mut cols = sort_columns(sort, a);
    cols.push(format!("{a}.id"));
    cols
}

/// The columns of a position, for a `SELECT` from `users u`.
pub(super) fn select_position(sort: SortKey) -> String {
    position_columns(sort, "u").join(", ")
}

pub(super) fn order_by(sort: SortKey, descending: bool, a: &str) -> String {
    let dir = if descending { " DESC" } else { "" };
    position_columns(sort, a).iter().map(|c| format!("{c}{dir}")).collect::<Vec<_>>().join(", ")
}

/// The index a walk in this order reads.
pub(super) fn sort_index(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Name => "users_dir_name",
        SortKey::Email => "users_dir_email",
        SortKey::Status => "users_dir_status",
        SortKey::Created => "users_dir_created",
    }
}

/// `a` comes after `after` in the order (the rows of the next page).
pub(super) fn keyset(
    args: &mut Args,
    sort: SortKey,
    descending: bool,
    after: &Position,
    a: &str,
) -> String {
    compare(args, sort, if descending { "<" } else { ">" }, after, a)
}

/// `(sort columns, id) op (position)`.
pub(super) fn compare(args: &mut Args, sort: SortKey, op: &str, at: &Position, a: &str) -> String {
    let mut values: Vec<String> = at
        .keys
        .iter()
        .map(|v| match v {
            KeyValue::Int(i) => args.int(*i),
            KeyValue::Text(t) => args.text(t.clone()),
        })
        .collect();
    values.push(args.int(at.id));
    format!("({}) {op} ({})", position_columns(sort, a).join(", "), values.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyset_compares_the_whole_sort_key() {
        let mut args = Args::default();
        let after = Position { keys: vec![KeyValue::Int(5)], id: 9 };
        let sql = keyset(&mut args, SortKey::Created, true, &after, "u");
        assert_eq!(sql, "(u.created_at, u.id) < ($1, $2)");
        assert_eq!(order_by(SortKey::Name, false, "u"), "u.last_key, u.first_key, u.id");
        assert_eq!(select_position(SortKey::Status), "u.status, u.last_key, u.first_key, u.id");
    }

    #[test]
    fn positions_compare_in_walking_order() {
        let at = |k: &str, id| Position { keys: vec![KeyValue::Text(k.into())], id };
        assert!(at("a", 2).not_after(&at("b", 1), false));
        assert!(at("a", 2).not_after(&at("a", 2), false), "a position is not after itself");
        assert!(!at("a", 3).not_after(&at("a", 2), false), "the id breaks ties");
        assert!(at("b", 1).not_after(&at("a", 2), true), "descending walks the other way");
    }
}
