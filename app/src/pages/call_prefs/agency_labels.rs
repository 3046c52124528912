//! The agency's card that renames the four custom fields, shown in the agency's settings.

use super::shown_at_fields;
use crate::{
    api::call_prefs::{AgencySettings, SaveAgencySettings},
    components::{AfterAction, Alert, Field},
    error::AppError,
    pages::node::NodeSections,
};
use leptos::prelude::*;

/// The agency's labels for the four custom user fields (agency settings).
#[component]
pub fn AgencyLabelsCard() -> impl IntoView {
    let save = ServerAction::<SaveAgencySettings>::new();
    // Fetched again after a save (new version), alone: nothing else on the page changed.
    // A failed save keeps what was typed.
    let NodeSections { labels: settings, labels_version: refresh, .. } = expect_context();
    save.on_success(move |_| refresh.update(|n| *n += 1));
    let saved = move || save.with_answer(|a| matches!(a, Some(Ok(_))));
    view! {
        <div class="agency-labels">
            <h3>"Custom user fields"</h3>
            <p class="hint">"Everyone's call preferences have four custom fields: name them here."</p>
            {move || saved().then(|| view! { <p class="alert alert-ok" role="status">"Labels saved."</p> })}
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match settings.await {
                        Ok(s) => view! { <LabelsForm settings=s save=save refresh=refresh/> }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

const LABEL_FIELDS: [&str; 4] = [
    "custom_field_labels[0]",
    "custom_field_labels[1]",
    "custom_field_labels[2]",
    "custom_field_labels[3]",
];

#[component]
fn LabelsForm(
    settings: AgencySettings,
    save: ServerAction<SaveAgencySettings>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let failed = move || match save.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let field = move |name: &'static str| save.field_error(name);
    // Each problem in one place: a field's at the field (below), the rest in the alert.
    let alert =
        Signal::derive(move || failed().filter(|e| !shown_at_fields(e)).map(|e| e.to_string()));
    let conflict = move || matches!(failed(), Some(AppError::Conflict { .. }));
    const NAMES: [&str; 4] =
        ["Custom field 1", "Custom field 2", "Custom field 3", "Custom field 4"];
    view! {
        <ActionForm action=save attr:class="form labels-form" attr:novalidate=true>
            <Alert message=alert/>
            {move || conflict().then(|| view! {
                <button type="button" class="button button-small" on:click=move |_| refresh.update(|n| *n += 1)>"Reload"</button>
            })}
            <input type="hidden" name="agency_id" value=settings.agency_id.to_string()/>
            <input type="hidden" name="version" value=settings.version.to_string()/>
            {settings.custom_field_labels.iter().enumerate().map(|(i, label)| view! {
                <Field name=LABEL_FIELDS[i] label=NAMES[i] value=label.clone() required=true error=field(LABEL_FIELDS[i])/>
            }).collect_view()}
            {move || field("custom_field_labels").get().map(|m| view! { <p class="field-error">{m}</p> })}
            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                {move || if save.pending().get() { "Saving…" } else { "Save labels" }}
            </button>
        </ActionForm>
    }
}
