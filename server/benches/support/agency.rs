//! A generated agency, shared by the directory benchmark (`benches/directory.rs`) and the
//! seeder of the HTTP benchmark (`examples/seed.rs`, run by `scripts/bench.sh`). Both include
//! this file with `#[path]`, so the data is generated one way only.
//!
//! - a tree of accounts under the agency, each with groups of sub-groups, named like an
//!   insurance agency's offices and teams;
//! - people at home in a random account; first and last names drawn with Zipf-like weights
//!   from lists of 120 and 164 names (some common, some rare, as real names are), e-mail
//!   `first.last.ID@example.com`, username `firstlastID`; 85% active, 7% invited, 3%
//!   suspended, 3% disabled, 2% deleted; added one a minute up to [`NOW`];
//! - the first few people are Agency Administrators at the agency; every other person holds a
//!   role at a random group of their account, one in ten Account Admin at the account too,
//!   and (`second_role_percent`) a second role at another group of their account.
//!
//! Everything is drawn from the caller's random generator in a fixed order, so a fixed seed
//! and shape give the same agency at every run. Rows are written as multi-row `INSERT`s of
//! literals (seconds for 100,000 people on SQLite; see `write` for the transactions).

// Each includer uses a part of this module.
#![allow(dead_code)]

use app::{
    domain::BuiltinRole,
    server::db::{Backend, Db},
};
use rand::{Rng, rngs::StdRng};
use sqlx::Executor;

/// The time of generation: fixed, so runs are alike.
pub const NOW: i64 = 1_790_000_000_000;
/// Rows per `INSERT` statement.
const BATCH: usize = 2_000;

const FIRST: &str = "
    james mary robert patricia john jennifer michael linda david elizabeth william barbara
    richard susan joseph jessica thomas sarah charles karen christopher lisa daniel nancy
    matthew betty anthony margaret mark sandra donald ashley steven kimberly paul emily
    andrew donna joshua michelle kenneth carol kevin amanda brian dorothy george melissa
    timothy deborah ronald stephanie edward rebecca jason sharon jeffrey laura ryan cynthia
    jacob kathleen gary amy nicholas angela eric shirley jonathan anna stephen brenda larry
    pamela justin emma scott nicole brandon helen benjamin samantha samuel katherine gregory
    christine alexander debra frank rachel patrick carolyn raymond janet jack catherine
    dennis maria jerry heather tyler diane aaron ruth jose julie adam olivia nathan joyce
    henry virginia douglas victoria zachary kelly peter lauren kyle christina";

const LAST: &str = "
    smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez
    lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson
    white harris sanchez clark ramirez lewis robinson walker young allen king wright scott
    torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter
    roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart
    morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed
    kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray
    mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez
    powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales
    fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds
    griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar
    stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington
    kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson
    porter hunter gordon mendez silva zeller";

/// Account names (an office per city); past the end of the list they get a number.
const CITIES: &str = "
    Boston Chicago Denver Houston Phoenix Seattle Portland Atlanta Miami Dallas Austin
    Nashville Detroit Cleveland Columbus Memphis Louisville Baltimore Richmond Raleigh Tampa
    Orlando Omaha Tulsa Wichita Boise Reno Tucson Albuquerque Sacramento Fresno Oakland
    Spokane Madison Milwaukee Minneapolis Buffalo Albany Hartford Providence Newark Pittsburgh
    Charlotte Savannah Birmingham Jackson Lexington Knoxville Anchorage Honolulu";

/// Group names in each account; sub-groups are their teams.
const GROUP_NAMES: [&str; 4] = ["Sales", "Claims", "Service", "Renewals"];

/// The size and make-up of the generated agency.
pub struct Shape {
    pub accounts: usize,
    /// Groups per account.
    pub groups: usize,
    /// Sub-groups per group.
    pub subgroups: usize,
    pub people: usize,
    /// The first this many people are Agency Administrators at the agency (and hold nothing
    /// else).
    pub agency_admins: usize,
    /// Percent of the other people who hold a second role, at another group of their account.
    pub second_role_percent: u32,
}

struct Node {
    id: i64,
    /// Index of the parent in `Tree::nodes`.
    parent: Option<usize>,
    depth: usize,
    name: String,
}

/// The generated tree: the agency first, then each account followed by its groups, each
/// group by its sub-groups.
pub struct Tree {
    nodes: Vec<Node>,
    /// The account ids.
    pub accounts: Vec<i64>,
    /// The ids of the groups and sub-groups of each account (by account index).
    pub below: Vec<Vec<i64>>,
}

