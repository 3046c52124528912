//! How every page fetches its data again after a change: its resources key on a
//! [`Refresh`], and each action that changes what they show calls
//! [`AfterAction::refresh_on_success`](super::AfterAction::refresh_on_success). A failed
//! action refetches nothing, so the forms keep what was typed.

use leptos::prelude::*;

/// The generation of a page's data. Resources read [`Refresh::key`] in their key, and fetch
/// again after each [`Refresh::bump`].
#[derive(Clone, Copy)]
pub struct Refresh(RwSignal<u32>);

impl Default for Refresh {
    fn default() -> Self {
        Self::new()
    }
}

impl Refresh {
    /// A refresh for the component that makes it (and what it hands it to).
    pub fn new() -> Self {
        Self(RwSignal::new(0))
    }

    /// A refresh for the page below here: the parts that change its data find it with
    /// [`use_refresh`], so it is never handed down through every component between.
    pub fn provide() -> Self {
        let refresh = Self::new();
        provide_context(refresh);
        refresh
    }

    /// For a resource's key: read (and so tracked) where the key is computed.
    pub fn key(self) -> u32 {
        self.0.get()
    }

    /// Makes every resource keyed on this fetch again.
    pub fn bump(self) {
        self.0.update(|n| *n = n.wrapping_add(1));
    }
}

/// The [`Refresh`] of the page this part belongs to.
pub fn use_refresh() -> Refresh {
    expect_context()
}
