//! Forms of the node page that pick from lists: giving someone a role here, and moving the
//! node elsewhere in the tree.

use crate::{
    api::{members::GrantRole, nodes::MoveNode},
    components::{Alert, failure, on_success},
    domain::NodeId,
    pages::node::{NodeSections, Refresh},
};
use leptos::prelude::*;

/// "+ Add role": give a person of the agency a role at this node.
#[component]
pub fn AddRoleForm(node: NodeId) -> impl IntoView {
    let refresh = expect_context::<Refresh>();
    let action = ServerAction::<GrantRole>::new();
    on_success(move || action.value().get(), move || refresh.bump());
    let error = failure(move || action.value().get());
    let NodeSections { agency_users, roles, .. } = expect_context();
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

#[component]
pub fn MoveForm(node: NodeId) -> impl IntoView {
    let action = ServerAction::<MoveNode>::new();
    // The breadcrumbs change: load the page again.
    on_success(
        move || action.value().get(),
        move || {
            let _ = window().location().reload();
        },
    );
    let error = failure(move || action.value().get());
    let destinations = expect_context::<NodeSections>().destinations;
    view! {
        <Suspense>
            {move || Suspend::new(async move {
                match destinations.await {
                    Ok(nodes) => view! {
                        <ActionForm action=action attr:class="form form-inline">
                            <input type="hidden" name="node_id" value=node.to_string()/>
                            <div class="field">
                                <label for="move-to">"Move under"</label>
                                <select id="move-to" name="new_parent_id" required>
                                    {nodes.into_iter().filter(|n| n.id != node).map(|n| view! {
                                        <option value=n.id.to_string()>{format!("{} ({})", n.name, n.kind.label())}</option>
                                    }).collect_view()}
                                </select>
                            </div>
                            <button type="submit" class="button" disabled=move || action.pending().get()>"Move"</button>
                            <Alert message=error/>
                        </ActionForm>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
