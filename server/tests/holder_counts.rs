//! Property test of the role holder counters (migration 0014): random trees, people, grants,
//! ends, moves, people deleted and roles removed from everyone, and after every step the
//! counters the database keeps equal the exact count of distinct holders per node and role
//! (the query the roles page used to run). Seeded, so a failure names the seed.

use crate::common::{self, Backend};
use app::{
    domain::{Email, NodeId, NodeKind, RoleId, UserId, UserStatus, permission::PermissionSet},
    server::repo::{
        memberships, nodes,
        roles::{self, RoleFields},
        user_status,
        users::{self, NewUser},
    },
};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::BTreeMap;

on_both_backends!(holder_counters_stay_exact_through_grants_moves_and_deletions);

const SEEDS: u64 = 4;
const NODES: usize = 10;
const PEOPLE: usize = 12;
const STEPS: usize = 120;

type Counts = BTreeMap<(i64, i64), i64>;

async fn exact(conn: &mut sqlx::AnyConnection) -> Counts {
    let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT c.ancestor_id, m.role_id, COUNT(DISTINCT m.user_id) FROM memberships m \
         JOIN node_closure c ON c.descendant_id = m.node_id GROUP BY c.ancestor_id, m.role_id",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    rows.into_iter().map(|(n, r, k)| ((n, r), k)).collect()
}

async fn kept(conn: &mut sqlx::AnyConnection) -> Counts {
    let rows: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT node_id, role_id, holders FROM role_holder_counts")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    rows.into_iter().map(|(n, r, k)| ((n, r), k)).collect()
}

async fn holder_counters_stay_exact_through_grants_moves_and_deletions(backend: Backend) {
    let url = common::fresh_database(backend).await;
    let db = server::database::connect(&url).await.unwrap();
    server::database::migrate(&db).await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let mut steps_of = [0usize; 5];
    for seed in 0..SEEDS {
        let mut rng = StdRng::seed_from_u64(seed);
        let root =
            nodes::insert(&mut conn, None, NodeKind::Agency, &format!("A{seed}"), 0).await.unwrap();
        let mut ids = vec![root];
        for i in 1..NODES {
            let parent = ids[rng.gen_range(0..ids.len())];
            let name = format!("n{i}");
            let node = nodes::insert(&mut conn, Some(parent), NodeKind::Group, &name, 0);
            ids.push(node.await.unwrap());
        }
        let mut roles_here: Vec<RoleId> = Vec::new();
        for r in 0..3 {
            let fields = RoleFields {
                name: &format!("role {seed}-{r}"),
                description: "",
                permissions: &PermissionSet::default(),
            };
            roles_here.push(roles::insert_custom(&mut conn, root, fields, 0).await.unwrap());
        }
        let mut people: Vec<UserId> = Vec::new();
        for p in 0..PEOPLE {
            let email = Email::parse(&format!("p{p}.s{seed}@example.com")).unwrap();
            let new = NewUser {
                email: &email,
                first_name: "P",
                last_name: "Q",
                status: UserStatus::Active,
                password_hash: None,
                home_node: Some(root),
            };
            people.push(users::insert(&mut conn, new, 0).await.unwrap());
        }
        for step in 0..STEPS {
            let pick = |rng: &mut StdRng, of: &[NodeId]| of[rng.gen_range(0..of.len())];
            let person = people[rng.gen_range(0..people.len())];
            let role = roles_here[rng.gen_range(0..roles_here.len())];
            let kind = match rng.gen_range(0..100) {
                0..50 => 0,
                50..75 => 1,
                75..93 => 2,
                93..97 => 3,
                _ => 4,
            };
            steps_of[kind] += 1;
            match kind {
                0 => {
                    let at = pick(&mut rng, &ids);
                    memberships::grant(&mut conn, person, at, role, None, 0).await.unwrap();
                }
                1 => {
                    let held: Option<(i64,)> = sqlx::query_as(
                        "SELECT node_id FROM memberships WHERE user_id = $1 AND role_id = $2",
                    )
                    .bind(person.0)
                    .bind(role.0)
                    .fetch_optional(&mut *conn)
                    .await
                    .unwrap();
                    if let Some((at,)) = held {
                        memberships::revoke(&mut conn, person, NodeId(at), role).await.unwrap();
                    }
                }
                // Refused moves (under itself) change nothing and must keep the counts too.
                2 => {
                    let (node, dest) = (ids[rng.gen_range(1..ids.len())], pick(&mut rng, &ids));
                    let _ = nodes::move_node(&mut conn, node, dest).await;
                }
                3 => {
                    user_status::end_memberships(&mut conn, person).await.unwrap();
                }
                _ => {
                    memberships::remove_all_of_role(&mut conn, role).await.unwrap();
                }
            }
            assert_eq!(kept(&mut conn).await, exact(&mut conn).await, "seed {seed} step {step}");
        }
    }
    assert!(steps_of.iter().all(|&n| n > 5), "every kind of change was exercised: {steps_of:?}");
    let reach_left: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM role_reach WHERE grants <= 0")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    assert_eq!(reach_left.0, 0, "rows whose last grant ended are removed");
}
