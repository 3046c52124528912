//! Forgotten passwords: ask for a link (`/forgot-password`), then choose a new password with
//! it (`/reset-password/{token}`). Both forms work without JavaScript.

use crate::{
    api::password_reset::{
        RESET_REQUESTED, RequestPasswordReset, ResetPassword, get_password_reset,
    },
    components::{AfterAction, Alert, AuthCard, Field, NewPasswordFields},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The message for an error code the request form was sent back with (without JavaScript).
fn request_error(code: &str) -> &'static str {
    match code {
        "validation" => "Enter a valid e-mail address, like name@example.com.",
        "too_many_requests" => {
            "Too many attempts from your network. Wait a few minutes and try again."
        }
        _ => "Something went wrong. Please try again.",
    }
}

/// The message for an error code the new-password form was sent back with.
fn reset_error(code: &str) -> &'static str {
    match code {
        "validation" => "Choose a password of at least 8 characters that is not a common one.",
        _ => "This link can no longer be used. Ask for a new one.",
    }
}

/// The alert above a one-field form that also works without JavaScript: the last failure
/// unless it is about `field` (shown there); before any, the `?error=` code the server sent
/// the form back with.
fn form_alert(
    action: impl AfterAction<String>,
    field: &'static str,
    sent_back: fn(&str) -> &'static str,
) -> Signal<Option<String>> {
    let query = use_query_map();
    Signal::derive(move || {
        let failed = action.with_answer(|a| {
            let e = a?.as_ref().err()?;
            Some(e.field_message(field).is_none().then(|| e.to_string()))
        });
        match failed {
            Some(message) => message,
            None => query.read().get("error").map(|code| sent_back(&code).to_string()),
        }
    })
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    action.load_on_success();
    let query = use_query_map();
    let sent = move || query.read().get("sent").is_some();
    let email_error = action.field_error("email");
    let alert = form_alert(action, "email", request_error);
    view! {
        <Title text="Forgot your password? · Roster"/>
        <AuthCard>
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
        </AuthCard>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, get_password_reset);
    let action = ServerAction::<ResetPassword>::new();
    action.load_on_success();
    let password_error = action.field_error("password");
    let alert = form_alert(action, "password", reset_error);
    view! {
        <Title text="Choose a new password · Roster"/>
        <AuthCard>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <h1>"Choose a new password"</h1>
                            <p class="lead">{format!("For {}. Setting it signs you out everywhere else.", p.email)}</p>
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <Alert message=alert/>
                                <NewPasswordFields token=token() email=p.email.clone() label="New password" error=password_error/>
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
        </AuthCard>
    }
}
