//! The `outbox` table: queueing mail inside a change's transaction, and the worker's side of
//! it (claiming due mail under a lease, marking it sent or failed).

use crate::server::{
    clock::{HOUR, MINUTE, Millis},
    db::{Backend, Db},
};
use sqlx::AnyConnection;

/// How long a worker may hold mail it claimed before another worker may take it over (a
/// worker that died mid-delivery). Longer than any SMTP exchange (timeout 30 s).
pub const LEASE: Millis = 5 * MINUTE;

/// The wait before the next attempt after `failures` failed ones (at least 1): one minute,
/// doubling each time, at most an hour. Mail is never given up on.
pub fn backoff(failures: i64) -> Millis {
    let doublings = (failures.max(1) - 1).min(6) as u32;
    (MINUTE << doublings).min(HOUR)
}

/// Queues a mail; call it with the transaction of the change that causes the mail.
pub async fn enqueue(
    conn: &mut AnyConnection,
    to: &str,
    subject: &str,
    body: &str,
    now: Millis,
) -> Result<i64, sqlx::Error> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (to_address, subject, body_text, created_at, attempts, \
         next_attempt_at) VALUES ($1, $2, $3, $4, 0, $4) RETURNING id",
    )
    .bind(to)
    .bind(subject)
    .bind(body)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(id)
}

/// A mail claimed for delivery.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Claimed {
    pub id: i64,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    /// When it was queued; with `id`, it names the message (`Message-ID`).
    pub created_at: Millis,
    /// Failed attempts so far.
    pub attempts: i64,
}

/// Unsent, due, and not leased to a worker (or its lease ran out). `$1` is now.
const DUE: &str = "sent_at IS NULL AND next_attempt_at <= $1 \
                   AND (locked_until IS NULL OR locked_until < $1)";
const CLAIMED_COLUMNS: &str = "id, to_address, subject, body_text, created_at, attempts";

/// Leases up to `limit` due mails to the caller until `now + LEASE`, oldest first. Two
/// workers never claim the same mail: on PostgreSQL the rows are locked and others skipped;
/// on SQLite the one `UPDATE` runs under the database's single write lock.
pub async fn claim(db: &Db, now: Millis, limit: i64) -> Result<Vec<Claimed>, sqlx::Error> {
    // A cheap read first: polling an empty outbox takes no write lock.
    let due: Option<(i64,)> = sqlx::query_as(&format!("SELECT id FROM outbox WHERE {DUE} LIMIT 1"))
        .bind(now)
        .fetch_optional(&db.pool)
        .await?;
    if due.is_none() {
        return Ok(Vec::new());
    }
    let mut claimed: Vec<Claimed> = match db.backend {
        Backend::Sqlite => {
            sqlx::query_as(&format!(
                "UPDATE outbox SET locked_until = $2 WHERE id IN ( \
                     SELECT id FROM outbox WHERE {DUE} ORDER BY id LIMIT $3) \
                 AND {DUE} RETURNING {CLAIMED_COLUMNS}"
            ))
            .bind(now)
            .bind(now + LEASE)
            .bind(limit)
            .fetch_all(&db.pool)
            .await?
        }
        Backend::Postgres => {
            let mut tx = db.begin().await?;
            let rows: Vec<Claimed> = sqlx::query_as(&format!(
                "SELECT {CLAIMED_COLUMNS} FROM outbox WHERE {DUE} ORDER BY id LIMIT $2 \
                 FOR UPDATE SKIP LOCKED"
            ))
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            if !rows.is_empty() {
                let ids = rows.iter().map(|r| r.id.to_string()).collect::<Vec<_>>().join(", ");
                // Ids are integers read from the table: nothing to inject.
                sqlx::query(&format!("UPDATE outbox SET locked_until = $1 WHERE id IN ({ids})"))
                    .bind(now + LEASE)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            rows
        }
    };
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// What a delivered mail's `body_text` becomes. Its links (invitations, password resets) are
/// for the addressee alone: once the mail left, the table keeps no readable copy of them.
/// Migration 0011 wrote the same text into mail sent before.
pub const SCRUBBED_BODY: &str = "(delivered; the text is not kept)";

/// Marks a mail delivered and drops its text, in one statement so a sent mail never keeps
/// its links; false if it already was (it is never marked, nor sent, twice).
pub async fn mark_sent(db: &Db, id: i64, now: Millis) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE outbox SET sent_at = $1, attempts = attempts + 1, locked_until = NULL, \
         body_text = $2 WHERE id = $3 AND sent_at IS NULL",
    )
    .bind(now)
    .bind(SCRUBBED_BODY)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failed attempt and when to try again (see [`backoff`]); the lease ends.
/// `error` must not quote the mail: the worker passes it through `without_tokens`.
pub async fn mark_failed(
    db: &Db,
    mail: &Claimed,
    error: &str,
    now: Millis,
) -> Result<(), sqlx::Error> {
    let error: String = error.chars().take(1000).collect();
    sqlx::query(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, next_attempt_at = $2, \
         locked_until = NULL WHERE id = $3 AND sent_at IS NULL",
    )
    .bind(error)
    .bind(now + backoff(mail.attempts + 1))
    .bind(mail.id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_a_minute_up_to_an_hour() {
        let minutes: Vec<i64> = (1..=9).map(|n| backoff(n) / MINUTE).collect();
        assert_eq!(minutes, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(0), MINUTE);
        assert_eq!(backoff(i64::MAX), HOUR);
    }
}
