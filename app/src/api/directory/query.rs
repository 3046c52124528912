//! The directory's queries, built to stay fast on a million people on both backends.
//!
//! A page is read in one of two ways, chosen on the first page and remembered in the cursor:
//!
//! - **Gather** from a small *source* of candidate ids (the people within reach; those whose
//!   first/last name, e-mail or username starts with the longest search word; the holders of
//!   the chosen role; the people in the chosen states), check every other condition on each
//!   candidate, sort them and keep one page after the cursor. Its cost grows with the source.
//! - **Walk** the index of the sort order from the cursor, checking each person on the way
//!   (each check is a few primary-key probes), until the page is full: cheap when many people
//!   match, whatever their number. Filtered by status, the walk reads one range of
//!   `users_dir_status` per state and merges them.
//!
//! The choice: each applicable source is counted up to the exact-count limit (a `LIMIT`ed
//! count, so this costs at most that many index entries, and no more than the smallest
//! source so far); the smallest one within the limit is gathered from, and the count is then
//! exact; a gathered first page brings it along (`COUNT(*) OVER ()`, in the same pass).
//! When every source is larger, the list is walked and its size is estimated from a
//! systematic sample (ten evenly spaced ranges of ids, 2,000 people in all); such counts are
//! labelled as estimates.
//!
//! Paging is by keyset: the sort values and the id of the last row shown, compared as a row
//! value, so each page is an index range (no OFFSET) and rows added or removed between pages
//! cause neither duplicates nor gaps.
//!
//! Search is by prefix on the generated, lower-cased `*_key` columns (migration 0005):
//! `key >= lower(word) AND key < lower(word) || U+10FFFF`, one index range, the same SQL on
//! both backends (the keys compare bytewise: `COLLATE "C"` on PostgreSQL).
//!
//! On SQLite, a walk names its index (`INDEXED BY`): the planner must not trade the ordered
//! index for another one and a sort of everything, and an index that could no longer be used
//! would fail loudly instead of slowly. PostgreSQL's planner makes the same choice on its own.

use crate::{
    api::directory::SortKey,
    domain::{NodeId, RoleId, UserStatus},
    server::db::Backend,
};
use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use std::collections::HashMap;

/// Where the directory looks: people within reach at `node` (and above it, `inherited`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub node: NodeId,
    pub inherited: bool,
}

/// A filter, checked and normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Criteria {
    /// Each must be the start of the first name, last name, e-mail or username.
    pub words: Vec<String>,
    /// Only these states (empty: all but deleted). Never contains `Deleted`.
    pub statuses: Vec<UserStatus>,
    /// Only deleted people were asked for: nobody matches.
    pub nobody: bool,
    pub role: Option<RoleId>,
    /// Only members of this team.
    pub team: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
}

/// The most search words used; more are ignored.
pub const MAX_WORDS: usize = 5;
/// Longest search word (characters).
pub const MAX_WORD_CHARS: usize = 100;

impl Criteria {
    pub fn new(
        query: &str,
        statuses: &[UserStatus],
        role: Option<RoleId>,
        team: Option<i64>,
        sort: SortKey,
        descending: bool,
    ) -> Self {
        let words = query
            .split_whitespace()
            .take(MAX_WORDS)
            .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
            .collect();
        let mut wanted: Vec<UserStatus> = Vec::new();
        for s in statuses {
            if *s != UserStatus::Deleted && !wanted.contains(s) {
                wanted.push(*s);
            }
        }
        // Every state but deleted is no filter at all.
        let nobody = !statuses.is_empty() && wanted.is_empty();
        if wanted.len() == UserStatus::ALL.len() - 1 {
            wanted.clear();
        }
        wanted.sort_by_key(|s| s.key());
        Criteria { words, statuses: wanted, nobody, role, team, sort, descending }
    }

    /// The word whose prefix is likely the most selective: the longest.
    fn search_word(&self) -> Option<&str> {
        self.words.iter().max_by_key(|w| w.chars().count()).map(String::as_str)
    }
}

/// Where the candidates of a gathered page come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    Reach,
    Prefix,
    Role,
    Status,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Plan {
    Gather(Source),
    Walk,
}

impl Plan {
    /// Whether the plan can serve `c` (a cursor may come from another filter).
    fn fits(self, c: &Criteria) -> bool {
        match self {
            Plan::Walk | Plan::Gather(Source::Reach) => true,
            Plan::Gather(Source::Prefix) => !c.words.is_empty(),
            Plan::Gather(Source::Role) => c.role.is_some(),
            Plan::Gather(Source::Status) => !c.statuses.is_empty(),
        }
    }
}

