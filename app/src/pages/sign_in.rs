//! Sign in with e-mail and password. Works without JavaScript: the form posts to the
//! server function, which redirects back here with `?error=code` when it fails.

use crate::{
    api::auth::{SignIn, sign_in_message},
    components::{AfterAction, Alert, AuthCard, Field, use_session},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    action.load_on_success();
    let query = use_query_map();
    let next = move || query.read().get("next");
    let error = Signal::derive(move || match action.value().get() {
        Some(Err(err)) => Some(err.to_string()),
        Some(Ok(_)) => None,
        None => query.read().get("error").map(|code| sign_in_message(&code).to_string()),
    });
    let session = use_session();
    view! {
        <Title text="Sign in · Roster"/>
        <Suspense>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(s) if s.needs_setup => view! { <Redirect path="/setup"/> }.into_any(),
                    Ok(s) if s.viewer.is_some() => view! { <Redirect path="/"/> }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
        <AuthCard>
            <h1>"Sign in"</h1>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <Alert message=error/>
                <Field name="email" label="E-mail address" kind="email" autocomplete="username" required=true/>
                <Field name="password" label="Password" kind="password" autocomplete="current-password" required=true/>
                {move || next().map(|n| view! { <input type="hidden" name="next" value=n/> })}
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p><a href="/forgot-password">"Forgot your password?"</a></p>
        </AuthCard>
    }
}
