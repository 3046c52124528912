//! Teams of a node (`/nodes/:id/teams`): named groups of users for shared activities and
//! team notices, and "view other users' activities": whose activities each person may see.
//! Listed for those who view users there; changed by those who manage users there.

use crate::{
    api::{
        nodes::{NodeDetail, get_node},
        teams::{
            ActivityVisibility, CandidatesFor, PersonRef, Team, create_team, delete_team,
            list_activity_visibility, list_member_candidates, list_teams, set_activity_visibility,
            set_team_members,
        },
    },
    components::{AdminLayout, Alert, ConfirmButton, use_toasts},
    domain::{NodeId, Permission, UserId, UserStatus},
    error::AppError,
    pages::node_frame::{CreateByNameForm, frame_error, frame_header, no_node, use_node_id},
};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <TeamsView/>
        </AdminLayout>
    }
}

/// The node, its teams, its "view other users' activities" lists, and who may be added (for
/// those who may add).
type Data = (NodeDetail, Vec<Team>, Vec<ActivityVisibility>, Vec<PersonRef>);

async fn load(id: Option<NodeId>) -> Result<Data, AppError> {
    let id = id.ok_or_else(no_node)?;
    let detail = get_node(id).await?;
    let teams = list_teams(id).await?;
    let visibility = list_activity_visibility(id).await?;
    let people = if detail.permissions.contains(&Permission::ManageUsers) {
        list_member_candidates(id, CandidatesFor::Team, String::new()).await?
    } else {
        Vec::new()
    };
    Ok((detail, teams, visibility, people))
}

#[component]
fn TeamsView() -> impl IntoView {
    let node_id = use_node_id();
    let refresh = RwSignal::new(0_u32);
    let data = Resource::new(move || (node_id(), refresh.get()), |(id, _)| load(id));
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((detail, teams, visibility, people)) => view! {
                        {frame_header("Teams", &detail)}
                        <TeamsBody detail=detail teams=teams visibility=visibility people=people refresh=refresh/>
                    }.into_any(),
                    Err(e) => frame_error("Teams", e),
                }
            })}
        </Transition>
    }
}

/// A person's name, linked to their page, with their status when not active.
pub fn person_view(p: &PersonRef) -> impl IntoView + use<> {
    let status = Some(p.status).filter(|s| *s != UserStatus::Active);
    view! {
        <a href=format!("/users/{}", p.user_id)>{p.name.clone()}</a>
        {status.map(|s| view! { " "<span class=format!("status status-{}", s.key())>{s.label()}</span> })}
    }
}

#[component]
fn TeamsBody(
    detail: NodeDetail,
    teams: Vec<Team>,
    visibility: Vec<ActivityVisibility>,
    people: Vec<PersonRef>,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let node = detail.node.id;
    let can_manage = detail.permissions.contains(&Permission::ManageUsers);
    view! {
        <section class="card" aria-labelledby="teams-heading">
            <h2 id="teams-heading">"Teams here"</h2>
            {if teams.is_empty() {
                view! { <p class="empty">"No teams here yet."</p> }.into_any()
            } else {
                teams.into_iter().map(|t| view! {
                    <TeamBlock team=t node=node people=people.clone() can_manage=can_manage refresh=refresh/>
                }).collect_view().into_any()
            }}
            {can_manage.then(|| view! {
                <CreateByNameForm id="new-team-name" label="New team" button="Create team"
                    create=move |name| create_team(node, name)
                    created=|t: &Team| format!("The team {} was created.", t.name) refresh=refresh/>
            })}
        </section>
        <VisibilitySection node=node list=visibility people=people can_manage=can_manage refresh=refresh/>
    }
}