/// A value of the sort order, as kept in a cursor.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum KeyValue {
    Int(i64),
    Text(String),
}

/// Where the next page starts: the sort values and id of the last row shown, the plan and
/// the count of the first page, and a fingerprint of what was listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort, as in the address (`name`, `-created`...).
    s: String,
    k: Vec<KeyValue>,
    i: i64,
    p: Plan,
    c: u64,
    e: bool,
    f: u64,
}

impl Cursor {
    /// The opaque text handed to the browser.
    pub fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// `None` for anything that is not a cursor this server wrote. The position is bound
    /// into a row comparison with the sort's columns, so it must have their shape: as many
    /// values, numbers for numeric columns, text with no control character (PostgreSQL
    /// refuses NUL) for the others. Anything else would fail the statement: a 500.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = hex::decode(text.trim()).ok()?;
        let c: Cursor = serde_json::from_slice(&bytes).ok()?;
        let sort = SortKey::from_key(c.s.strip_prefix('-').unwrap_or(&c.s))?;
        let numeric = matches!(sort, SortKey::Created);
        let fits = |v: &KeyValue| match v {
            KeyValue::Int(_) => numeric,
            KeyValue::Text(t) => !numeric && t.len() <= 1000 && !t.chars().any(char::is_control),
        };
        (c.k.len() == sort_columns(sort, "").len() && c.k.iter().all(fits)).then_some(c)
    }
}

/// One person as the directory reads them.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub username: String,
    pub status: String,
    pub home_node_id: Option<i64>,
    pub created_at: i64,
    pub last_key: String,
    pub first_key: String,
    pub email_key: String,
}

const COLUMNS: &str = "u.id, u.first_name, u.last_name, u.email, u.username, u.status, \
     u.home_node_id, u.created_at, u.last_key, u.first_key, u.email_key";

/// The sort columns before the id, for the table alias `a`.
fn sort_columns(sort: SortKey, a: &str) -> Vec<String> {
    let cols: &[&str] = match sort {
        SortKey::Name => &["last_key", "first_key"],
        SortKey::Email => &["email_key"],
        SortKey::Status => &["status", "last_key", "first_key"],
        SortKey::Created => &["created_at"],
    };
    cols.iter().map(|c| format!("{a}.{c}")).collect()
}

fn order_by(sort: SortKey, descending: bool, a: &str) -> String {
    let dir = if descending { " DESC" } else { "" };
    let mut cols = sort_columns(sort, a);
    cols.push(format!("{a}.id"));
    cols.iter().map(|c| format!("{c}{dir}")).collect::<Vec<_>>().join(", ")
}

/// The index a walk in this order reads.
fn sort_index(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Name => "users_dir_name",
        SortKey::Email => "users_dir_email",
        SortKey::Status => "users_dir_status",
        SortKey::Created => "users_dir_created",
    }
}

fn after_values(row: &Row, sort: SortKey) -> Vec<KeyValue> {
    let t = |s: &str| KeyValue::Text(s.to_string());
    match sort {
        SortKey::Name => vec![t(&row.last_key), t(&row.first_key)],
        SortKey::Email => vec![t(&row.email_key)],
        SortKey::Status => vec![t(&row.status), t(&row.last_key), t(&row.first_key)],
        SortKey::Created => vec![KeyValue::Int(row.created_at)],
    }
}

// ------------------------------------------------------------------ building statements

#[derive(Clone, Debug)]
enum Arg {
    Int(i64),
    Text(String),
}

/// A statement's bound values; `$n` placeholders are handed out in order.
#[derive(Default)]
struct Args(Vec<Arg>);

impl Args {
    fn int(&mut self, v: i64) -> String {
        self.0.push(Arg::Int(v));
        format!("${}", self.0.len())
    }

    fn text(&mut self, v: impl Into<String>) -> String {
        self.0.push(Arg::Text(v.into()));
        format!("${}", self.0.len())
    }
}

