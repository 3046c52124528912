//! "Not yours" and "not there" must be one answer: for every case that names an object of the
//! other agency by id, the same call with ids that never existed in their place must get the
//! same status and the same body. Otherwise 403 against 404 (or two wordings) tells a caller
//! which ids another tenant has.
//!
//! Which form fields carry ids of what is declared once, in [`REFS`]; a field that looks like
//! an id (`…_id`, `…_ids[…]`) and is not declared fails the suite, so a new endpoint cannot
//! slip past the check.

use super::fixture::{Node, World};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// The tables ids are looked up in, for deciding whether an id is the other agency's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Of {
    Nodes,
    Users,
    Roles,
    Invitations,
    Contacts,
    /// Call teams and teams: `team_id` names either.
    Teams,
    Numbers,
    Groups,
}

/// Form fields (a name, or the start of a list's `name[i]`) and what their ids are ids of.
const REFS: &[(&str, Of)] = &[
    ("node_id", Of::Nodes),
    ("root_id", Of::Nodes),
    ("parent_id", Of::Nodes),
    ("new_parent_id", Of::Nodes),
    ("agency_node_id", Of::Nodes),
    ("agency_id", Of::Nodes),
    ("user_id", Of::Users),
    ("user_ids[", Of::Users),
    ("subject_ids[", Of::Users),
    ("role_id", Of::Roles),
    ("role_ids[", Of::Roles),
    ("replacement", Of::Roles),
    ("action[AddRole]", Of::Roles),
    ("invitation_id", Of::Invitations),
    ("contact_id", Of::Contacts),
    ("team_id", Of::Teams),
    ("number_id", Of::Numbers),
    ("number_ids[", Of::Numbers),
    ("group_id", Of::Groups),
];

/// Fields named like ids that hold no id of an object.
const NOT_IDS: &[&str] = &["batch_id"];

/// The first id that never exists; each replaced id gets its own, so that an answer echoing
/// the id sent can be compared.
const NEVER: i64 = 987_654_000;

fn of(field: &str) -> Option<Of> {
    REFS.iter()
        .find(|(name, _)| field == *name || (name.ends_with('[') && field.starts_with(name)))
        .map(|(_, of)| *of)
}

fn looks_like_an_id(field: &str) -> bool {
    !NOT_IDS.contains(&field) && (field.ends_with("_id") || field.contains("_ids["))
}

/// Every id of the other agency (B and below), by table, as the database has them now (a
/// case makes objects of its own before it runs).
async fn other_agency(w: &World) -> BTreeMap<Of, BTreeSet<i64>> {
    let pool = &w.app.server.state.db.pool;
    let b = w.id(Node::B);
    let under = "SELECT descendant_id FROM node_closure WHERE ancestor_id = $1";
    let queries = [
        (Of::Nodes, under.to_string()),
        (
            Of::Users,
            format!(
                "SELECT id FROM users WHERE home_node_id IN ({under}) \
                 UNION SELECT user_id FROM memberships WHERE node_id IN ({under})"
            ),
        ),
        (Of::Roles, "SELECT id FROM roles WHERE agency_id = $1".to_string()),
        (Of::Invitations, format!("SELECT id FROM invitations WHERE node_id IN ({under})")),
        (Of::Contacts, format!("SELECT id FROM contacts WHERE node_id IN ({under})")),
        (
            Of::Teams,
            format!(
                "SELECT id FROM call_teams WHERE node_id IN ({under}) \
                 UNION SELECT id FROM teams WHERE node_id IN ({under})"
            ),
        ),
        (Of::Numbers, format!("SELECT id FROM tracking_numbers WHERE account_id IN ({under})")),
        (Of::Groups, format!("SELECT id FROM access_groups WHERE account_id IN ({under})")),
    ];
    let mut out = BTreeMap::new();
    for (table, sql) in queries {
        let rows: Vec<(i64,)> = sqlx::query_as(&sql).bind(b).fetch_all(pool).await.expect(&sql);
        out.insert(table, rows.into_iter().map(|r| r.0).collect());
    }
    out
}

/// A form with each id of the other agency replaced by one that never existed, and the
/// replacements (never-existing id, the id it stands for); `None` when the form names no
/// object of the other agency by id.
pub struct Phantom {
    pub form: Vec<(String, String)>,
    replaced: Vec<(i64, i64)>,
}

impl Phantom {
    /// `body`, an answer to the phantom form, with each never-existing id it echoes put back
    /// to the id it replaced: what the answer to the real form must be.
    pub fn as_if_real(&self, body: &str) -> String {
        let mut out = body.to_string();
        for (never, real) in &self.replaced {
            out = out.replace(&never.to_string(), &real.to_string());
        }
        out
    }
}

pub async fn phantom(w: &World, form: &[(String, String)], json_field: &str) -> Option<Phantom> {
    let theirs = other_agency(w).await;
    let mut replaced: Vec<(i64, i64)> = Vec::new();
    let mut swap = |table: Of, value: i64| -> Option<i64> {
        if !theirs[&table].contains(&value) {
            return None;
        }
        let never = NEVER + replaced.len() as i64;
        replaced.push((never, value));
        Some(never)
    };
    let mut out = Vec::with_capacity(form.len());
    for (field, value) in form {
        let new = if field == json_field {
            let mut json: Value = serde_json::from_str(value).expect("a JSON body");
            if let Value::Object(map) = &mut json {
                for (key, v) in map.iter_mut() {
                    let table = of(key);
                    assert!(table.is_some() || !looks_like_an_id(key), "{}", undeclared(key));
                    if let (Some(table), Some(id)) = (table, v.as_i64())
                        && let Some(never) = swap(table, id)
                    {
                        *v = Value::from(never);
                    }
                }
            }
            json.to_string()
        } else if field.starts_with("members[") {
            // Call team members: `user:ID` or `contact:ID`.
            let (kind, id) = value.split_once(':').expect("kind:id");
            let table = if kind == "user" { Of::Users } else { Of::Contacts };
            match id.parse().ok().and_then(|id| swap(table, id)) {
                Some(never) => format!("{kind}:{never}"),
                None => value.clone(),
            }
        } else {
            let table = of(field);
            assert!(table.is_some() || !looks_like_an_id(field), "{}", undeclared(field));
            match (table, value.parse::<i64>().ok()) {
                (Some(table), Some(id)) => swap(table, id).map_or(value.clone(), |n| n.to_string()),
                _ => value.clone(),
            }
        };
        out.push((field.clone(), new));
    }
    (!replaced.is_empty()).then_some(Phantom { form: out, replaced })
}

fn undeclared(field: &str) -> String {
    format!(
        "the form field {field:?} looks like an id: declare what it is an id of in REFS \
         (server/tests/isolation/phantom.rs), or list it in NOT_IDS"
    )
}
