//! The directory's queries, built to stay fast on a million people on both backends.
//!
//! A page is read in one of two ways, chosen on the first page and remembered in the cursor:
//!
//! - **Gather** from a small *source* of candidate ids (the people within reach; those whose
//!   first/last name, e-mail or username starts with the longest search word; the holders of
//!   the chosen role; the people in the chosen states), check every other condition on each
//!   candidate, sort them and keep one page after the cursor. Its cost grows with the source.
//! - **Walk** the index of the sort order from the cursor, checking each person on the way,
//!   until the page is full: cheap when many people match, whatever their number.
//!
//! The smallest source within the exact-count limit is gathered from, and the count is then
//! exact; when every source is larger, the list is walked and its size estimated from a
//! sample. Paging is by keyset (the sort values and id of the last row shown): no OFFSET,
//! and no duplicates or gaps when people are added or removed between pages.
//!
//! The parts, each depending only on those above it:
//!
//! - `binds`: the values bound to a statement written at run time;
//! - `criteria`: the [`Scope`] and the normalised filter ([`Criteria`]);
//! - `order`: the sort orders' columns and indexes, and [`Position`]s in them (keyset);
//! - `sql`: the conditions a person must meet, the [`Source`]s, the gathering statement;
//! - `walk`: reading a page along an index, window after window;
//! - `plan`: choosing between gathering and walking, counting (exactly or by sample), and
//!   [`explain`];
//! - `cursor`: the [`Cursor`] handed to the browser;
//! - `lookups`: what a page shows besides its rows (roles, home accounts), and who of a few
//!   is within reach;
//! - this module: [`page`], which puts them together.

mod binds;
mod criteria;
mod cursor;
mod lookups;
mod order;
mod plan;
mod sql;
mod walk;

pub use criteria::{Criteria, MAX_WORD_CHARS, MAX_WORDS, Scope};
pub use cursor::Cursor;
pub use lookups::{roles_in_view, visible_node_names, within_reach};
pub use order::Position;
pub use plan::{Plan, explain};
pub use sql::{Row, Source};

use crate::server::db::Backend;
use criteria::List;
use cursor::fingerprint;
use plan::Count;
use sqlx::AnyConnection;

/// A page of the list.
pub struct Page {
    pub rows: Vec<Row>,
    pub next: Option<Cursor>,
    pub count: u64,
    pub exact: bool,
    pub plan: Plan,
}

/// One page of `limit` rows after `cursor` (the first page without one). A cursor of
/// another list keeps its position but not its plan and count: those are had again.
pub async fn page(
    conn: &mut AnyConnection,
    backend: Backend,
    exact_up_to: u64,
    scope: &Scope,
    c: &Criteria,
    cursor: Option<&Cursor>,
    limit: u32,
) -> Result<Page, sqlx::Error> {
    if c.nobody {
        let plan = Plan::Gather(Source::Status);
        return Ok(Page { rows: Vec::new(), next: None, count: 0, exact: true, plan });
    }
    let list = List { backend, scope, c };
    let sort = crate::api::directory::sort_param(c.sort, c.descending);
    let print = fingerprint(scope, c);
    // A cursor of another order has no position in this one: start again.
    let cursor = cursor.filter(|cur| cur.sort == sort);
    let after = cursor.map(Cursor::position);
    let known = cursor.filter(|cur| cur.fingerprint == print && cur.plan.fits(c));
    let (plan, counted) = match known {
        Some(cur) => (cur.plan, Count::Known(cur.count, cur.exact)),
        None => list.choose(conn, exact_up_to).await?,
    };
    let (mut rows, resume, count, exact) = match (counted, plan) {
        (Count::Known(count, exact), Plan::Walk) => {
            // The share of everyone that matches, to size the first window.
            let (top,): (Option<i64>,) =
                sqlx::query_as("SELECT MAX(id) FROM users").fetch_one(&mut *conn).await?;
            let density = count as f64 / top.unwrap_or(1).max(1) as f64;
            let (rows, resume) = walk::walk(conn, list, after.clone(), limit, density).await?;
            (rows, resume, count, exact)
        }
        (Count::Known(count, exact), Plan::Gather(_)) => {
            (list.fetch(conn, plan, after.as_ref(), limit + 1).await?, None, count, exact)
        }
        (Count::Gathered(source), _) => match after.as_ref() {
            None => {
                let (rows, count) = list.fetch_counted(conn, source, limit + 1).await?;
                (rows, None, count, true)
            }
            // Another list's cursor: its position holds, its count does not.
            Some(after) => {
                let count = list.gather_count(conn, source).await?;
                let rows = list.fetch(conn, plan, Some(after), limit + 1).await?;
                (rows, None, count, true)
            }
        },
    };
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    // An estimate is never below what is already on screen.
    let count = if exact || cursor.is_some() {
        count
    } else {
        count.max(rows.len() as u64 + u64::from(more))
    };
    // After the last row; or, when a walk stopped short of a full page, where it stopped.
    let position = match rows.last() {
        Some(last) if more => Some(last.position(c.sort)),
        _ => resume,
    };
    let next = position.map(|p| Cursor {
        sort,
        keys: p.keys,
        id: p.id,
        plan,
        count,
        exact,
        fingerprint: print,
    });
    Ok(Page { rows, next, count, exact, plan })
}
