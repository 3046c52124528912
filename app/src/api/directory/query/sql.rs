//! The conditions a person must meet, the sources a gathered page draws its candidates from,
//! and the gathering statement.
//!
//! Search is by prefix on the generated, lower-cased `*_key` columns (migration 0005):
//! `key >= lower(word) AND key < lower(word) || U+10FFFF`, one index range, the same SQL on
//! both backends (the keys compare bytewise: `COLLATE "C"` on PostgreSQL).

use super::{
    binds::Args,
    criteria::{Criteria, Scope},
    order::{KeyValue, Position, keyset, order_by},
};
use crate::{api::directory::SortKey, domain::RoleId};
use serde::{Deserialize, Serialize};

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

/// The columns of a [`Row`] in `users u`.
pub(super) const COLUMNS: &str = "u.id, u.first_name, u.last_name, u.email, u.username, \
     u.status, u.home_node_id, u.created_at, u.last_key, u.first_key, u.email_key";

impl Row {
    /// The position of this row in the order `sort` (the next page starts after it).
    pub fn position(&self, sort: SortKey) -> Position {
        let t = |s: &str| KeyValue::Text(s.to_string());
        let keys = match sort {
            SortKey::Name => vec![t(&self.last_key), t(&self.first_key)],
            SortKey::Email => vec![t(&self.email_key)],
            SortKey::Status => vec![t(&self.status), t(&self.last_key), t(&self.first_key)],
            SortKey::Created => vec![KeyValue::Int(self.created_at)],
        };
        Position { keys, id: self.id }
    }
}

/// The columns a search word may be the start of.
const SEARCHED: [&str; 4] = ["first_key", "last_key", "email_key", "username_key"];

/// `word`'s range in a `*_key` column: `key >= lo AND key < hi` (see the module
/// documentation); the placeholders of both ends.
fn prefix_range(args: &mut Args, word: &str) -> (String, String) {
    (args.text(word), args.text(format!("{word}\u{10FFFF}")))
}

/// "`a` is within reach": at home at or below the node, holding a role at or below it, or
/// (inherited) holding a role above it.
pub(super) fn reach(args: &mut Args, scope: &Scope, a: &str) -> String {
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
    let (lo, hi) = prefix_range(args, word);
    SEARCHED
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

/// Which conditions a statement checks on each person (the source of a gather implies its
/// own condition only when it is the reach).
pub(super) struct Checks<'a> {
    pub scope: &'a Scope,
    pub c: &'a Criteria,
    /// The reach is implied (gathered from it).
    pub skip_reach: bool,
    /// Checked by the statement itself (a walk over one state).
    pub skip_status: bool,
    pub after: Option<&'a Position>,
}

impl<'a> Checks<'a> {
    /// Every condition of `c` at `scope`.
    pub(super) fn all(scope: &'a Scope, c: &'a Criteria) -> Self {
        Checks { scope, c, skip_reach: false, skip_status: false, after: None }
    }
}

/// The conditions of `k` on the person `a`, joined by `AND`.
pub(super) fn conditions(args: &mut Args, k: &Checks<'_>, a: &str) -> String {
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

/// Where the candidates of a gathered page come from. Its variant names are kept in cursors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Source {
    /// The people within reach.
    Reach,
    /// Those with a name, e-mail or username starting with the longest search word.
    Prefix,
    /// The holders of the chosen role.
    Role,
    /// The people in the chosen states.
    Status,
}

/// The sources `c` can be gathered from, the likely smallest first.
pub(super) fn sources_for(c: &Criteria) -> Vec<Source> {
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

/// The candidate ids of a source (with repeats: a person at home and holding a role here).
pub(super) fn source_sql(args: &mut Args, source: Source, scope: &Scope, c: &Criteria) -> String {
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
            let (lo, hi) = prefix_range(args, c.search_word().unwrap_or_default());
            SEARCHED
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

/// What a gathering statement returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gathered {
    /// A page of this many rows.
    Page(u32),
    /// A page, each row with the number of rows matching in all (`total`): the count of a
    /// first page comes with it, from the same pass over the candidates.
    CountedPage(u32),
    /// Only the number of rows matching.
    Count,
}

/// The statement of a gathered page, or of its count: the candidates of `source`, once
/// each, checked against every other condition, sorted, and cut after the position.
pub(super) fn gather_sql(
    args: &mut Args,
    source: Source,
    scope: &Scope,
    c: &Criteria,
    after: Option<&Position>,
    what: Gathered,
) -> String {
    let src = source_sql(args, source, scope, c);
    let checks = Checks { skip_reach: source == Source::Reach, after, ..Checks::all(scope, c) };
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
