//! Several servers on one database, as behind a load balancer (README "Several servers"):
//! three in-process servers share a fresh database, and a fourth, the real `server` binary in
//! a child process, is killed with SIGKILL in the middle of a bulk add.
//!
//! What must hold, whichever server a request reaches:
//! - decisions are never stale: a role taken away through one server is refused at the very
//!   next request on the others, a disabled person's sessions end at their next request
//!   anywhere, and sign-in failures count together ([`decisions`]);
//! - a mail queued once is delivered once although every server runs an outbox worker
//!   ([`mail`]);
//! - a server killed mid-request leaves nothing half-done and loses nothing committed
//!   ([`killed`]).
//!
//! Several servers is the PostgreSQL configuration, so those cases run on PostgreSQL only.
//! The outbox's claim also runs on SQLite, where two processes may share one database file.

use crate::common::{Backend, TestApp, ok};
use app::server::clock::Millis;
use reqwest::{Client, StatusCode};

/// Runs each listed case on PostgreSQL only (`name::postgres`): several servers on one
/// database is what PostgreSQL is for here.
macro_rules! on_postgres {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

mod child;
mod decisions;
mod killed;
mod mail;

/// Three servers, A, B and C, on one fresh database; A ran first-run setup, so its
/// `client` is signed in as Ada, the Agency Administrator. Each has its own clock (all at
/// `START`), mail folder and outbox worker.
pub struct Cluster {
    pub servers: [TestApp; 3],
    pub agency: i64,
}

impl Cluster {
    pub async fn start(backend: Backend) -> Self {
        let a = TestApp::spawn(backend).await;
        let b = TestApp::spawn_on(backend, a.database_url.clone()).await;
        let c = TestApp::spawn_on(backend, a.database_url.clone()).await;
        assert_eq!(a.complete_setup("ada@example.com").await.status(), StatusCode::OK);
        let entry = ok(&a, &a.client, "list_entry_points", &[]).await;
        let agency = entry[0]["node"]["id"].as_i64().expect("the agency");
        Self { servers: [a, b, c], agency }
    }

    /// Server `n`, counting round: 0 is A, 1 is B, 2 is C, 3 is A again.
    pub fn server(&self, n: usize) -> &TestApp {
        &self.servers[n % 3]
    }

    /// Ada's client: signed in on A, and (cookies name a host, not a port) on B and C too,
    /// as a browser behind a load balancer is.
    pub fn ada(&self) -> &Client {
        &self.servers[0].client
    }

    /// Moves every server's clock together, as real clocks do.
    pub fn advance(&self, by: Millis) {
        for s in &self.servers {
            s.clock.advance(by);
        }
    }

    /// Creates a node under `parent` as Ada, through A.
    pub async fn create_node(&self, parent: i64, name: &str) -> i64 {
        let parent = parent.to_string();
        let form = [("parent_id", parent.as_str()), ("name", name)];
        let a = self.server(0);
        ok(a, self.ada(), "create_node", &form).await["id"].as_i64().expect("a node id")
    }

    /// The id of the agency's role called `name`.
    pub async fn role(&self, name: &str) -> i64 {
        let agency = self.agency.to_string();
        let a = self.server(0);
        let roles = ok(a, self.ada(), "list_roles", &[("agency_node_id", &agency)]).await;
        let found = roles.as_array().expect("roles").iter().find(|r| r["name"] == name);
        found.unwrap_or_else(|| panic!("no role {name} in {roles}"))["id"]
            .as_i64()
            .expect("a role id")
    }
}

/// A query's one integer, with `args` bound to `$1`, `$2`...
pub async fn scalar(app: &TestApp, sql: &str, args: &[i64]) -> i64 {
    let mut query = sqlx::query_as::<_, (i64,)>(sql);
    for arg in args {
        query = query.bind(*arg);
    }
    let (n,) =
        query.fetch_one(&app.server.state.db.pool).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    n
}
