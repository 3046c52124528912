//! Test harness: starts the real server on a free port against a fresh database (SQLite
//! file or a new PostgreSQL database) and drives it over HTTP with a cookie-keeping client.

#![allow(dead_code)]

pub mod catalog;
pub mod mail;
pub mod smtp;

use app::server::clock::Clock;
use leptos::config::LeptosOptions;
use reqwest::{Client, Response, StatusCode, header};
use serde_json::Value;
use server::{Running, cli::Config};
use sqlx::{Connection, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed test function once per backend: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    )*};
}

pub const PASSWORD: &str = "a long enough passphrase";
/// Tests start the clock at a fixed, recent instant and move it by hand.
pub const START: i64 = 1_790_000_000_000;

/// The PostgreSQL server tests create their databases on. Never skipped: when it cannot be
/// reached the test fails and says what to do.
pub fn postgres_admin_url() -> String {
    std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub async fn fresh_database(backend: Backend) -> String {
    let name = format!("roster_test_{:016x}", rand::random::<u64>());
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join("roster-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}", dir.join(format!("{name}.db")).display())
        }
        Backend::Postgres => {
            let admin = postgres_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                panic!(
                    "PostgreSQL is not reachable at {admin} ({e}). Run scripts/test.sh, which \
                     starts a throwaway cluster when none is running, or set TEST_POSTGRES_URL."
                )
            });
            conn.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create db");
            let mut url = url::Url::parse(&admin).expect("TEST_POSTGRES_URL is a URL");
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    }
}

pub fn config(database_url: String) -> Config {
    Config {
        addr: None,
        database_url,
        public_url: None,
        session_idle_minutes: 60,
        session_max_hours: 24,
        invite_ttl_days: 7,
        smtp_url: None,
        mail_from: "Roster <roster@localhost>".into(),
        directory_exact_count: 5_000,
        trusted_proxies: Vec::new(),
        mail_dir: None,
        log: "warn".into(),
    }
}

pub struct TestApp {
    pub backend: Backend,
    pub server: Running,
    pub base: String,
    pub clock: Clock,
    pub database_url: String,
    /// A browser-like client: keeps cookies, does not follow redirects.
    pub client: Client,
    /// Where the server writes mail (each test server has its own); see [`TestApp::mail_to`].
    pub mail_dir: std::path::PathBuf,
}

