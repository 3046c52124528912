//! The values bound to a statement. The directory's statements are written at run time (their
//! shape follows the filter), so each value is collected as the text that uses it is written,
//! and given a `$n` placeholder numbered in that order; the values are bound in the same order
//! when the statement runs.

use sqlx::{
    Any, FromRow,
    any::{AnyArguments, AnyRow},
    query::{Query, QueryAs},
};

#[derive(Clone, Debug)]
pub(super) enum Arg {
    Int(i64),
    Text(String),
}

#[derive(Debug, Default)]
pub(super) struct Args(pub(super) Vec<Arg>);

impl Args {
    /// Keeps `v`; its placeholder.
    pub(super) fn int(&mut self, v: i64) -> String {
        self.0.push(Arg::Int(v));
        format!("${}", self.0.len())
    }

    /// Keeps each of `values`; their placeholders, `$1, $2, …`, for an `IN (…)` list.
    pub(super) fn int_list(&mut self, values: impl IntoIterator<Item = i64>) -> String {
        values.into_iter().map(|v| self.int(v)).collect::<Vec<_>>().join(", ")
    }

    /// Keeps `v`; its placeholder.
    pub(super) fn text(&mut self, v: impl Into<String>) -> String {
        self.0.push(Arg::Text(v.into()));
        format!("${}", self.0.len())
    }

    /// `sql` with the values bound, read as rows of `O`.
    pub(super) fn query_as<O>(self, sql: &str) -> QueryAs<'_, Any, O, AnyArguments<'_>>
    where
        O: for<'r> FromRow<'r, AnyRow>,
    {
        self.0.into_iter().fold(sqlx::query_as(sql), |q, a| match a {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
        })
    }

    /// `sql` with the values bound, read as plain rows.
    pub(super) fn query(self, sql: &str) -> Query<'_, Any, AnyArguments<'_>> {
        self.0.into_iter().fold(sqlx::query(sql), |q, a| match a {
            Arg::Int(v) => q.bind(v),
            Arg::Text(v) => q.bind(v),
        })
    }
}
