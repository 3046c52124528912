//! Form building blocks beside [`Field`](super::Field): the page-level alert.

use crate::error::AppError;
use leptos::prelude::*;

/// A message above a form: errors are announced to screen readers at once.
#[component]
pub fn Alert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })
}

/// Runs `then` each time the action's last call succeeded.
///
/// Kept only for the call preferences pages until their rewrite moves to
/// [`AfterAction::on_success`](super::AfterAction::on_success), the one way for new code.
pub fn on_success<T: 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + 'static,
    then: impl Fn() + 'static,
) {
    Effect::new(move |_| {
        if let Some(Ok(_)) = value() {
            then();
        }
    });
}
