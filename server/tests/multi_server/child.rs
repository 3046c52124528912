//! The real `server` binary in a child process, on a database the tests share: what a
//! SIGKILL leaves behind can only be seen with a process to kill.

use std::{
    io::{BufRead, BufReader, Read},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex, mpsc},
    time::Duration,
};

pub struct ChildServer {
    child: Child,
    /// `http://127.0.0.1:PORT`, read from the server's "listening on" line.
    pub base: String,
    /// Where it writes mail (no SMTP).
    pub mail_dir: PathBuf,
    /// Everything the server logged, for failure messages.
    log: Arc<Mutex<String>>,
}

impl ChildServer {
    /// Starts `server serve` on `database_url` at a free port, without SMTP (mail goes to a
    /// fresh folder), and waits until it listens (up to 60 s).
    pub fn start(database_url: &str) -> Self {
        let mail_dir = std::env::temp_dir()
            .join("roster-tests")
            .join(format!("mail_{:016x}", rand::random::<u64>()));
        // Nothing from the caller's environment (a real SMTP server, a public URL) leaks in.
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .arg("serve")
            .env_clear()
            .env("DATABASE_URL", database_url)
            .env("ROSTER_ADDR", "127.0.0.1:0")
            .env("ROSTER_MAIL_DIR", &mail_dir)
            .env("RUST_LOG", "warn,server=info")
            .env("NO_COLOR", "1")
            .env("LEPTOS_OUTPUT_NAME", "roster")
            .env("LEPTOS_SITE_ROOT", "target/site")
            .env("LEPTOS_SITE_PKG_DIR", "pkg")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let log = Arc::new(Mutex::new(String::new()));
        let (found, listening) = mpsc::channel();
        // Both pipes are read to their end, so a chatty server never blocks on a full pipe.
        let stdout = child.stdout.take().expect("stdout");
        let out_log = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some((_, url)) = line.split_once("is listening on ") {
                    let _ = found.send(url.trim().trim_end_matches('/').to_string());
                }
                out_log.lock().expect("log").push_str(&(line + "\n"));
            }
        });
        let mut stderr = child.stderr.take().expect("stderr");
        let err_log = log.clone();
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            err_log.lock().expect("log").push_str(&text);
        });
        let base = listening.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("the server did not start in 60 s:\n{}", log.lock().expect("log"))
        });
        Self { child, base, mail_dir, log }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// SIGKILL: no shutdown, no rollback by the process, sockets closed by the kernel.
    pub fn kill(&mut self) {
        self.child.kill().expect("SIGKILL");
        let status = self.child.wait().expect("reaped");
        assert!(!status.success(), "killed, not exited: {status}");
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log").clone()
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        // A failed test leaves no server running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
