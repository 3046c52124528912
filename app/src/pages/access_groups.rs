//! Access control of an account (`/nodes/:id/access`): its tracking numbers and its
//! access-control groups, which narrow the numbers their members see. At a sub-group the
//! page shows its account's (as the caller may see them); changes are made at the account.

use crate::{
    api::{
        access_groups::{
            AccessGroup, TrackingNumber, create_access_group, create_tracking_number,
            delete_access_group, delete_tracking_number, list_access_groups, list_tracking_numbers,
            set_access_group_members, set_access_group_numbers,
        },
        nodes::NodeDetail,
        teams::{CandidatesFor, PersonRef, list_member_candidates},
    },
    components::{
        AdminLayout, AfterAction, Alert, ConfirmButton, CreateByNameForm, Field, MemberList,
        NodeSection, SetCheckbox, use_refresh, use_toasts,
    },
    domain::{NodeId, NodeKind, Permission, UserId, phone::display_phone},
    error::AppError,
};
use leptos::prelude::*;
use std::collections::BTreeSet;

#[component]
pub fn AccessGroupsPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <NodeSection heading="Access control" load=load body=|detail, (numbers, groups, people)| view! {
                <AccessBody detail=detail numbers=numbers groups=groups people=people/>
            }/>
        </AdminLayout>
    }
}

/// The account's numbers and groups (as the caller may see them), and who may be put in a
/// group (for those who may).
type Data = (Vec<TrackingNumber>, Vec<AccessGroup>, Vec<PersonRef>);

async fn load(detail: NodeDetail) -> Result<Data, AppError> {
    let id = detail.node.id;
    let numbers = list_tracking_numbers(id).await?;
    let groups = list_access_groups(id).await?;
    let people = if may_manage(&detail) {
        list_member_candidates(id, CandidatesFor::AccessGroup, String::new()).await?
    } else {
        Vec::new()
    };
    Ok((numbers, groups, people))
}

/// Changes are made at the account itself, by those who manage its settings.
fn may_manage(detail: &NodeDetail) -> bool {
    detail.node.kind != NodeKind::Group && detail.can(Permission::ManageAccountSettings)
}

#[component]
fn AccessBody(
    detail: NodeDetail,
    numbers: Vec<TrackingNumber>,
    groups: Vec<AccessGroup>,
    people: Vec<PersonRef>,
) -> impl IntoView {
    let node = detail.node.id;
    let is_group = detail.node.kind == NodeKind::Group;
    let account = detail.ancestors.iter().find(|a| a.kind == NodeKind::Account).cloned();
    let can_manage = may_manage(&detail);
    view! {
        {is_group.then(|| view! {
            <p class="alert alert-info" role="note">
                "Tracking numbers and access-control groups belong to an account. These are "
                {match account {
                    Some(a) => view! { <a href=format!("/nodes/{}/access", a.id)>{a.name}</a>"'s" }.into_any(),
                    None => view! { "its account's" }.into_any(),
                }}
                ", as you may see them."
            </p>
        })}
        <p class="muted">
            "Someone in at least one access-control group sees only the tracking numbers their groups grant; "
            "someone in none sees them all. Only people holding Call Agent, Call Manager or Report Manager "
            "in the account can be put in a group."
        </p>
        <section class="card" aria-labelledby="numbers-heading">
            <h2 id="numbers-heading">"Tracking numbers"</h2>
            <NumbersTable node=node numbers=numbers.clone() can_manage=can_manage/>
            {can_manage.then(|| view! { <NewNumberForm node=node/> })}
        </section>
        <section class="card" aria-labelledby="groups-heading">
            <h2 id="groups-heading">"Access-control groups"</h2>
            {if groups.is_empty() {
                view! { <p class="empty">"No access-control groups yet: everyone sees every number."</p> }.into_any()
            } else {
                groups.into_iter().map(|g| view! {
                    <GroupBlock group=g node=node numbers=numbers.clone() people=people.clone()
                        can_manage=can_manage/>
                }).collect_view().into_any()
            }}
            {can_manage.then(|| view! {
                <CreateByNameForm id="new-group-name" label="New access-control group" button="Create group"
                    create=move |name| create_access_group(node, name)
                    created=|g: &AccessGroup| format!("The access-control group {} was created.", g.name)/>
            })}
        </section>
    }
}

