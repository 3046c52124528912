//! Checking the audit log's hash chain ([`super::chain`]): a walk over every entry in id
//! order that stops at the first broken link and says what is wrong there (changed, missing,
//! out of order, not chained, or not matching an anchor kept from an earlier run).

use super::chain::{Content, GENESIS, link_hash};
use std::fmt;

/// An entry as stored, chain fields included.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target_user_id: Option<i64>,
    pub target_name: Option<String>,
    pub node_id: Option<i64>,
    pub details: String,
}

impl Stored {
    fn content(&self) -> Content<'_> {
        Content {
            at: self.at,
            actor_id: self.actor_id,
            actor_name: &self.actor_name,
            action: &self.action,
            target_user_id: self.target_user_id,
            target_name: self.target_name.as_deref(),
            node_id: self.node_id,
            details: &self.details,
        }
    }
}

/// A chain position and the hash there, written `SEQ:HASH`: the head one verification
/// prints, given to a later one to prove the chain still passes through it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Anchor {
    pub seq: i64,
    pub hash: String,
}

impl fmt::Display for Anchor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.seq, self.hash)
    }
}

impl std::str::FromStr for Anchor {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("expected SEQ:HASH (as `audit verify` prints it), got `{s}`");
        let (seq, hash) = s.split_once(':').ok_or_else(bad)?;
        let seq = seq.trim().parse::<i64>().ok().filter(|&n| n >= 1).ok_or_else(bad)?;
        let hash = hash.trim().to_ascii_lowercase();
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad());
        }
        Ok(Anchor { seq, hash })
    }
}

/// What is wrong at the first broken link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// The entry no longer matches its own hash: changed after it was written.
    ContentChanged,
    /// Entries are missing just before this one: its position jumps ahead. ([`verify`] turns
    /// this into `OutOfOrder` when the skipped positions are found later in the log.)
    Missing { expected: i64, found: i64 },
    /// This entry's position is not the next one: entries were swapped or duplicated.
    OutOfOrder { seq: i64, expected: i64 },
    /// The entry does not follow the one before it (`previous`, none for the first): that
    /// one was changed and its hash recomputed, or replaced.
    LinkBroken { previous: Option<i64> },
    /// An entry without chain fields after the chain started: written around the
    /// application, or its chain fields were removed.
    Unchained,
    /// At the anchor's position the hash differs: the chain was rewritten up to here.
    AnchorMismatch,
    /// The log ends before the anchor's position: entries were removed from its end.
    EndsBeforeAnchor { last_seq: i64, anchor_seq: i64 },
}

/// The first broken link: the entry where the chain stops holding (for an end cut off, the
/// last entry left, or 0 when none is), and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    pub id: i64,
    pub problem: Problem,
}

impl fmt::Display for Break {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let id = self.id;
        match &self.problem {
            Problem::ContentChanged => {
                write!(f, "entry {id}: its content no longer matches its hash (changed)")
            }
            Problem::Missing { expected, found } => {
                let count = found - expected;
                write!(f, "entry {id}: {count} entr{} before it missing (removed)", plural(count))
            }
            Problem::OutOfOrder { seq, expected } => write!(
                f,
                "entry {id}: out of order (chain position {seq} where {expected} was expected: \
                 entries reordered or duplicated)"
            ),
            Problem::LinkBroken { previous: Some(p) } => write!(
                f,
                "entry {id}: does not follow entry {p} (entry {p} was changed and its hash \
                 recomputed, or replaced)"
            ),
            Problem::LinkBroken { previous: None } => {
                write!(f, "entry {id}: the first chained entry does not start the chain")
            }
            Problem::Unchained => write!(
                f,
                "entry {id}: not in the chain (written around Roster, or its chain fields removed)"
            ),
            Problem::AnchorMismatch => write!(
                f,
                "entry {id}: its hash differs from the anchor's (the chain was rewritten)"
            ),
            Problem::EndsBeforeAnchor { last_seq, anchor_seq } => write!(
                f,
                "after entry {id}: the chain ends at position {last_seq}, before the anchor's \
                 position {anchor_seq} (entries removed from its end)"
            ),
        }
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 { "y" } else { "ies" }
}

