//! The cursor: where the next page starts, with what the first page learnt about the list
//! (its plan and count), so later pages neither plan nor count again.
//!
//! It travels to the browser and back as hex-encoded JSON. The field names on the wire are
//! one letter each (`{"s":"name","k":["lovelace","ada"],"i":42,"p":"Walk",...}`): they keep
//! page links short, and cursors already in links must keep decoding.

use super::{
    criteria::{Criteria, Scope},
    order::{KeyValue, Position, sort_columns},
    plan::Plan,
};
use crate::api::directory::SortKey;
use serde::{Deserialize, Serialize};

/// Where the next page starts: the sort values and id of the last row shown, the plan and
/// the count of the first page, and a fingerprint of what was listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    /// The sort, as in the address (`name`, `-created`...).
    #[serde(rename = "s")]
    pub(super) sort: String,
    /// The sort values of the last row shown.
    #[serde(rename = "k")]
    pub(super) keys: Vec<KeyValue>,
    /// The id of the last row shown.
    #[serde(rename = "i")]
    pub(super) id: i64,
    #[serde(rename = "p")]
    pub(super) plan: Plan,
    /// How many people the list had on its first page.
    #[serde(rename = "c")]
    pub(super) count: u64,
    /// Whether that count was exact.
    #[serde(rename = "e")]
    pub(super) exact: bool,
    /// [`fingerprint`] of the list the cursor was made for.
    #[serde(rename = "f")]
    pub(super) fingerprint: u64,
}

impl Cursor {
    /// The opaque text handed to the browser.
    pub fn encode(&self) -> String {
        hex::encode(serde_json::to_vec(self).unwrap_or_default())
    }

    /// `None` for anything that is not a cursor this server wrote. The position is bound
    /// into a row comparison with the sort's columns, so it must have their shape: as many
    /// values, numbers for numeric columns, text with no control character (PostgreSQL
    /// refuses NUL) for the others. Anything else would fail the statement: a 500.
    pub fn decode(text: &str) -> Option<Cursor> {
        let bytes = hex::decode(text.trim()).ok()?;
        let c: Cursor = serde_json::from_slice(&bytes).ok()?;
        let sort = SortKey::from_key(c.sort.strip_prefix('-').unwrap_or(&c.sort))?;
        let numeric = matches!(sort, SortKey::Created);
        let fits = |v: &KeyValue| match v {
            KeyValue::Int(_) => numeric,
            KeyValue::Text(t) => !numeric && t.len() <= 1000 && !t.chars().any(char::is_control),
        };
        (c.keys.len() == sort_columns(sort, "").len() && c.keys.iter().all(fits)).then_some(c)
    }

    /// The position after the last row shown.
    pub(super) fn position(&self) -> Position {
        Position { keys: self.keys.clone(), id: self.id }
    }
}

/// A fingerprint of what is listed (FNV-1a over the `Debug` text of the scope and criteria),
/// so a cursor from another list is not trusted for its plan and count. Stable across
/// builds, unlike the standard library's hasher: cursors outlive a server's restart.
pub(super) fn fingerprint(scope: &Scope, c: &Criteria) -> u64 {
    let text = format!("{scope:?}{c:?}");
    text.bytes()
        .fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        api::directory::query::Source,
        domain::{NodeId, RoleId},
    };

    #[test]
    fn cursors_are_opaque_and_checked() {
        let cur = Cursor {
            sort: "name".into(),
            keys: vec![KeyValue::Text("lovelace".into()), KeyValue::Text("ada".into())],
            id: 42,
            plan: Plan::Walk,
            count: 1_000_000,
            exact: false,
            fingerprint: 7,
        };
        let text = cur.encode();
        assert!(text.chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(Cursor::decode(&text), Some(cur));
        assert_eq!(Cursor::decode("not a cursor"), None);
        assert_eq!(Cursor::decode(&hex::encode(b"{\"s\":1}")), None);
        let wrong_shape = r#"{"s":"name","k":[5,"ada"],"i":1,"p":"Walk","c":1,"e":true,"f":0}"#;
        assert_eq!(Cursor::decode(&hex::encode(wrong_shape)), None, "a number for a name");
    }

    /// Cursors written before the fields had readable names, as found in page links.
    #[test]
    fn cursors_already_in_links_still_decode() {
        let old = r#"{"s":"-created","k":[1790000000000],"i":9,"p":{"Gather":"Role"},"c":12,"e":true,"f":18446744073709551615}"#;
        let cur = Cursor::decode(&hex::encode(old)).expect("an old cursor");
        assert_eq!(
            cur,
            Cursor {
                sort: "-created".into(),
                keys: vec![KeyValue::Int(1_790_000_000_000)],
                id: 9,
                plan: Plan::Gather(Source::Role),
                count: 12,
                exact: true,
                fingerprint: u64::MAX,
            }
        );
        assert_eq!(cur.encode(), hex::encode(old), "and are written the same way");
    }

    #[test]
    fn fingerprints_tell_lists_apart_and_stay_put() {
        let scope = Scope { node: NodeId(3), inherited: false };
        let c = Criteria::new("ada", &[], Some(RoleId(5)), None, SortKey::Name, false);
        // The value cursors in circulation carry for this list: it must not drift.
        assert_eq!(fingerprint(&scope, &c), 0xe9e9_6d61_0f5c_02f8);
        let other = Scope { inherited: true, ..scope };
        assert_ne!(fingerprint(&scope, &c), fingerprint(&other, &c));
    }
}
