//! How a list is read, and how it is counted.
//!
//! Each applicable [`Source`] is counted up to the exact-count limit (a `LIMIT`ed count, so
//! this costs at most that many index entries, and no more than the smallest source so far);
//! the smallest one within the limit is gathered from, and the count is then exact; a
//! gathered first page brings it along (`COUNT(*) OVER ()`, in the same pass). When every
//! source is larger, the list is walked and its size is estimated from a systematic sample
//! (ten evenly spaced ranges of ids, 2,000 people in all); such counts are labelled as
//! estimates.

use super::{
    binds::Args,
    criteria::{Criteria, List, Scope},
    order::Position,
    sql::{Checks, Gathered, Row, Source, conditions, gather_sql, source_sql, sources_for},
    walk::walk_sql,
};
use crate::server::db::Backend;
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;

/// How a page is read. Kept in cursors (as `"Walk"` or `{"Gather":"Role"}`), so later pages
/// of a list are read the way its first was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    /// Gather the candidates of a small source, check and sort them.
    Gather(Source),
    /// Walk the index of the sort order (see `walk.rs`).
    Walk,
}

impl Plan {
    /// Whether the plan can serve `c` (a cursor may come from another filter).
    pub(super) fn fits(self, c: &Criteria) -> bool {
        match self {
            Plan::Walk | Plan::Gather(Source::Reach) => true,
            Plan::Gather(Source::Prefix) => !c.words.is_empty(),
            Plan::Gather(Source::Role) => c.role.is_some(),
            Plan::Gather(Source::Status) => !c.statuses.is_empty(),
        }
    }
}

/// Ranges of ids sampled for an estimate.
const SAMPLE_RANGES: i64 = 10;
/// People sampled for an estimate at the most.
const MAX_SAMPLE: u64 = 2_000;

/// How a list's count is had.
pub(super) enum Count {
    /// Already known (and whether exactly).
    Known(u64, bool),
    /// Exactly, gathering from this source, with the first page.
    Gathered(Source),
}

/// A row of a first gathered page, with the count of all.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: Row,
    total: i64,
}

