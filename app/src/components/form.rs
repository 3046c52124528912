//! Form building blocks: labelled fields with their error, page-level alerts.

use crate::error::AppError;
use leptos::prelude::*;

/// A labelled input whose error (from the last submit) is shown under it and announced.
#[component]
pub fn Field(
    /// The form field name, as the server function's argument.
    name: &'static str,
    label: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    /// What the field starts with (an edit form).
    #[prop(optional, into)]
    value: Option<String>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: &'static str,
    /// The error for this field, if the last submit had one.
    #[prop(into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let error_id = format!("{name}-error");
    let hint_id = format!("{name}-hint");
    let described_by = {
        let error_id = error_id.clone();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=name>{label}</label>
            <input
                id=name
                name=name
                type=kind
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                required=required
                value=value
                list=(!list.is_empty()).then_some(list)
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || {
                error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })
            }}
        </div>
    }
}

/// A message above a form: errors are announced to screen readers at once.
#[component]
pub fn Alert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })
}

/// After a server function that answers with a destination succeeds, load that page in
/// full, so the server resolves the new session state as on any first page load.
pub fn use_load_on_success(value: impl Fn() -> Option<Result<String, AppError>> + 'static) {
    Effect::new(move |_| {
        if let Some(Ok(dest)) = value() {
            let _ = window().location().set_href(&dest);
        }
    });
}

/// The message of the last failed call of an action, for an [`Alert`].
pub fn failure<T: 'static>(
    value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static,
) -> Signal<Option<String>> {
    Signal::derive(move || match value() {
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    })
}

/// Runs `then` each time the action's last call succeeded.
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