/// The tree of `shape` under the agency `agency`; new nodes are numbered from `first_id`.
pub fn tree(shape: &Shape, agency: i64, first_id: i64) -> Tree {
    let cities: Vec<&str> = CITIES.split_whitespace().collect();
    let mut nodes = vec![Node { id: agency, parent: None, depth: 0, name: "Agency".into() }];
    let (mut accounts, mut below) = (Vec::new(), Vec::new());
    let mut next = first_id;
    let mut add = |nodes: &mut Vec<Node>, parent: usize, name: String| {
        let depth = nodes[parent].depth + 1;
        nodes.push(Node { id: next, parent: Some(parent), depth, name });
        next += 1;
        (nodes.len() - 1, next - 1)
    };
    for a in 0..shape.accounts {
        let name = match cities.get(a) {
            Some(city) => format!("{city} office"),
            None => format!("{} office {}", cities[a % cities.len()], a / cities.len() + 1),
        };
        let (account_at, account) = add(&mut nodes, 0, name);
        accounts.push(account);
        let mut mine = Vec::new();
        for g in 0..shape.groups {
            let group = GROUP_NAMES[g % GROUP_NAMES.len()];
            let name = match g / GROUP_NAMES.len() {
                0 => group.to_string(),
                n => format!("{group} {}", n + 1),
            };
            let (group_at, group_id) = add(&mut nodes, account_at, name.clone());
            mine.push(group_id);
            for s in 0..shape.subgroups {
                mine.push(add(&mut nodes, group_at, format!("{name} team {}", s + 1)).1);
            }
        }
        below.push(mine);
    }
    Tree { nodes, accounts, below }
}