impl List<'_> {
    /// The statement that reads a page of `limit` rows under `plan`.
    fn statement(
        &self,
        args: &mut Args,
        plan: Plan,
        after: Option<&Position>,
        limit: u32,
    ) -> String {
        let List { backend, scope, c } = *self;
        match plan {
            Plan::Gather(source) => {
                gather_sql(args, source, scope, c, after, Gathered::Page(limit))
            }
            // The first round of a walk, its window ending nowhere in particular.
            Plan::Walk => walk_sql(args, backend, scope, c, after, &[], limit),
        }
    }

    /// How many candidates `source` has, counting no further than `cap`.
    async fn probe(
        &self,
        conn: &mut AnyConnection,
        source: Source,
        cap: u64,
    ) -> Result<u64, sqlx::Error> {
        let mut args = Args::default();
        let src = source_sql(&mut args, source, self.scope, self.c);
        let cap = args.int(cap as i64);
        let sql = format!("SELECT COUNT(*) FROM (SELECT id FROM ({src}) s0 LIMIT {cap}) s1");
        let (n,): (i64,) = args.query_as(&sql).fetch_one(conn).await?;
        Ok(n as u64)
    }

    /// The number of people matching, estimated from `size` people in ten evenly spaced
    /// ranges of ids (ids are dense: people are never removed, only marked deleted); exact,
    /// and said so, when the ranges would cover everyone.
    async fn estimate(
        &self,
        conn: &mut AnyConnection,
        size: u64,
    ) -> Result<(u64, bool), sqlx::Error> {
        let (lo, hi): (Option<i64>, Option<i64>) =
            sqlx::query_as("SELECT MIN(id), MAX(id) FROM users").fetch_one(&mut *conn).await?;
        let (Some(lo), Some(hi)) = (lo, hi) else { return Ok((0, true)) };
        let span = hi - lo + 1;
        let width = (size as i64 / SAMPLE_RANGES).max(1);
        let mut args = Args::default();
        let exact = span <= width * SAMPLE_RANGES;
        let ranges: Vec<String> = if exact {
            vec![format!("SELECT id FROM users WHERE id >= {}", args.int(lo))]
        } else {
            (0..SAMPLE_RANGES)
                .map(|i| {
                    let start = lo + i * span / SAMPLE_RANGES;
                    let (a, b) = (args.int(start), args.int(start + width));
                    format!("SELECT id FROM users WHERE id >= {a} AND id < {b}")
                })
                .collect()
        };
        let cond = conditions(&mut args, &Checks::all(self.scope, self.c), "u");
        let sql = format!(
            "SELECT COUNT(*) FROM ({}) s CROSS JOIN users u WHERE u.id = s.id AND {cond}",
            ranges.join(" UNION ALL ")
        );
        let (matches,): (i64,) = args.query_as(&sql).fetch_one(conn).await?;
        if exact {
            return Ok((matches as u64, true));
        }
        let sampled = width * SAMPLE_RANGES;
        let estimate = (matches as f64 * span as f64 / sampled as f64).round() as u64;
        Ok((estimate, false))
    }

    /// Chooses how to read the list. A walk comes with its (estimated) count; a gathered
    /// list is counted exactly as its first page is read, except when its source is empty.
    pub(super) async fn choose(
        &self,
        conn: &mut AnyConnection,
        exact_up_to: u64,
    ) -> Result<(Plan, Count), sqlx::Error> {
        // The smallest source within the limit; each probe stops one past the best so far.
        let mut best: Option<(Source, u64)> = None;
        for source in sources_for(self.c) {
            let cap = best.map_or(exact_up_to, |(_, n)| n) + 1;
            let n = self.probe(conn, source, cap).await?;
            if n == 0 {
                return Ok((Plan::Gather(source), Count::Known(0, true)));
            }
            if n < cap {
                best = Some((source, n));
            }
        }
        if let Some((source, _)) = best {
            return Ok((Plan::Gather(source), Count::Gathered(source)));
        }
        let (count, exact) = self.estimate(conn, exact_up_to.min(MAX_SAMPLE)).await?;
        Ok((Plan::Walk, Count::Known(count, exact)))
    }

    /// A first page gathered from `source`, and how many match in all.
    pub(super) async fn fetch_counted(
        &self,
        conn: &mut AnyConnection,
        source: Source,
        limit: u32,
    ) -> Result<(Vec<Row>, u64), sqlx::Error> {
        let mut args = Args::default();
        let what = Gathered::CountedPage(limit);
        let sql = gather_sql(&mut args, source, self.scope, self.c, None, what);
        let rows: Vec<Counted> = args.query_as(&sql).fetch_all(conn).await?;
        let total = rows.first().map_or(0, |r| r.total as u64);
        Ok((rows.into_iter().map(|r| r.row).collect(), total))
    }

    /// `limit` rows after `after` under `plan` (a walk: its first round only).
    pub(super) async fn fetch(
        &self,
        conn: &mut AnyConnection,
        plan: Plan,
        after: Option<&Position>,
        limit: u32,
    ) -> Result<Vec<Row>, sqlx::Error> {
        let mut args = Args::default();
        let sql = self.statement(&mut args, plan, after, limit);
        args.query_as(&sql).fetch_all(conn).await
    }

    /// How many people the list has, gathering from `source`.
    pub(super) async fn gather_count(
        &self,
        conn: &mut AnyConnection,
        source: Source,
    ) -> Result<u64, sqlx::Error> {
        let mut args = Args::default();
        let sql = gather_sql(&mut args, source, self.scope, self.c, None, Gathered::Count);
        let (n,): (i64,) = args.query_as(&sql).fetch_one(conn).await?;
        Ok(n as u64)
    }
}

/// The query plan of the statement that reads a page under `plan`, one line per step, as the
/// database prints it (for the plan checks of the tests and the benchmark).
pub async fn explain(
    conn: &mut AnyConnection,
    backend: Backend,
    plan: Plan,
    scope: &Scope,
    c: &Criteria,
    after: Option<&Position>,
    limit: u32,
) -> Result<String, sqlx::Error> {
    let mut args = Args::default();
    let sql = List { backend, scope, c }.statement(&mut args, plan, after, limit);
    let lines: Vec<String> = match backend {
        Backend::Sqlite => {
            let sql = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> = args.query_as(&sql).fetch_all(conn).await?;
            rows.into_iter().map(|r| r.3).collect()
        }
        Backend::Postgres => {
            let sql = format!("EXPLAIN {sql}");
            let rows: Vec<(String,)> = args.query_as(&sql).fetch_all(conn).await?;
            rows.into_iter().map(|r| r.0).collect()
        }
    };
    Ok(lines.join("\n"))
}
