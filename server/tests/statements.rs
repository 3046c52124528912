//! How many SQL statements each page's server rendering runs, counted from sqlx's own
//! statement log of a real server process: a page that asks the database once per row (an
//! N+1) or grows its work with the agency shows here, not in production.
//!
//! The data is built in two rounds; every page is measured after each. A page must stay
//! within its budget, and must not run more statements after the second round (more than
//! twice the people, disabled people and invitations) than after the first. The first round
//! already fills the node page's short lists past their caps (`LISTED_ON_NODE_PAGE`).
//!
//! Known cost, kept visible by the budget: the node page's "Disabled users" list still
//! asks about each listed person (may the caller manage them, may they see their home):
//! about five statements a row, 20 rows at most.

use crate::common::{Backend, PASSWORD, TestApp, client, ok};
use reqwest::StatusCode;
use std::{
    io::{BufRead, BufReader},
    process::{Child, Command},
};
use std::{
    process::Stdio,
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

on_both_backends!(pages_run_a_bounded_number_of_statements);

/// The most statements a page may run; node pages carry their capped short lists.
const BUDGET: usize = 40;
const NODE_PAGE_BUDGET: usize = 150;

/// The release-shaped server as a child process, its log lines collected as they come.
struct Served {
    child: Child,
    base: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Served {
    async fn start(database_url: &str, mail_dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("ROSTER_ADDR", format!("127.0.0.1:{port}"))
            .env("ROSTER_MAIL_DIR", mail_dir)
            .env("ROSTER_SMTP_URL", "")
            // Every statement, and each request's start (the markers below).
            .env("RUST_LOG", "warn,server=info,sqlx::query=debug,tower_http::trace=debug")
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        // std's process and threads: tokio's `process` feature in tests alone would compile
        // tokio, and everything above it, a second time.
        let read = |out: Box<dyn std::io::Read + Send>, log: Arc<Mutex<Vec<String>>>| {
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines().map_while(Result::ok) {
                    log.lock().unwrap().push(line);
                }
            });
        };
        read(Box::new(stdout), Arc::clone(&log));
        read(Box::new(stderr), Arc::clone(&log));
        let served = Self { child, base: format!("http://127.0.0.1:{port}"), log };
        for _ in 0..300 {
            if served.lines().iter().any(|l| l.contains("is listening on")) {
                return served;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server did not start:\n{}", served.lines().join("\n"));
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// A request (without a session) whose lines in the log mark a point in time.
    async fn mark(&self, name: &str) {
        let res = client().get(format!("{}/__mark/{name}", self.base)).send().await.unwrap();
        res.bytes().await.unwrap();
    }

    /// Statements run while serving `path` (the fewest of three tries: the mail worker's
    /// polls can only add to a try, never take away).
    async fn statements(&self, c: &reqwest::Client, path: &str) -> usize {
        let mut fewest = usize::MAX;
        for _ in 0..3 {
            static MARKS: AtomicUsize = AtomicUsize::new(0);
            let n = MARKS.fetch_add(1, Ordering::Relaxed);
            // The log shows `uri=/__mark/7b version=…`: the space ends the name.
            let (before, after) = (format!("/__mark/{n}b "), format!("/__mark/{n}a "));
            self.mark(&format!("{n}b")).await;
            let res = c.get(format!("{}{path}", self.base)).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.bytes().await.unwrap();
            self.mark(&format!("{n}a")).await;
            // From the end of the first marker's request to the start of the second's.
            let at = |lines: &[String], mark: &str, what: &str| {
                lines.iter().position(|l| l.contains(mark) && l.contains(what))
            };
            let lines = loop {
                let lines = self.lines();
                if at(&lines, &after, "started processing").is_some() {
                    break lines;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            let start = at(&lines, &before, "finished processing").expect("marker");
            let end = at(&lines, &after, "started processing").expect("marker");
            let n = lines[start..end].iter().filter(|l| l.contains("sqlx::query")).count();
            fewest = fewest.min(n);
        }
        fewest
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Adds `n` people of each kind under each account: active with a role, disabled, invited.
async fn add_people(app: &TestApp, accounts: &[i64], role: i64, round: usize, n: usize) {
    for (a, &account) in accounts.iter().enumerate() {
        for i in 0..n {
            let tag = format!("r{round}a{a}n{i}");
            let active = app.add_user(&format!("act.{tag}@example.com"), "Act", account).await;
            let form = [
                ("user_id", active.to_string()),
                ("node_id", account.to_string()),
                ("role_id", role.to_string()),
            ];
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ok(app, &app.client, "grant_role", &form).await;
            let gone = app.add_user(&format!("dis.{tag}@example.com"), "Dis", account).await;
            ok(app, &app.client, "disable_user", &[("user_id", &gone.to_string())]).await;
            let email = format!("inv.{tag}@example.com");
            let invite = [
                ("node_id", account.to_string().as_str()),
                ("email", email.as_str()),
                ("first_name", "Inv"),
                ("last_name", "Ited"),
                ("role_ids[0]", role.to_string().as_str()),
            ]
            .map(|(k, v)| (k, v.to_owned()));
            let invite: Vec<(&str, &str)> = invite.iter().map(|(k, v)| (*k, v.as_str())).collect();
            ok(app, &app.client, "invite_user", &invite).await;
        }
    }
}

async fn pages_run_a_bounded_number_of_statements(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.complete_setup("ada@example.com").await.status(), StatusCode::OK);
    let (agency,): (i64,) = sqlx::query_as("SELECT id FROM nodes WHERE parent_id IS NULL")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    let (role,): (i64,) = sqlx::query_as("SELECT id FROM roles WHERE builtin_key = 'call_agent'")
        .fetch_one(&app.server.state.db.pool)
        .await
        .unwrap();
    let mut accounts = Vec::new();
    for name in ["North", "South"] {
        let node = ok(
            &app,
            &app.client,
            "create_node",
            &[("parent_id", &agency.to_string()), ("name", name)],
        )
        .await;
        accounts.push(node["id"].as_i64().unwrap());
    }
    add_people(&app, &accounts, role, 1, 21).await;
    let person = app.add_user("maria@example.com", "Maria", accounts[0]).await;

    let served = Served::start(&app.database_url, &app.mail_dir).await;
    let c = client();
    let res = c
        .post(format!("{}/api/sign_in", served.base))
        .form(&[("email", "ada@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "signed in");

    let pages = [
        format!("/nodes/{agency}"),
        format!("/nodes/{}", accounts[0]),
        format!("/nodes/{agency}/users"),
        format!("/nodes/{agency}/users?q=act"),
        format!("/nodes/{agency}/roles"),
        format!("/nodes/{agency}/audit"),
        format!("/users/{person}"),
    ];
    let mut first = Vec::new();
    for page in &pages {
        first.push(served.statements(&c, page).await);
    }
    add_people(&app, &accounts, role, 2, 14).await;
    let mut report = String::new();
    let mut failures = Vec::new();
    for (page, before) in pages.iter().zip(first) {
        let after = served.statements(&c, page).await;
        report.push_str(&format!("{page}: {before} then {after}\n"));
        let budget = if page.matches('/').count() == 2 && page.starts_with("/nodes/") {
            NODE_PAGE_BUDGET
        } else {
            BUDGET
        };
        if after > budget || after > before {
            failures.push(page.clone());
        }
    }
    eprintln!("statements per page ({backend:?}):\n{report}");
    assert!(
        failures.is_empty(),
        "pages over budget or growing with the data: {failures:?}\n{report}"
    );
}
