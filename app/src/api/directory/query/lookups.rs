//! What the directory reads besides its pages: the roles and home accounts shown on a page's
//! rows (one statement each for the whole page), and who of a chosen few is within reach
//! (bulk actions).

use super::{binds::Args, criteria::Scope, sql::reach};
use crate::domain::NodeId;
use sqlx::AnyConnection;
use std::collections::HashMap;

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
    let ids = args.int_list(users.iter().copied());
    let above = if scope.inherited {
        format!(" OR m.node_id IN (SELECT ancestor_id FROM node_closure WHERE descendant_id = {n})")
    } else {
        String::new()
    };
    let sql = format!(
        "SELECT DISTINCT m.user_id, r.name FROM memberships m JOIN roles r ON r.id = m.role_id \
         WHERE m.user_id IN ({ids}) AND (m.node_id IN \
             (SELECT descendant_id FROM node_closure WHERE ancestor_id = {n}){above}) \
         ORDER BY m.user_id, r.name"
    );
    let rows: Vec<(i64, String)> = args.query_as(&sql).fetch_all(conn).await?;
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
    let homes = args.int_list(homes.iter().copied());
    let roots = args.int_list(roots.iter().map(|r| r.0));
    let sql = format!(
        "SELECT n.id, n.name FROM nodes n WHERE n.id IN ({homes}) AND n.archived_at IS NULL \
         AND EXISTS (SELECT 1 FROM node_closure c WHERE c.descendant_id = n.id \
                     AND c.ancestor_id IN ({roots}))"
    );
    let rows: Vec<(i64, String)> = args.query_as(&sql).fetch_all(conn).await?;
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
    let ids = args.int_list(users.iter().copied());
    let cond = reach(&mut args, scope, "u");
    let sql = format!(
        "SELECT u.id, u.first_name, u.last_name FROM users u WHERE u.id IN ({ids}) \
         AND u.status <> 'deleted' AND {cond}"
    );
    let rows: Vec<(i64, String, String)> = args.query_as(&sql).fetch_all(conn).await?;
    Ok(rows.into_iter().map(|(id, f, l)| (id, format!("{f} {l}").trim().to_string())).collect())
}
