//! First-run setup: creates the agency and its first Agency Administrator. Guarded by the
//! one-time code the server prints in its log while no agency exists.

use crate::{
    api::setup::CompleteSetup,
    components::{AfterAction, Alert, AuthCard, Field, use_session},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

#[component]
pub fn SetupPage() -> impl IntoView {
    let action = ServerAction::<CompleteSetup>::new();
    action.load_on_success();
    let query = use_query_map();
    let field_error = move |name: &'static str| action.field_error(name);
    // Every failure is said above the form too, the field's at its field; without
    // JavaScript the server sends the form back with `?error=`.
    let failure = action.error();
    let alert = Signal::derive(move || {
        failure.get().or_else(|| {
            query.read().get("error").map(|_| {
                "Setup did not complete. Check the code and every field, then try again.".into()
            })
        })
    });
    let session = use_session();
    view! {
        <Title text="Set up Roster"/>
        <Suspense>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) if !s.needs_setup => view! { <Redirect path="/"/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <AuthCard wide=true>
            <h1>"Set up your agency"</h1>
            <p class="lead">
                "Create the agency and its first administrator. The setup code is printed in "
                "the server log; it stops working once setup is done."
            </p>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <Alert message=alert/>
                <Field name="code" label="Setup code" autocomplete="off" required=true error=field_error("code")/>
                <Field name="agency_name" label="Agency name" autocomplete="organization" required=true error=field_error("agency_name")/>
                <div class="field-row">
                    <Field name="first_name" label="First name" autocomplete="given-name" required=true error=field_error("first_name")/>
                    <Field name="last_name" label="Last name" autocomplete="family-name" required=true error=field_error("last_name")/>
                </div>
                <Field name="email" label="Your e-mail address" kind="email" autocomplete="username" required=true error=field_error("email")/>
                <Field
                    name="password"
                    label="Choose a password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters; common passwords are refused."
                    required=true
                    error=field_error("password")
                />
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Creating…" } else { "Create agency" }}
                </button>
            </ActionForm>
        </AuthCard>
    }
}
