//! Every server runs an outbox worker; a mail queued once leaves once. Workers lease mail
//! with one atomic claim (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite: one `UPDATE` under
//! the database's write lock), so two never hold the same mail; a lease left by a server
//! that died runs out and another server delivers the mail.
//!
//! These run on SQLite too: two server processes may share one database file.

use super::{Cluster, scalar};
use crate::common::{Backend, START, TestApp};
use app::server::mail::{outbox, worker};
use mail_parser::MessageParser;
use std::{collections::HashMap, path::Path};

crate::on_both_backends!(
    three_workers_deliver_each_queued_mail_exactly_once,
    concurrent_claims_never_share_a_mail,
    mail_leased_by_a_server_that_died_is_delivered_once_by_another,
);

/// Queues `n` mails in one transaction through `app`'s database, due at `due`; their ids.
async fn queue(app: &TestApp, n: usize, due: i64) -> Vec<i64> {
    let mut tx = app.server.state.db.begin().await.expect("a transaction");
    let mut ids = Vec::with_capacity(n);
    for i in 0..n {
        let to = format!("person{i}@example.com");
        let id = outbox::enqueue(&mut tx, &to, "Welcome", &format!("Hello {i}"), due).await;
        ids.push(id.expect("queued"));
    }
    tx.commit().await.expect("committed");
    ids
}

/// Waits (up to 30 s) until no mail is left unsent.
pub async fn all_sent(app: &TestApp) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let unsent = "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL";
    while scalar(app, unsent, &[]).await > 0 {
        assert!(std::time::Instant::now() < deadline, "mail left unsent for 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
}

/// Each delivered mail's outbox id (from its `Message-ID`, `<id.created_at@domain>`) with
/// the servers (indexes in `folders`) whose mail folder holds a copy: a mail sent twice
/// shows twice.
pub fn delivered(folders: &[&Path]) -> HashMap<i64, Vec<usize>> {
    let mut found: HashMap<i64, Vec<usize>> = HashMap::new();
    for (n, folder) in folders.iter().enumerate() {
        let Ok(entries) = std::fs::read_dir(folder) else { continue };
        for entry in entries {
            let path = entry.expect("a mail folder entry").path();
            if path.extension().is_none_or(|e| e != "eml") {
                continue;
            }
            let raw = std::fs::read(&path).expect("a mail file");
            let message = MessageParser::default().parse(&raw).expect("a mail");
            let id = message.message_id().and_then(|m| m.split('.').next()?.parse().ok());
            let id: i64 = id.unwrap_or_else(|| panic!("no outbox id in {}", path.display()));
            found.entry(id).or_default().push(n);
        }
    }
    found
}

/// The mail folders of A, B and C.
fn folders(cluster: &Cluster) -> [&Path; 3] {
    cluster.servers.each_ref().map(|s| s.mail_dir.as_path())
}

/// The ids delivered more than once, or not at all, among `ids`.
pub fn not_once(found: &HashMap<i64, Vec<usize>>, ids: &[i64]) -> Vec<(i64, usize)> {
    ids.iter()
        .map(|id| (*id, found.get(id).map_or(0, Vec::len)))
        .filter(|(_, copies)| *copies != 1)
        .collect()
}

async fn three_workers_deliver_each_queued_mail_exactly_once(backend: Backend) {
    const MAILS: usize = 300;
    let cluster = Cluster::start(backend).await;
    let a = cluster.server(0);
    // Queued as a bulk add queues its invitations, then every worker woken at once: three
    // workers claiming batches of the same mail at the same moment.
    let ids = queue(a, MAILS, START).await;
    for s in &cluster.servers {
        s.server.state.mail.wake();
    }
    all_sent(a).await;
    let found = delivered(&folders(&cluster));
    assert_eq!(not_once(&found, &ids), vec![], "(outbox id, copies) of mail not sent once");
    assert_eq!(found.len(), MAILS, "no other mail was written");
    let mut by_server = [0; 3];
    for servers in found.values() {
        by_server[servers[0]] += 1;
    }
    eprintln!("mails delivered by A, B, C: {by_server:?}");
}

async fn concurrent_claims_never_share_a_mail(backend: Backend) {
    const MAILS: usize = 300;
    let cluster = Cluster::start(backend).await;
    // Due an hour from the servers' now: their own workers leave these alone, and the
    // claims below, made "an hour later", race only each other.
    let later = START + 60 * 60 * 1_000;
    let mut ids = queue(&cluster.servers[0], MAILS, later).await;
    // Four claimers per server, each taking a few mails at a time until none is left.
    let mut claimers = tokio::task::JoinSet::new();
    for n in 0..12 {
        let db = cluster.server(n).server.state.db.clone();
        claimers.spawn(async move {
            let mut mine = Vec::new();
            loop {
                let batch = outbox::claim(&db, later, 7).await.expect("a claim");
                if batch.is_empty() {
                    return mine;
                }
                mine.extend(batch.into_iter().map(|m| m.id));
            }
        });
    }
    let per_claimer = claimers.join_all().await;
    let busy = per_claimer.iter().filter(|m| !m.is_empty()).count();
    assert!(busy > 1, "only {busy} claimer got mail: the claims did not race");
    let mut claimed: Vec<i64> = per_claimer.into_iter().flatten().collect();
    claimed.sort_unstable();
    ids.sort_unstable();
    assert_eq!(claimed, ids, "each mail claimed exactly once");
}

async fn mail_leased_by_a_server_that_died_is_delivered_once_by_another(backend: Backend) {
    let cluster = Cluster::start(backend).await;
    let [a, b, c] = &cluster.servers;
    // A mail A's worker claimed at START, and A died before delivering it: the row is
    // leased until START + LEASE (written in the queueing transaction, so no worker of
    // B or C can claim it first).
    let mut tx = a.server.state.db.begin().await.expect("a transaction");
    let id = outbox::enqueue(&mut tx, "ann@example.com", "Welcome", "Hello", START).await;
    let id = id.expect("queued");
    sqlx::query("UPDATE outbox SET locked_until = $1 WHERE id = $2")
        .bind(START + outbox::LEASE)
        .bind(id)
        .execute(&mut *tx)
        .await
        .expect("leased");
    tx.commit().await.expect("committed");
    // While the lease holds, nobody else takes the mail.
    for s in [b, c] {
        let transport = worker::transport_for(&s.server.state.config).expect("a transport");
        let claimed = worker::deliver_due(&s.server.state, transport.as_ref()).await;
        assert_eq!(claimed.expect("a round"), 0, "a leased mail was claimed");
    }
    // Once it has run out, one of the living servers delivers it, once. (A's clock stays
    // where it died, so its still-running worker keeps out of it.)
    for s in [b, c] {
        s.clock.advance(outbox::LEASE + 1_000);
        s.server.state.mail.wake();
    }
    all_sent(b).await;
    let found = delivered(&folders(&cluster));
    assert_eq!(not_once(&found, &[id]), vec![], "(outbox id, copies)");
    assert_ne!(found[&id], vec![0], "delivered by a living server");
}
