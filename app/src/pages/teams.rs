//! Teams of a node (`/nodes/:id/teams`): named groups of users for shared activities and
//! team notices, and "view other users' activities": whose activities each person may see.
//! Listed for those who view users there; changed by those who manage users there.

use crate::{
    api::{
        nodes::NodeDetail,
        teams::{
            ActivityVisibility, CandidatesFor, PersonRef, Team, create_team, delete_team,
            list_activity_visibility, list_member_candidates, list_teams, set_activity_visibility,
            set_team_members,
        },
    },
    components::{
        AdminLayout, AfterAction, Alert, ConfirmButton, CreateByNameForm, MemberList, NodeSection,
        SetCheckbox, person_view, use_refresh, use_toasts,
    },
    domain::{NodeId, Permission, UserId},
    error::AppError,
};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn TeamsPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <NodeSection heading="Teams" load=load body=|detail, (teams, visibility, people)| view! {
                <TeamsBody detail=detail teams=teams visibility=visibility people=people/>
            }/>
        </AdminLayout>
    }
}

/// The node's teams, its "view other users' activities" lists, and who may be added (for
/// those who may add).
type Data = (Vec<Team>, Vec<ActivityVisibility>, Vec<PersonRef>);

async fn load(detail: NodeDetail) -> Result<Data, AppError> {
    let id = detail.node.id;
    let teams = list_teams(id).await?;
    let visibility = list_activity_visibility(id).await?;
    let people = if detail.can(Permission::ManageUsers) {
        list_member_candidates(id, CandidatesFor::Team, String::new()).await?
    } else {
        Vec::new()
    };
    Ok((teams, visibility, people))
}

#[component]
fn TeamsBody(
    detail: NodeDetail,
    teams: Vec<Team>,
    visibility: Vec<ActivityVisibility>,
    people: Vec<PersonRef>,
) -> impl IntoView {
    let node = detail.node.id;
    let can_manage = detail.can(Permission::ManageUsers);
    view! {
        <section class="card" aria-labelledby="teams-heading">
            <h2 id="teams-heading">"Teams here"</h2>
            {if teams.is_empty() {
                view! { <p class="empty">"No teams here yet."</p> }.into_any()
            } else {
                teams.into_iter().map(|t| view! {
                    <TeamBlock team=t node=node people=people.clone() can_manage=can_manage/>
                }).collect_view().into_any()
            }}
            {can_manage.then(|| view! {
                <CreateByNameForm id="new-team-name" label="New team" button="Create team"
                    create=move |name| create_team(node, name)
                    created=|t: &Team| format!("The team {} was created.", t.name)/>
            })}
        </section>
        <VisibilitySection node=node list=visibility people=people can_manage=can_manage/>
    }
}

#[component]
fn TeamBlock(team: Team, node: NodeId, people: Vec<PersonRef>, can_manage: bool) -> impl IntoView {
    let team_id = team.id;
    let set = Action::new(move |ids: &Vec<UserId>| set_team_members(node, team_id, ids.clone()));
    let delete = Action::new(move |_: &()| delete_team(node, team_id));
    let refresh = use_refresh();
    set.refresh_on_success(refresh);
    delete.refresh_on_success(refresh);
    let (set_error, delete_error) = (set.error(), delete.error());
    let error = Signal::derive(move || set_error.get().or_else(|| delete_error.get()));
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

/// "View other users' activities": the lists, and (for managers) choosing a person and
/// ticking whose activities they may see.
#[component]
fn VisibilitySection(
    node: NodeId,
    list: Vec<ActivityVisibility>,
    people: Vec<PersonRef>,
    can_manage: bool,
) -> impl IntoView {
    let (toasts, refresh) = (use_toasts(), use_refresh());
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
    save.on_success(move |_| {
        toasts.show("Saved.");
        refresh.bump();
    });
    let alert = save.error_beside(&["subject_ids", "user_id"]);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(who) = viewer.get_untracked().parse::<UserId>() {
            save.dispatch((who, ticked.get_untracked().into_iter().collect()));
        }
    };
    let everyone = StoredValue::new(people.clone());
    let subject_error = save.field_error("subject_ids");
    let viewer_error = save.field_error("user_id");
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
                                everyone.get_value().into_iter().filter(|p| Some(p.user_id) != who).map(|p| view! {
                                    <SetCheckbox set=ticked item=p.user_id label=p.name/>
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
