//! What a page does after one of its actions answers, in one place: fetch its data again
//! ([`Refresh`]), show a toast, go elsewhere, or show what went wrong.
//!
//! Every page refetches the same way: its resources key on a [`Refresh`], and each action
//! that changes what they show calls [`AfterAction::refresh_on_success`]. A failed action
//! refetches nothing, so the forms keep what was typed.

use crate::error::AppError;
use leptos::{prelude::*, server_fn::ServerFn};

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

/// Reactions to an action's answer, for any action whose server call fails with an
/// [`AppError`] (a `ServerAction` is one too, through `Deref`).
pub trait AfterAction<T>: Copy + Send + Sync + 'static {
    /// Reads the last answer in place (tracked): it may be large, like a bulk preview.
    fn with_answer<R>(self, read: impl FnOnce(Option<&Result<T, AppError>>) -> R) -> R;

    /// Runs `then` with the value each time the action succeeds. `then` runs untracked: the
    /// signals it reads do not make it run again.
    fn on_success(self, then: impl Fn(&T) + 'static)
    where
        T: Clone,
    {
        // Cloned out first: `then` may write to this action's value (clearing it), which
        // must not happen while it is being read.
        Effect::new(move |_| {
            if let Some(value) = self.with_answer(|a| a.and_then(|r| r.as_ref().ok()).cloned()) {
                untrack(|| then(&value));
            }
        });
    }

    /// Runs `then` with the error each time the action fails.
    fn on_failure(self, then: impl Fn(&AppError) + 'static) {
        Effect::new(move |_| {
            if let Some(e) = self.with_answer(|a| a.and_then(|r| r.as_ref().err()).cloned()) {
                untrack(|| then(&e));
            }
        });
    }

    /// Fetches the page's data again each time the action succeeds.
    fn refresh_on_success(self, refresh: Refresh)
    where
        T: Clone,
    {
        self.on_success(move |_| refresh.bump());
    }

    /// For a server function that answers with where to go: loads that page in full when it
    /// succeeds, so the server resolves the new session state as on any first page load.
    fn load_on_success(self)
    where
        T: Clone + AsRef<str>,
    {
        self.on_success(|dest| {
            let _ = window().location().set_href(dest.as_ref());
        });
    }

    /// The message of the last failure, for an `Alert`.
    fn error(self) -> Signal<Option<String>> {
        Signal::derive(move || self.with_answer(|a| Some(a?.as_ref().err()?.to_string())))
    }

    /// The message for the form field `name` from the last failure, for its `Field`.
    fn field_error(self, name: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || self.with_answer(|a| a?.as_ref().err()?.field_message(name)))
    }

    /// The message of the last failure unless it is about one of `fields` (those show at
    /// their field), for the `Alert` above a form.
    fn error_beside(self, fields: &'static [&'static str]) -> Signal<Option<String>> {
        Signal::derive(move || {
            self.with_answer(|a| {
                let e = a?.as_ref().err()?;
                (!fields.iter().any(|f| e.field_message(f).is_some())).then(|| e.to_string())
            })
        })
    }
}

impl<I, T> AfterAction<T> for Action<I, Result<T, AppError>>
where
    I: Send + Sync + 'static,
    T: Send + Sync + 'static,
{
    fn with_answer<R>(self, read: impl FnOnce(Option<&Result<T, AppError>>) -> R) -> R {
        self.value().with(|v| read(v.as_ref()))
    }
}

impl<S> AfterAction<S::Output> for ServerAction<S>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
{
    fn with_answer<R>(self, read: impl FnOnce(Option<&Result<S::Output, AppError>>) -> R) -> R {
        Action::from(self).with_answer(read)
    }
}
