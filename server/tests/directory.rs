//! The users directory, end to end over HTTP on SQLite and PostgreSQL: who is within reach
//! (direct and inherited, never the deleted), each filter, the prefix search, sorting both
//! ways, keyset paging that neither repeats nor skips anyone while people are added between
//! pages (gathered and walked), exact and estimated counts, the CSV export (formula
//! neutralisation, filter, authorisation), bulk actions with mixed outcomes, and the query
//! plans (each statement reads the indexes it was written for).

use crate::common::{self, Backend, START, TestApp, call, ok};
use app::{
    api::directory::{
        SortKey,
        query::{self, Criteria, Plan, Scope, Source},
    },
    domain::{BuiltinRole, Email, NodeId, NodeKind, RoleId, UserId, UserStatus},
    server::{
        db::Backend as DbBackend,
        repo::{memberships, nodes, roles, users},
    },
};
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};

on_both_backends!(
    reach_filters_search_and_sorting,
    paging_neither_repeats_nor_skips_while_people_are_added,
    counts_are_exact_when_cheap_and_labelled_estimates_otherwise,
    export_neutralises_formulas_filters_and_is_authorised,
    bulk_actions_handle_each_person_on_their_own,
    each_statement_reads_its_index,
    a_walk_reads_past_long_stretches_of_people_out_of_reach,
);

/// The agency (Acme, Ada administrating it) with an account North (and its group North
/// Team) and an account South; and a second agency, Bravo, with Bob at home in its account.
struct World {
    app: TestApp,
    agency: i64,
    north: i64,
    team: i64,
    south: i64,
    bravo_account: i64,
    roles: HashMap<BuiltinRole, i64>,
    /// People by e-mail local part.
    people: HashMap<String, i64>,
}

impl World {
    async fn build(backend: Backend, exact_count: u64) -> World {
        let app = TestApp::spawn_with(backend, |c| c.directory_exact_count = exact_count).await;
        assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
        let mut conn = app.server.state.db.pool.acquire().await.unwrap();
        let now = app.clock.now();
        let agency = nodes::find_agency_by_name(&mut conn, "Acme Agency").await.unwrap().unwrap();
        let add = |parent: NodeId, kind: NodeKind, name: &'static str| {
            let pool = app.server.state.db.pool.clone();
            async move {
                let mut c = pool.acquire().await.unwrap();
                nodes::insert(&mut c, Some(parent), kind, name, now).await.unwrap()
            }
        };
        let north = add(agency, NodeKind::Account, "North").await;
        let team = add(north, NodeKind::Group, "North Team").await;
        let south = add(agency, NodeKind::Account, "South").await;
        let bravo = nodes::insert(&mut conn, None, NodeKind::Agency, "Bravo", now).await.unwrap();
        let bravo_account = add(bravo, NodeKind::Account, "Bravo One").await;
        let mut roles_by = HashMap::new();
        for r in BuiltinRole::ALL {
            roles_by.insert(r, roles::builtin_id(&mut conn, r).await.unwrap().0);
        }
        let ada = users::find_id_by_email(&mut conn, &Email::parse("ada@example.com").unwrap())
            .await
            .unwrap()
            .unwrap();
        drop(conn);
        let mut people = HashMap::new();
        people.insert("ada".to_string(), ada.0);
        World {
            app,
            agency: agency.0,
            north: north.0,
            team: team.0,
            south: south.0,
            bravo_account: bravo_account.0,
            roles: roles_by,
            people,
        }
    }

    /// Adds someone with a password (so they can sign in), at home at `home`, in `status`;
    /// each a second after the one before.
    async fn person(
        &mut self,
        local: &str,
        first: &str,
        last: &str,
        home: i64,
        status: &str,
    ) -> i64 {
        let id = self.app.add_user(&format!("{local}@example.com"), first, home).await;
        self.app.clock.advance(1_000);
        sqlx::query("UPDATE users SET last_name = $1, status = $2 WHERE id = $3")
            .bind(last)
            .bind(status)
            .bind(id)
            .execute(&self.app.server.state.db.pool)
            .await
            .unwrap();
        self.people.insert(local.to_string(), id);
        id
    }

    async fn give(&self, user: i64, node: i64, role: BuiltinRole) {
        let mut conn = self.app.server.state.db.pool.acquire().await.unwrap();
        let role = RoleId(self.roles[&role]);
        memberships::grant(&mut conn, UserId(user), NodeId(node), role, None, START).await.unwrap();
    }

    fn id(&self, local: &str) -> i64 {
        self.people[local]
    }

    /// A team at `node` with these people on it (written directly: the test wants members
    /// the team page would refuse, too).
    async fn team_of(&self, node: i64, name: &str, members: &[&str]) -> i64 {
        let pool = &self.app.server.state.db.pool;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO teams (node_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(node)
        .bind(name)
        .bind(START)
        .fetch_one(pool)
        .await
        .unwrap();
        for m in members {
            sqlx::query("INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)")
                .bind(id)
                .bind(self.id(m))
                .execute(pool)
                .await
                .unwrap();
        }
        id
    }

    /// The cast of the filter tests.
    async fn cast(backend: Backend, exact_count: u64) -> World {
        let mut w = World::build(backend, exact_count).await;
        let (north, team, south) = (w.north, w.team, w.south);
        let grace = w.person("grace", "Grace", "Hopper", north, "active").await;
        let alan = w.person("alan.t", "Alan", "Turing", north, "active").await;
        w.person("barbara", "Barbara", "Liskov", north, "suspended").await;
        w.person("edsger", "Edsger", "Dijkstra", north, "invited").await;
        w.person("gone", "Gone", "Person", north, "deleted").await;
        w.person("ken", "Ken", "Thompson", team, "active").await;
        w.person("dennis", "Dennis", "Ritchie", south, "active").await;
        let linus = w.person("linus", "Linus", "Torvalds", south, "active").await;
        let anita = w.person("anita", "Anita", "Above", south, "active").await;
        let bravo_account = w.bravo_account;
        w.person("bob", "Bob", "Bravo", bravo_account, "active").await;
        let nina = w.person("nina", "Nina", "Northadmin", north, "active").await;
        w.give(grace, north, BuiltinRole::CallAgent).await;
        w.give(linus, team, BuiltinRole::CallAgent).await;
        w.give(anita, w.agency, BuiltinRole::Administrator).await;
        w.give(nina, north, BuiltinRole::AccountAdmin).await;
        let gone = w.id("gone");
        w.give(gone, north, BuiltinRole::CallAgent).await;
        sqlx::query("UPDATE users SET username = 'enigma' WHERE id = $1")
            .bind(alan)
            .execute(&w.app.server.state.db.pool)
            .await
            .unwrap();
        w
    }
}

