//! Multi-row reads and writes for bulk add: a batch of 10,000 people costs a few dozen
//! statements (lists of [`CHUNK`] values) rather than tens of thousands of round trips.
//! The single-row functions of the other modules stay the reference for what is written;
//! these write the same rows.

use super::{placeholders, users::UserBrief};
use crate::domain::{Email, NodeId, RoleId, UserId, UserStatus};
use sqlx::AnyConnection;
use std::collections::{HashMap, HashSet};

/// Rows per statement. The widest insert (audit entries, `audit::record_all`) binds 11 values
/// a row: 5,500 parameters, well under SQLite's 32,766 and PostgreSQL's 65,535.
pub const CHUNK: usize = 500;

/// The people with these (normalised) addresses, deleted ones included: an address is
/// taken whatever its owner's status.
pub async fn users_by_email(
    conn: &mut AnyConnection,
    emails: &[&str],
) -> Result<Vec<UserBrief>, sqlx::Error> {
    let mut out = Vec::new();
    for chunk in emails.chunks(CHUNK) {
        let sql = format!(
            "SELECT id, first_name, last_name, email, status FROM users WHERE email IN ({})",
            placeholders(1, chunk.len())
        );
        let mut q = sqlx::query_as(&sql);
        for e in chunk {
            q = q.bind(*e);
        }
        out.extend(q.fetch_all(&mut *conn).await?);
    }
    Ok(out)
}

/// Those of `users` who are not deleted and belong under one of `roots` (as
/// [`super::users::is_under`] decides for one person).
pub async fn under(
    conn: &mut AnyConnection,
    users: &[UserId],
    roots: &[NodeId],
) -> Result<HashSet<UserId>, sqlx::Error> {
    let mut out = HashSet::new();
    if roots.is_empty() {
        return Ok(out);
    }
    for chunk in users.chunks(CHUNK) {
        let sql = format!(
            "SELECT u.id FROM users u WHERE {} AND u.status <> 'deleted' AND u.id IN ({})",
            super::users::under_roots(roots.len()),
            placeholders(roots.len() + 1, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64,)>(&sql);
        for r in roots {
            q = q.bind(r.0);
        }
        for u in chunk {
            q = q.bind(u.0);
        }
        out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|r| UserId(r.0)));
    }
    Ok(out)
}

/// Those of `users` who hold `role` exactly at `node`.
pub async fn holding(
    conn: &mut AnyConnection,
    users: &[UserId],
    node: NodeId,
    role: RoleId,
) -> Result<HashSet<UserId>, sqlx::Error> {
    let mut out = HashSet::new();
    for chunk in users.chunks(CHUNK) {
        let sql = format!(
            "SELECT user_id FROM memberships WHERE node_id = $1 AND role_id = $2 \
             AND user_id IN ({})",
            placeholders(3, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (i64,)>(&sql).bind(node.0).bind(role.0);
        for u in chunk {
            q = q.bind(u.0);
        }
        out.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|r| UserId(r.0)));
    }
    Ok(out)
}

/// A free username for each address, in order, as `users::insert` picks them one at a
/// time (the local part, else the first `local-N` not taken), and distinct within the batch.
/// One query per [`CHUNK`] of addresses, plus one per local part already taken.
pub async fn free_usernames(
    conn: &mut AnyConnection,
    emails: &[&Email],
    home: NodeId,
) -> Result<Vec<String>, sqlx::Error> {
    // Usernames are unique per agency: only the agency of `home` counts.
    let (agency,): (Option<i64>,) =
        sqlx::query_as(&format!("SELECT {}", super::users::agency_of_home(1)))
            .bind(home.0)
            .fetch_one(&mut *conn)
            .await?;
    let agency = agency.unwrap_or(0);
    let bases: Vec<String> = emails.iter().map(|e| super::users::username_base(e)).collect();
    let mut distinct: Vec<&str> = bases.iter().map(String::as_str).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut taken: HashSet<String> = HashSet::new();
    for chunk in distinct.chunks(CHUNK) {
        let sql = format!(
            "SELECT username FROM users WHERE COALESCE(agency_id, 0) = $1 AND username IN ({})",
            placeholders(2, chunk.len())
        );
        let mut q = sqlx::query_as::<_, (String,)>(&sql).bind(agency);
        for b in chunk {
            q = q.bind(*b);
        }
        taken.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|r| r.0));
    }
    // Local parts already taken: their `-N` variants, read once per local part.
    let mut variants_read: HashSet<String> = HashSet::new();
    let mut out = Vec::with_capacity(bases.len());
    for base in bases {
        if taken.insert(base.clone()) {
            out.push(base);
            continue;
        }
        if variants_read.insert(base.clone()) {
            let rows: Vec<(String,)> = sqlx::query_as(
                "SELECT username FROM users WHERE COALESCE(agency_id, 0) = $1 \
                 AND username LIKE $2",
            )
            .bind(agency)
            .bind(format!("{base}-%"))
            .fetch_all(&mut *conn)
            .await?;
            taken.extend(rows.into_iter().map(|r| r.0));
        }
        let free = (2..)
            .map(|n| format!("{base}-{n}"))
            .find(|candidate| !taken.contains(candidate))
            .expect("an unbounded range always yields a free name");
        taken.insert(free.clone());
        out.push(free);
    }
    Ok(out)
}

