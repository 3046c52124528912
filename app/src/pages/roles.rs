//! Roles of an agency: the built-in ones (read-only) and the agency's own, with the role
//! editor beside the list. `?role=ID` selects a role, `?role=new` starts a new one.

use crate::{
    api::{
        nodes::NodeDetail,
        roles::{RoleDetail, RoleSummary, get_role, list_roles},
    },
    components::{AdminLayout, Breadcrumbs, NodeSection},
    domain::{NodeId, Permission, RoleId},
    error::AppError,
    pages::role_editor::{RoleEditor, by_area},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn RolesPage() -> impl IntoView {
    view! {
        <Title text="Roles · Roster"/>
        <AdminLayout>
            <RolesView/>
        </AdminLayout>
    }
}

#[component]
fn RolesView() -> impl IntoView {
    let query = use_query_map();
    let selected = move || query.read().get("role");
    // Who holds the chosen role: made here, never inside the frame's content (see
    // `node_detail` for why).
    let chosen_id = move || selected().and_then(|s| s.parse::<i64>().ok()).map(RoleId);
    let holders = Resource::new(chosen_id, |id| async move {
        match id {
            Some(id) => get_role(id).await,
            None => Err(AppError::not_found("No role is chosen.")),
        }
    });
    // Saving and deleting load the page again, so the list is fetched once per page. The
    // choice is read here, in the frame's content, so choosing another role redraws it.
    view! {
        <NodeSection heading="Roles and permissions" title="Roles" header=false load=|d: NodeDetail| list_roles(d.node.id)
            body=move |detail, list| view! { <RolesBody detail=detail list=list chosen=selected() holders=holders/> }/>
    }
}

/// The roles beside the chosen one (`chosen`: a role's id, or "new").
#[component]
fn RolesBody(
    detail: NodeDetail,
    list: Vec<RoleSummary>,
    chosen: Option<String>,
    holders: Resource<Result<RoleDetail, AppError>>,
) -> impl IntoView {
    let node = detail.node.id;
    let current = chosen
        .as_deref()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|id| list.iter().find(|r| r.id.0 == id).cloned());
    let is_new = chosen.as_deref() == Some("new");
    view! {
        <Breadcrumbs ancestors=detail.ancestors node=detail.node here="Roles"/>
        <h1>"Roles and permissions"</h1>
        <div class="roles-layout">
            <nav class="card role-nav" aria-label="Roles">
                <ul>
                    {list.iter().map(|r| view! { <RoleLink node=node role=r.clone() active=current.as_ref().map(|c| c.id) == Some(r.id)/> }).collect_view()}
                </ul>
                <a class="button" href=format!("/nodes/{node}/roles?role=new")>"+ New custom role"</a>
            </nav>
            <section class="card role-detail">
                {match (current, is_new) {
                    (Some(role), _) if role.builtin => view! { <BuiltinRoleView role=role.clone()/><Holders detail=holders/> }.into_any(),
                    (Some(role), _) => view! { <RoleEditor node=node role=Some(role.clone()) others=list.clone()/><Holders detail=holders/> }.into_any(),
                    (None, true) => view! { <RoleEditor node=node role=None others=list.clone()/> }.into_any(),
                    (None, false) => view! { <p class="empty">"Choose a role to see what it allows, or create a custom role."</p> }.into_any(),
                }}
            </section>
        </div>
    }
}

#[component]
fn RoleLink(node: NodeId, role: RoleSummary, active: bool) -> impl IntoView {
    view! {
        <li class:active=active>
            <a href=format!("/nodes/{node}/roles?role={}", role.id) aria-current=active.then_some("page")>
                {role.name.clone()}
            </a>
            <span class="muted">
                {if role.builtin { "built-in" } else { "custom" }}" · "
                {format!("{} {}", role.holders, if role.holders == 1 { "holder" } else { "holders" })}
            </span>
        </li>
    }
}

#[component]
fn BuiltinRoleView(role: RoleSummary) -> impl IntoView {
    view! {
        <h2>{role.name.clone()}</h2>
        <p class="lead">{role.description.clone()}" Built-in roles cannot be changed; create a custom role for another mix."</p>
        {by_area().into_iter().map(|(area, perms)| {
            let held: Vec<Permission> = perms.into_iter().filter(|p| role.permissions.contains(p)).collect();
            (!held.is_empty()).then(|| view! {
                <h3>{area.label()}</h3>
                <ul class="perm-list">{held.into_iter().map(|p| view! { <li>{p.label()}</li> }).collect_view()}</ul>
            })
        }).collect_view()}
    }
}

/// Who holds a role, at which node (within the caller's reach).
#[component]
fn Holders(detail: Resource<Result<RoleDetail, AppError>>) -> impl IntoView {
    view! {
        <h3>"Who holds it"</h3>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) if d.holders.is_empty() => view! { <p class="empty">"No one holds this role where you can see."</p> }.into_any(),
                    Ok(d) => view! {
                        <ul class="holders" data-testid="role-holders">
                            {d.holders.into_iter().map(|h| view! {
                                <li>
                                    <a href=format!("/users/{}", h.user_id)>{h.name}</a>
                                    " at "
                                    <a href=format!("/nodes/{}", h.node_id)>{h.node_name}</a>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