/// A filter as the tests write it.
#[derive(Clone, Default)]
struct Q {
    query: &'static str,
    statuses: Vec<&'static str>,
    role: Option<i64>,
    subtree: Option<i64>,
    team: Option<i64>,
    inherited: bool,
    sort: Option<&'static str>,
    descending: bool,
    size: u32,
}

fn form(node: i64, q: &Q, cursor: Option<&str>) -> Vec<(String, String)> {
    let mut f = vec![("node_id".to_string(), node.to_string())];
    let mut put = |k: &str, v: String| f.push((format!("filter[{k}]"), v));
    put("query", q.query.to_string());
    for (i, s) in q.statuses.iter().enumerate() {
        put(&format!("statuses][{i}"), s.to_string());
    }
    if let Some(r) = q.role {
        put("role_id", r.to_string());
    }
    if let Some(s) = q.subtree {
        put("subtree", s.to_string());
    }
    if let Some(t) = q.team {
        put("team_id", t.to_string());
    }
    put("inherited", q.inherited.to_string());
    if let Some(s) = q.sort {
        put("sort", s.to_string());
    }
    put("descending", q.descending.to_string());
    if q.size > 0 {
        put("page_size", q.size.to_string());
    }
    if let Some(c) = cursor {
        f.push(("cursor".into(), c.to_string()));
    }
    f
}

async fn list_as(
    app: &TestApp,
    c: &Client,
    node: i64,
    q: &Q,
    cursor: Option<&str>,
) -> (StatusCode, Value) {
    let f = form(node, q, cursor);
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(app, c, "list_directory", &pairs).await
}