/// Someone to add as `invited`.
pub struct Invitee<'a> {
    pub email: &'a Email,
    pub username: &'a str,
    pub first_name: &'a str,
    pub last_name: &'a str,
}

/// Inserts `people` (at most [`CHUNK`]) as `invited`, at home in `home`; their new ids by
/// address. Fails on a unique violation when an address was taken meanwhile.
pub async fn insert_invited(
    conn: &mut AnyConnection,
    people: &[Invitee<'_>],
    home: NodeId,
    now: i64,
) -> Result<HashMap<String, UserId>, sqlx::Error> {
    if people.is_empty() {
        return Ok(HashMap::new());
    }
    // $1 status, $2 home, $3 now; then 4 values a person. The agency (of the home) is
    // the namespace of their usernames.
    let agency = super::users::agency_of_home(2);
    let rows: Vec<String> = (0..people.len())
        .map(|i| {
            let p = 4 + i * 4;
            format!(
                "(${p}, ${}, ${}, ${}, $1, NULL, $2, $3, $3, $3, {agency})",
                p + 1,
                p + 2,
                p + 3
            )
        })
        .collect();
    let sql = format!(
        "INSERT INTO users (email, username, first_name, last_name, status, password_hash, \
         home_node_id, status_changed_at, created_at, updated_at, agency_id) VALUES {} \
         RETURNING id, email",
        rows.join(", ")
    );
    let mut q = sqlx::query_as::<_, (i64, String)>(&sql)
        .bind(UserStatus::Invited.key())
        .bind(home.0)
        .bind(now);
    for p in people {
        q = q.bind(p.email.as_str()).bind(p.username).bind(p.first_name).bind(p.last_name);
    }
    Ok(q.fetch_all(conn).await?.into_iter().map(|(id, email)| (email, UserId(id))).collect())
}

/// One invitation per `(user, token hash)`, each giving `roles` (encoded) at `node`.
pub async fn insert_invitations(
    conn: &mut AnyConnection,
    invitations: &[(UserId, String)],
    node: NodeId,
    roles: &str,
    invited_by: UserId,
    now: i64,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    if invitations.is_empty() {
        return Ok(());
    }
    // $1 node, $2 roles, $3 invited by, $4 now, $5 expiry; then 2 values an invitation.
    let rows: Vec<String> = (0..invitations.len())
        .map(|i| format!("(${}, $1, $2, ${}, $3, $4, $4, $5)", 6 + i * 2, 7 + i * 2))
        .collect();
    let sql = format!(
        "INSERT INTO invitations (user_id, node_id, role_ids, token_hash, invited_by, \
         created_at, last_sent_at, expires_at) VALUES {}",
        rows.join(", ")
    );
    let mut q =
        sqlx::query(&sql).bind(node.0).bind(roles).bind(invited_by.0).bind(now).bind(expires_at);
    for (user, hash) in invitations {
        q = q.bind(user.0).bind(hash.as_str());
    }
    q.execute(conn).await?;
    Ok(())
}

/// Gives each of `users` `role` at `node` (held already: nothing changes).
pub async fn grant(
    conn: &mut AnyConnection,
    users: &[UserId],
    node: NodeId,
    role: RoleId,
    granted_by: UserId,
    now: i64,
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO memberships (user_id, node_id, role_id, granted_by, granted_at) \
         VALUES {} ON CONFLICT DO NOTHING",
        (0..users.len())
            .map(|i| format!("(${}, $1, $2, $3, $4)", 5 + i))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(&sql).bind(node.0).bind(role.0).bind(granted_by.0).bind(now);
    for u in users {
        q = q.bind(u.0);
    }
    q.execute(conn).await?;
    Ok(())
}

/// A mail to queue: address, subject, body.
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues `mails` in the outbox (as `outbox::enqueue` does one).
pub async fn enqueue(
    conn: &mut AnyConnection,
    mails: &[Mail],
    now: i64,
) -> Result<(), sqlx::Error> {
    if mails.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "INSERT INTO outbox (to_address, subject, body_text, created_at, attempts, \
         next_attempt_at) VALUES {}",
        (0..mails.len())
            .map(|i| format!("(${}, ${}, ${}, $1, 0, $1)", 2 + i * 3, 3 + i * 3, 4 + i * 3))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut q = sqlx::query(&sql).bind(now);
    for m in mails {
        q = q.bind(m.to.as_str()).bind(m.subject.as_str()).bind(m.body.as_str());
    }
    q.execute(conn).await?;
    Ok(())
}