macro_rules! bound {
    ($query:expr, $args:expr) => {{
        let mut q = $query;
        for a in &$args.0 {
            q = match a {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }};
}

/// The upper end of the prefix range of `word` (see the module documentation).
fn prefix_end(word: &str) -> String {
    format!("{word}\u{10FFFF}")
}

/// "`a` is within reach": at home at or below the node, holding a role at or below it, or
/// (inherited) holding a role above it.
fn reach(args: &mut Args, scope: &Scope, a: &str) -> String {
    let n = args.int(scope.node.0);
    let mut sql = format!(
        "(EXISTS (SELECT 1 FROM node_closure hc WHERE hc.ancestor_id = {n} \
                  AND hc.descendant_id = {a}.home_node_id) \
          OR EXISTS (SELECT 1 FROM memberships dm JOIN node_closure dc \
                     ON dc.descendant_id = dm.node_id \
                     WHERE dm.user_id = {a}.id AND dc.ancestor_id = {n})"
    );
    if scope.inherited {
        sql.push_str(&format!(
            " OR EXISTS (SELECT 1 FROM memberships am JOIN node_closure ac \
                         ON ac.ancestor_id = am.node_id \
                         WHERE am.user_id = {a}.id AND ac.descendant_id = {n} AND ac.depth > 0)"
        ));
    }
    sql.push(')');
    sql
}

fn word_matches(args: &mut Args, word: &str, a: &str) -> String {
    let lo = args.text(word);
    let hi = args.text(prefix_end(word));
    ["first_key", "last_key", "email_key", "username_key"]
        .iter()
        .map(|k| format!("({a}.{k} >= lower({lo}) AND {a}.{k} < lower({hi}))"))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn role_held(args: &mut Args, scope: &Scope, role: RoleId, a: &str) -> String {
    let n = args.int(scope.node.0);
    let r = args.int(role.0);
    let mut sql = format!(
        "(EXISTS (SELECT 1 FROM memberships rm JOIN node_closure rc \
                  ON rc.descendant_id = rm.node_id \
                  WHERE rm.user_id = {a}.id AND rm.role_id = {r} AND rc.ancestor_id = {n})"
    );
    if scope.inherited {
        sql.push_str(&format!(
            " OR EXISTS (SELECT 1 FROM memberships rm JOIN node_closure rc \
                         ON rc.ancestor_id = rm.node_id \
                         WHERE rm.user_id = {a}.id AND rm.role_id = {r} \
                         AND rc.descendant_id = {n} AND rc.depth > 0)"
        ));
    }
    sql.push(')');
    sql
}

fn keyset(args: &mut Args, sort: SortKey, descending: bool, after: &After, a: &str) -> String {
    compare(args, sort, if descending { "<" } else { ">" }, after, a)
}

/// `(sort columns, id) op (position)`.
fn compare(args: &mut Args, sort: SortKey, op: &str, after: &After, a: &str) -> String {
    let mut cols = sort_columns(sort, a);
    cols.push(format!("{a}.id"));
    let mut values: Vec<String> = after
        .keys
        .iter()
        .map(|v| match v {
            KeyValue::Int(i) => args.int(*i),
            KeyValue::Text(t) => args.text(t.clone()),
        })
        .collect();
    values.push(args.int(after.id));
    format!("({}) {op} ({})", cols.join(", "), values.join(", "))
}

/// The position after the last row shown.
#[derive(Clone, Debug)]
pub struct After {
    keys: Vec<KeyValue>,
    id: i64,
}

/// Which conditions a statement checks on each person (the source of a gather implies its
/// own condition only when it is the reach).
struct Checks<'a> {
    scope: &'a Scope,
    c: &'a Criteria,
    /// The reach is implied (gathered from it).
    skip_reach: bool,
    /// Checked by the statement itself (a walk over one state).
    skip_status: bool,
    after: Option<&'a After>,
}

fn conditions(args: &mut Args, k: &Checks<'_>, a: &str) -> String {
    let mut parts = vec![format!("{a}.status <> 'deleted'")];
    if !k.skip_reach {
        parts.push(reach(args, k.scope, a));
    }
    if !k.skip_status && !k.c.statuses.is_empty() {
        let list: Vec<String> = k.c.statuses.iter().map(|s| args.text(s.key())).collect();
        parts.push(format!("{a}.status IN ({})", list.join(", ")));
    }
    for w in &k.c.words {
        parts.push(format!("({})", word_matches(args, w, a)));
    }
    if let Some(role) = k.c.role {
        parts.push(role_held(args, k.scope, role, a));
    }
    if let Some(team) = k.c.team {
        let t = args.int(team);
        parts.push(format!(
            "EXISTS (SELECT 1 FROM team_members tm WHERE tm.user_id = {a}.id AND tm.team_id = {t})"
        ));
    }
    if let Some(after) = k.after {
        parts.push(keyset(args, k.c.sort, k.c.descending, after, a));
    }
    parts.join(" AND ")
}

/// The candidate ids of a source (with repeats: a person at home and holding a role here).
fn source_sql(args: &mut Args, source: Source, scope: &Scope, c: &Criteria) -> String {
    match source {
        Source::Reach => {
            let n = args.int(scope.node.0);
            let mut sql = format!(
                "SELECT hu.id AS id FROM node_closure hc JOIN users hu \
                 ON hu.home_node_id = hc.descendant_id WHERE hc.ancestor_id = {n} \
                 UNION ALL SELECT dm.user_id AS id FROM node_closure dc JOIN memberships dm \
                 ON dm.node_id = dc.descendant_id WHERE dc.ancestor_id = {n}"
            );
            if scope.inherited {
                sql.push_str(&format!(
                    " UNION ALL SELECT am.user_id AS id FROM node_closure ac JOIN memberships am \
                     ON am.node_id = ac.ancestor_id WHERE ac.descendant_id = {n} AND ac.depth > 0"
                ));
            }
            sql
        }
        Source::Prefix => {
            let word = c.search_word().unwrap_or_default().to_string();
            let lo = args.text(word.clone());
            let hi = args.text(prefix_end(&word));
            ["first_key", "last_key", "email_key", "username_key"]
                .iter()
                .map(|k| {
                    format!("SELECT id FROM users WHERE {k} >= lower({lo}) AND {k} < lower({hi})")
                })
                .collect::<Vec<_>>()
                .join(" UNION ALL ")
        }
        Source::Role => {
            let n = args.int(scope.node.0);
            let r = args.int(c.role.map_or(0, |r| r.0));
            let mut sql = format!(
                "SELECT rm.user_id AS id FROM node_closure rc JOIN memberships rm \
                 ON rm.node_id = rc.descendant_id WHERE rc.ancestor_id = {n} AND rm.role_id = {r}"
            );
            if scope.inherited {
                sql.push_str(&format!(
                    " UNION ALL SELECT rm.user_id AS id FROM node_closure rc JOIN memberships rm \
                     ON rm.node_id = rc.ancestor_id WHERE rc.descendant_id = {n} \
                     AND rc.depth > 0 AND rm.role_id = {r}"
                ));
            }
            sql
        }
        Source::Status => c
            .statuses
            .iter()
            .map(|s| format!("SELECT id FROM users WHERE status = {}", args.text(s.key())))
            .collect::<Vec<_>>()
            .join(" UNION ALL "),
    }
}

fn sources_for(c: &Criteria) -> Vec<Source> {
    let mut out = Vec::new();
    if !c.words.is_empty() {
        out.push(Source::Prefix);
    }
    if c.role.is_some() {
        out.push(Source::Role);
    }
    if !c.statuses.is_empty() {
        out.push(Source::Status);
    }
    out.push(Source::Reach);
    out
}

// ------------------------------------------------------------------ the statements

/// How many candidates `source` has, counting no further than `cap`.
async fn probe(
    conn: &mut AnyConnection,
    source: Source,
    scope: &Scope,
    c: &Criteria,
    cap: u64,
) -> Result<u64, sqlx::Error> {
    let mut args = Args::default();
    let src = source_sql(&mut args, source, scope, c);
    let cap = args.int(cap as i64);
    let sql = format!("SELECT COUNT(*) FROM (SELECT id FROM ({src}) s0 LIMIT {cap}) s1");
    let (n,): (i64,) = bound!(sqlx::query_as(&sql), args).fetch_one(conn).await?;
    Ok(n as u64)
}

/// What a gathering statement returns.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Gathered {
    /// A page of this many rows.
    Page(u32),
    /// A page, each row with the number of rows matching in all (`total`): the count of a
    /// first page comes with it, from the same pass over the candidates.
    CountedPage(u32),
    /// Only the number of rows matching.
    Count,
}

/// The statement of a gathered page, or of its count.
fn gather_sql(
    args: &mut Args,
    source: Source,
    scope: &Scope,
    c: &Criteria,
    after: Option<&After>,
    what: Gathered,
) -> String {
    let src = source_sql(args, source, scope, c);
    let checks =
        Checks { scope, c, skip_reach: source == Source::Reach, skip_status: false, after };
    let cond = conditions(args, &checks, "u");
    let from = format!("(SELECT DISTINCT id FROM ({src}) s0) s CROSS JOIN users u");
    let (total, limit) = match what {
        Gathered::Count => {
            return format!("SELECT COUNT(*) FROM {from} WHERE u.id = s.id AND {cond}");
        }
        Gathered::Page(limit) => ("", limit),
        Gathered::CountedPage(limit) => (", COUNT(*) OVER () AS total", limit),
    };
    format!(
        "SELECT {COLUMNS}{total} FROM {from} WHERE u.id = s.id AND {cond} ORDER BY {} LIMIT {}",
        order_by(c.sort, c.descending, "u"),
        args.int(i64::from(limit))
    )
}

/// `users u`, with the index a walk must read on SQLite.
fn users_by(backend: Backend, index: &str) -> String {
    match backend {
        Backend::Sqlite => format!("users AS u INDEXED BY {index}"),
        Backend::Postgres => "users AS u".to_string(),
    }
}

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

/// `FROM users u … WHERE …`: the index range of `state` after `after`, up to `upto`, and
/// `more` conditions.
fn range_sql(
    args: &mut Args,
    backend: Backend,
    c: &Criteria,
    state: Option<UserStatus>,
    (after, upto): (Option<&After>, Option<&After>),
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
fn walk_sql(
    args: &mut Args,
    backend: Backend,
    scope: &Scope,
    c: &Criteria,
    after: Option<&After>,
    ends: &[Option<After>],
    need: u32,
) -> String {
    let need = args.int(i64::from(need));
    let branches: Vec<String> = ranges(c)
        .into_iter()
        .enumerate()
        .map(|(i, state)| {
            let checks =
                Checks { scope, c, skip_reach: false, skip_status: state.is_some(), after: None };
            let cond = conditions(args, &checks, "u");
            let upto = ends.get(i).and_then(Option::as_ref);
            let from = range_sql(args, backend, c, state, (after, upto), Some(cond));
            format!(
                "SELECT * FROM (SELECT {}, {i} AS range_no {from} ORDER BY {} LIMIT {need}) b{i}",
                position_columns(c.sort),
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

/// The sort columns and the id of `u`: a position.
fn position_columns(sort: SortKey) -> String {
    let mut cols = sort_columns(sort, "u");
    cols.push("u.id".into());
    cols.join(", ")
}

/// A position and its range, from a row of [`position_columns`] and `range_no`.
fn position_of(r: &sqlx::any::AnyRow, sort: SortKey) -> Result<(After, usize), sqlx::Error> {
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
    Ok((After { keys, id }, range as usize))
}

/// The rows of `ids` (people not deleted), in the order given.
async fn rows_by_id(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<Row>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut args = Args::default();
    let list: Vec<String> = ids.iter().map(|id| args.int(*id)).collect();
    let sql = format!(
        "SELECT {COLUMNS} FROM users u WHERE u.id IN ({}) AND u.status <> 'deleted'",
        list.join(", ")
    );
    let found: Vec<Row> = bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
    let mut by_id: HashMap<i64, Row> = found.into_iter().map(|r| (r.id, r)).collect();
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The `window`-th entry of each range after `after`, for the ranges that have one: where a
/// window of that many entries ends (an index-only read on PostgreSQL).
fn window_ends_sql(
    args: &mut Args,
    backend: Backend,
    c: &Criteria,
    after: Option<&After>,
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
                position_columns(c.sort),
                order_by(c.sort, c.descending, "u")
            )
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// Positions in walking order: `a` comes before `b`, or is `b`.
fn not_after(a: &After, b: &After, descending: bool) -> bool {
    let (a, b) = ((&a.keys, a.id), (&b.keys, b.id));
    if descending { a >= b } else { a <= b }
}

/// Where a window of `window` entries ends in each range (`None`: the range ends first).
async fn window_ends(
    conn: &mut AnyConnection,
    backend: Backend,
    c: &Criteria,
    after: Option<&After>,
    window: u32,
) -> Result<Vec<Option<After>>, sqlx::Error> {
    let mut args = Args::default();
    let sql = window_ends_sql(&mut args, backend, c, after, window);
    let rows = bound!(sqlx::query(&sql), args).fetch_all(conn).await?;
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
/// windows ran out, the position to go on from.
async fn walk(
    conn: &mut AnyConnection,
    backend: Backend,
    scope: &Scope,
    c: &Criteria,
    mut after: Option<After>,
    limit: u32,
    density: f64,
) -> Result<(Vec<Row>, Option<After>), sqlx::Error> {
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
        let ends = window_ends(conn, backend, c, after.as_ref(), window).await?;
        let mut args = Args::default();
        let sql = walk_sql(&mut args, backend, scope, c, after.as_ref(), &ends, need);
        let found = bound!(sqlx::query(&sql), args).fetch_all(&mut *conn).await?;
        let found = found.iter().map(|r| position_of(r, c.sort)).collect::<Result<Vec<_>, _>>()?;
        // Where each range's reading stopped: at its last match when it found all it was
        // asked for, else at the end of its window (or of the range). The round is complete
        // up to the earliest stop.
        let mut per_range = vec![0u32; ranges];
        let mut last: Vec<Option<&After>> = vec![None; ranges];
        for (position, r) in &found {
            per_range[*r] += 1;
            last[*r] = Some(position);
        }
        let stop = (0..ranges)
            .filter_map(|r| if per_range[r] == need { last[r].cloned() } else { ends[r].clone() })
            .reduce(|a, b| if not_after(&a, &b, c.descending) { a } else { b });
        for (position, _) in &found {
            if stop.as_ref().is_none_or(|s| not_after(position, s, c.descending)) {
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

/// The statement that reads a page of `limit` rows under `plan`.
fn statement(
    args: &mut Args,
    backend: Backend,
    plan: Plan,
    scope: &Scope,
    c: &Criteria,
    after: Option<&After>,
    limit: u32,
) -> String {
    match plan {
        Plan::Gather(source) => gather_sql(args, source, scope, c, after, Gathered::Page(limit)),
        // The first round of a walk, its window ending nowhere in particular.
        Plan::Walk => walk_sql(args, backend, scope, c, after, &[], limit),
    }
}

/// A row of a first gathered page, with the count of all.
#[derive(sqlx::FromRow)]
struct Counted {
    #[sqlx(flatten)]
    row: Row,
    total: i64,
}

/// A first page gathered from `source`, and how many match in all.
async fn fetch_counted(
    conn: &mut AnyConnection,
    source: Source,
    scope: &Scope,
    c: &Criteria,
    limit: u32,
) -> Result<(Vec<Row>, u64), sqlx::Error> {
    let mut args = Args::default();
    let sql = gather_sql(&mut args, source, scope, c, None, Gathered::CountedPage(limit));
    let rows: Vec<Counted> = bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
    let total = rows.first().map_or(0, |r| r.total as u64);
    Ok((rows.into_iter().map(|r| r.row).collect(), total))
}

async fn fetch(
    conn: &mut AnyConnection,
    backend: Backend,
    plan: Plan,
    scope: &Scope,
    c: &Criteria,
    after: Option<&After>,
    limit: u32,
) -> Result<Vec<Row>, sqlx::Error> {
    let mut args = Args::default();
    let sql = statement(&mut args, backend, plan, scope, c, after, limit);
    bound!(sqlx::query_as(&sql), args).fetch_all(conn).await
}

async fn gather_count(
    conn: &mut AnyConnection,
    source: Source,
    scope: &Scope,
    c: &Criteria,
) -> Result<u64, sqlx::Error> {
    let mut args = Args::default();
    let sql = gather_sql(&mut args, source, scope, c, None, Gathered::Count);
    let (n,): (i64,) = bound!(sqlx::query_as(&sql), args).fetch_one(conn).await?;
    Ok(n as u64)
}

/// Ranges of ids sampled for an estimate.
const SAMPLE_RANGES: i64 = 10;
/// People sampled for an estimate at the most.
const MAX_SAMPLE: u64 = 2_000;

/// The number of people matching, estimated from `size` people in ten evenly spaced ranges
/// of ids (ids are dense: people are never removed, only marked deleted).
async fn estimate(
    conn: &mut AnyConnection,
    scope: &Scope,
    c: &Criteria,
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
    let checks = Checks { scope, c, skip_reach: false, skip_status: false, after: None };
    let cond = conditions(&mut args, &checks, "u");
    let sql = format!(
        "SELECT COUNT(*) FROM ({}) s CROSS JOIN users u WHERE u.id = s.id AND {cond}",
        ranges.join(" UNION ALL ")
    );
    let (matches,): (i64,) = bound!(sqlx::query_as(&sql), args).fetch_one(conn).await?;
    if exact {
        return Ok((matches as u64, true));
    }
    let sampled = width * SAMPLE_RANGES;
    let estimate = (matches as f64 * span as f64 / sampled as f64).round() as u64;
    Ok((estimate, false))
}

/// How a list's count is had.
enum Count {
    /// Already known (and whether exactly).
    Known(u64, bool),
    /// Exactly, gathering from this source, with the first page.
    Gathered(Source),
}

/// Chooses how to read the list. A walk comes with its (estimated) count; a gathered list
/// is counted exactly as its first page is read, except when its source is empty.
async fn choose(
    conn: &mut AnyConnection,
    scope: &Scope,
    c: &Criteria,
    exact_up_to: u64,
) -> Result<(Plan, Count), sqlx::Error> {
    // The smallest source within the limit; each probe stops one past the best so far.
    let mut best: Option<(Source, u64)> = None;
    for source in sources_for(c) {
        let cap = best.map_or(exact_up_to, |(_, n)| n) + 1;
        let n = probe(conn, source, scope, c, cap).await?;
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
    let (count, exact) = estimate(conn, scope, c, exact_up_to.min(MAX_SAMPLE)).await?;
    Ok((Plan::Walk, Count::Known(count, exact)))
}

/// A page of the list.
pub struct Page {
    pub rows: Vec<Row>,
    pub next: Option<Cursor>,
    pub count: u64,
    pub exact: bool,
    pub plan: Plan,
}

/// A fingerprint of what is listed (FNV-1a), so a cursor from another list is not trusted
/// for its plan and count.
fn fingerprint(scope: &Scope, c: &Criteria) -> u64 {
    let text = format!("{scope:?}{c:?}");
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// One page of `limit` rows after `cursor` (the first page without one).
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
    let sort = crate::api::directory::sort_param(c.sort, c.descending);
    let print = fingerprint(scope, c);
    // A cursor of another order has no position in this one: start again.
    let cursor = cursor.filter(|cur| cur.s == sort);
    let after = cursor.map(|cur| After { keys: cur.k.clone(), id: cur.i });
    let known = cursor.filter(|cur| cur.f == print && cur.p.fits(c));
    let (plan, counted) = match known {
        Some(cur) => (cur.p, Count::Known(cur.c, cur.e)),
        None => choose(conn, scope, c, exact_up_to).await?,
    };
    let (mut rows, resume, count, exact) = match (counted, plan) {
        (Count::Known(count, exact), Plan::Walk) => {
            // The share of everyone that matches, to size the first window.
            let (top,): (Option<i64>,) =
                sqlx::query_as("SELECT MAX(id) FROM users").fetch_one(&mut *conn).await?;
            let density = count as f64 / top.unwrap_or(1).max(1) as f64;
            let (rows, resume) =
                walk(conn, backend, scope, c, after.clone(), limit, density).await?;
            (rows, resume, count, exact)
        }
        (Count::Known(count, exact), Plan::Gather(_)) => (
            fetch(conn, backend, plan, scope, c, after.as_ref(), limit + 1).await?,
            None,
            count,
            exact,
        ),
        (Count::Gathered(source), _) => match after.as_ref() {
            None => {
                let (rows, count) = fetch_counted(conn, source, scope, c, limit + 1).await?;
                (rows, None, count, true)
            }
            // Another list's cursor: its position holds, its count does not.
            Some(after) => {
                let count = gather_count(conn, source, scope, c).await?;
                let rows = fetch(conn, backend, plan, scope, c, Some(after), limit + 1).await?;
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
        Some(last) if more => Some(after_row(last, c)),
        _ => resume,
    };
    let next = position.map(|p| Cursor {
        s: sort,
        k: p.keys,
        i: p.id,
        p: plan,
        c: count,
        e: exact,
        f: print,
    });
    Ok(Page { rows, next, count, exact, plan })
}

// ------------------------------------------------------------------ around a page

/// The names of the roles each of `users` holds in view: at the scope's node or below, and
/// above it when inherited; alphabetical, once each.
pub async fn roles_in_view(
    conn: &mut AnyConnection,
    scope: &Scope,
    users: &[i64],
) -> Result<HashMap<i64, Vec<String>>, sqlx::Error> {
    let mut out: HashMap<i64, Vec<String>> = HashMap::new();
    if users.is_empty() {
        return Ok(out);
    }
    let mut args = Args::default();
    let n = args.int(scope.node.0);
    let ids: Vec<String> = users.iter().map(|u| args.int(*u)).collect();
    let above = if scope.inherited {
        format!(" OR m.node_id IN (SELECT ancestor_id FROM node_closure WHERE descendant_id = {n})")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT DISTINCT m.user_id, r.name FROM memberships m JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id IN ({}) AND (m.node_id IN \
             (SELECT descendant_id FROM node_closure WHERE ancestor_id = {n}){above}) \
         ORDER BY m.user_id, r.name",
        ids.join(", ")
    );
    let rows: Vec<(i64, String)> = bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
    for (user, role) in rows {
        out.entry(user).or_default().push(role);
    }
    Ok(out)
}

/// The names of the nodes among `homes` that are not archived and lie under one of `roots`
/// (the nodes where the caller may view accounts).
pub async fn visible_node_names(
    conn: &mut AnyConnection,
    homes: &[i64],
    roots: &[NodeId],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    if homes.is_empty() || roots.is_empty() {
        return Ok(HashMap::new());
    }
    let mut args = Args::default();
    let homes: Vec<String> = homes.iter().map(|h| args.int(*h)).collect();
    let roots: Vec<String> = roots.iter().map(|r| args.int(r.0)).collect();
    let sql = format!(
        "SELECT n.id, n.name FROM nodes n WHERE n.id IN ({}) AND n.archived_at IS NULL \
         AND EXISTS (SELECT 1 FROM node_closure c WHERE c.descendant_id = n.id \
                     AND c.ancestor_id IN ({}))",
        homes.join(", "),
        roots.join(", ")
    );
    let rows: Vec<(i64, String)> = bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
    Ok(rows.into_iter().collect())
}

/// Those of `users` within reach at the scope (not deleted), with their names.
pub async fn within_reach(
    conn: &mut AnyConnection,
    scope: &Scope,
    users: &[i64],
) -> Result<HashMap<i64, String>, sqlx::Error> {
    if users.is_empty() {
        return Ok(HashMap::new());
    }
    let mut args = Args::default();
    let ids: Vec<String> = users.iter().map(|u| args.int(*u)).collect();
    let cond = reach(&mut args, scope, "u");
    let sql = format!(
        "SELECT u.id, u.first_name, u.last_name FROM users u WHERE u.id IN ({}) \
         AND u.status <> 'deleted' AND {cond}",
        ids.join(", ")
    );
    let rows: Vec<(i64, String, String)> =
        bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, f, l)| (id, format!("{f} {l}").trim().to_string())).collect())
}

/// Whether `node` is `ancestor` or below it.
pub async fn is_at_or_below(
    conn: &mut AnyConnection,
    node: NodeId,
    ancestor: NodeId,
) -> Result<bool, sqlx::Error> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM node_closure WHERE ancestor_id = $1 AND descendant_id = $2",
    )
    .bind(ancestor.0)
    .bind(node.0)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The query plan of `sql`, one line per step, as the database prints it (for the plan
/// checks of the tests and the benchmark).
pub async fn explain(
    conn: &mut AnyConnection,
    backend: Backend,
    plan: Plan,
    scope: &Scope,
    c: &Criteria,
    after: Option<&After>,
    limit: u32,
) -> Result<String, sqlx::Error> {
    let mut args = Args::default();
    let sql = statement(&mut args, backend, plan, scope, c, after, limit);
    match backend {
        Backend::Sqlite => {
            let sql = format!("EXPLAIN QUERY PLAN {sql}");
            let rows: Vec<(i64, i64, i64, String)> =
                bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
            Ok(rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("\n"))
        }
        Backend::Postgres => {
            let sql = format!("EXPLAIN {sql}");
            let rows: Vec<(String,)> = bound!(sqlx::query_as(&sql), args).fetch_all(conn).await?;
            Ok(rows.into_iter().map(|r| r.0).collect::<Vec<_>>().join("\n"))
        }
    }
}

/// The position after `row` in the order of `c` (for callers that page on their own).
pub fn after_row(row: &Row, c: &Criteria) -> After {
    After { keys: after_values(row, c.sort), id: row.id }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_normalise_the_filter() {
        let c = Criteria::new("  ada   lov ", &[], None, None, SortKey::Name, false);
        assert_eq!(c.words, vec!["ada", "lov"]);
        let all_but_deleted: Vec<UserStatus> =
            UserStatus::ALL.into_iter().filter(|s| *s != UserStatus::Deleted).collect();
        let c = Criteria::new("", &all_but_deleted, None, None, SortKey::Name, false);
        assert!(c.statuses.is_empty() && !c.nobody, "every state is no filter");
        let c = Criteria::new("", &[UserStatus::Deleted], None, None, SortKey::Name, false);
        assert!(c.nobody, "deleted people are never listed");
        let c = Criteria::new("a b c d e f g", &[], None, None, SortKey::Name, false);
        assert_eq!(c.words.len(), MAX_WORDS);
    }

    #[test]
    fn cursors_are_opaque_and_checked() {
        let cur = Cursor {
            s: "name".into(),
            k: vec![KeyValue::Text("lovelace".into()), KeyValue::Text("ada".into())],
            i: 42,
            p: Plan::Walk,
            c: 1_000_000,
            e: false,
            f: 7,
        };
        let text = cur.encode();
        assert!(text.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(Cursor::decode(&text), Some(cur));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(&hex::encode(b"{\"s\":1}")), None);
    }

    #[test]
    fn keyset_compares_the_whole_sort_key() {
        let mut args = Args::default();
        let after = After { keys: vec![KeyValue::Int(5)], id: 9 };
        let sql = keyset(&mut args, SortKey::Created, true, &after, "u");
        assert_eq!(sql, "(u.created_at, u.id) < ($1, $2)");
        assert_eq!(order_by(SortKey::Name, false, "u"), "u.last_key, u.first_key, u.id");
    }
}
