//! Throttling of the endpoints anyone can call (sign-in, setup, forgotten password, links)
//! and of password checks, kept in the `throttle` table so it holds across server processes.
//!
//! A [`Rule`] names what is counted and how: a fixed window (at most `max` per `window`, then
//! refused until the window ends) or a lockout (a few free failures in a row, then locks that
//! grow and are capped). The subject (an e-mail address, a client address, a person's id) is
//! stored only as a SHA-256, so the table lists no addresses. E-mail subjects are counted
//! whether or not anyone has that address: known and unknown addresses get the same answers.
//!
//! A lockout can delay a person, never keep them out: it is capped, a password reset clears
//! it, and a device the person signed in from before is not subject to it (see `device`).

use super::clock::{DAY, HOUR, MINUTE, Millis, SECOND};
use super::db::Db;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// At most `max` counted events per `window`; then refused until the window ends.
    Window { window: Millis, max: i64 },
    /// `free` failures in a row are allowed; each further one locks for `first`, doubling
    /// up to `cap`. A success clears it; a day without failures starts the count again.
    Lockout { free: i64, first: Millis, cap: Millis },
}

#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// Names the bucket family in the table (stable: stored).
    pub name: &'static str,
    pub limit: Limit,
}

/// Failed sign-ins per e-mail address (known or not).
pub const SIGN_IN_ACCOUNT: Rule = Rule {
    name: "sign-in:account",
    limit: Limit::Lockout { free: 5, first: 30 * SECOND, cap: 15 * MINUTE },
};
/// Failed sign-ins per client address, across every account it tries.
pub const SIGN_IN_CLIENT: Rule =
    Rule { name: "sign-in:client", limit: Limit::Window { window: 10 * MINUTE, max: 30 } };
/// Wrong setup codes per client address (setup is a one-time door: a few tries are plenty).
pub const SETUP_CLIENT: Rule =
    Rule { name: "setup:client", limit: Limit::Window { window: 10 * MINUTE, max: 10 } };
/// "Forgot password" requests per e-mail address: no mail bombing of one person.
pub const RESET_ACCOUNT: Rule =
    Rule { name: "reset:account", limit: Limit::Window { window: HOUR, max: 3 } };
/// "Forgot password" requests per client address, across addresses.
pub const RESET_CLIENT: Rule =
    Rule { name: "reset:client", limit: Limit::Window { window: HOUR, max: 20 } };
/// Unknown or spent invitation and reset links per client address (guessing links).
pub const LINK_CLIENT: Rule =
    Rule { name: "link:client", limit: Limit::Window { window: 10 * MINUTE, max: 30 } };
/// Wrong current passwords when a signed-in person changes theirs.
pub const PASSWORD_CHANGE: Rule = Rule {
    name: "password-change:person",
    limit: Limit::Lockout { free: 5, first: 30 * SECOND, cap: 15 * MINUTE },
};

/// Rows untouched for this long are pruned; lockout counts restart after it.
const FORGET_AFTER: Millis = DAY;

/// The stored bucket name: the rule's name and a hash of the subject.
fn bucket(rule: &Rule, subject: &str) -> String {
    let digest = Sha256::digest(format!("{}\n{}", rule.name, subject.trim().to_lowercase()));
    format!("{}:{}", rule.name, hex::encode(&digest[..16]))
}

/// The lock after the `failures`-th failure in a row under a lockout limit.
fn lock_for(limit: Limit, failures: i64) -> Option<Millis> {
    match limit {
        Limit::Lockout { free, first, cap } if failures >= free => {
            let doublings = (failures - free).min(20) as u32;
            Some(first.saturating_mul(1 << doublings).min(cap))
        }
        _ => None,
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    window_start: i64,
    failures: i64,
    locked_until: Option<i64>,
}

/// When `subject` may try again, if it may not now.
pub async fn blocked_until(
    conn: &mut AnyConnection,
    rule: &Rule,
    subject: &str,
    now: Millis,
) -> Result<Option<Millis>, sqlx::Error> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT window_start, failures, locked_until FROM throttle WHERE bucket = $1",
    )
    .bind(bucket(rule, subject))
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| match rule.limit {
        Limit::Window { window, max } => {
            let end = r.window_start + window;
            (r.failures >= max && now < end).then_some(end)
        }
        Limit::Lockout { .. } => r.locked_until.filter(|until| *until > now),
    }))
}

