//! The node page's "Disabled users": people at home here or holding a role here (or below)
//! whose account is disabled, each with a Reinvite button for those who may bring them back.

use super::sections::use_sections;
use crate::{
    api::{
        lifecycle::ReinviteUser,
        users::{LISTED_ON_NODE_PAGE, UserSummary},
    },
    components::{AfterAction, Alert, use_node_id, use_refresh},
    domain::{UserStatus, user::long_utc},
};
use leptos::prelude::*;

/// Under a short list that may have been cut at `LISTED_ON_NODE_PAGE`: where all of them are.
#[component]
pub fn MoreInDirectory(shown: usize, status: UserStatus) -> impl IntoView {
    let node = use_node_id();
    (shown >= LISTED_ON_NODE_PAGE).then(|| {
        let href = move || {
            node().map(|n| format!("/nodes/{n}/users?status={}", status.key())).unwrap_or_default()
        };
        view! {
            <p class="muted" data-testid="more-in-directory">
                {format!("The first {LISTED_ON_NODE_PAGE} are shown. ")}
                <a href=href>{format!("All {} people in the directory", status.label().to_lowercase())}</a>
            </p>
        }
    })
}

/// Shown only when someone here is disabled.
#[component]
pub fn DisabledUsers() -> impl IntoView {
    let list = use_sections().disabled;
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(people) if people.is_empty() => ().into_any(),
                    Ok(people) => { let shown = people.len(); view! {
                        <h3 id="disabled-heading">"Disabled users"</h3>
                        <table class="table" data-testid="disabled-users" aria-labelledby="disabled-heading">
                            <thead><tr>
                                <th scope="col">"Person"</th><th scope="col">"Disabled"</th>
                                <th scope="col"><span class="sr-only">"Actions"</span></th>
                            </tr></thead>
                            <tbody>
                                {people.into_iter().map(|p| view! { <DisabledRow person=p/> }).collect_view()}
                            </tbody>
                        </table>
                        <MoreInDirectory shown=shown status=UserStatus::Disabled/>
                    }.into_any() },
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn DisabledRow(person: UserSummary) -> impl IntoView {
    let reinvite = ServerAction::<ReinviteUser>::new();
    reinvite.refresh_on_success(use_refresh());
    let error = reinvite.error();
    let id = person.id;
    let label = format!("Reinvite {}", person.name);
    view! {
        <tr data-testid="disabled-row">
            <td>
                <a href=format!("/users/{id}")>{person.name.clone()}</a>
                <div class="muted">{person.email.clone()}</div>
            </td>
            <td>
                {person.status_changed_at.map(long_utc)}
                {person.status_reason.clone().map(|r| view! { <div class="muted">{r}</div> })}
            </td>
            <td>
                {person.may_manage.then(|| view! {
                    <button type="button" class="button button-small" aria-label=label
                        disabled=move || reinvite.pending().get()
                        on:click=move |_| { reinvite.dispatch(ReinviteUser { user_id: id }); }>"Reinvite"</button>
                })}
                <Alert message=error/>
            </td>
        </tr>
    }
}
