//! A person: who they are, the roles they hold across the account tree, and (for those who
//! may change it) their account status: suspend, reactivate, disable, reinvite, delete.

use crate::{
    api::{
        lifecycle::{DeleteUser, DisableUser, ReactivateUser, ReinviteUser, SuspendUser},
        members::list_user_roles,
        nodes::get_node,
        profile::{UpdateProfile, get_profile},
        users::{UserSummary, get_user},
    },
    components::{
        AdminLayout, AfterAction, Alert, Breadcrumbs, Confirm, ConfirmDialog, Refresh, frame_error,
        use_refresh,
    },
    domain::{
        UserId, UserStatus,
        user::{REASON_MAX_CHARS, long_utc},
    },
    error::AppError,
    pages::profile::{ProfileDetails, time_zones},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn UserPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <UserView/>
        </AdminLayout>
    }
}

#[component]
fn UserView() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("id").and_then(|s| s.parse::<UserId>().ok());
    // The person is fetched again after a status change, and after the profile form's save
    // (with the profile's new version).
    let refresh = Refresh::provide();
    let profile_save = ServerAction::<UpdateProfile>::new();
    profile_save.refresh_on_success(refresh);
    let zones = time_zones();
    let teams = crate::pages::user_teams::user_teams(user_id);
    let data = Resource::new(
        move || (user_id(), refresh.key()),
        |(id, _)| async move {
            let id = id.ok_or_else(|| AppError::not_found("There is no such person."))?;
            let user = get_user(id).await?;
            let roles = list_user_roles(id).await?;
            let profile = get_profile(id).await.ok();
            // Where their home account sits, for the breadcrumbs (if the caller may see it).
            let home = match &user.home_node {
                Some((home, _)) => get_node(*home).await.ok(),
                None => None,
            };
            Ok::<_, AppError>((user, roles, home, profile))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, roles, home, profile)) => view! {
                        <Title text=format!("{} · Roster", user.name)/>
                        {home.map(|d| view! { <Breadcrumbs ancestors=d.ancestors node=d.node here=user.name.clone()/> })}
                        <h1 data-testid="user-name">{user.name.clone()}</h1>
                        <p class="lead">
                            {user.email.clone()}" · "
                            <span class=format!("status status-{}", user.status.key()) data-testid="user-status">{user.status.label()}</span>
                            {user.home_node.clone().map(|(id, name)| view! {
                                " · Home account: "<a href=format!("/nodes/{id}")>{name}</a>
                            })}
                        </p>
                        {user.may_manage.then(|| view! { <StatusCard user=user.clone()/> })}
                        {profile.map(|p| view! {
                            <section class="card" aria-labelledby="profile-heading">
                                <h2 id="profile-heading">"Profile"</h2>
                                <ProfileDetails profile=p action=profile_save zones=zones/>
                            </section>
                        })}
                        <crate::pages::user_teams::UserTeamsCard data=teams/>
                        <p class="profile-links"><a href=format!("/users/{}/calls", user.id) data-testid="call-prefs-link">"Call preferences"</a></p>
                        <section class="card" aria-labelledby="roles-heading">
                            <h2 id="roles-heading">"Roles across the account tree"</h2>
                            {if roles.is_empty() {
                                view! { <p class="empty">"No roles where you can see them."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table">
                                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Role"</th></tr></thead>
                                        <tbody>
                                            {roles.into_iter().map(|r| view! {
                                                <tr>
                                                    <td><a href=format!("/nodes/{}", r.at_node_id)>{r.at_node_name}</a></td>
                                                    <td>{r.role_name}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => frame_error("Person", e),
                }
            })}
        </Suspense>
    }
}

/// Follows one action of the card: a success reloads the person (and clears the last
/// error), a failure becomes the card's error, except a reason problem, which is shown at
/// the reason field.
fn follow(
    action: impl AfterAction<()>,
    error: RwSignal<Option<String>>,
    then: impl Fn() + 'static,
) {
    action.on_success(move |()| {
        error.set(None);
        then();
    });
    action.on_failure(move |e| {
        if e.field_message("reason").is_none() {
            error.set(Some(e.to_string()));
        }
    });
}

/// "Account status": the badge, the reason and since when, and the changes that apply.
#[component]
fn StatusCard(user: UserSummary) -> impl IntoView {
    let id = user.id;
    let suspend = ServerAction::<SuspendUser>::new();
    let reactivate = ServerAction::<ReactivateUser>::new();
    let disable = ServerAction::<DisableUser>::new();
    let reinvite = ServerAction::<ReinviteUser>::new();
    let delete = ServerAction::<DeleteUser>::new();
    let error = RwSignal::new(None::<String>);
    let refresh = use_refresh();
    let reload = move || refresh.bump();
    follow(suspend, error, reload);
    follow(reactivate, error, reload);
    follow(disable, error, reload);
    follow(reinvite, error, reload);
    // Gone from every list: back to where they belonged, or to the tree.
    let after_delete =
        user.home_node.as_ref().map_or("/".to_string(), |(n, _)| format!("/nodes/{n}"));
    follow(delete, error, move || {
        let _ = window().location().set_href(&after_delete);
    });
    let pending = move || {
        suspend.pending().get()
            || reactivate.pending().get()
            || disable.pending().get()
            || reinvite.pending().get()
            || delete.pending().get()
    };

    let status = user.status;
    let name = user.name.clone();
    let since = user
        .status_changed_at
        .filter(|_| status != UserStatus::Active)
        .map(|at| format!("{} since {}", status.label(), long_utc(at)));
    let can_suspend = status == UserStatus::Active;
    let can_disable = matches!(status, UserStatus::Active | UserStatus::Suspended);
    let reactivation = (status == UserStatus::Suspended)
        .then_some((user.reactivation_waits, user.reactivate_from));
    let can_reinvite = status == UserStatus::Disabled;

    // The suspension form: opened by "Suspend…", keeps its text on failure.
    let suspending = RwSignal::new(false);
    let reason = RwSignal::new(String::new());
    let reason_error = suspend.field_error("reason");
    let submit_suspension = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        suspend.dispatch(SuspendUser { user_id: id, reason: reason.get_untracked() });
    };

    let confirm_disable = Confirm::new();
    let confirm_delete = Confirm::new();
    let delete_title = format!("Delete {name}?");

    view! {
        <section class="card account-status" aria-labelledby="status-heading" data-testid="account-status">
            <h2 id="status-heading">"Account status"</h2>
            <p>
                <span class=format!("status status-{}", status.key())>{status.label()}</span>
                {since.map(|s| view! { " "<span class="muted" data-testid="status-since">{s}</span> })}
            </p>
            {user.status_reason.clone().map(|r| view! {
                <p class="status-reason" data-testid="status-reason">"Reason: "{r}</p>
            })}
            <Alert message=error/>
            <div class="status-actions">
                {can_suspend.then(|| view! {
                    <button type="button" class="button" aria-expanded=move || suspending.get().to_string()
                        aria-controls="suspend-form" disabled=pending
                        on:click=move |_| suspending.update(|open| *open = !*open)>"Suspend…"</button>
                })}
                {reactivation.map(|(waits, _)| view! {
                    <button type="button" class="button button-primary" disabled=move || waits || pending()
                        aria-describedby=waits.then_some("reactivate-from")
                        on:click=move |_| { reactivate.dispatch(ReactivateUser { user_id: id }); }>"Reactivate"</button>
                })}
                {can_disable.then(|| view! {
                    <button type="button" class="button" disabled=pending
                        on:click=move |_| confirm_disable.open()>"Disable…"</button>
                })}
                {can_reinvite.then(|| view! {
                    <button type="button" class="button button-primary" disabled=pending
                        on:click=move |_| { reinvite.dispatch(ReinviteUser { user_id: id }); }>"Reinvite"</button>
                })}
                <button type="button" class="button button-danger" disabled=pending on:click=move |_| confirm_delete.open()>"Delete…"</button>
            </div>
            {reactivation.and_then(|(waits, from)| waits.then_some(from).flatten()).map(|from| view! {
                <p class="muted" id="reactivate-from" data-testid="reactivate-from">
                    {format!("Can be reactivated from {}.", long_utc(from))}
                </p>
            })}
            {can_suspend.then(|| view! {
                <Show when=move || suspending.get()>
                    <form id="suspend-form" class="form suspend-form" on:submit=submit_suspension novalidate>
                        <div class="field" class:has-error=move || reason_error.get().is_some()>
                            <label for="suspend-reason">"Reason for the suspension"</label>
                            <textarea id="suspend-reason" name="reason" required rows="3" maxlength=REASON_MAX_CHARS.to_string()
                                prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev))
                                aria-invalid=move || reason_error.get().map(|_| "true")
                                aria-describedby=move || reason_error.get().map(|_| "suspend-reason-error")></textarea>
                            {move || reason_error.get().map(|m| view! { <p class="field-error" id="suspend-reason-error">{m}</p> })}
                            <p class="hint">"Shown to administrators. They cannot sign in, and can be reactivated 14 days from now at the earliest."</p>
                        </div>
                        <div class="form-buttons">
                            <button type="submit" class="button button-danger" disabled=pending>"Suspend"</button>
                            " "
                            <button type="button" class="button" on:click=move |_| suspending.set(false)>"Cancel"</button>
                        </div>
                    </form>
                </Show>
            })}
            <ConfirmDialog confirm=confirm_disable id="disable-user" title=format!("Disable {name}?")
                message="They are signed out everywhere and cannot sign in or reset their password. They stay on their call teams. Reinvite them to let them back in."
                action="Disable" on_confirm=move || { disable.dispatch(DisableUser { user_id: id, reason: String::new() }); }/>
            <ConfirmDialog confirm=confirm_delete id="delete-user" title=delete_title
                message="Their roles end and their pending invitations are withdrawn; they disappear from every list and their e-mail address can be invited again as someone new. History keeps their name. This cannot be undone."
                action="Delete" on_confirm=move || { delete.dispatch(DeleteUser { user_id: id }); }/>
        </section>
    }
}
