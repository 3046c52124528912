//! Call teams of a node (`/nodes/:id/call-teams`): each an ordered list of users and
//! contacts, each reached the way they prefer. Those who manage call teams there reorder
//! members, add people and contacts, rename and delete teams.

use crate::{
    api::{
        call_teams::{
            CallTeam, MemberRef, create_call_team, delete_call_team, list_call_teams,
            rename_call_team, set_call_team_members, set_call_team_missed_call_emails,
        },
        contacts::{Contact, list_contacts},
        nodes::NodeDetail,
        teams::{CandidatesFor, PersonRef, list_member_candidates},
    },
    components::{
        AdminLayout, AfterAction, Alert, ConfirmButton, CreateByNameForm, Field, NodeSection,
        use_refresh, use_toasts,
    },
    domain::{NodeId, Permission, UserStatus},
    error::AppError,
};
use leptos::prelude::*;

#[component]
pub fn CallTeamsPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <NodeSection heading="Call teams" load=load body=|detail, (teams, contacts, people)| view! {
                <CallTeamsBody detail=detail teams=teams contacts=contacts people=people/>
            }/>
        </AdminLayout>
    }
}

/// The node's call teams, and what may be added to them (for those who may add).
type Data = (Vec<CallTeam>, Vec<Contact>, Vec<PersonRef>);

async fn load(detail: NodeDetail) -> Result<Data, AppError> {
    let id = detail.node.id;
    let teams = list_call_teams(id).await?;
    let (contacts, people) = if detail.can(Permission::ManageCallTeams) {
        let people = list_member_candidates(id, CandidatesFor::CallTeam, String::new()).await?;
        (list_contacts(id).await?, people)
    } else {
        (Vec::new(), Vec::new())
    };
    Ok((teams, contacts, people))
}

#[component]
fn CallTeamsBody(
    detail: NodeDetail,
    teams: Vec<CallTeam>,
    contacts: Vec<Contact>,
    people: Vec<PersonRef>,
) -> impl IntoView {
    let node = detail.node.id;
    let can_manage = detail.can(Permission::ManageCallTeams);
    view! {
        <p class="muted">
            "Each call team calls its members in order, each the way they prefer to be reached. "
            "Contacts are kept on the "<a href=format!("/nodes/{node}/contacts")>"contacts page"</a>"."
        </p>
        {if teams.is_empty() {
            view! { <p class="empty">"No call teams here yet."</p> }.into_any()
        } else {
            teams.into_iter().map(|t| view! {
                <CallTeamCard team=t node=node contacts=contacts.clone() people=people.clone()
                    can_manage=can_manage/>
            }).collect_view().into_any()
        }}
        {can_manage.then(|| view! {
            <section class="card" aria-labelledby="new-call-team-heading">
                <h2 id="new-call-team-heading">"New call team"</h2>
                <CreateByNameForm id="new-call-team-name" label="Name" button="Create call team"
                    create=move |name| create_call_team(node, name)
                    created=|t: &CallTeam| format!("The call team {} was created.", t.name)/>
            </section>
        })}
    }
}

