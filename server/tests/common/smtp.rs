//! A tiny SMTP server for tests: accepts every mail on 127.0.0.1 and keeps it in memory.
//! Enough of RFC 5321 for lettre: greeting, EHLO/HELO, MAIL, RCPT, DATA (dot-unstuffed),
//! RSET, NOOP, QUIT. It can be stopped and started again on the same port, keeping the
//! mail received so far, to test delivery while the mail server is down.

use std::{
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::Duration,
};
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream, tcp::OwnedWriteHalf},
    task::JoinHandle,
};

/// One delivered mail.
#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and body, CRLF line ends).
    pub data: String,
}

impl Received {
    /// The message with quoted-printable soft line breaks undone, for searching the text.
    pub fn text(&self) -> String {
        self.data.replace("=\r\n", "")
    }
}

type Inbox = Arc<Mutex<Vec<Received>>>;

pub struct SmtpSink {
    pub addr: SocketAddr,
    inbox: Inbox,
    task: Option<JoinHandle<()>>,
}

impl SmtpSink {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the SMTP sink");
        let addr = listener.local_addr().expect("local address");
        let inbox = Inbox::default();
        let task = Some(tokio::spawn(serve(listener, inbox.clone())));
        Self { addr, inbox, task }
    }

    /// `smtp://127.0.0.1:PORT`: plain SMTP, no TLS.
    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    /// Closes the port: connections are refused until [`restart`](Self::restart).
    pub async fn stop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            let _ = task.await;
        }
    }

    /// Listens again on the same port.
    pub async fn restart(&mut self) {
        self.stop().await;
        let listener = TcpListener::bind(self.addr).await.expect("bind the SMTP sink again");
        self.task = Some(tokio::spawn(serve(listener, self.inbox.clone())));
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }

    /// Waits (up to 15 s) until at least `n` mails arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..150 {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("expected {n} mails at the SMTP sink, got {:?}", self.received());
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn serve(listener: TcpListener, inbox: Inbox) {
    // Sessions run inside this task, so stopping the sink ends them too.
    let mut sessions = tokio::task::JoinSet::new();
    loop {
        let Ok((stream, _)) = listener.accept().await else { continue };
        sessions.spawn(session(stream, inbox.clone()));
        while sessions.try_join_next().is_some() {}
    }
}

async fn session(stream: TcpStream, inbox: Inbox) {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    if !reply(&mut write, "220 sink.test ESMTP test sink").await {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_string();
        let verb = command.split([' ', ':']).next().unwrap_or("").to_ascii_uppercase();
        let answer = match verb.as_str() {
            "EHLO" | "HELO" => "250 sink.test",
            "MAIL" => {
                from = address(&command);
                to.clear();
                "250 OK"
            }
            "RCPT" => {
                to.push(address(&command));
                "250 OK"
            }
            "DATA" => {
                if !reply(&mut write, "354 End data with <CR><LF>.<CR><LF>").await {
                    return;
                }
                let mut data = String::new();
                loop {
                    line.clear();
                    if lines.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if line == ".\r\n" || line == ".\n" {
                        break;
                    }
                    // Dot-unstuffing: a line starting with "." was sent as "..".
                    data.push_str(line.strip_prefix('.').unwrap_or(&line));
                }
                let mail = Received { from: from.clone(), to: to.clone(), data };
                inbox.lock().unwrap().push(mail);
                "250 OK queued"
            }
            "RSET" | "NOOP" => "250 OK",
            "QUIT" => {
                reply(&mut write, "221 Bye").await;
                return;
            }
            _ => "502 Command not implemented",
        };
        if !reply(&mut write, answer).await {
            return;
        }
    }
}

async fn reply(w: &mut OwnedWriteHalf, text: &str) -> bool {
    w.write_all(format!("{text}\r\n").as_bytes()).await.is_ok()
}

/// The address in `MAIL FROM:<a@b> …` or `RCPT TO:<a@b>`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..].find('>').map_or(command.len(), |i| start + i);
    command[start..end].to_string()
}
