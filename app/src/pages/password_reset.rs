//! Forgotten passwords: ask for a link (`/forgot-password`), then choose a new password with
//! it (`/reset-password/{token}`). Both forms work without JavaScript.

use crate::{
    api::password_reset::{
        RESET_REQUESTED, RequestPasswordReset, ResetPassword, get_password_reset,
    },
    components::{Alert, Field, use_load_on_success},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The message for an error code a form without JavaScript was sent back with.
fn request_error(code: &str) -> &'static str {
    match code {
        "validation" => "Enter a valid e-mail address, like name@example.com.",
        "too_many_requests" => {
            "Too many attempts from your network. Wait a few minutes and try again."
        }
        _ => "Something went wrong. Please try again.",
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    use_load_on_success(move || action.value().get());
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let failed = move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let email_error = Signal::derive(move || failed().and_then(|e| e.field_message("email")));
    let alert = Signal::derive(move || match failed() {
        Some(e) if e.field_message("email").is_none() => Some(e.to_string()),
        Some(_) => None,
        None => query.read().get("error").map(|code| request_error(&code).to_string()),
    });
    view! {
        <Title text="Forgot your password? · Roster"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <p class="brand brand-large">"Roster"</p>
                <h1>"Forgot your password?"</h1>
                <Show when=sent fallback=move || view! {
                    <p class="lead">"Enter the e-mail address you sign in with. We will send you a link to choose a new password."</p>
                    <ActionForm action=action attr:class="form" attr:novalidate=true>
                        <Alert message=alert/>
                        <Field name="email" label="E-mail address" kind="email" autocomplete="username" required=true error=email_error/>
                        <button type="submit" class="button button-primary" disabled=move || action.pending().get()>
                            {move || if action.pending().get() { "Sending…" } else { "Send me a link" }}
                        </button>
                    </ActionForm>
                }>
                    <p class="alert alert-ok" role="status" data-testid="reset-requested">{RESET_REQUESTED}</p>
                </Show>
                <p><a href="/sign-in">"Back to sign in"</a></p>
            </div>
        </main>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, get_password_reset);
    let action = ServerAction::<ResetPassword>::new();
    use_load_on_success(move || action.value().get());
    let query = use_query_map();
    let failed = move || match action.value().get() {
        Some(Err(e)) => Some(e),
        _ => None,
    };
    let password_error = Signal::derive(move || failed().and_then(|e| e.field_message("password")));
    let alert = Signal::derive(move || match failed() {
        Some(e) if e.field_message("password").is_none() => Some(e.to_string()),
        Some(_) => None,
        None => query.read().get("error").map(|code| {
            match code.as_str() {
                "validation" => {
                    "Choose a password of at least 8 characters that is not a common one."
                }
                _ => "This link can no longer be used. Ask for a new one.",
            }
            .to_string()
        }),
    });
    view! {
        <Title text="Choose a new password · Roster"/>
        <main id="main" class="auth-page">
            <div class="auth-card">
                <p class="brand brand-large">"Roster"</p>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match preview.await {
                            Ok(p) => view! {
                                <h1>"Choose a new password"</h1>
                                <p class="lead">{format!("For {}. Setting it signs you out everywhere else.", p.email)}</p>
                                <ActionForm action=action attr:class="form" attr:novalidate=true>
                                    <Alert message=alert/>
                                    <input type="hidden" name="token" value=token()/>
                                    <input type="text" name="username" autocomplete="username" value=p.email.clone() hidden/>
                                    <Field name="password" label="New password" kind="password" autocomplete="new-password"
                                        hint="At least 8 characters; common passwords are refused." required=true error=password_error/>
                                    <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Set password"</button>
                                </ActionForm>
                            }.into_any(),
                            Err(e) => view! {
                                <h1>"This link does not work"</h1>
                                <p class="alert alert-error" role="alert" data-testid="reset-error">{e.to_string()}</p>
                                <p><a href="/forgot-password">"Ask for a new link"</a>" · "<a href="/sign-in">"Go to sign in"</a></p>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </main>
    }
}