/// The outcome of a walk over the whole log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Entries read (up to the break, when there is one).
    pub entries: u64,
    /// Entries older than the chain (written before migration 0013): not covered.
    pub before_chain: u64,
    /// Id of the first chained entry.
    pub chain_from: Option<i64>,
    /// The last chained entry's position and hash.
    pub head: Option<Anchor>,
    pub broken: Option<Break>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(b) = &self.broken {
            return write!(f, "audit log chain BROKEN: {b}");
        }
        let n = self.entries;
        write!(f, "audit log chain intact: {n} entr{}", plural(n as i64))?;
        let older = self.before_chain;
        match self.chain_from {
            _ if older == 0 => {}
            Some(from) => write!(
                f,
                "; the chain starts at entry {from} ({older} older entr{}, from before it \
                 existed, not covered)",
                plural(older as i64)
            )?,
            None => write!(f, "; none in the chain yet (all from before it existed)")?,
        }
        if let Some(head) = &self.head {
            write!(f, "\nhead (keep it to check later runs with --anchor): {head}")?;
        }
        Ok(())
    }
}

/// Walks entries in id order; the pure part of [`verify`].
pub struct Walk {
    anchor: Option<Anchor>,
    report: Report,
    /// The previous chained entry: id, position, hash.
    last: Option<(i64, i64, String)>,
}

impl Walk {
    pub fn new(anchor: Option<Anchor>) -> Self {
        let report =
            Report { entries: 0, before_chain: 0, chain_from: None, head: None, broken: None };
        Walk { anchor, report, last: None }
    }

    /// Checks the next entry; `Err` at the first broken link (then stop).
    pub fn step(&mut self, row: &Stored) -> Result<(), Break> {
        let result = self.check(row);
        if let Err(b) = &result {
            self.report.broken = Some(b.clone());
        }
        result
    }

    fn check(&mut self, row: &Stored) -> Result<(), Break> {
        let broken = |problem| Err(Break { id: row.id, problem });
        self.report.entries += 1;
        let (Some(seq), Some(prev_hash), Some(hash)) = (row.seq, &row.prev_hash, &row.hash) else {
            if self.last.is_some() {
                return broken(Problem::Unchained);
            }
            self.report.before_chain += 1;
            return Ok(());
        };
        let (previous, expected, expected_prev) = match &self.last {
            Some((id, seq, hash)) => (Some(*id), seq + 1, hash.as_str()),
            None => (None, 1, GENESIS),
        };
        if seq > expected {
            return broken(Problem::Missing { expected, found: seq });
        }
        if seq < expected {
            return broken(Problem::OutOfOrder { seq, expected });
        }
        if prev_hash != expected_prev {
            return broken(Problem::LinkBroken { previous });
        }
        if link_hash(prev_hash, seq, &row.content()) != *hash {
            return broken(Problem::ContentChanged);
        }
        if self.anchor.as_ref().is_some_and(|a| a.seq == seq && a.hash != *hash) {
            return broken(Problem::AnchorMismatch);
        }
        self.report.chain_from.get_or_insert(row.id);
        self.last = Some((row.id, seq, hash.clone()));
        Ok(())
    }

    pub fn finish(mut self) -> Report {
        if self.report.broken.is_none() {
            let last_seq = self.last.as_ref().map_or(0, |l| l.1);
            if let Some(a) = self.anchor.as_ref().filter(|a| a.seq > last_seq) {
                let id = self.last.as_ref().map_or(0, |l| l.0);
                let problem = Problem::EndsBeforeAnchor { last_seq, anchor_seq: a.seq };
                self.report.broken = Some(Break { id, problem });
            }
        }
        self.report.head = self.last.map(|(_, seq, hash)| Anchor { seq, hash });
        self.report
    }
}

