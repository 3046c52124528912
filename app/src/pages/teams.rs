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
    components::{AdminLayout, Alert, use_toasts},
    domain::{NodeId, Permission, UserId, UserStatus},
    error::AppError,
    pages::node_frame::{BoundField, frame_error, frame_header, no_node, use_node_id},
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
            {can_manage.then(|| view! { <NewTeamForm node=node refresh=refresh/> })}
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
    let current: Vec<UserId> = team.members.iter().map(|m| m.user_id).collect();
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
    let pending = move || set.pending().get() || delete.pending().get();
    let chosen = RwSignal::new(String::new());
    let stored = StoredValue::new(current.clone());
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(id) = chosen.get_untracked().parse::<UserId>() {
            let mut ids = stored.get_value();
            ids.push(id);
            chosen.set(String::new());
            set.dispatch(ids);
        }
    };
    let name = team.name.clone();
    let on_delete = move |_| {
        let question = format!("Delete the team {name}? Its members stay where they are.");
        if window().confirm_with_message(&question).unwrap_or(false) {
            delete.dispatch(());
        }
    };
    let addable: Vec<PersonRef> =
        people.into_iter().filter(|p| !current.contains(&p.user_id)).collect();
    let none_left = addable.is_empty();
    let (heading, labelled_by) = (format!("team-{team_id}"), format!("team-{team_id}"));
    view! {
        <div class="team" data-testid="team" role="group" aria-labelledby=labelled_by>
            <h3 id=heading>{team.name.clone()}</h3>
            <Alert message=error/>
            {if team.members.is_empty() {
                view! { <p class="empty">"No members yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="team-members">
                        {team.members.iter().map(|m| {
                            let without: Vec<UserId> = current.iter().copied().filter(|u| *u != m.user_id).collect();
                            let label = format!("Remove {} from {}", m.name, team.name);
                            let question = format!("Take {} off the team {}?", m.name, team.name);
                            view! {
                                <li>
                                    {person_view(m)}
                                    {can_manage.then(|| view! {
                                        " "<button type="button" class="button button-small" aria-label=label disabled=pending
                                            on:click=move |_| {
                                                if window().confirm_with_message(&question).unwrap_or(false) {
                                                    set.dispatch(without.clone());
                                                }
                                            }>"Remove…"</button>
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
                        <label for=format!("add-member-{team_id}")>"Add a member"</label>
                        <select id=format!("add-member-{team_id}") prop:value=chosen disabled=none_left
                            on:change=move |ev| chosen.set(event_target_value(&ev))>
                            <option value="">{if none_left { "Nobody left to add" } else { "Choose…" }}</option>
                            {addable.iter().map(|p| view! { <option value=p.user_id.to_string()>{format!("{} <{}>", p.name, p.email)}</option> }).collect_view()}
                        </select>
                    </div>
                    <button type="submit" class="button" disabled=move || pending() || chosen.get().is_empty()>"Add"</button>
                    <button type="button" class="button button-danger" disabled=pending on:click=on_delete>"Delete team…"</button>
                </form>
            })}
        </div>
    }
}

#[component]
fn NewTeamForm(node: NodeId, refresh: RwSignal<u32>) -> impl IntoView {
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let create = Action::new(move |name: &String| create_team(node, name.clone()));
    Effect::new(move |_| {
        if let Some(Ok(t)) = create.value().get() {
            toasts.show(format!("The team {} was created.", t.name));
            name.set(String::new());
            refresh.update(|n| *n += 1);
        }
    });
    let field = Signal::derive(move || match create.value().get() {
        Some(Err(e)) => e.field_message("name"),
        _ => None,
    });
    let alert = Signal::derive(move || match create.value().get() {
        Some(Err(e)) if e.field_message("name").is_none() => Some(e.to_string()),
        _ => None,
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch(name.get_untracked());
    };
    view! {
        <form class="form form-inline new-team" on:submit=submit novalidate>
            <BoundField id="new-team-name" label="New team" value=name error=field/>
            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Create team"</button>
            <Alert message=alert/>
        </form>
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