impl Tree {
    /// Nodes, the agency included.
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The closure rows of the node at `at`: (ancestor id, depth), itself at depth 0.
    fn ancestors_or_self(&self, at: usize) -> Vec<(i64, usize)> {
        let mut out = vec![(self.nodes[at].id, 0)];
        let mut here = at;
        while let Some(p) = self.nodes[here].parent {
            out.push((self.nodes[p].id, out.len()));
            here = p;
        }
        out
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// An index into a list, the first ones far likelier (weights 1/(rank+1)).
fn zipf(rng: &mut StdRng, cumulative: &[f64]) -> usize {
    let x = rng.r#gen::<f64>() * cumulative[cumulative.len() - 1];
    cumulative.partition_point(|c| *c < x)
}

fn cumulative(n: usize) -> Vec<f64> {
    let mut total = 0.0;
    (0..n)
        .map(|i| {
            total += 1.0 / (i as f64 + 1.0);
            total
        })
        .collect()
}

/// The people and their role grants, as SQL row literals.
pub struct People {
    users: Vec<String>,
    grants: Vec<String>,
    /// An active person holding two or more roles (not an agency administrator), for pages
    /// about one person.
    pub sample: Option<i64>,
}

impl People {
    pub fn count(&self) -> usize {
        self.users.len()
    }

    pub fn grants(&self) -> usize {
        self.grants.len()
    }
}

/// Generates the people of `shape` in `tree`, numbered from `first_user`.
pub fn people(
    shape: &Shape,
    t: &Tree,
    rng: &mut StdRng,
    first_user: i64,
    role_ids: &[(BuiltinRole, i64)],
) -> People {
    let (first_names, last_names): (Vec<&str>, Vec<&str>) =
        (FIRST.split_whitespace().collect(), LAST.split_whitespace().collect());
    let (first_w, last_w) = (cumulative(first_names.len()), cumulative(last_names.len()));
    let role = |r: BuiltinRole| role_ids.iter().find(|(b, _)| *b == r).expect("built-in role").1;
    let local_roles = [
        BuiltinRole::User,
        BuiltinRole::CallAgent,
        BuiltinRole::CallManager,
        BuiltinRole::MessagingAgent,
    ];
    let agency = t.nodes[0].id;
    let n = shape.people;
    let mut out =
        People { users: Vec::with_capacity(n), grants: Vec::with_capacity(n * 2), sample: None };
    for i in 0..n {
        let id = first_user + i as i64;
        let account = rng.gen_range(0..t.accounts.len());
        let first = first_names[zipf(rng, &first_w)];
        let last = last_names[zipf(rng, &last_w)];
        let status = match rng.gen_range(0..100) {
            0..85 => "active",
            85..92 => "invited",
            92..95 => "suspended",
            95..98 => "disabled",
            _ => "deleted",
        };
        let created = NOW - (n - 1 - i) as i64 * 60_000;
        out.users.push(format!(
            "({id}, '{first}.{last}.{id}@example.com', '{first}{last}{id}', '{}', '{}', \
             '{status}', {}, {agency}, {created}, {created}, {created})",
            capitalise(first),
            capitalise(last),
            t.accounts[account]
        ));
        if i < shape.agency_admins {
            let r = role(BuiltinRole::AgencyAdministrator);
            out.grants.push(format!("({id}, {agency}, {r}, {NOW})"));
            continue;
        }
        let groups = &t.below[account];
        let at = rng.gen_range(0..groups.len());
        let r = role(local_roles[rng.gen_range(0..local_roles.len())]);
        out.grants.push(format!("({id}, {}, {r}, {NOW})", groups[at]));
        let mut held = 1;
        if rng.gen_range(0..10) == 0 {
            let r = role(BuiltinRole::AccountAdmin);
            out.grants.push(format!("({id}, {}, {r}, {NOW})", t.accounts[account]));
            held += 1;
        }
        // Drawn only when asked for, so a shape without second roles draws what it always did.
        if shape.second_role_percent > 0 && rng.gen_range(0..100) < shape.second_role_percent {
            let other = rng.gen_range(0..groups.len() - 1);
            let other = if other >= at { other + 1 } else { other };
            let r = role(local_roles[rng.gen_range(0..local_roles.len())]);
            out.grants.push(format!("({id}, {}, {r}, {NOW})", groups[other]));
            held += 1;
        }
        if out.sample.is_none() && status == "active" && held >= 2 {
            out.sample = Some(id);
        }
    }
    out
}

async fn insert_rows(
    tx: &mut sqlx::AnyConnection,
    head: &str,
    rows: impl Iterator<Item = String>,
) -> anyhow::Result<()> {
    let mut chunk = Vec::with_capacity(BATCH);
    for row in rows {
        chunk.push(row);
        if chunk.len() == BATCH {
            tx.execute(format!("{head} VALUES {}", chunk.join(",")).as_str()).await?;
            chunk.clear();
        }
    }
    if !chunk.is_empty() {
        tx.execute(format!("{head} VALUES {}", chunk.join(",")).as_str()).await?;
    }
    Ok(())
}

/// Writes the tree (its agency too unless `agency_exists`) and the people in one
/// transaction, then their role grants, then tidies the database as a long-running one
/// would be.
///
/// The grants are committed a batch at a time: the triggers that keep the role holder counts
/// (migration 0014) update the same few counter rows (the agency's, one per role) for every
/// grant, and on PostgreSQL each update of a row leaves a version that later updates in the
/// same transaction must step over, so one transaction of all the grants takes quadratic
/// time (20,000 people: 28 s; 1,000,000 would take hours). Committed batches are pruned.
pub async fn write(db: &Db, t: &Tree, people: People, agency_exists: bool) -> anyhow::Result<()> {
    let skip = usize::from(agency_exists);
    let mut tx = db.begin().await?;
    insert_rows(
        &mut tx,
        "INSERT INTO nodes (id, parent_id, kind, name, created_at)",
        t.nodes.iter().skip(skip).map(|n| {
            let kind = ["agency", "account", "group"][n.depth.min(2)];
            let parent = n.parent.map_or("NULL".to_string(), |p| t.nodes[p].id.to_string());
            format!("({}, {parent}, '{kind}', '{}', {NOW})", n.id, n.name)
        }),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO node_closure (ancestor_id, descendant_id, depth)",
        (skip..t.nodes.len()).flat_map(|at| {
            let id = t.nodes[at].id;
            t.ancestors_or_self(at).into_iter().map(move |(a, d)| format!("({a}, {id}, {d})"))
        }),
    )
    .await?;
    insert_rows(
        &mut tx,
        "INSERT INTO users (id, email, username, first_name, last_name, status, home_node_id, \
         agency_id, status_changed_at, created_at, updated_at)",
        people.users.into_iter(),
    )
    .await?;
    tx.commit().await?;
    for batch in people.grants.chunks(BATCH) {
        let mut tx = db.begin().await?;
        insert_rows(
            &mut tx,
            "INSERT INTO memberships (user_id, node_id, role_id, granted_at)",
            batch.iter().cloned(),
        )
        .await?;
        tx.commit().await?;
    }
    if db.backend == Backend::Postgres {
        // The ids were given explicitly: move the identity sequences past them.
        for table in ["users", "nodes"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT MAX(id) FROM {table}))"
            );
            (&db.pool).execute(sql.as_str()).await?;
        }
    }
    // As a long-running database would be after autovacuum (PostgreSQL: statistics, and
    // the visibility map that lets index-only scans skip the table) or `PRAGMA optimize`
    // (SQLite).
    let tidy = if db.backend == Backend::Postgres { "VACUUM ANALYZE" } else { "ANALYZE" };
    (&db.pool).execute(tidy).await?;
    Ok(())
}