/// Reads the whole log in id order, a page at a time, and checks every link.
pub async fn verify(
    conn: &mut sqlx::AnyConnection,
    anchor: Option<Anchor>,
) -> Result<Report, sqlx::Error> {
    const PAGE: i64 = 1_000;
    let mut walk = Walk::new(anchor);
    let mut after = i64::MIN;
    loop {
        let rows: Vec<Stored> = sqlx::query_as(
            "SELECT id, seq, prev_hash, hash, at, actor_id, actor_name, action, target_user_id, \
             target_name, node_id, details FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(PAGE)
        .fetch_all(&mut *conn)
        .await?;
        for row in &rows {
            if let Err(b) = walk.step(row) {
                let mut report = walk.finish();
                if let Problem::Missing { expected, found } = b.problem {
                    // Are the skipped positions elsewhere in the log? Then it was reordered.
                    let (elsewhere,): (i64,) = sqlx::query_as(
                        "SELECT COUNT(*) FROM audit_log WHERE seq >= $1 AND seq < $2",
                    )
                    .bind(expected)
                    .bind(found)
                    .fetch_one(&mut *conn)
                    .await?;
                    if elsewhere > 0 {
                        let problem = Problem::OutOfOrder { seq: found, expected };
                        report.broken = Some(Break { id: b.id, problem });
                    }
                }
                return Ok(report);
            }
        }
        match rows.last() {
            Some(last) if rows.len() as i64 == PAGE => after = last.id,
            _ => return Ok(walk.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: i64, action: &str) -> Stored {
        Stored {
            id,
            seq: None,
            prev_hash: None,
            hash: None,
            at: 1_790_000_000_000 + id,
            actor_id: Some(7),
            actor_name: "Ada Admin".into(),
            action: action.into(),
            target_user_id: Some(9),
            target_name: Some("Bo Person".into()),
            node_id: Some(3),
            details: format!("entry {id}"),
        }
    }

    /// Entries `ids` (legacy ones first, unchained), then chained ones as `record_all` links.
    fn log(legacy: i64, chained: i64) -> Vec<Stored> {
        let mut rows: Vec<Stored> = (1..=legacy).map(|id| entry(id, "legacy")).collect();
        let mut prev = GENESIS.to_owned();
        for seq in 1..=chained {
            let mut row = entry(legacy + seq, "node_created");
            let hash = link_hash(&prev, seq, &row.content());
            (row.seq, row.prev_hash, row.hash) = (Some(seq), Some(prev), Some(hash.clone()));
            prev = hash;
            rows.push(row);
        }
        rows
    }

    fn walk(rows: &[Stored], anchor: Option<Anchor>) -> Report {
        let mut w = Walk::new(anchor);
        for row in rows {
            if w.step(row).is_err() {
                break;
            }
        }
        w.finish()
    }

    fn broken_at(rows: &[Stored]) -> Option<(i64, Problem)> {
        walk(rows, None).broken.map(|b| (b.id, b.problem))
    }

    #[test]
    fn an_intact_log_verifies_with_its_head_and_where_the_chain_starts() {
        let rows = log(3, 5);
        let report = walk(&rows, None);
        assert_eq!(report.broken, None);
        assert_eq!((report.entries, report.before_chain, report.chain_from), (8, 3, Some(4)));
        let head = report.head.clone().unwrap();
        assert_eq!((head.seq, head.hash.as_str()), (5, rows[7].hash.as_deref().unwrap()));
        assert_eq!(walk(&rows, Some(head)).broken, None, "its own head anchors it");
        assert_eq!(walk(&[], None).broken, None, "an empty log is intact");
    }

    #[test]
    fn each_kind_of_tampering_is_found_at_the_first_broken_entry() {
        let intact = log(0, 6);

        let mut changed = intact.clone();
        changed[2].details = "nothing happened here".into();
        assert_eq!(broken_at(&changed), Some((3, Problem::ContentChanged)));

        let mut removed = intact.clone();
        removed.remove(3);
        assert_eq!(broken_at(&removed), Some((5, Problem::Missing { expected: 4, found: 5 })));

        let mut first_removed = intact.clone();
        first_removed.drain(0..2);
        let missing = Problem::Missing { expected: 1, found: 3 };
        assert_eq!(broken_at(&first_removed), Some((3, missing)));

        let mut swapped = intact.clone();
        swapped.swap(1, 2);
        (swapped[1].id, swapped[2].id) = (2, 3);
        // The walk alone sees a gap; `verify` then finds position 2 later and says reordered.
        assert_eq!(broken_at(&swapped), Some((2, Problem::Missing { expected: 2, found: 3 })));

        let mut duplicated = intact.clone();
        let mut copy = duplicated[1].clone();
        copy.id = 7;
        duplicated.push(copy);
        assert_eq!(broken_at(&duplicated), Some((7, Problem::OutOfOrder { seq: 2, expected: 7 })));

        // Changed, and its own hash recomputed: the next entry no longer follows it.
        let mut rehashed = intact.clone();
        rehashed[2].details = "nothing happened here".into();
        let prev = rehashed[2].prev_hash.clone().unwrap();
        rehashed[2].hash = Some(link_hash(&prev, 3, &rehashed[2].content()));
        assert_eq!(broken_at(&rehashed), Some((4, Problem::LinkBroken { previous: Some(3) })));

        let mut unchained = intact.clone();
        (unchained[4].seq, unchained[4].prev_hash, unchained[4].hash) = (None, None, None);
        assert_eq!(broken_at(&unchained), Some((5, Problem::Unchained)));

        let mut restarted = intact.clone();
        restarted[0].prev_hash = Some("1".repeat(64));
        assert_eq!(broken_at(&restarted), Some((1, Problem::LinkBroken { previous: None })));
    }

    #[test]
    fn an_anchor_catches_an_end_cut_off_and_a_rewritten_chain() {
        let rows = log(0, 6);
        let head = walk(&rows, None).head.unwrap();

        let cut = walk(&rows[..4], Some(head.clone())).broken.unwrap();
        assert_eq!(
            cut,
            Break { id: 4, problem: Problem::EndsBeforeAnchor { last_seq: 4, anchor_seq: 6 } }
        );
        let emptied = walk(&[], Some(head.clone())).broken.unwrap();
        assert_eq!(emptied.id, 0);

        // Every hash recomputed after a change: consistent in itself, but not the anchor's.
        let mut rewritten = rows.clone();
        rewritten[1].details = "rewritten".into();
        let mut prev = rewritten[0].hash.clone().unwrap();
        for row in &mut rewritten[1..] {
            let hash = link_hash(&prev, row.seq.unwrap(), &row.content());
            (row.prev_hash, row.hash) = (Some(prev), Some(hash.clone()));
            prev = hash;
        }
        assert_eq!(walk(&rewritten, None).broken, None, "without an anchor this passes");
        let found = walk(&rewritten, Some(head)).broken.unwrap();
        assert_eq!(found, Break { id: 6, problem: Problem::AnchorMismatch });
    }

    #[test]
    fn the_report_says_what_and_where() {
        let intact = walk(&log(2, 1), None).to_string();
        assert!(
            intact.starts_with(
                "audit log chain intact: 3 entries; the chain starts at entry 3 (2 older entries"
            ),
            "{intact}"
        );
        let mut rows = log(0, 3);
        rows.remove(1);
        let broken = walk(&rows, None).to_string();
        assert_eq!(broken, "audit log chain BROKEN: entry 3: 1 entry before it missing (removed)");
    }

    #[test]
    fn anchors_parse_as_printed() {
        let a = Anchor { seq: 12, hash: "ab".repeat(32) };
        assert_eq!(a.to_string().parse::<Anchor>(), Ok(a));
        let zero = format!("0:{}", "ab".repeat(32));
        for bad in ["", "12", &zero, "x:ab", "3:abc"] {
            assert!(bad.parse::<Anchor>().is_err(), "{bad}");
        }
    }
}