#[component]
fn TeamBlock(
    team: Team,
    node: NodeId,
    people: Vec<PersonRef>,
    can_manage: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let team_id = team.id;
    let set = Action::new(move |ids: &Vec<UserId>| set_team_members(node, team_id, ids.clone()));
    let delete = Action::new(move |_: &()| delete_team(node, team_id));
    Effect::new(move |_| {
        if matches!(set.value().get(), Some(Ok(_))) || matches!(delete.value().get(), Some(Ok(())))
        {
            refresh.update(|n| *n += 1);
        }
    });
    let error = Signal::derive(move || {
        let set_err = set.value().get().and_then(|r| r.err());
        let delete_err = delete.value().get().and_then(|r| r.err());
        set_err.or(delete_err).map(|e| e.to_string())
    });
    let pending = Signal::derive(move || set.pending().get() || delete.pending().get());
    let id = format!("team-{team_id}");
    view! {
        <div class="team" data-testid="team" role="group" aria-labelledby=id.clone()>
            <h3 id=id.clone()>{team.name.clone()}</h3>
            <Alert message=error/>
            <MemberList id=id.clone() name=team.name.clone() members=team.members people=people
                can_manage=can_manage consequence="They keep their roles; only the team changes."
                save=Callback::new(move |ids| { set.dispatch(ids); }) pending=pending/>
            {can_manage.then(|| view! {
                <div class="form-buttons">
                    <ConfirmButton id=format!("{id}-delete") label="Delete team…" class="button button-danger"
                        disabled=pending title=format!("Delete the team {}?", team.name)
                        message="Its members stay where they are." action="Delete team"
                        on_confirm=move || { delete.dispatch(()); }/>
                </div>
            })}
        </div>
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

/// "View other users' activities": the lists, and (for managers) choosing a person and
/// ticking whose activities they may see.
#[component]
fn VisibilitySection(
    node: NodeId,
    list: Vec<ActivityVisibility>,
    people: Vec<PersonRef>,
    can_manage: bool,
    refresh: RwSignal<u32>,
) -> impl IntoView {
    let toasts = use_toasts();
    let viewer = RwSignal::new(String::new());
    let ticked: RwSignal<BTreeSet<UserId>> = RwSignal::new(BTreeSet::new());
    let lists = StoredValue::new(list.clone());
    // Choosing a person starts from their current list.
    Effect::new(move |_| {
        let who = viewer.get().parse::<UserId>().ok();
        let current: BTreeSet<UserId> = lists.with_value(|l| {
            l.iter()
                .find(|v| Some(v.viewer.user_id) == who)
                .map(|v| v.subjects.iter().map(|s| s.user_id).collect())
                .unwrap_or_default()
        });
        ticked.set(current);
    });
    let save = Action::new(move |(who, subjects): &(UserId, Vec<UserId>)| {
        set_activity_visibility(node, *who, subjects.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            toasts.show("Saved.");
            refresh.update(|n| *n += 1);
        }
    });
    let field = move |name: &'static str| {
        Signal::derive(move || match save.value().get() {
            Some(Err(e)) => e.field_message(name),
            _ => None,
        })
    };
    let alert = Signal::derive(move || match save.value().get() {
        Some(Err(e))
            if e.field_message("subject_ids").is_none() && e.field_message("user_id").is_none() =>
        {
            Some(e.to_string())
        }
        _ => None,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(who) = viewer.get_untracked().parse::<UserId>() {
            save.dispatch((who, ticked.get_untracked().into_iter().collect()));
        }
    };
    let everyone = StoredValue::new(people.clone());
    let subject_error = field("subject_ids");
    let viewer_error = field("user_id");
    view! {
        <section class="card" aria-labelledby="visibility-heading">
            <h2 id="visibility-heading">"View other users' activities"</h2>
            {if list.is_empty() {
                view! { <p class="empty">"Everyone sees only their own activities here."</p> }.into_any()
            } else {
                view! {
                    <ul class="visibility-list" data-testid="visibility-list">
                        {list.into_iter().map(|v| view! {
                            <li>
                                {person_view(&v.viewer)}" sees the activities of "
                                {v.subjects.iter().enumerate().map(|(i, s)| view! {
                                    {(i > 0).then_some(", ")}{person_view(s)}
                                }).collect_view()}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {can_manage.then(|| view! {
                <form class="form visibility-form" on:submit=submit novalidate>
                    <Alert message=alert/>
                    <div class="field" class:has-error=move || viewer_error.get().is_some()>
                        <label for="visibility-viewer">"Person"</label>
                        <select id="visibility-viewer" prop:value=viewer on:change=move |ev| viewer.set(event_target_value(&ev))>
                            <option value="">"Choose…"</option>
                            {people.iter().map(|p| view! { <option value=p.user_id.to_string()>{format!("{} <{}>", p.name, p.email)}</option> }).collect_view()}
                        </select>
                        {move || viewer_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                    </div>
                    <Show when=move || !viewer.get().is_empty()>
                        <fieldset class="field" class:has-error=move || subject_error.get().is_some()>
                            <legend>"May see the activities of"</legend>
                            {move || {
                                let who = viewer.get().parse::<UserId>().ok();
                                everyone.get_value().into_iter().filter(|p| Some(p.user_id) != who).map(|p| {
                                    let id = p.user_id;
                                    view! {
                                        <label class="check">
                                            <input type="checkbox"
                                                prop:checked=move || ticked.with(|t| t.contains(&id))
                                                on:change=move |ev| {
                                                    let on = event_target_checked(&ev);
                                                    ticked.update(|t| { if on { t.insert(id); } else { t.remove(&id); } });
                                                }/>
                                            " "{p.name.clone()}
                                        </label>
                                    }
                                }).collect_view()
                            }}
                            {move || subject_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </fieldset>
                        <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                    </Show>
                </form>
            })}
        </section>
    }
}
