//! Property test of tree moves: random trees, random moves (many of them under the node's own
//! subtree), and after every move the invariants hold: no cycles, ever; the closure table is
//! exactly the transitive closure of `parent_id` with the right depths; a refused move changes
//! nothing. Seeded, so a failure names the seed that reproduces it.

use crate::common::{self, Backend};
use app::{domain::NodeKind, server::repo::nodes};
use rand::{Rng, SeedableRng, rngs::StdRng};
use std::collections::{BTreeSet, HashMap};

on_both_backends!(moves_never_make_cycles_and_keep_the_closure_exact);

const SEEDS: u64 = 12;
const NODES: usize = 18;
const MOVES: usize = 40;

type Closure = BTreeSet<(i64, i64, i64)>;

async fn snapshot(conn: &mut sqlx::AnyConnection) -> (HashMap<i64, Option<i64>>, Closure) {
    let parents: Vec<(i64, Option<i64>)> =
        sqlx::query_as("SELECT id, parent_id FROM nodes").fetch_all(&mut *conn).await.unwrap();
    let closure: Vec<(i64, i64, i64)> =
        sqlx::query_as("SELECT ancestor_id, descendant_id, depth FROM node_closure")
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    (parents.into_iter().collect(), closure.into_iter().collect())
}

/// The closure the parent pointers imply; panics on a cycle.
fn expected_closure(parents: &HashMap<i64, Option<i64>>) -> Closure {
    let mut out = Closure::new();
    for &id in parents.keys() {
        let (mut cur, mut depth) = (Some(id), 0);
        while let Some(c) = cur {
            out.insert((c, id, depth));
            depth += 1;
            assert!(depth <= parents.len() as i64, "cycle through node {id}");
            cur = parents[&c];
        }
    }
    out
}

async fn moves_never_make_cycles_and_keep_the_closure_exact(backend: Backend) {
    let url = common::fresh_database(backend).await;
    let db = server::database::connect(&url).await.unwrap();
    server::database::migrate(&db).await.unwrap();
    let mut conn = db.pool.acquire().await.unwrap();
    let (mut accepted, mut refused) = (0, 0);
    for seed in 0..SEEDS {
        let mut rng = StdRng::seed_from_u64(seed);
        let root =
            nodes::insert(&mut conn, None, NodeKind::Agency, &format!("A{seed}"), 0).await.unwrap();
        let mut ids = vec![root];
        for i in 1..NODES {
            let parent = ids[rng.gen_range(0..ids.len())];
            ids.push(
                nodes::insert(&mut conn, Some(parent), NodeKind::Group, &format!("n{i}"), 0)
                    .await
                    .unwrap(),
            );
        }
        for step in 0..MOVES {
            let node = ids[rng.gen_range(1..ids.len())];
            let dest = ids[rng.gen_range(0..ids.len())];
            let before = snapshot(&mut conn).await;
            let result = nodes::move_node(&mut conn, node, dest).await;
            let after = snapshot(&mut conn).await;
            let under_itself = nodes::is_at_or_above(&mut conn, node, dest).await.unwrap();
            match result {
                Ok(_) => {
                    accepted += 1;
                    assert!(
                        !under_itself || node == dest,
                        "seed {seed} step {step}: moved under itself"
                    );
                    assert_eq!(after.0[&node.0], Some(dest.0), "seed {seed} step {step}");
                }
                Err(_) => {
                    refused += 1;
                    assert_eq!(
                        before, after,
                        "seed {seed} step {step}: a refused move changed the tree"
                    );
                }
            }
            assert_eq!(
                after.1,
                expected_closure(&after.0),
                "seed {seed} step {step}: closure drifted"
            );
        }
    }
    assert!(
        accepted > 100 && refused > 20,
        "both kinds of move were exercised: {accepted} / {refused}"
    );
}
