//! Reading a page by walking the index of the sort order from the cursor, checking each
//! person on the way (each check is a few primary-key probes), until the page is full: cheap
//! when many people match, whatever their number. Filtered by state, the walk reads one range
//! of `users_dir_status` per state and merges them.
//!
//! On SQLite, a walk names its index (`INDEXED BY`): the planner must not trade the ordered
//! index for another one and a sort of everything, and an index that could no longer be used
//! would fail loudly instead of slowly. PostgreSQL's planner makes the same choice on its own.

use super::{
    binds::Args,
    criteria::{Criteria, List, Scope},
    order::{
        KeyValue, Position, compare, keyset, order_by, select_position, sort_columns, sort_index,
    },
    sql::{COLUMNS, Checks, Row, conditions},
};
use crate::{api::directory::SortKey, domain::UserStatus, server::db::Backend};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// The entries of its index a walk reads in each range, round after round, each window four
/// times the last. The first is the smallest expected to hold twice the page at the list's
/// estimated density (a page of an unfiltered list is found in the first), and a page reads
/// at most [`WALK_ROUNDS`] windows: whatever the filter, a page costs at most about 86,000
/// index entries. When it is not full by then, it ends early, with a cursor where the
/// reading stopped (rare: a filter matching very few people of a huge list, with no small
/// source to gather from).
const WALK_WINDOWS: [u32; 5] = [256, 1_024, 4_096, 16_384, 65_536];
const WALK_ROUNDS: usize = 3;

/// The index ranges a walk reads: the sort order's index, or (filtered by state, in name or
/// status order) one range of `users_dir_status` per state, merged.
fn ranges(c: &Criteria) -> Vec<Option<UserStatus>> {
    let by_state = !c.statuses.is_empty() && matches!(c.sort, SortKey::Name | SortKey::Status);
    match by_state {
        true => c.statuses.iter().copied().map(Some).collect(),
        false => vec![None],
    }
}

/// `users u`, with the index a walk must read on SQLite.
fn users_by(backend: Backend, index: &str) -> String {
    match backend {
        Backend::Sqlite => format!("users AS u INDEXED BY {index}"),
        Backend::Postgres => "users AS u".to_string(),
    }
}

/// `FROM users u … WHERE …`: the index range of `state` after `after`, up to `upto`, and
/// `more` conditions.
fn range_sql(
    args: &mut Args,
    backend: Backend,
    c: &Criteria,
    state: Option<UserStatus>,
    (after, upto): (Option<&Position>, Option<&Position>),
    more: Option<String>,
) -> String {
    let index = if state.is_some() { "users_dir_status" } else { sort_index(c.sort) };
    let mut parts = Vec::new();
    if let Some(s) = state {
        parts.push(format!("u.status = {}", args.text(s.key())));
    }
    if let Some(after) = after {
        parts.push(keyset(args, c.sort, c.descending, after, "u"));
    }
    if let Some(upto) = upto {
        // The other end of the window, the row at `upto` included.
        parts.push(compare(args, c.sort, if c.descending { ">=" } else { "<=" }, upto, "u"));
    }
    parts.extend(more);
    let filter = match parts.is_empty() {
        true => String::new(),
        false => format!(" WHERE {}", parts.join(" AND ")),
    };
    format!("FROM {}{filter}", users_by(backend, index))
}

/// One round of a walk: in each range, the first `need` matches up to the end of its
/// window (`ends`, by range; `None`: to the end), merged in order: their positions (sort
/// values and id) and ranges, read from the index (it carries every column checked: an
/// index-only scan on PostgreSQL); the rows of the page are read afterwards, by id.
pub(super) fn walk_sql(
    args: &mut Args,
    backend: Backend,
    scope: &Scope,
    c: &Criteria,
    after: Option<&Position>,
    ends: &[Option<Position>],
    need: u32,
) -> String {
    let need = args.int(i64::from(need));
    let branches: Vec<String> = ranges(c)
        .into_iter()
        .enumerate()
        .map(|(i, state)| {
            let checks = Checks { skip_status: state.is_some(), ..Checks::all(scope, c) };
            let cond = conditions(args, &checks, "u");
            let upto = ends.get(i).and_then(Option::as_ref);
            let from = range_sql(args, backend, c, state, (after, upto), Some(cond));
            format!(
                "SELECT * FROM (SELECT {}, {i} AS range_no {from} ORDER BY {} LIMIT {need}) b{i}",
                select_position(c.sort),
                order_by(c.sort, c.descending, "u")
            )
        })
        .collect();
    format!(
        "SELECT * FROM ({}) w ORDER BY {}",
        branches.join(" UNION ALL "),
        order_by(c.sort, c.descending, "w")
    )
}