async fn list(w: &World, node: i64, q: &Q) -> Value {
    let (status, body) = list_as(&w.app, &w.app.client, node, q, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The e-mail local parts of a page, in order.
fn locals(page: &Value) -> Vec<String> {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["email"].as_str().unwrap().split('@').next().unwrap().to_string())
        .collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn found(page: &Value) -> BTreeSet<String> {
    locals(page).into_iter().collect()
}

fn row<'a>(page: &'a Value, local: &str) -> &'a Value {
    page["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == format!("{local}@example.com"))
        .unwrap_or_else(|| panic!("{local} not in {page}"))
}

async fn reach_filters_search_and_sorting(backend: Backend) {
    let w = World::cast(backend, 5_000).await;
    let north = w.north;
    let direct = ["grace", "alan.t", "barbara", "edsger", "ken", "linus", "nina"];

    // Within reach at North: at home there or below, or holding a role there or below;
    // never the deleted one, nor the people of South or of the other agency.
    let page = list(&w, north, &Q::default()).await;
    assert_eq!(found(&page), set(&direct));
    assert_eq!((page["count"].as_u64(), page["count_exact"].as_bool()), (Some(7), Some(true)));
    assert!(page["next_cursor"].is_null());
    // With inherited access: also those holding a role above (Anita; Ada, the agency's
    // administrator).
    let page = list(&w, north, &Q { inherited: true, ..Q::default() }).await;
    let mut with_above = set(&direct);
    with_above.extend(set(&["anita", "ada"]));
    assert_eq!(found(&page), with_above);
    assert_eq!(row(&page, "anita")["roles_here"], serde_json::json!(["Administrator"]));
    // Roles in view, and home accounts.
    let page = list(&w, north, &Q::default()).await;
    assert_eq!(row(&page, "linus")["roles_here"], serde_json::json!(["Call Agent"]));
    assert_eq!(row(&page, "linus")["home_node_name"], "South");
    assert_eq!(row(&page, "ken")["home_node_name"], "North Team");
    assert_eq!(row(&page, "alan.t")["roles_here"], serde_json::json!([]));
    assert_eq!(row(&page, "alan.t")["username"], "enigma");
    // Nina administers North only: South, Linus' home, is not named to her.
    let nina = w.app.client_for("nina@example.com").await;
    let (status, page) = list_as(&w.app, &nina, north, &Q::default(), None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(found(&page), set(&direct));
    assert!(row(&page, "linus")["home_node_name"].is_null(), "{page}");
    assert_eq!(row(&page, "ken")["home_node_name"], "North Team");
    // ... and the agency is not hers to list.
    let (status, _) = list_as(&w.app, &nina, w.agency, &Q::default(), None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Search: each word the start of the first name, last name, e-mail or username,
    // whatever the case; a word in the middle finds nothing.
    let search = |query: &'static str| Q { query, ..Q::default() };
    for (query, expected) in [
        ("gr", vec!["grace"]),
        ("HOP", vec!["grace"]),
        ("ace", vec![]),
        ("grace hop", vec!["grace"]),
        ("hop grace", vec!["grace"]),
        ("grace tur", vec![]),
        ("enig", vec!["alan.t"]),
        ("alan.t@", vec!["alan.t"]),
        ("t", vec!["alan.t", "ken", "linus"]),
        ("%", vec![]),
        ("_", vec![]),
    ] {
        let page = list(&w, north, &search(query)).await;
        assert_eq!(found(&page), set(&expected), "search {query:?}");
        assert_eq!(page["count"].as_u64(), Some(expected.len() as u64), "count for {query:?}");
    }

    // Status (several at once), role, sub-tree.
    let states = |s: Vec<&'static str>| Q { statuses: s, ..Q::default() };
    assert_eq!(found(&list(&w, north, &states(vec!["Suspended"])).await), set(&["barbara"]));
    let page = list(&w, north, &states(vec!["Invited", "Suspended"])).await;
    assert_eq!(found(&page), set(&["barbara", "edsger"]));
    assert!(found(&list(&w, north, &states(vec!["Deleted"])).await).is_empty());
    let agent = w.roles[&BuiltinRole::CallAgent];
    let page = list(&w, north, &Q { role: Some(agent), ..Q::default() }).await;
    assert_eq!(found(&page), set(&["grace", "linus"]));
    let page = list(&w, north, &Q { subtree: Some(w.team), ..Q::default() }).await;
    assert_eq!(found(&page), set(&["ken", "linus"]));
    let (status, body) =
        list_as(&w.app, &w.app.client, north, &Q { subtree: Some(w.south), ..Q::default() }, None)
            .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("below this one"), "{body}");
    let combined = Q { query: "t", statuses: vec!["Active"], role: Some(agent), ..Q::default() };
    assert_eq!(found(&list(&w, north, &combined).await), set(&["linus"]));

    // Team: its members within reach only; a team the caller may not view is refused.
    let closers = w.team_of(north, "Closers", &["grace", "ken", "bob"]).await;
    let page = list(&w, north, &Q { team: Some(closers), ..Q::default() }).await;
    assert_eq!(found(&page), set(&["grace", "ken"]), "Bob (another agency) stays out of reach");
    let combined = Q { team: Some(closers), subtree: Some(w.team), ..Q::default() };
    assert_eq!(found(&list(&w, north, &combined).await), set(&["ken"]));
    let bravo_team = w.team_of(w.bravo_account, "Bravo crew", &["bob"]).await;
    for team in [bravo_team, closers + 1000] {
        let q = Q { team: Some(team), ..Q::default() };
        let (status, body) = list_as(&w.app, &w.app.client, north, &q, None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["fields"][0]["field"], "team_id", "{body}");
    }

    // Sorting, both ways, each key with the id as the last tie-breaker.
    let people: Vec<(String, String, String, String, i64, i64)> = {
        let rows: Vec<(String, String, String, String, i64, i64)> = sqlx::query_as(
            "SELECT email, first_name, last_name, status, created_at, id FROM users",
        )
        .fetch_all(&w.app.server.state.db.pool)
        .await
        .unwrap();
        rows.into_iter()
            .map(|(e, f, l, s, c, i)| (e.split('@').next().unwrap().to_string(), f, l, s, c, i))
            .filter(|p| direct.contains(&p.0.as_str()))
            .collect()
    };
    for (sort, desc) in [
        ("Name", false),
        ("Name", true),
        ("Email", false),
        ("Email", true),
        ("Status", false),
        ("Status", true),
        ("Created", false),
        ("Created", true),
    ] {
        let mut expected = people.clone();
        expected.sort_by(|a, b| {
            let key = |p: &(String, String, String, String, i64, i64)| match sort {
                "Name" => (p.2.to_lowercase(), p.1.to_lowercase(), String::new(), 0, p.5),
                "Email" => (p.0.clone(), String::new(), String::new(), 0, p.5),
                "Status" => (p.3.clone(), p.2.to_lowercase(), p.1.to_lowercase(), 0, p.5),
                _ => (String::new(), String::new(), String::new(), p.4, p.5),
            };
            key(a).cmp(&key(b))
        });
        if desc {
            expected.reverse();
        }
        let expected: Vec<String> = expected.into_iter().map(|p| p.0).collect();
        let page = list(&w, north, &Q { sort: Some(sort), descending: desc, ..Q::default() }).await;
        assert_eq!(locals(&page), expected, "sorted by {sort}, descending {desc}");
    }
}

/// Walks every page of `q` at `node` (`size` per page) and calls `between` after each.
async fn all_pages<F, Fut>(w: &World, node: i64, q: &Q, mut between: F) -> Vec<Value>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut rows = Vec::new();
    let mut cursor: Option<String> = None;
    for n in 0..100 {
        let (status, page) = list_as(&w.app, &w.app.client, node, q, cursor.as_deref()).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(page["rows"].as_array().unwrap().len() <= q.size as usize);
        rows.extend(page["rows"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return rows,
        }
        between(n).await;
    }
    panic!("more than 100 pages");
}

async fn paging_neither_repeats_nor_skips_while_people_are_added(backend: Backend) {
    // Once gathered (every count exact) and once walked (exact counts only up to 2).
    for exact_count in [1_000_000, 2] {
        let mut w = World::build(backend, exact_count).await;
        let north = w.north;
        // Names that sort in another order than they are added in.
        let mut initial = BTreeSet::new();
        for i in 0..23 {
            let last = format!("Mid{:02}", (i * 7) % 23);
            let local = format!("p{i}");
            w.person(&local, "Pat", &last, north, if i % 5 == 0 { "invited" } else { "active" })
                .await;
            initial.insert(local);
        }
        // Two people with the very same name: the id breaks the tie.
        w.person("twin1", "Sam", "Mid05", north, "active").await;
        w.person("twin2", "Sam", "Mid05", north, "active").await;
        initial.extend(set(&["twin1", "twin2"]));
        for (tag, (q, label)) in [
            (Q { size: 4, ..Q::default() }, "by name"),
            (
                Q { size: 3, sort: Some("Email"), descending: true, ..Q::default() },
                "by e-mail, descending",
            ),
            (Q { size: 4, statuses: vec!["Active", "Invited"], ..Q::default() }, "two states"),
        ]
        .into_iter()
        .enumerate()
        {
            let descending = q.descending;
            let added = std::cell::RefCell::new(Vec::new());
            let pool = w.app.server.state.db.pool.clone();
            let clock = w.app.clock.clone();
            let rows = all_pages(&w, north, &q, |n| {
                let pool = pool.clone();
                let clock = clock.clone();
                let added = &added;
                async move {
                    // Someone who sorts before everyone (never seen: their place is behind
                    // us) and someone who sorts after everyone, and after those added before
                    // (seen on a later page). By e-mail, descending: "zzz…" sorts first.
                    let (behind, ahead) = match descending {
                        false => (format!("aaa{tag}x{n:02}"), format!("zzz{tag}x{n:02}")),
                        true => (format!("zzz{tag}x{n:02}"), format!("aaa{tag}x{:02}", 99 - n)),
                    };
                    for (local, last) in [(behind, "Aaa"), (ahead, "Zzz")] {
                        let email = Email::parse(&format!("{local}@example.com")).unwrap();
                        let mut conn = pool.acquire().await.unwrap();
                        let new = users::NewUser {
                            email: &email,
                            first_name: "New",
                            last_name: last,
                            status: UserStatus::Active,
                            password_hash: None,
                            home_node: Some(NodeId(north)),
                        };
                        users::insert(&mut conn, new, clock.now()).await.unwrap();
                        added.borrow_mut().push(local);
                    }
                }
            })
            .await;
            let seen: Vec<String> = rows
                .iter()
                .map(|r| r["email"].as_str().unwrap().split('@').next().unwrap().to_string())
                .collect();
            let unique: BTreeSet<String> = seen.iter().cloned().collect();
            assert_eq!(unique.len(), seen.len(), "{label}: someone shown twice: {seen:?}");
            // Everyone who was there when paging started, exactly once.
            for p in &initial {
                assert!(unique.contains(p), "{label}: {p} was skipped ({seen:?})");
            }
            // The added people sorting after the last row were all reached ("zzz" by name;
            // by e-mail descending the "aaa" ones sort last instead), the others never.
            let later = if descending { "aaa" } else { "zzz" };
            for p in added.borrow().iter() {
                let must = p.starts_with(later);
                assert_eq!(unique.contains(p), must, "{label}: {p} (seen {seen:?})");
            }
            // And the order held across pages.
            let keys: Vec<(String, String, i64)> = rows
                .iter()
                .map(|r| {
                    let last = r["last_name"].as_str().unwrap().to_lowercase();
                    (last, r["email"].as_str().unwrap().to_string(), r["user_id"].as_i64().unwrap())
                })
                .collect();
            for pair in keys.windows(2) {
                let ordered = match q.sort {
                    Some("Email") => pair[0].1 > pair[1].1,
                    _ => (&pair[0].0, pair[0].2) < (&pair[1].0, pair[1].2),
                };
                assert!(ordered, "{label}: out of order {pair:?}");
            }
            // Put the added people out of the way of the next round.
            sqlx::query("UPDATE users SET status = 'deleted' WHERE first_name = 'New'")
                .execute(&w.app.server.state.db.pool)
                .await
                .unwrap();
        }
        // A cursor that was tampered with is refused, not read.
        let (status, body) =
            list_as(&w.app, &w.app.client, north, &Q::default(), Some("7b2273223a317d")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
}

async fn counts_are_exact_when_cheap_and_labelled_estimates_otherwise(backend: Backend) {
    // Exact counts only up to 4: larger lists are estimated (and walked).
    let mut w = World::build(backend, 4).await;
    let north = w.north;
    for i in 0..30 {
        let status = if i % 3 == 0 { "suspended" } else { "active" };
        w.person(&format!("c{i}"), &format!("Cee{i}"), "Counted", north, status).await;
    }
    let page = list(&w, north, &Q { size: 10, ..Q::default() }).await;
    assert_eq!(page["count_exact"], false, "{page}");
    let count = page["count"].as_u64().unwrap();
    assert!((10..=100).contains(&count), "an estimate of 30, not {count}");
    assert_eq!(page["rows"].as_array().unwrap().len(), 10);
    // A later page keeps the first page's count.
    let cursor = page["next_cursor"].as_str().unwrap();
    let (_, next) =
        list_as(&w.app, &w.app.client, north, &Q { size: 10, ..Q::default() }, Some(cursor)).await;
    assert_eq!((next["count"].as_u64(), next["count_exact"].as_bool()), (Some(count), Some(false)));
    // Narrow enough for a source within the limit (one first name starts so): exact.
    let page = list(&w, north, &Q { query: "cee29", ..Q::default() }).await;
    assert_eq!((page["count"].as_u64(), page["count_exact"].as_bool()), (Some(1), Some(true)));
    // Walked (11 first names start with "cee2", 10 people are suspended), still right:
    // c21, c24 and c27 are the suspended ones among them.
    let page =
        list(&w, north, &Q { query: "cee2", statuses: vec!["Suspended"], ..Q::default() }).await;
    assert_eq!(found(&page), set(&["c21", "c24", "c27"]));
    // The same list with exact counts up to 5,000: 30.
    let mut exact = World::build(backend, 5_000).await;
    let north2 = exact.north;
    for i in 0..30 {
        exact.person(&format!("c{i}"), "Cee", "Counted", north2, "active").await;
    }
    let page = list(&exact, north2, &Q { size: 10, ..Q::default() }).await;
    assert_eq!((page["count"].as_u64(), page["count_exact"].as_bool()), (Some(30), Some(true)));
}

/// GET `path` as `c`: status, headers, body.
async fn get(
    app: &TestApp,
    c: &Client,
    path: &str,
) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let res = c.get(app.url(path)).send().await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    (status, headers, res.text().await.unwrap())
}

async fn export_neutralises_formulas_filters_and_is_authorised(backend: Backend) {
    let mut w = World::cast(backend, 5_000).await;
    let north = w.north;
    let sly = w.person("sly", "=HYPERLINK(\"http://evil\")", "+SUM(A1)", north, "active").await;
    sqlx::query("UPDATE users SET username = '-2+3' WHERE id = $1")
        .bind(sly)
        .execute(&w.app.server.state.db.pool)
        .await
        .unwrap();
    w.give(sly, north, BuiltinRole::CallAgent).await;

    let (status, headers, body) =
        get(&w.app, &w.app.client, &format!("/export/users.csv?node_id={north}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        format!("attachment; filename=\"users-{north}.csv\"")
    );
    assert_eq!(headers["cache-control"], "no-store");
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        ["First name", "Last name", "E-mail", "Username", "Status", "Home account", "Roles here"]
    );
    let records: Vec<Vec<String>> =
        reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(records.len(), 8, "the 7 people of North and the sly one: {body}");
    let sly_row = records.iter().find(|r| r[2] == "sly@example.com").unwrap();
    assert_eq!(sly_row[0], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(sly_row[1], "'+SUM(A1)");
    assert_eq!(sly_row[3], "'-2+3");
    assert_eq!(sly_row[4], "Active");
    assert_eq!(sly_row[5], "North");
    assert_eq!(sly_row[6], "Call Agent");
    // In the page's order (by name: "+sum(a1)" sorts first), and no value left starting
    // with a formula character.
    assert_eq!(records[0][2], "sly@example.com");
    for r in &records {
        for v in r {
            assert!(!v.starts_with(['=', '+', '-', '@', '\t', '\r']), "{v:?}");
        }
    }

    // The page's filter parameters apply: search, state, sort; a space as `+` or `%20`.
    let (_, _, body) =
        get(&w.app, &w.app.client, &format!("/export/users.csv?node_id={north}&q=grace+hop")).await;
    assert_eq!(body.lines().count(), 2, "{body}");
    assert!(body.contains("grace@example.com"));
    let (_, _, body) = get(
        &w.app,
        &w.app.client,
        &format!("/export/users.csv?node_id={north}&status=suspended&status=invited&sort=-email"),
    )
    .await;
    let emails: Vec<&str> = body.lines().skip(1).map(|l| l.split(',').nth(2).unwrap()).collect();
    assert_eq!(emails, ["edsger@example.com", "barbara@example.com"]);
    let (_, _, body) = get(
        &w.app,
        &w.app.client,
        &format!("/export/users.csv?node_id={north}&inherited=1&q=anita"),
    )
    .await;
    assert!(body.contains("anita@example.com") && body.contains("Administrator"), "{body}");

    // Who may: the same check as the page (ViewUsers at the node).
    let anonymous = common::client();
    let (status, _, _) =
        get(&w.app, &anonymous, &format!("/export/users.csv?node_id={north}")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let nina = w.app.client_for("nina@example.com").await;
    let (status, _, body) = get(&w.app, &nina, &format!("/export/users.csv?node_id={north}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for node in [w.agency, w.south, w.bravo_account, 999_999] {
        let (status, _, body) =
            get(&w.app, &nina, &format!("/export/users.csv?node_id={node}")).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "node {node}: {body}");
        assert!(!body.contains("example.com"), "{body}");
    }
    let ken = w.app.client_for("ken@example.com").await;
    let (status, _, _) = get(&w.app, &ken, &format!("/export/users.csv?node_id={}", w.team)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "holding no role, Ken may list no one");
    // Bravo's administrator, on Acme's account.
    let bob = w.id("bob");
    let bravo_root: (i64,) = sqlx::query_as("SELECT id FROM nodes WHERE name = 'Bravo'")
        .fetch_one(&w.app.server.state.db.pool)
        .await
        .unwrap();
    w.give(bob, bravo_root.0, BuiltinRole::AgencyAdministrator).await;
    let bob = w.app.client_for("bob@example.com").await;
    let (status, _, _) = get(&w.app, &bob, &format!("/export/users.csv?node_id={north}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, body) =
        get(&w.app, &bob, &format!("/export/users.csv?node_id={}", w.bravo_account)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("bob@example.com") && !body.contains("grace"), "{body}");
    let (status, _, _) = get(&w.app, &w.app.client, "/export/users.csv").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn apply(
    w: &World,
    c: &Client,
    node: i64,
    ids: &[i64],
    action: &[(&str, String)],
) -> (StatusCode, Value) {
    let mut f: Vec<(String, String)> = vec![("node_id".into(), node.to_string())];
    for (i, id) in ids.iter().enumerate() {
        f.push((format!("user_ids[{i}]"), id.to_string()));
    }
    f.extend(action.iter().map(|(k, v)| (k.to_string(), v.clone())));
    let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    call(&w.app, c, "apply_to_users", &pairs).await
}

/// (done, message) for each person, by id.
fn outcomes(body: &Value) -> HashMap<i64, (bool, String, String)> {
    body.as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|o| {
            let id = o["user_id"].as_i64().unwrap();
            let name = o["name"].as_str().unwrap().to_string();
            (id, (o["done"].as_bool().unwrap(), o["message"].as_str().unwrap().to_string(), name))
        })
        .collect()
}

async fn audit_count(w: &World, action: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_log WHERE action = $1")
        .bind(action)
        .fetch_one(&w.app.server.state.db.pool)
        .await
        .unwrap();
    n
}

async fn bulk_actions_handle_each_person_on_their_own(backend: Backend) {
    let w = World::cast(backend, 5_000).await;
    let north = w.north;
    let agent = w.roles[&BuiltinRole::CallAgent].to_string();
    let (grace, alan, ken, bob) = (w.id("grace"), w.id("alan.t"), w.id("ken"), w.id("bob"));
    let (ada, barbara) = (w.id("ada"), w.id("barbara"));

    // Add a role: given, already held, out of reach (another agency), no such person.
    let granted = audit_count(&w, "role_granted").await;
    let (status, body) = apply(
        &w,
        &w.app.client,
        north,
        &[grace, alan, bob, 999_999],
        &[("action[AddRole]", agent.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let o = outcomes(&body);
    assert_eq!(o[&grace], (true, "Already held Call Agent here.".into(), "Grace Hopper".into()));
    assert_eq!(o[&alan], (true, "Call Agent given.".into(), "Alan Turing".into()));
    let hidden = "There is no such person, or they are out of your reach.".to_string();
    assert_eq!(o[&bob], (false, hidden.clone(), String::new()), "Bob is not named");
    assert_eq!(o[&999_999], (false, hidden.clone(), String::new()));
    assert_eq!(body.as_array().unwrap()[0]["user_id"], grace, "in the order given");
    assert_eq!(audit_count(&w, "role_granted").await, granted + 1, "one grant, one audit entry");
    let page =
        list(&w, north, &Q { role: Some(w.roles[&BuiltinRole::CallAgent]), ..Q::default() }).await;
    assert_eq!(found(&page), set(&["grace", "alan.t", "linus"]));

    // Remove it: taken from Alan; Ken does not hold it.
    let (_, body) =
        apply(&w, &w.app.client, north, &[alan, ken], &[("action[RemoveRole]", agent.clone())])
            .await;
    let o = outcomes(&body);
    assert!(o[&alan].0, "{body}");
    assert!(!o[&ken].0, "{body}");
    assert!(o[&ken].1.contains("does not hold the Call Agent role"), "{body}");

    // Suspend needs a reason, given once for everyone (a field error, nothing done).
    let (status, body) =
        apply(&w, &w.app.client, north, &[grace], &[("action[Suspend][reason]", " ".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "reason");
    // Grace is suspended; Ada cannot suspend herself; Barbara already is.
    let (status, body) = apply(
        &w,
        &w.app.client,
        north,
        &[grace, ada, barbara],
        &[("action[Suspend][reason]", "Security review".into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let o = outcomes(&body);
    assert!(o[&grace].0, "{body}");
    assert_eq!(o[&ada], (false, "You cannot suspend your own account.".into(), "Ada Admin".into()));
    assert_eq!(
        o[&barbara],
        (false, "Barbara Liskov is already suspended.".into(), "Barbara Liskov".into())
    );
    let page = list(&w, north, &Q { statuses: vec!["Suspended"], ..Q::default() }).await;
    assert_eq!(found(&page), set(&["grace", "barbara"]));

    // Disable.
    let (_, body) = apply(&w, &w.app.client, north, &[alan], &[("action", "Disable".into())]).await;
    assert_eq!(outcomes(&body)[&alan], (true, "Disabled.".into(), "Alan Turing".into()));

    // Resend invitations: Edna was invited (a new link goes out), Ken is active.
    let edna = {
        let role = agent.clone();
        let node = north.to_string();
        let invited = ok(
            &w.app,
            &w.app.client,
            "invite_user",
            &[
                ("node_id", &node),
                ("email", "edna@example.com"),
                ("first_name", "Edna"),
                ("last_name", "Invitee"),
                ("role_ids[0]", &role),
            ],
        )
        .await;
        invited["user_id"].as_i64().unwrap()
    };
    let mails = |w: &World| {
        let pool = w.app.server.state.db.pool.clone();
        async move {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE to_address = 'edna@example.com'")
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            n
        }
    };
    let before = mails(&w).await;
    let (_, body) =
        apply(&w, &w.app.client, north, &[edna, ken], &[("action", "ResendInvitation".into())])
            .await;
    let o = outcomes(&body);
    assert_eq!(o[&edna], (true, "Invitation sent again.".into(), "Edna Invitee".into()));
    assert!(!o[&ken].0, "{body}");
    assert!(o[&ken].1.contains("no invitation waiting"), "{body}");
    assert_eq!(mails(&w).await, before + 1);

    // Nina (Account Admin at North) may act at North, within her own rules: she cannot give
    // the Administrator role she does not hold all of, for anyone.
    let nina = w.app.client_for("nina@example.com").await;
    let admin = w.roles[&BuiltinRole::Administrator].to_string();
    let (status, body) = apply(&w, &nina, north, &[ken], &[("action[AddRole]", admin)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(!outcomes(&body)[&ken].0, "{body}");
    // Not at the agency; and someone holding no role at all nowhere.
    let (status, _) = apply(&w, &nina, w.agency, &[ken], &[("action", "Disable".into())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let kenc = w.app.client_for("ken@example.com").await;
    let (status, _) = apply(&w, &kenc, north, &[alan], &[("action", "Disable".into())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Another agency's role.
    let (status, body) =
        apply(&w, &w.app.client, north, &[ken], &[("action[AddRole]", "999999".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["fields"][0]["field"], "role_id");

    // At most 500 at once, at least one.
    let many: Vec<i64> = (1..=501).collect();
    let (status, body) =
        apply(&w, &w.app.client, north, &many, &[("action", "Disable".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("at most 500"), "{body}");
    let (status, _) = apply(&w, &w.app.client, north, &[], &[("action", "Disable".into())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn each_statement_reads_its_index(backend: Backend) {
    let w = World::cast(backend, 5_000).await;
    let db = &w.app.server.state.db;
    let mut conn = db.pool.acquire().await.unwrap();
    let pg = db.backend == DbBackend::Postgres;
    if pg {
        // On a table this small a sequential scan wins; forbid it, so that only a plan
        // with no index to use at all would still scan.
        sqlx::query("SET enable_seqscan = off").execute(&mut *conn).await.unwrap();
    }
    let north = Scope { node: NodeId(w.north), inherited: true };
    let agent = RoleId(w.roles[&BuiltinRole::CallAgent]);
    let active = [UserStatus::Active, UserStatus::Invited];
    let cases: Vec<(Plan, Criteria, &[&str])> = vec![
        (Plan::Walk, Criteria::new("", &[], None, None, SortKey::Name, false), &["users_dir_name"]),
        (
            Plan::Walk,
            Criteria::new("gr", &[], None, None, SortKey::Email, true),
            &["users_dir_email"],
        ),
        (
            Plan::Walk,
            Criteria::new("", &[], None, None, SortKey::Created, true),
            &["users_dir_created"],
        ),
        (
            Plan::Walk,
            Criteria::new("", &active, None, None, SortKey::Name, false),
            &["users_dir_status"],
        ),
        (
            Plan::Walk,
            Criteria::new("", &[], None, None, SortKey::Status, false),
            &["users_dir_status"],
        ),
        (
            Plan::Gather(Source::Prefix),
            Criteria::new("grace", &[], None, None, SortKey::Name, false),
            &["users_dir_first", "users_dir_name", "users_dir_email", "users_dir_username"],
        ),
        (
            Plan::Gather(Source::Reach),
            Criteria::new("", &[], None, None, SortKey::Name, false),
            &["users_home_node|users_dir_home"],
        ),
        (
            Plan::Gather(Source::Role),
            Criteria::new("", &[], Some(agent), None, SortKey::Name, false),
            &["memberships"],
        ),
        (
            Plan::Gather(Source::Status),
            Criteria::new("", &[UserStatus::Suspended], None, None, SortKey::Name, false),
            &["users_dir_status"],
        ),
    ];
    for (plan, c, indexes) in cases {
        let text = query::explain(&mut conn, db.backend, plan, &north, &c, None, 51).await.unwrap();
        if std::env::var_os("SHOW_PLANS").is_some() {
            println!("--- {backend:?} {plan:?} {c:?}\n{text}");
        }
        // PostgreSQL weighs its choices by size: on a table this small, which index a
        // gathering statement reads is its call (the benchmark checks them on a million).
        let checked = if pg && plan != Plan::Walk { &[][..] } else { indexes };
        for index in checked {
            let read = index.split('|').any(|i| text.contains(i));
            assert!(read, "{plan:?} {c:?} should read {index}:\n{text}");
        }
        for line in text.lines() {
            let full_scan = if pg {
                line.contains("Seq Scan on users")
            } else {
                // "SCAN u" / "SCAN users" without an index: every row read.
                let l = line.trim();
                (l == "SCAN u"
                    || l == "SCAN users"
                    || l.starts_with("SCAN users ") && !l.contains("INDEX"))
                    || (l.starts_with("SCAN u ") && !l.contains("INDEX"))
            };
            assert!(!full_scan, "{plan:?} {c:?} reads the whole users table:\n{text}");
        }
        if !pg && plan == Plan::Walk {
            // Each range is read in index order and stops at the page size; only the few
            // rows found are sorted, to merge the ranges (after "SCAN b…").
            let mut in_range = false;
            for l in text.lines().map(str::trim) {
                if l.starts_with("CO-ROUTINE b") {
                    in_range = true;
                } else if l.starts_with("SCAN b") || l.starts_with("SCAN w") {
                    in_range = false;
                }
                assert!(
                    !(in_range && l.contains("TEMP B-TREE FOR ORDER BY")),
                    "a walk reads its index in order, it does not sort it:\n{text}"
                );
            }
        }
    }
    if pg {
        sqlx::query("RESET enable_seqscan").execute(&mut *conn).await.unwrap();
    }
}

async fn a_walk_reads_past_long_stretches_of_people_out_of_reach(backend: Backend) {
    // Exact counts (and gathering) only up to 2: North's 500 are walked to, through the
    // 1,500 people of South who sort before them (a first window of the name index with
    // nobody of North in it, then a larger one).
    let w = World::build(backend, 2).await;
    let (north, south) = (w.north, w.south);
    let people = |prefix: &str, last: &str, n: usize, home: i64| -> Vec<String> {
        (0..n)
            .map(|i| {
                let status = if i % 2 == 0 { "active" } else { "invited" };
                format!(
                    "('{prefix}{i:04}@example.com', '{prefix}{i:04}', 'Pat', '{last}{i:04}', \
                     '{status}', {home}, {START}, {START})"
                )
            })
            .collect()
    };
    let mut rows = people("far", "Aaa", 1_500, south);
    rows.extend(people("near", "Zzz", 500, north));
    let sql = format!(
        "INSERT INTO users (email, username, first_name, last_name, status, home_node_id, \
         created_at, updated_at) VALUES {}",
        rows.join(", ")
    );
    w.app.sql(&sql).await;
    let near: Vec<String> = (0..500).map(|i| format!("near{i:04}")).collect();
    let invited: Vec<String> = near.iter().skip(1).step_by(2).cloned().collect();
    for (q, expected) in [
        (Q { size: 50, ..Q::default() }, near.clone()),
        (Q { size: 50, descending: true, ..Q::default() }, near.iter().rev().cloned().collect()),
        (Q { size: 50, statuses: vec!["Active", "Invited"], ..Q::default() }, near.clone()),
        (Q { size: 50, statuses: vec!["Invited"], ..Q::default() }, invited),
        (Q { size: 60, sort: Some("Email"), ..Q::default() }, near.clone()),
    ] {
        let rows = all_pages(&w, north, &q, |_| async {}).await;
        let got: Vec<String> = rows
            .iter()
            .map(|r| r["email"].as_str().unwrap().split('@').next().unwrap().to_string())
            .collect();
        assert_eq!(got, expected, "statuses {:?}, descending {}", q.statuses, q.descending);
    }
    let page = list(&w, north, &Q::default()).await;
    assert_eq!(page["count_exact"], false, "{page}");
    assert_eq!(page["rows"].as_array().unwrap().len(), 50);
}