#[component]
fn CallTeamCard(
    team: CallTeam,
    node: NodeId,
    contacts: Vec<Contact>,
    people: Vec<PersonRef>,
    can_manage: bool,
) -> impl IntoView {
    let (team_id, version) = (team.id, team.version);
    let (heading_id, labelled_by) =
        (format!("call-team-{team_id}"), format!("call-team-{team_id}"));
    let set = Action::new(move |members: &Vec<MemberRef>| {
        set_call_team_members(node, team_id, members.clone(), version)
    });
    let missed = Action::new(move |on: &bool| set_call_team_missed_call_emails(node, team_id, *on));
    let refresh = use_refresh();
    set.refresh_on_success(refresh);
    missed.refresh_on_success(refresh);
    let (set_error, missed_error) = (set.error(), missed.error());
    let error = Signal::derive(move || set_error.get().or_else(|| missed_error.get()));
    let pending = move || set.pending().get() || missed.pending().get();
    let current: Vec<MemberRef> = team.members.iter().map(|m| m.member).collect();
    let stored = StoredValue::new(team.clone());
    let last = team.members.len().saturating_sub(1);
    let members = team.members.iter().enumerate().map(|(i, m)| {
        let name = m.name.clone();
        let status = m.status.filter(|s| *s != UserStatus::Active);
        let is_contact = matches!(m.member, MemberRef::Contact(_));
        let without: Vec<MemberRef> =
            current.iter().copied().filter(|x| *x != m.member).collect();
        let question = format!("Take {name} off the call team {}?", team.name);
        let dialog_id = format!("call-team-{team_id}-remove-{i}");
        view! {
            <li class="call-team-member" data-testid="call-team-member">
                <span class="member-name">{name.clone()}</span>
                {is_contact.then(|| view! { " "<span class="badge">"Contact"</span> })}
                {status.map(|s| view! { " "<span class=format!("status status-{}", s.key()) data-testid="member-status">{s.label()}</span> })}
                {m.route.as_ref().map(|r| view! { " "<span class="muted member-route" data-testid="member-route">{r.describe()}</span> })}
                {m.missed_call_email.then(|| view! {
                    " "<span class="badge" data-testid="member-missed-calls" title="E-mailed about missed calls">"Missed-call e-mails"</span>
                })}
                {can_manage.then(|| {
                    let without = without.clone();
                    view! {
                        <span class="member-actions">
                            <button type="button" class="button button-small" aria-label=format!("Move {name} up")
                                disabled=move || i == 0 || pending()
                                on:click=move |_| { set.dispatch(stored.with_value(|t| t.moved(i, -1))); }>"↑"</button>
                            <button type="button" class="button button-small" aria-label=format!("Move {name} down")
                                disabled=move || i == last || pending()
                                on:click=move |_| { set.dispatch(stored.with_value(|t| t.moved(i, 1))); }>"↓"</button>
                            <ConfirmButton id=dialog_id label="Remove…" aria_label=format!("Remove {name}")
                                class="button button-small" disabled=Signal::derive(pending) title=question
                                message="They stop getting this team's calls." action="Remove"
                                on_confirm=move || { set.dispatch(without.clone()); }/>
                        </span>
                    }
                })}
            </li>
        }
    }).collect_view();
    let empty = team.members.is_empty();
    // Pickers: who is not on the team yet.
    let people: Vec<PersonRef> =
        people.into_iter().filter(|p| !current.contains(&MemberRef::User(p.user_id))).collect();
    let contacts: Vec<Contact> =
        contacts.into_iter().filter(|c| !current.contains(&MemberRef::Contact(c.id))).collect();
    let add = move |m: MemberRef| {
        let mut list: Vec<MemberRef> =
            stored.with_value(|t| t.members.iter().map(|m| m.member).collect());
        list.push(m);
        set.dispatch(list);
    };
    let name = team.name.clone();
    view! {
        <section class="card call-team" aria-labelledby=labelled_by data-testid="call-team">
            <h2 id=heading_id>{team.name.clone()}</h2>
            <Alert message=error/>
            {if can_manage {
                let on = team.missed_call_emails;
                view! {
                    <label class="check missed-call-toggle">
                        <input type="checkbox" checked=on prop:checked=on disabled=pending
                            on:change=move |ev| { missed.dispatch(event_target_checked(&ev)); }/>
                        " E-mail members about their missed calls"
                        <span class="muted">" (unless their own call preferences say always or never)"</span>
                    </label>
                }.into_any()
            } else {
                let state = if team.missed_call_emails { "on" } else { "off" };
                view! { <p class="muted">{format!("Missed-call e-mails: {state}.")}</p> }.into_any()
            }}
            {if empty {
                view! { <p class="empty">"No one on this team yet."</p> }.into_any()
            } else {
                view! { <ol class="call-team-members" aria-label=format!("Members of {name}, in calling order")>{members}</ol> }.into_any()
            }}
            {can_manage.then(|| view! {
                <div class="call-team-add">
                    <Picker id=format!("add-person-{team_id}") label="Add a person" button="Add person"
                        options=people.iter().map(|p| (MemberRef::User(p.user_id), format!("{} <{}>", p.name, p.email))).collect()
                        pending=Signal::derive(pending) on_pick=add/>
                    <Picker id=format!("add-contact-{team_id}") label="Add a contact" button="Add contact"
                        options=contacts.iter().map(|c| (MemberRef::Contact(c.id), c.name())).collect()
                        pending=Signal::derive(pending) on_pick=add/>
                </div>
                <details class="call-team-settings">
                    <summary>"Rename or delete"</summary>
                    <RenameCallTeam node=node team_id=team_id current=team.name.clone()/>
                    <DeleteCallTeam node=node team_id=team_id name=team.name.clone()/>
                </details>
            })}
        </section>
    }
}

/// A labelled list to pick one member from, and its button.
#[component]
fn Picker(
    id: String,
    label: &'static str,
    button: &'static str,
    options: Vec<(MemberRef, String)>,
    pending: Signal<bool>,
    on_pick: impl Fn(MemberRef) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let chosen = RwSignal::new(String::new());
    let none = options.is_empty();
    let pick = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Ok(m) = chosen.get_untracked().parse::<MemberRef>() {
            chosen.set(String::new());
            on_pick(m);
        }
    };
    view! {
        <form class="form form-inline picker" on:submit=pick>
            <div class="field">
                <label for=id.clone()>{label}</label>
                <select id=id prop:value=chosen on:change=move |ev| chosen.set(event_target_value(&ev)) disabled=none>
                    <option value="">{if none { "Nobody left to add" } else { "Choose…" }}</option>
                    {options.into_iter().map(|(m, text)| view! { <option value=m.to_string()>{text}</option> }).collect_view()}
                </select>
            </div>
            <button type="submit" class="button" disabled=move || pending.get() || chosen.get().is_empty()>{button}</button>
        </form>
    }
}

#[component]
fn RenameCallTeam(node: NodeId, team_id: i64, current: String) -> impl IntoView {
    let name = RwSignal::new(current);
    let rename = Action::new(move |name: &String| rename_call_team(node, team_id, name.clone()));
    rename.refresh_on_success(use_refresh());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        rename.dispatch(name.get_untracked());
    };
    view! {
        <form class="form form-inline" on:submit=submit novalidate>
            <Field id=format!("rename-call-team-{team_id}") label="Name" value=name error=rename.field_error("name")/>
            <button type="submit" class="button" disabled=move || rename.pending().get()>"Rename"</button>
            <Alert message=rename.error_beside(&["name"])/>
        </form>
    }
}

#[component]
fn DeleteCallTeam(node: NodeId, team_id: i64, name: String) -> impl IntoView {
    let delete = Action::new(move |_: &()| delete_call_team(node, team_id));
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let gone = name.clone();
    delete.on_success(move |_| {
        toasts.show(format!("The call team {gone} was deleted."));
        refresh.bump();
    });
    delete.on_failure(move |e| toasts.show(e.to_string()));
    view! {
        <div class="form-buttons">
            <ConfirmButton id=format!("call-team-{team_id}-delete") label="Delete call team…"
                class="button button-danger" disabled=Signal::derive(move || delete.pending().get())
                title=format!("Delete the call team {name}?") message="Its members stay where they are."
                action="Delete call team" on_confirm=move || { delete.dispatch(()); }/>
        </div>
    }
}
