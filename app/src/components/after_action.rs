//! What a page does after one of its actions answers, in one place: fetch its data again
//! (a [`Refresh`]), show a toast, go elsewhere, or show what went wrong beside the form.

use super::refresh::Refresh;
use crate::error::AppError;
use leptos::{prelude::*, server_fn::ServerFn};

/// Reactions to an action's answer, for an `Action` or a `ServerAction` whose call fails
/// with an [`AppError`].
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An action whose last answer is `answer` (it is never dispatched).
    fn answered(answer: Result<u8, AppError>) -> Action<(), Result<u8, AppError>> {
        Action::new_with_value(Some(answer), |_: &()| async { Ok(0) })
    }

    #[test]
    fn a_field_problem_shows_at_its_field_and_nowhere_else() {
        let owner = Owner::new();
        owner.set();
        let a = answered(Err(AppError::field("name", "Give it a name.")));
        assert_eq!(a.field_error("name").get_untracked().as_deref(), Some("Give it a name."));
        assert_eq!(a.field_error("email").get_untracked(), None);
        assert_eq!(a.error_beside(&["email", "name"]).get_untracked(), None);
        // A form without that field shows it above.
        assert_eq!(a.error_beside(&["email"]).get_untracked().as_deref(), Some("Give it a name."));
        assert_eq!(a.error().get_untracked().as_deref(), Some("Give it a name."));
    }

    #[test]
    fn other_failures_show_above_the_form_and_successes_show_nothing() {
        let owner = Owner::new();
        owner.set();
        let refused = answered(Err(AppError::Forbidden));
        let message = AppError::Forbidden.to_string();
        assert_eq!(refused.error_beside(&["name"]).get_untracked(), Some(message.clone()));
        assert_eq!(refused.error().get_untracked(), Some(message));
        assert_eq!(refused.field_error("name").get_untracked(), None);
        let done = answered(Ok(1));
        assert_eq!(done.error().get_untracked(), None);
        assert_eq!(done.error_beside(&[]).get_untracked(), None);
        assert_eq!(done.field_error("name").get_untracked(), None);
    }
}
