//! Form building blocks beside [`Field`](super::Field): the page-level alert, and a
//! checkbox that puts one item in or out of a set.

use leptos::prelude::*;
use std::collections::BTreeSet;

/// A message above a form: errors are announced to screen readers at once.
#[component]
pub fn Alert(#[prop(into)] message: Signal<Option<String>>) -> impl IntoView {
    move || message.get().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })
}

/// A labelled checkbox, ticked while `item` is in `set`; ticking adds it, unticking takes
/// it out. One of a list of choices (roles, permissions, numbers, people).
#[component]
pub fn SetCheckbox<T>(
    set: RwSignal<BTreeSet<T>>,
    item: T,
    #[prop(into)] label: String,
    /// The input's id, where a test or a label elsewhere needs one.
    #[prop(optional, into)]
    id: Option<String>,
) -> impl IntoView
where
    T: Ord + Copy + Send + Sync + 'static,
{
    view! {
        <label class="check">
            <input type="checkbox" id=id
                prop:checked=move || set.with(|s| s.contains(&item))
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    set.update(|s| {
                        if on { s.insert(item); } else { s.remove(&item); }
                    });
                }/>
            " "{label}
        </label>
    }
}