pub fn client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        // A request that never answers fails its test instead of hanging the suite.
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .expect("client")
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> Self {
        let database_url = fresh_database(backend).await;
        Self::spawn_on(backend, database_url).await
    }

    pub async fn spawn_on(backend: Backend, database_url: String) -> Self {
        Self::spawn_configured(backend, database_url, |_| {}).await
    }

    /// A fresh database, with the test configuration changed by `configure` (an SMTP URL...).
    pub async fn spawn_with(backend: Backend, configure: impl FnOnce(&mut Config)) -> Self {
        let database_url = fresh_database(backend).await;
        Self::spawn_configured(backend, database_url, configure).await
    }

    pub async fn spawn_configured(
        backend: Backend,
        database_url: String,
        configure: impl FnOnce(&mut Config),
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let options =
            LeptosOptions::builder().output_name("roster").site_root("target/site").build();
        let clock = Clock::manual(START);
        let mut config = config(database_url.clone());
        let mail_dir = std::env::temp_dir()
            .join("roster-tests")
            .join(format!("mail_{:016x}", rand::random::<u64>()));
        config.mail_dir = Some(mail_dir);
        configure(&mut config);
        let mail_dir = config.mail_dir.clone().expect("a mail folder");
        let server =
            server::start(&config, options, clock.clone(), listener).await.expect("server starts");
        let base = format!("http://{}", server.addr);
        Self { backend, server, base, clock, database_url, client: client(), mail_dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Calls a server function the way the hydrated page does (form-encoded, JSON back).
    pub async fn call(&self, endpoint: &str, form: &[(&str, &str)]) -> Response {
        self.call_with(&self.client, endpoint, form).await
    }

    pub async fn call_with(
        &self,
        client: &Client,
        endpoint: &str,
        form: &[(&str, &str)],
    ) -> Response {
        client.post(self.url(&format!("/api/{endpoint}"))).form(form).send().await.expect("request")
    }

    /// First-run setup through the API; leaves `self.client` signed in as the admin.
    pub async fn complete_setup(&self, email: &str) -> Response {
        let code = self.server.setup_code.clone().expect("a fresh database has a setup code");
        self.call(
            "complete_setup",
            &[
                ("code", &code),
                ("agency_name", "Acme Agency"),
                ("first_name", "Ada"),
                ("last_name", "Admin"),
                ("email", email),
                ("password", PASSWORD),
            ],
        )
        .await
    }

    pub async fn sign_in_with(&self, client: &Client, email: &str, password: &str) -> Response {
        self.call_with(client, "sign_in", &[("email", email), ("password", password)]).await
    }

    /// The signed-in viewer's e-mail for `client`, or None.
    pub async fn viewer_email(&self, client: &Client) -> Option<String> {
        let res = self.call_with(client, "get_session", &[]).await;
        assert_eq!(res.status(), StatusCode::OK);
        let v: Value = res.json().await.expect("json");
        v["viewer"]["email"].as_str().map(str::to_owned)
    }

    /// Adds an active user at home in `home_node`, with the password [`PASSWORD`], and
    /// returns their id. They hold no role: give them roles through `grant_role`, as an
    /// administrator would.
    pub async fn add_user(&self, email: &str, first_name: &str, home_node: i64) -> i64 {
        use app::{
            domain::{Email, NodeId, UserStatus},
            server::repo::users,
        };
        // One hash serves every test user: argon2 is slow on purpose.
        static HASH: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
        let hash = HASH
            .get_or_init(|| async {
                app::server::password::Hasher::default().hash(PASSWORD.into()).await
            })
            .await;
        let email = Email::parse(email).expect("a valid test e-mail");
        let mut conn = self.server.state.db.pool.acquire().await.expect("connection");
        let new = users::NewUser {
            email: &email,
            first_name,
            last_name: "Tester",
            status: UserStatus::Active,
            password_hash: Some(hash),
            home_node: Some(NodeId(home_node)),
        };
        users::insert(&mut conn, new, self.clock.now()).await.expect("insert user").0
    }

    /// A new browser-like client, signed in as `email` (password [`PASSWORD`]).
    pub async fn client_for(&self, email: &str) -> Client {
        let c = client();
        let res = self.sign_in_with(&c, email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "{email} signs in");
        c
    }

    /// Every mail to `to`, oldest first, read from the mail folder once all the mail queued
    /// to `to` so far is delivered (the worker is woken by each commit, or polls each second):
    /// waits for that, up to 10 s.
    pub async fn mails_to(&self, to: &str) -> Vec<mail::Mail> {
        let to = to.to_lowercase();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let (pending,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM outbox WHERE to_address = $1 AND sent_at IS NULL",
            )
            .bind(&to)
            .fetch_one(&self.server.state.db.pool)
            .await
            .expect("the outbox");
            if pending == 0 {
                return mail::read(&self.mail_dir, &to);
            }
            assert!(std::time::Instant::now() < deadline, "mail to {to} not delivered in 10 s");
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
    }

    /// The newest mail to `to` (see [`TestApp::mails_to`]).
    pub async fn mail_to(&self, to: &str) -> mail::Mail {
        self.mails_to(to).await.pop().unwrap_or_else(|| panic!("no mail to {to}"))
    }

    pub async fn sql(&self, statement: &str) {
        sqlx::query(statement).execute(&self.server.state.db.pool).await.expect("sql");
    }
}

pub async fn json(res: Response) -> Value {
    res.json().await.expect("json body")
}

pub fn set_cookie(res: &Response) -> Option<String> {
    res.headers().get(header::SET_COOKIE).map(|v| v.to_str().expect("ascii").to_owned())
}

/// Calls `endpoint` as `c`; returns the status and the JSON body.
pub async fn call(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let res = app.call_with(c, endpoint, form).await;
    let status = res.status();
    (status, json(res).await)
}

/// Calls `endpoint` as `c`, which must succeed; returns the JSON body.
pub async fn ok(app: &TestApp, c: &Client, endpoint: &str, form: &[(&str, &str)]) -> Value {
    let (status, body) = call(app, c, endpoint, form).await;
    assert_eq!(status, StatusCode::OK, "{endpoint} {form:?}: {body}");
    body
}

/// Calls `endpoint` as `c`, which must fail with `expected`; returns the error.
pub async fn refused(
    app: &TestApp,
    c: &Client,
    endpoint: &str,
    form: &[(&str, &str)],
    expected: StatusCode,
) -> Value {
    let (status, body) = call(app, c, endpoint, form).await;
    assert_eq!(status, expected, "{endpoint} {form:?}: {body}");
    body
}
