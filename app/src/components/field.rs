//! The one labelled input of every form: its hint and its error from the last submit under
//! it, both tied to the input with `aria-describedby` (and `aria-invalid` while it has an
//! error), so a screen reader reads them where the problem is.

use leptos::prelude::*;

/// Where a [`Field`]'s text lives.
#[derive(Clone, Default)]
pub enum FieldValue {
    /// In the input alone, for a form that posts (`ActionForm`, or without JavaScript):
    /// what was typed stays in the input when a submit fails. Starting empty,
    #[default]
    Empty,
    /// or with this text (an edit form).
    Initial(String),
    /// In a signal the form reads when it submits: shown, and set on every keystroke.
    /// The input shows the signal's text when it changes (a form emptied after a save).
    Bound { text: Signal<String>, on_input: Callback<String> },
}

impl FieldValue {
    /// Text kept elsewhere (a draft), read through `text` and written through `on_input`.
    pub fn bound(text: impl Into<Signal<String>>, on_input: Callback<String>) -> Self {
        Self::Bound { text: text.into(), on_input }
    }
}

impl From<String> for FieldValue {
    fn from(text: String) -> Self {
        Self::Initial(text)
    }
}

impl From<RwSignal<String>> for FieldValue {
    fn from(text: RwSignal<String>) -> Self {
        Self::bound(text, Callback::new(move |v| text.set(v)))
    }
}

/// A labelled input whose error (from the last submit) is shown under it and announced.
#[component]
pub fn Field(
    /// The form field name, for a form that posts (the server function's argument).
    #[prop(optional)]
    name: &'static str,
    /// The input's id, unique on the page; its hint and error are `{id}-hint` and
    /// `{id}-error`. By default the `name`.
    #[prop(optional, into)]
    id: Option<String>,
    #[prop(into)] label: String,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] inputmode: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] required: bool,
    #[prop(optional)] maxlength: Option<u32>,
    /// The id of a `<datalist>` of suggestions.
    #[prop(optional)]
    list: &'static str,
    #[prop(optional, into)] value: FieldValue,
    /// The error for this field, if the last submit had one.
    #[prop(optional, into)]
    error: Signal<Option<String>>,
) -> impl IntoView {
    let id = id.unwrap_or_else(|| name.to_string());
    let (error_id, hint_id) = (format!("{id}-error"), format!("{id}-hint"));
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
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
    // The `value` attribute is what the server renders (and what a form without JavaScript
    // starts with); a bound field's property follows its signal after that. An unbound
    // field never sets the property: hydrating would wipe what was typed before it.
    let (initial, bound) = match value {
        FieldValue::Empty => (None, None),
        FieldValue::Initial(text) => (Some(text), None),
        FieldValue::Bound { text, on_input } => {
            (Some(text.get_untracked()).filter(|t| !t.is_empty()), Some((text, on_input)))
        }
    };
    let opt = |s: &'static str| (!s.is_empty()).then_some(s);
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input
                id=id
                name=opt(name)
                type=kind
                autocomplete=opt(autocomplete)
                inputmode=opt(inputmode)
                required=required
                maxlength=maxlength
                value=initial
                list=opt(list)
                prop:value=move || bound.map(|(text, _)| text.get())
                on:input=move |ev| {
                    if let Some((_, on_input)) = bound {
                        on_input.run(event_target_value(&ev));
                    }
                }
                aria-invalid=move || error.get().is_some().then_some("true")
                aria-describedby=described_by
            />
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || error.get().map(|e| view! { <p class="field-error" id=error_id.clone()>{e}</p> })}
        </div>
    }
}