#[component]
fn NumbersTable(node: NodeId, numbers: Vec<TrackingNumber>, can_manage: bool) -> impl IntoView {
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let delete = Action::new(move |id: &i64| delete_tracking_number(node, *id));
    delete.on_success(move |_| {
        toasts.show("The tracking number was removed.");
        refresh.bump();
    });
    delete.on_failure(move |e| toasts.show(e.to_string()));
    if numbers.is_empty() {
        return view! { <p class="empty">"No tracking numbers you can see."</p> }.into_any();
    }
    view! {
        <table class="table" data-testid="tracking-numbers">
            <thead><tr>
                <th scope="col">"Number"</th><th scope="col">"Name"</th>
                {can_manage.then(|| view! { <th scope="col"><span class="sr-only">"Actions"</span></th> })}
            </tr></thead>
            <tbody>
                {numbers.into_iter().map(|n| {
                    let shown = display_phone(&n.number);
                    let label = format!("Remove {shown}");
                    let id = n.id;
                    view! {
                        <tr>
                            <td>{shown.clone()}</td>
                            <td>{n.name.clone()}</td>
                            {can_manage.then(|| view! {
                                <td><ConfirmButton id=format!("number-{id}-remove") label="Remove…" aria_label=label
                                    class="button button-small button-danger" disabled=Signal::derive(move || delete.pending().get())
                                    title=format!("Remove {shown}?") message="Groups granting it no longer do."
                                    action="Remove" on_confirm=move || { delete.dispatch(id); }/></td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
fn NewNumberForm(node: NodeId) -> impl IntoView {
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let number = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let create = Action::new(move |(number, name): &(String, String)| {
        create_tracking_number(node, number.clone(), name.clone())
    });
    create.on_success(move |n| {
        toasts.show(format!("{} was added.", display_phone(&n.number)));
        number.set(String::new());
        name.set(String::new());
        refresh.bump();
    });
    let field = move |f: &'static str| create.field_error(f);
    let alert = create.error_beside(&["number", "name"]);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        create.dispatch((number.get_untracked(), name.get_untracked()));
    };
    view! {
        <form class="form new-number" on:submit=submit novalidate>
            <h3>"Add a tracking number"</h3>
            <Alert message=alert/>
            <div class="field-row">
                <Field id="new-number" label="Number" kind="tel" value=number error=field("number")
                    hint="With + and the country code, like +1 202 555 0100." autocomplete="off"/>
                <Field id="new-number-name" label="Name" value=name error=field("name") autocomplete="off"/>
            </div>
            <div class="form-buttons">
                <button type="submit" class="button button-primary" disabled=move || create.pending().get()>"Add number"</button>
            </div>
        </form>
    }
}

#[component]
fn GroupBlock(
    group: AccessGroup,
    node: NodeId,
    numbers: Vec<TrackingNumber>,
    people: Vec<PersonRef>,
    can_manage: bool,
) -> impl IntoView {
    let group_id = group.id;
    let set_numbers =
        Action::new(move |ids: &Vec<i64>| set_access_group_numbers(node, group_id, ids.clone()));
    let set_members =
        Action::new(move |ids: &Vec<UserId>| set_access_group_members(node, group_id, ids.clone()));
    let delete = Action::new(move |_: &()| delete_access_group(node, group_id));
    let refresh = use_refresh();
    set_numbers.refresh_on_success(refresh);
    set_members.refresh_on_success(refresh);
    delete.refresh_on_success(refresh);
    let errors = [set_numbers.error(), set_members.error(), delete.error()];
    let error = Signal::derive(move || errors.iter().find_map(|e| e.get()));
    let pending = Signal::derive(move || {
        set_numbers.pending().get() || set_members.pending().get() || delete.pending().get()
    });
    let granted: BTreeSet<i64> = group.numbers.iter().map(|n| n.id).collect();
    let ticked = RwSignal::new(granted);
    let id = format!("group-{group_id}");
    view! {
        <div class="access-group" data-testid="access-group" role="group" aria-labelledby=id.clone()>
            <h3 id=id.clone()>{group.name.clone()}</h3>
            <Alert message=error/>
            {if can_manage {
                view! {
                    <form class="form" on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        set_numbers.dispatch(ticked.get_untracked().into_iter().collect());
                    }>
                        <fieldset class="field">
                            <legend>"Numbers it grants"</legend>
                            {if numbers.is_empty() {
                                view! { <p class="empty">"Add tracking numbers first."</p> }.into_any()
                            } else {
                                numbers.iter().map(|n| view! {
                                    <SetCheckbox set=ticked item=n.id label=format!("{} ({})", display_phone(&n.number), n.name)/>
                                }).collect_view().into_any()
                            }}
                        </fieldset>
                        <div class="form-buttons">
                            <button type="submit" class="button" disabled=pending>"Save numbers"</button>
                        </div>
                    </form>
                }.into_any()
            } else {
                view! {
                    <p>"Grants: "
                        {if group.numbers.is_empty() { "no numbers you can see".to_string() } else {
                            group.numbers.iter().map(|n| display_phone(&n.number)).collect::<Vec<_>>().join(", ")
                        }}
                    </p>
                }.into_any()
            }}
            <h4>"Members"</h4>
            <MemberList id=id.clone() name=group.name.clone() members=group.members people=people
                can_manage=can_manage consequence="They may then see every number."
                save=Callback::new(move |ids| { set_members.dispatch(ids); }) pending=pending/>
            {can_manage.then(|| view! {
                <div class="form-buttons">
                    <ConfirmButton id=format!("{id}-delete") label="Delete group…" class="button button-danger"
                        disabled=pending title=format!("Delete the access-control group {}?", group.name)
                        message="Its members may then see every number." action="Delete group"
                        on_confirm=move || { delete.dispatch(()); }/>
                </div>
            })}
        </div>
    }
}
