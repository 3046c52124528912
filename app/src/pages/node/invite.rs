//! Inviting people at a node, and the node's pending invitations (resend, revoke).

use super::{disabled::MoreInDirectory, sections::use_sections};
use crate::{
    api::{
        invitations::{
            InviteOutcome, InviteUser, PendingInvitation, ResendInvitation, RevokeInvitation,
        },
        members::grant_role,
    },
    components::{
        AfterAction, Alert, Confirm, ConfirmDialog, Field, SetCheckbox, use_refresh, use_toasts,
    },
    domain::{NodeId, RoleId, UserId, UserStatus},
    error::AppError,
};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn InviteForm(node: NodeId) -> impl IntoView {
    let refresh = use_refresh();
    let roles = use_sections().roles;
    let email = RwSignal::new(String::new());
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let chosen: RwSignal<BTreeSet<RoleId>> = RwSignal::new(BTreeSet::new());
    let invite = ServerAction::<InviteUser>::new();
    let grant = Action::new(move |(user, roles): &(UserId, Vec<RoleId>)| {
        let (user, roles) = (*user, roles.clone());
        async move {
            for role in roles {
                // `true`: they are told by mail that they have access here now.
                grant_role(node, user, role, true).await?;
            }
            Ok::<_, AppError>(())
        }
    });
    // "Already exists" is an answer too, but nothing changed: the form keeps its text.
    invite.on_success(move |outcome| {
        if let InviteOutcome::Invited { .. } = outcome {
            email.set(String::new());
            first.set(String::new());
            last.set(String::new());
            refresh.bump();
        }
    });
    grant.on_success(move |_| {
        invite.value().set(None);
        refresh.bump();
    });
    let field = move |name: &'static str| invite.field_error(name);
    // Field problems show at their fields.
    let invite_alert = invite.error_beside(&["email", "first_name", "last_name", "role_ids"]);
    let grant_alert = grant.error();
    let alert = Signal::derive(move || grant_alert.get().or_else(|| invite_alert.get()));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        invite.dispatch(InviteUser {
            node_id: node,
            email: email.get_untracked(),
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            role_ids: chosen.get_untracked().into_iter().collect(),
        });
    };
    let text = |id: &'static str,
                label: &'static str,
                kind: &'static str,
                value: RwSignal<String>| {
        view! { <Field id=format!("invite-{id}") label=label kind=kind value=value error=field(id)/> }
    };
    view! {
        <form class="form invite-form" on:submit=submit novalidate>
            <h3>"Invite someone"</h3>
            <Alert message=alert/>
            <div class="field-row">
                {text("email", "E-mail address", "email", email)}
            </div>
            <div class="field-row">
                {text("first_name", "First name", "text", first)}
                {text("last_name", "Last name", "text", last)}
            </div>
            <fieldset class="field">
                <legend>"Roles here"</legend>
                <Suspense>
                    {move || Suspend::new(async move {
                        roles.await.map(|list| list.into_iter().map(|r| view! {
                            <SetCheckbox set=chosen item=r.id label=r.name/>
                        }).collect_view()).unwrap_or_default()
                    })}
                </Suspense>
                {move || field("role_ids").get().map(|m| view! { <p class="field-error">{m}</p> })}
            </fieldset>
            {move || match invite.value().get() {
                Some(Ok(InviteOutcome::AlreadyExists { user_id, name, email })) => Some(view! {
                    <div class="diff" role="alert" data-testid="already-exists">
                        <p><strong>"A user with this e-mail address already exists."</strong></p>
                        <p>{format!("{name} <{email}> has an account. Give them the chosen roles here instead.")}</p>
                        <a class="button" href=format!("/users/{user_id}")>"Show user"</a>" "
                        <button type="button" class="button button-primary"
                            disabled=move || grant.pending().get()
                            on:click=move |_| { grant.dispatch((user_id, chosen.get_untracked().into_iter().collect())); }>
                            "Grant access instead"
                        </button>
                    </div>
                }.into_any()),
                Some(Ok(InviteOutcome::Invited { .. })) => Some(view! {
                    <div class="alert alert-ok" role="status">"Invitation sent."</div>
                }.into_any()),
                _ => None,
            }}
            <button type="submit" class="button button-primary" disabled=move || invite.pending().get()>"Send invite"</button>
        </form>
    }
}

#[component]
pub fn PendingInvitations(can_manage: bool) -> impl IntoView {
    let list = use_sections().invitations;
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(items) if items.is_empty() => ().into_any(),
                    Ok(items) => { let shown = items.len(); view! {
                        <h3>"Pending invitations"</h3>
                        <table class="table" data-testid="pending-invitations">
                            <thead><tr>
                                <th scope="col">"Who"</th><th scope="col">"Roles"</th><th scope="col">"Sent by"</th>
                                <th scope="col">"Expires"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {items.into_iter().map(|i| view! { <InvitationRow item=i can_manage=can_manage/> }).collect_view()}
                            </tbody>
                        </table>
                        <MoreInDirectory shown=shown status=UserStatus::Invited/>
                    }.into_any() },
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// UTC milliseconds as `YYYY-MM-DD HH:MM UTC`.
pub fn utc(ms: i64) -> String {
    let t = crate::format::UtcTime::from_millis(ms);
    format!("{} {:02}:{:02} UTC", t.date(), t.hour, t.minute)
}

#[component]
fn InvitationRow(item: PendingInvitation, can_manage: bool) -> impl IntoView {
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let resend = ServerAction::<ResendInvitation>::new();
    let revoke = ServerAction::<RevokeInvitation>::new();
    resend.on_success(move |_| {
        toasts.show("Invitation sent again: the earlier link no longer works.");
        refresh.bump();
    });
    revoke.on_success(move |_| {
        toasts.show("Invitation withdrawn.");
        refresh.bump();
    });
    let id = item.id;
    let confirm = Confirm::new();
    let dialog_id = format!("revoke-invitation-{id}");
    let name = item.name.clone();
    view! {
        <tr>
            <td>{item.name.clone()}<div class="muted">{item.email.clone()}</div></td>
            <td>{item.roles.join(", ")}</td>
            <td>{item.invited_by.clone()}<div class="muted">{utc(item.sent_at)}</div></td>
            <td>{if item.expired { "Expired".to_string() } else { utc(item.expires_at) }}</td>
            <td>
                {can_manage.then(|| view! {
                    <button type="button" class="button button-small" on:click=move |_| { resend.dispatch(ResendInvitation { invitation_id: id }); }>"Resend"</button>
                    " "
                    <button type="button" class="button button-small" on:click=move |_| confirm.open()>"Revoke…"</button>
                    <ConfirmDialog confirm=confirm id=dialog_id title=format!("Withdraw the invitation of {name}?")
                        message="The link in their mail stops working. You can invite them again later."
                        action="Withdraw" on_confirm=move || { revoke.dispatch(RevokeInvitation { invitation_id: id }); }/>
                })}
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(1_790_000_000_000), "2026-09-21 14:13 UTC");
        assert_eq!(super::utc(951_782_400_000), "2000-02-29 00:00 UTC");
    }
}