/// Counts one event (a failure, or a request under a window limit); returns when the subject
/// may try again if this event used up what it was allowed.
pub async fn record(
    conn: &mut AnyConnection,
    rule: &Rule,
    subject: &str,
    now: Millis,
) -> Result<Option<Millis>, sqlx::Error> {
    let key = bucket(rule, subject);
    // One statement, so two servers counting at once both count. A window starts again once
    // it has ended; a lockout count once a day has passed without failures.
    let restart = match rule.limit {
        Limit::Window { .. } => "throttle.window_start + $3 <= $2",
        Limit::Lockout { .. } => "throttle.updated_at + $3 <= $2",
    };
    let span = match rule.limit {
        Limit::Window { window, .. } => window,
        Limit::Lockout { .. } => FORGET_AFTER,
    };
    let (failures, window_start): (i64, i64) = sqlx::query_as(&format!(
        "INSERT INTO throttle (bucket, window_start, failures, updated_at) VALUES ($1, $2, 1, $2) \
         ON CONFLICT (bucket) DO UPDATE SET \
           failures = CASE WHEN {restart} THEN 1 ELSE throttle.failures + 1 END, \
           window_start = CASE WHEN {restart} THEN $2 ELSE throttle.window_start END, \
           updated_at = $2 \
         RETURNING failures, window_start"
    ))
    .bind(&key)
    .bind(now)
    .bind(span)
    .fetch_one(&mut *conn)
    .await?;
    match rule.limit {
        Limit::Window { window, max } => Ok((failures >= max).then_some(window_start + window)),
        Limit::Lockout { .. } => {
            let Some(lock) = lock_for(rule.limit, failures) else { return Ok(None) };
            sqlx::query("UPDATE throttle SET locked_until = $1 WHERE bucket = $2")
                .bind(now + lock)
                .bind(&key)
                .execute(&mut *conn)
                .await?;
            Ok(Some(now + lock))
        }
    }
}

/// Forgets the subject's count (a success, or a password reset that proves the mailbox).
pub async fn clear(
    conn: &mut AnyConnection,
    rule: &Rule,
    subject: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM throttle WHERE bucket = $1")
        .bind(bucket(rule, subject))
        .execute(conn)
        .await?;
    Ok(())
}

/// Drops rows that no longer hold anything back (run now and then by every server).
pub async fn prune(db: &Db, now: Millis) -> Result<u64, sqlx::Error> {
    let done = sqlx::query(
        "DELETE FROM throttle WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $2)",
    )
    .bind(now - FORGET_AFTER)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected())
}

/// Before a link (invitation, password reset) is looked up: refuses a client that kept
/// presenting links that don't exist. After the lookup, [`after_link_lookup`] counts a miss.
pub async fn before_link_lookup(
    conn: &mut AnyConnection,
    client: &str,
    now: Millis,
) -> crate::error::AppResult<()> {
    match blocked_until(conn, &LINK_CLIENT, client, now).await? {
        Some(until) => {
            super::security::log("link_throttled", None);
            Err(crate::error::AppError::TooManyRequests {
                message: wait_message("Too many links that don't work.", now, until),
            })
        }
        None => Ok(()),
    }
}

/// Counts a link lookup that found nothing against the client.
pub async fn after_link_lookup(
    conn: &mut AnyConnection,
    client: &str,
    now: Millis,
    found: bool,
) -> Result<(), sqlx::Error> {
    if !found {
        record(conn, &LINK_CLIENT, client, now).await?;
    }
    Ok(())
}

/// A "wait and try again" message for a refusal until `until`.
pub fn wait_message(what: &str, now: Millis, until: Millis) -> String {
    let minutes = (until - now + MINUTE - 1) / MINUTE;
    if minutes <= 1 {
        format!("{what} Try again in a minute.")
    } else {
        format!("{what} Try again in {minutes} minutes.")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lockouts_grow_and_are_capped() {
        let limit = SIGN_IN_ACCOUNT.limit;
        let table = [
            (0, None),
            (4, None),
            (5, Some(30 * SECOND)),
            (6, Some(60 * SECOND)),
            (7, Some(2 * MINUTE)),
            (9, Some(8 * MINUTE)),
            (10, Some(15 * MINUTE)),
            (1_000, Some(15 * MINUTE)),
        ];
        for (failures, expected) in table {
            assert_eq!(lock_for(limit, failures), expected, "{failures}");
        }
        assert_eq!(lock_for(SIGN_IN_CLIENT.limit, 1_000), None);
    }

    #[test]
    fn buckets_hide_the_subject_and_fold_case() {
        let a = bucket(&SIGN_IN_ACCOUNT, "Ada@Example.com");
        assert_eq!(a, bucket(&SIGN_IN_ACCOUNT, " ada@example.com"));
        assert!(!a.contains("ada"));
        assert!(a.starts_with("sign-in:account:"));
        assert_ne!(a, bucket(&RESET_ACCOUNT, "ada@example.com"));
    }

    #[test]
    fn wait_messages_round_up_to_minutes() {
        assert_eq!(wait_message("Slow down.", 0, 30 * SECOND), "Slow down. Try again in a minute.");
        assert_eq!(
            wait_message("Slow down.", 0, 4 * MINUTE + 1),
            "Slow down. Try again in 5 minutes."
        );
    }
}
