//! What a list is asked for: where to look ([`Scope`]) and the filter, checked and normalised
//! ([`Criteria`]); with the backend, the [`List`] every statement of a page is about.
//!
//! The `Debug` text of both is what a cursor's fingerprint hashes (see `cursor.rs`): renaming
//! or reordering their fields changes every fingerprint, so cursors already handed out would
//! lose their remembered plan and count (not their place in the list) and be planned again.

use crate::{
    api::directory::SortKey,
    domain::{NodeId, RoleId, UserStatus},
    server::db::Backend,
};

/// Where the directory looks: people within reach at `node` (and above it, `inherited`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Scope {
    pub node: NodeId,
    pub inherited: bool,
}

/// A filter, checked and normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Criteria {
    /// Each must be the start of the first name, last name, e-mail or username.
    pub words: Vec<String>,
    /// Only these states (empty: all but deleted). Never contains `Deleted`.
    pub statuses: Vec<UserStatus>,
    /// Only deleted people were asked for: nobody matches.
    pub nobody: bool,
    pub role: Option<RoleId>,
    /// Only members of this team.
    pub team: Option<i64>,
    pub sort: SortKey,
    pub descending: bool,
}

/// The most search words used; more are ignored.
pub const MAX_WORDS: usize = 5;
/// Longest search word (characters).
pub const MAX_WORD_CHARS: usize = 100;

impl Criteria {
    pub fn new(
        query: &str,
        statuses: &[UserStatus],
        role: Option<RoleId>,
        team: Option<i64>,
        sort: SortKey,
        descending: bool,
    ) -> Self {
        let words = query
            .split_whitespace()
            .take(MAX_WORDS)
            .map(|w| w.chars().take(MAX_WORD_CHARS).collect())
            .collect();
        let mut wanted: Vec<UserStatus> = Vec::new();
        for s in statuses {
            if *s != UserStatus::Deleted && !wanted.contains(s) {
                wanted.push(*s);
            }
        }
        // Every state but deleted is no filter at all.
        let nobody = !statuses.is_empty() && wanted.is_empty();
        if wanted.len() == UserStatus::ALL.len() - 1 {
            wanted.clear();
        }
        wanted.sort_by_key(|s| s.key());
        Criteria { words, statuses: wanted, nobody, role, team, sort, descending }
    }

    /// The word whose prefix is likely the most selective: the longest.
    pub(super) fn search_word(&self) -> Option<&str> {
        self.words.iter().max_by_key(|w| w.chars().count()).map(String::as_str)
    }
}

/// A list being read: what every statement of its pages is about, and for which database.
#[derive(Clone, Copy, Debug)]
pub(super) struct List<'a> {
    pub backend: Backend,
    pub scope: &'a Scope,
    pub c: &'a Criteria,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn criteria_normalise_the_filter() {
        let c = Criteria::new("  ada   lov ", &[], None, None, SortKey::Name, false);
        assert_eq!(c.words, vec!["ada", "lov"]);
        let all_but_deleted: Vec<UserStatus> =
            UserStatus::ALL.into_iter().filter(|s| *s != UserStatus::Deleted).collect();
        let c = Criteria::new("", &all_but_deleted, None, None, SortKey::Name, false);
        assert!(c.statuses.is_empty() && !c.nobody, "every state is no filter");
        let c = Criteria::new("", &[UserStatus::Deleted], None, None, SortKey::Name, false);
        assert!(c.nobody, "deleted people are never listed");
        let c = Criteria::new("a b c d e f g", &[], None, None, SortKey::Name, false);
        assert_eq!(c.words.len(), MAX_WORDS);
        let c = Criteria::new("ab abcd abc", &[], None, None, SortKey::Name, false);
        assert_eq!(c.search_word(), Some("abcd"), "the longest word is searched by index");
    }
}
