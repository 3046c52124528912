//! Tamper evidence for the audit log: every entry carries its place in a hash chain.
//!
//! An entry stores `seq` (its position: 1, 2, 3 … with no gaps), `prev_hash` (the hash of
//! the entry before it, [`GENESIS`] for the first) and `hash`, the SHA-256 of `prev_hash`,
//! `seq` and its own content in the fixed encoding of [`link_hash`]. Changing an entry, removing
//! one or swapping two is then visible to [`super::verify`], which walks the log in id order.
//!
//! Appends must not fork the chain: two transactions must never both extend the same tail.
//! SQLite already has one writer at a time (`BEGIN IMMEDIATE`). On PostgreSQL the tail is read
//! through `audit_chain_tail()` (migration 0013), which takes a transaction-scoped advisory
//! lock first and, being a volatile function, then reads with a fresh snapshot: it sees the
//! entry the previous holder of the lock committed. One extra statement per append on either
//! backend; a unique index on `seq` refuses a fork should anything bypass this.
//!
//! Entries written before migration 0013 have no chain fields; the chain starts after them,
//! and the verification report says from which id. Whoever can write to the database can
//! also rewrite the whole chain from some entry on, or cut its end: an anchor (a head printed
//! by an earlier verification and kept elsewhere) catches both.

use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry in the chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The part of an entry its hash covers (everything but the id, which the database assigns
/// after the hash is computed; `seq` fixes the order instead).
pub struct Content<'a> {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub target_user_id: Option<i64>,
    pub target_name: Option<&'a str>,
    pub node_id: Option<i64>,
    pub details: &'a str,
}

/// Hex SHA-256 over a version tag, `prev_hash`, `seq` and the content. Each field is
/// length-prefixed or fixed-width and each optional one tagged, so no two different entries
/// encode to the same bytes. Changing this encoding breaks every stored chain: the unit test
/// pins the hash of a fixed entry.
pub fn link_hash(prev_hash: &str, seq: i64, c: &Content<'_>) -> String {
    fn text(h: &mut Sha256, s: &str) {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    fn int(h: &mut Sha256, i: Option<i64>) {
        match i {
            None => h.update([0]),
            Some(i) => {
                h.update([1]);
                h.update(i.to_be_bytes());
            }
        }
    }
    let mut h = Sha256::new();
    h.update(b"roster-audit-v1\0");
    text(&mut h, prev_hash);
    h.update(seq.to_be_bytes());
    h.update(c.at.to_be_bytes());
    int(&mut h, c.actor_id);
    text(&mut h, c.actor_name);
    text(&mut h, c.action);
    int(&mut h, c.target_user_id);
    match c.target_name {
        None => h.update([0]),
        Some(name) => {
            h.update([1]);
            text(&mut h, name);
        }
    }
    int(&mut h, c.node_id);
    text(&mut h, c.details);
    hex::encode(h.finalize())
}

/// The next position and the hash to link to, with the append lock held on PostgreSQL (see
/// the module comment). Call inside the transaction that writes the entries.
pub(super) async fn tail(conn: &mut sqlx::AnyConnection) -> Result<(i64, String), sqlx::Error> {
    // `AnyConnection` names its backend; only PostgreSQL needs (and has) the locking function.
    let sql = if conn.backend_name() == "PostgreSQL" {
        "SELECT seq, hash FROM audit_chain_tail()"
    } else {
        "SELECT seq, hash FROM audit_log WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
    };
    let last: Option<(i64, String)> = sqlx::query_as(sql).fetch_optional(conn).await?;
    Ok(last.map_or((1, GENESIS.to_owned()), |(seq, hash)| (seq + 1, hash)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixed(details: &str) -> Content<'_> {
        Content {
            at: 1_790_000_000_001,
            actor_id: Some(7),
            actor_name: "Ada Admin",
            action: "role_granted",
            target_user_id: Some(9),
            target_name: Some("Bo Person"),
            node_id: Some(3),
            details,
        }
    }

    /// The encoding is part of the stored data: a change here breaks every existing chain,
    /// so it must be a deliberate one (a new version tag), never an accident. The values were
    /// also computed by an independent script of the encoding documented at `link_hash`.
    #[test]
    fn the_hash_of_a_fixed_entry_is_pinned() {
        assert_eq!(
            link_hash(GENESIS, 1, &fixed("entry 1")),
            "2dfbbd89eada9383ed6a0e49ba6fc5fcae7adfc8f4b4b94f5512d8f05e2a5012"
        );
        let none = Content {
            at: 0,
            actor_id: None,
            actor_name: "",
            action: "",
            target_user_id: None,
            target_name: None,
            node_id: None,
            details: "",
        };
        assert_eq!(
            link_hash(GENESIS, 1, &none),
            "6afac857273646ad6023b55c8266b734670f84ebe752b0875442dba4c3cd69ef"
        );
    }

    #[test]
    fn field_boundaries_absent_values_and_the_position_are_part_of_the_hash() {
        let a = fixed("x");
        let b = Content { actor_name: "Ada Admi", action: "nrole_granted", ..fixed("x") };
        assert_ne!(link_hash(GENESIS, 1, &a), link_hash(GENESIS, 1, &b));
        let empty = Content { target_name: Some(""), ..fixed("x") };
        let absent = Content { target_name: None, ..fixed("x") };
        assert_ne!(link_hash(GENESIS, 1, &empty), link_hash(GENESIS, 1, &absent));
        let zero = Content { actor_id: Some(0), ..fixed("x") };
        let no_actor = Content { actor_id: None, ..fixed("x") };
        assert_ne!(link_hash(GENESIS, 1, &zero), link_hash(GENESIS, 1, &no_actor));
        assert_ne!(link_hash(GENESIS, 1, &a), link_hash(GENESIS, 2, &a));
        assert_ne!(link_hash(GENESIS, 1, &a), link_hash(&"1".repeat(64), 1, &a));
    }
}
