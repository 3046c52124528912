//! The members of a team or an access-control group, as its page lists them.

use super::feedback::ConfirmButton;
use crate::{
    api::teams::PersonRef,
    domain::{UserId, UserStatus},
};
use leptos::prelude::*;

/// A person's name, linked to their page, with their status when not active.
pub fn person_view(p: &PersonRef) -> impl IntoView + use<> {
    let status = Some(p.status).filter(|s| *s != UserStatus::Active);
    view! {
        <a href=format!("/users/{}", p.user_id)>{p.name.clone()}</a>
        {status.map(|s| view! { " "<span class=format!("status status-{}", s.key())>{s.label()}</span> })}
    }
}

/// The members of a team or an access-control group, each with "Remove…" (asked first),
/// then, for those who may manage it, a picker to add one of `people`.
#[component]
pub fn MemberList(
    /// Unique on the page, e.g. "team-3".
    id: String,
    /// The team's or group's name, for the labels and the question.
    name: String,
    members: Vec<PersonRef>,
    people: Vec<PersonRef>,
    can_manage: bool,
    /// What taking someone out means, under the question.
    consequence: &'static str,
    /// Saves the new list of members.
    save: Callback<Vec<UserId>>,
    pending: Signal<bool>,
) -> impl IntoView {
    let current: Vec<UserId> = members.iter().map(|m| m.user_id).collect();
    let stored = StoredValue::new(current.clone());
    let chosen = RwSignal::new(String::new());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(user) = chosen.get_untracked().parse::<UserId>() {
            let mut ids = stored.get_value();
            ids.push(user);
            chosen.set(String::new());
            save.run(ids);
        }
    };
    let addable: Vec<PersonRef> =
        people.into_iter().filter(|p| !current.contains(&p.user_id)).collect();
    let none_left = addable.is_empty();
    let picker = format!("{id}-add-member");
    view! {
        {if members.is_empty() {
            view! { <p class="empty">"No members yet."</p> }.into_any()
        } else {
            view! {
                <ul class="team-members">
                    {members.iter().map(|m| {
                        let without: Vec<UserId> = current.iter().copied().filter(|u| *u != m.user_id).collect();
                        view! {
                            <li>
                                {person_view(m)}
                                {can_manage.then(|| view! {
                                    " "<ConfirmButton id=format!("{id}-remove-{}", m.user_id) label="Remove…"
                                        aria_label=format!("Remove {} from {name}", m.name) class="button button-small"
                                        disabled=pending title=format!("Take {} out of {name}?", m.name)
                                        message=consequence action="Remove"
                                        on_confirm=move || save.run(without.clone())/>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        {can_manage.then(|| view! {
            <form class="form form-inline picker" on:submit=add>
                <div class="field">
                    <label for=picker.clone()>"Add a member"</label>
                    <select id=picker prop:value=chosen disabled=none_left
                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">{if none_left { "Nobody left to add" } else { "Choose…" }}</option>
                        {addable.iter().map(|p| view! { <option value=p.user_id.to_string()>{format!("{} <{}>", p.name, p.email)}</option> }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button" disabled=move || pending.get() || chosen.get().is_empty()>"Add"</button>
            </form>
        })}
    }
}
