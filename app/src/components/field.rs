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

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    fn html(view: impl IntoView) -> String {
        view.into_view().to_html()
    }

    #[test]
    fn the_error_and_hint_are_under_the_input_and_tied_to_it() {
        let owner = Owner::new();
        owner.set();
        let error = Signal::stored(Some("Enter a valid e-mail address.".to_string()));
        let page = html(view! {
            <Field name="email" label="E-mail address" kind="email" hint="Like ann@example.com." error=error/>
        });
        for part in [
            r#"<label for="email">E-mail address</label>"#,
            r#"id="email" name="email" type="email""#,
            r#"aria-invalid="true""#,
            r#"aria-describedby="email-hint email-error""#,
            r#"<p id="email-hint" class="hint">Like ann@example.com.</p>"#,
            r#"<p id="email-error" class="field-error">Enter a valid e-mail address.</p>"#,
        ] {
            assert!(page.contains(part), "{part} in {page}");
        }
        // The hint first, then the error, as the screen reader reads them.
        assert!(page.find(">Like ann").unwrap() < page.find(">Enter a valid").unwrap());
    }

    #[test]
    fn without_an_error_nothing_is_announced() {
        let owner = Owner::new();
        owner.set();
        let page = html(view! { <Field name="code" label="Setup code" value="ABC".to_string()/> });
        assert!(page.contains(r#"value="ABC""#), "{page}");
        assert!(!page.contains("aria-invalid") && !page.contains("aria-describedby"), "{page}");
        assert!(!page.contains("field-error"), "{page}");
    }

    #[test]
    fn a_bound_field_posts_nothing_and_starts_with_its_text() {
        let owner = Owner::new();
        owner.set();
        let name = RwSignal::new("Night shift".to_string());
        let page = html(view! { <Field id="team-name" label="Name" value=name/> });
        assert!(page.contains(r#"id="team-name""#) && !page.contains("name=\""), "{page}");
        assert!(page.contains(r#"value="Night shift""#), "{page}");
        let empty = RwSignal::new(String::new());
        let page = html(view! { <Field id="team-name" label="Name" value=empty/> });
        assert!(!page.contains("value="), "{page}");
    }
}
