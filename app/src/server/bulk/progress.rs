//! How far a running bulk add has got, for the page polling `bulk_add_progress`.
//!
//! Kept in this process's memory, keyed by the batch id the browser chose and the caller's
//! id, so only the person who started a batch sees it. An entry is dropped a while after
//! its batch ends (kept that long so a last poll still sees "done").
//!
//! With several server processes behind one address, a poll may reach a process other than
//! the one running the batch: it then answers "nothing known" and the page shows an
//! indeterminate bar until the commit answers. The commit itself is unaffected.

use crate::{
    domain::UserId,
    server::clock::{Clock, MINUTE, Millis},
};
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

/// How long a finished batch stays visible.
pub const KEEP: Millis = 10 * MINUTE;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    done: u32,
    total: u32,
    finished_at: Option<Millis>,
}

#[derive(Clone, Default, Debug)]
pub struct Progress(Arc<Mutex<HashMap<(UserId, String), Entry>>>);

impl Progress {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<(UserId, String), Entry>> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Starts (or restarts) `batch` of `user` with `total` steps; forgets batches that
    /// ended more than [`KEEP`] ago. The returned guard marks the batch ended when it is
    /// dropped, whether the batch succeeded or not.
    pub fn start(&self, user: UserId, batch: &str, total: u32, clock: &Clock) -> Tracker {
        let now = clock.now();
        let mut map = self.map();
        map.retain(|_, e| e.finished_at.is_none_or(|at| now - at < KEEP));
        map.insert((user, batch.to_string()), Entry { done: 0, total, finished_at: None });
        Tracker { progress: self.clone(), key: (user, batch.to_string()), clock: clock.clone() }
    }

    /// `(done, total)` of `user`'s batch, if this process knows of it.
    pub fn get(&self, user: UserId, batch: &str) -> Option<(u32, u32)> {
        self.map().get(&(user, batch.to_string())).map(|e| (e.done, e.total))
    }

    /// How many batches are remembered (running or recently ended).
    pub fn len(&self) -> usize {
        self.map().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A running batch's handle on its progress entry.
pub struct Tracker {
    progress: Progress,
    key: (UserId, String),
    clock: Clock,
}

impl Tracker {
    pub fn set_done(&self, done: u32) {
        if let Some(e) = self.progress.map().get_mut(&self.key) {
            e.done = done.min(e.total);
        }
    }

    /// Marks every step done; the batch ends when the tracker is dropped.
    pub fn finish(self) {
        if let Some(e) = self.progress.map().get_mut(&self.key) {
            e.done = e.total;
        }
    }
}

impl Drop for Tracker {
    fn drop(&mut self) {
        let now = self.clock.now();
        if let Some(e) = self.progress.map().get_mut(&self.key) {
            e.finished_at.get_or_insert(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_its_owner_sees_a_batch_and_it_is_forgotten_after_a_while() {
        let p = Progress::default();
        let clock = Clock::manual(0);
        let (ann, bob) = (UserId(1), UserId(2));
        let t = p.start(ann, "b1", 10, &clock);
        t.set_done(4);
        assert_eq!(p.get(ann, "b1"), Some((4, 10)));
        assert_eq!(p.get(bob, "b1"), None, "another person's batch of the same id");
        assert_eq!(p.get(ann, "b2"), None);
        t.set_done(99);
        assert_eq!(p.get(ann, "b1"), Some((10, 10)), "never past the total");
        clock.advance(1_000);
        t.finish();
        assert_eq!(p.get(ann, "b1"), Some((10, 10)), "still there just after");
        clock.advance(KEEP - 1);
        let _other = p.start(bob, "b1", 1, &clock);
        assert_eq!(p.get(ann, "b1"), Some((10, 10)));
        clock.advance(1);
        let _later = p.start(bob, "b3", 1, &clock);
        assert_eq!(p.get(ann, "b1"), None, "forgotten once KEEP has passed");
        assert_eq!(p.len(), 2, "running batches are kept");
    }

    #[test]
    fn a_batch_that_fails_ends_too() {
        let p = Progress::default();
        let clock = Clock::manual(100);
        {
            let t = p.start(UserId(1), "b", 5, &clock);
            t.set_done(2);
            // Dropped without finish: the batch failed.
        }
        assert_eq!(p.get(UserId(1), "b"), Some((2, 5)));
        clock.advance(KEEP);
        let _t = p.start(UserId(2), "c", 1, &clock);
        assert_eq!(p.get(UserId(1), "b"), None);
    }
}
