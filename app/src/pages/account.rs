//! On "My profile": changing one's password, and one's open sessions.

use crate::{
    api::account::{ChangePassword, EndMySession, list_my_sessions},
    components::{AfterAction, Alert, ConfirmDialog, ConfirmedForm, Field, Refresh},
    pages::node::invite::utc,
};
use leptos::prelude::*;

#[component]
pub fn ChangePasswordCard() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let field = move |name: &'static str| action.field_error(name);
    let alert = action.error_beside(&["current_password", "new_password"]);
    let done = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <ActionForm action=action attr:class="form" attr:novalidate=true>
                <Alert message=alert/>
                {move || done().then(|| view! { <p class="alert alert-ok" role="status">"Password changed."</p> })}
                <Field name="current_password" label="Current password" kind="password" autocomplete="current-password"
                    required=true error=field("current_password")/>
                <Field name="new_password" label="New password" kind="password" autocomplete="new-password"
                    hint="At least 8 characters; common passwords are refused." required=true error=field("new_password")/>
                <div class="field field-check">
                    <input id="sign_out_others" name="sign_out_others" type="checkbox" value="true"/>
                    <label for="sign_out_others">"Sign out of every other device"</label>
                </div>
                <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Change password"</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn SessionsCard() -> impl IntoView {
    let end = ServerAction::<EndMySession>::new();
    let refresh = Refresh::new();
    end.refresh_on_success(refresh);
    let sessions = Resource::new(move || refresh.key(), |_| list_my_sessions());
    let error = end.error();
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <Alert message=error/>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! {
                            <table class="table" data-testid="sessions">
                                <thead><tr>
                                    <th scope="col">"Device"</th>
                                    <th scope="col">"Address"</th>
                                    <th scope="col">"Signed in"</th>
                                    <th scope="col">"Last seen"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|s| view! {
                                        <tr data-testid="session-row">
                                            <td>{s.device.clone()}</td>
                                            <td>{s.ip.clone()}</td>
                                            <td>{utc(s.signed_in_at)}</td>
                                            <td>{utc(s.last_seen_at)}</td>
                                            <td>{if s.current {
                                                view! { <span class="badge">"This device"</span> }.into_any()
                                            } else {
                                                view! { <EndSessionForm id=s.id.clone() end=end/> }.into_any()
                                            }}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// "Sign out" of another device, asked first (without JavaScript it signs out at once).
#[component]
fn EndSessionForm(id: String, end: ServerAction<EndMySession>) -> impl IntoView {
    let confirmed = ConfirmedForm::new();
    let dialog = format!("end-session-{id}");
    view! {
        <ActionForm action=end node_ref=confirmed.form attr:class="inline-form" on:submit=move |ev| confirmed.on_submit(ev)>
            <input type="hidden" name="id" value=id/>
            <button type="submit" class="button button-quiet" disabled=move || end.pending().get()>
                "Sign out"
            </button>
        </ActionForm>
        <ConfirmDialog confirm=confirmed.confirm id=dialog title="Sign out that device?"
            message="Whoever uses it will have to sign in again." action="Sign out"
            on_confirm=move || confirmed.proceed()/>
    }
}