/// A position and its range, from a row of [`select_position`] and `range_no`.
fn position_of(r: &sqlx::any::AnyRow, sort: SortKey) -> Result<(Position, usize), sqlx::Error> {
    use sqlx::Row as _;
    let (keys, next) = match sort {
        SortKey::Created => (vec![KeyValue::Int(r.try_get::<i64, _>(0)?)], 1),
        sort => {
            let n = sort_columns(sort, "u").len();
            let keys = (0..n).map(|i| r.try_get::<String, _>(i).map(KeyValue::Text));
            (keys.collect::<Result<Vec<_>, _>>()?, n)
        }
    };
    let id: i64 = r.try_get(next)?;
    let range: i64 = r.try_get(next + 1)?;
    Ok((Position { keys, id }, range as usize))
}

/// The rows of `ids` (people not deleted), in the order given.
async fn rows_by_id(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Row>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Args::default();
    let list = args.int_list(ids.iter().copied());
    let sql =
        format!("SELECT {COLUMNS} FROM users u WHERE u.id IN ({list}) AND u.status <> 'deleted'");
    let found: Vec<Row> = args.query_as(&sql).fetch_all(conn).await?;
    let mut by_id: HashMap<i64, Row> = found.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The `window`-th entry of each range after `after`, for the ranges that have one: where a
/// window of that many entries ends (an index-only read on PostgreSQL).
fn window_ends_sql(
    args: &mut Args,
    backend: Backend,
    c: &Criteria,
    after: Option<&Position>,
    window: u32,
) -> String {
    let skip = args.int(i64::from(window - 1));
    ranges(c)
        .into_iter()
        .enumerate()
        .map(|(i, state)| {
            let from = range_sql(args, backend, c, state, (after, None), None);
            format!(
                "SELECT * FROM (SELECT {}, {i} AS range_no {from} ORDER BY {} LIMIT 1 \
                 OFFSET {skip}) e{i}",
                select_position(c.sort),
                order_by(c.sort, c.descending, "u")
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Where a window of `window` entries ends in each range (`None`: the range ends first).
async fn window_ends(
    conn: &mut AnyConnection,
    List { backend, c, .. }: List<'_>,
    after: Option<&Position>,
    window: u32,
) -> Result<Vec<Option<Position>>, sqlx::Error> {
    let mut args = Args::default();
    let sql = window_ends_sql(&mut args, backend, c, after, window);
    let rows = args.query(&sql).fetch_all(conn).await?;
    let mut out = vec![None; ranges(c).len()];
    for r in rows {
        let (position, range) = position_of(&r, c.sort)?;
        if let Some(slot) = out.get_mut(range) {
            *slot = Some(position);
        }
    }
    Ok(out)
}

/// Up to `limit + 1` rows after `after`, walking; and, when fewer were found before the
/// windows ran out, the position to go on from. `density` is the share of everyone that
/// matches (estimated), to size the first window.
pub(super) async fn walk(
    conn: &mut AnyConnection,
    list: List<'_>,
    mut after: Option<Position>,
    limit: u32,
    density: f64,
) -> Result<(Vec<Row>, Option<Position>), sqlx::Error> {
    let List { backend, scope, c } = list;
    let ranges = ranges(c).len();
    let wanted = 2.0 * f64::from(limit + 1);
    let first = WALK_WINDOWS
        .iter()
        .position(|w| f64::from(*w) * density >= wanted)
        .unwrap_or(WALK_WINDOWS.len() - 1);
    let windows = &WALK_WINDOWS[first..(first + WALK_ROUNDS).min(WALK_WINDOWS.len())];
    let mut ids: Vec<i64> = Vec::new();
    for (round, window) in windows.iter().copied().enumerate() {
        let need = limit + 1 - ids.len() as u32;
        let ends = window_ends(conn, list, after.as_ref(), window).await?;
        let mut args = Args::default();
        let sql = walk_sql(&mut args, backend, scope, c, after.as_ref(), &ends, need);
        let found = args.query(&sql).fetch_all(&mut *conn).await?;
        let found = found.iter().map(|r| position_of(r, c.sort)).collect::<Result<Vec<_>, _>>()?;
        // Where each range's reading stopped: at its last match when it found all it was
        // asked for, else at the end of its window (or of the range). The round is complete
        // up to the earliest stop.
        let mut per_range = vec![0u32; ranges];
        let mut last: Vec<Option<&Position>> = vec![None; ranges];
        for (position, r) in &found {
            per_range[*r] += 1;
            last[*r] = Some(position);
        }
        let stop = (0..ranges)
            .filter_map(|r| if per_range[r] == need { last[r].cloned() } else { ends[r].clone() })
            .reduce(|a, b| if a.not_after(&b, c.descending) { a } else { b });
        for (position, _) in &found {
            if stop.as_ref().is_none_or(|s| position.not_after(s, c.descending)) {
                ids.push(position.id);
            }
        }
        let full = ids.len() > limit as usize;
        match stop {
            Some(s) if !full => {
                if round + 1 == windows.len() {
                    // Out of rounds, the page not full: go on from here next time.
                    return Ok((rows_by_id(conn, &ids).await?, Some(s)));
                }
                after = Some(s);
            }
            _ => break,
        }
    }
    Ok((rows_by_id(conn, &ids).await?, None))
}
