//! Accepting an invitation: the link from the mail opens this page; the person chooses a
//! password and is signed in. Expired, revoked and used links get a clear page.

use crate::{
    api::invitations::{AcceptInvitation, get_invitation},
    components::{AfterAction, Alert, AuthCard, NewPasswordFields},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn AcceptInvitationPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let preview = Resource::new(token, get_invitation);
    let action = ServerAction::<AcceptInvitation>::new();
    action.load_on_success();
    let alert = action.error_beside(&["password"]);
    let password_error = action.field_error("password");
    view! {
        <Title text="Accept your invitation · Roster"/>
        <AuthCard>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <h1>{format!("Welcome, {}", p.first_name)}</h1>
                            <p class="lead">
                                {format!("{} invited you to {} ({}). Choose a password to finish setting up your account for {}.",
                                    p.invited_by, p.node_name, p.agency_name, p.email)}
                            </p>
                            <ActionForm action=action attr:class="form" attr:novalidate=true>
                                <Alert message=alert/>
                                <NewPasswordFields token=token() email=p.email.clone() label="Choose a password" error=password_error/>
                                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Accept and sign in"</button>
                            </ActionForm>
                        }.into_any(),
                        Err(e) => view! {
                            <h1>"This invitation link does not work"</h1>
                            <p class="alert alert-error" role="alert" data-testid="invitation-error">{e.to_string()}</p>
                            <p><a href="/sign-in">"Go to sign in"</a></p>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </AuthCard>
    }
}
