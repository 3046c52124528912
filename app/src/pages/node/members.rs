//! "People with access" on the node page: who holds which role here (and what they inherit
//! from above), removing a role, and "+ Add role".

use super::sections::use_sections;
use crate::{
    api::members::{GrantRole, MEMBERS_ON_NODE_PAGE, NodeMember, RevokeRole},
    components::{AfterAction, Alert, ConfirmDialog, ConfirmedForm, use_refresh, use_toasts},
    domain::{NodeId, RoleId, UserId},
};
use leptos::prelude::*;

#[component]
pub fn Members(node: NodeId, can_manage: bool) -> impl IntoView {
    let members = use_sections().members;
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match members.await {
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No one has access here yet."</p> }.into_any(),
                    Ok(list) => { let cut = list.len() >= MEMBERS_ON_NODE_PAGE; view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Person"</th><th scope="col">"Status"</th><th scope="col">"Roles"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| view! { <MemberRow member=m node=node can_manage=can_manage/> }).collect_view()}
                            </tbody>
                        </table>
                        {cut.then(|| view! {
                            <p class="muted" data-testid="more-in-directory">
                                {format!("The first {MEMBERS_ON_NODE_PAGE} by name are shown. ")}
                                <a href=format!("/nodes/{node}/users")>"Find anyone in the directory"</a>
                            </p>
                        })}
                    }.into_any() },
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn MemberRow(member: NodeMember, node: NodeId, can_manage: bool) -> impl IntoView {
    let user = member.user_id;
    view! {
        <tr data-testid="member-row">
            <td>
                <a href=format!("/users/{user}")>{member.name.clone()}</a>
                <div class="muted">{member.email.clone()}</div>
            </td>
            <td><span class=format!("status status-{}", member.status.key())>{member.status.label()}</span></td>
            <td>
                <ul class="role-list">
                    {member.roles.into_iter().map(|r| {
                        let removable = can_manage && !r.inherited;
                        view! {
                            <li>
                                <span class="role">{r.role_name.clone()}</span>
                                {r.inherited.then(|| view! {
                                    <span class="inherited">" inherited from "<a href=format!("/nodes/{}", r.at_node_id)>{r.at_node_name.clone()}</a></span>
                                })}
                                {removable.then(|| view! { <RevokeButton node=node user=user role=r.role_id role_name=r.role_name.clone()/> })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </td>
        </tr>
    }
}

#[component]
fn RevokeButton(node: NodeId, user: UserId, role: RoleId, role_name: String) -> impl IntoView {
    let action = ServerAction::<RevokeRole>::new();
    let (refresh, toasts) = (use_refresh(), use_toasts());
    let done = format!("{role_name} removed.");
    action.on_success(move |_| {
        toasts.show(done.clone());
        refresh.bump();
    });
    let label = format!("Remove {role_name}");
    let confirmed = ConfirmedForm::new();
    view! {
        <ActionForm action=action node_ref=confirmed.form attr:class="inline-form" on:submit=move |ev| confirmed.on_submit(ev)>
            <input type="hidden" name="node_id" value=node.to_string()/>
            <input type="hidden" name="user_id" value=user.to_string()/>
            <input type="hidden" name="role_id" value=role.to_string()/>
            <button type="submit" class="button button-small" aria-label=label disabled=move || action.pending().get()>"Remove"</button>
        </ActionForm>
        <ConfirmDialog confirm=confirmed.confirm id=format!("revoke-{user}-{role}") title=format!("Remove the {role_name} role?")
            message="Their access through this role here, and below, ends at once." action="Remove"
            on_confirm=move || confirmed.proceed()/>
        <Alert message=action.error()/>
    }
}

/// "+ Add role": give a person of the agency a role at this node.
#[component]
pub fn AddRoleForm(node: NodeId) -> impl IntoView {
    let action = ServerAction::<GrantRole>::new();
    action.refresh_on_success(use_refresh());
    let error = action.error();
    let sections = use_sections();
    let (agency_users, roles) = (sections.agency_users, sections.roles);
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                let choices = match agency_users.await {
                    Ok(users) => roles.await.map(|roles| (users, roles)),
                    Err(e) => Err(e),
                };
                match choices {
                    Ok((users, roles)) => view! {
                        <ActionForm action=action attr:class="form form-inline add-role">
                            <input type="hidden" name="node_id" value=node.to_string()/>
                            <div class="field">
                                <label for="grant-user">"Person"</label>
                                <select id="grant-user" name="user_id" required>
                                    {users.into_iter().map(|u| view! {
                                        <option value=u.user_id.to_string()>{format!("{} <{}>", u.name, u.email)}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="grant-role">"Role"</label>
                                <select id="grant-role" name="role_id" required>
                                    {roles.into_iter().map(|r| view! {
                                        <option value=r.id.to_string()>{r.name}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"+ Add role"</button>
                            <Alert message=error/>
                        </ActionForm>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
