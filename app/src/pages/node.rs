//! A node of the account tree: where it sits (breadcrumbs), what is below it, who holds
//! which role here (and what they inherit from above), and the actions the caller may take.
//!
//! This file is the page alone; its parts are the modules below. They depend on
//! `sections` (the page's data), on each other and on `components`, never on this file,
//! so the page sits on top of its parts and no import cycle runs through it.

mod disabled;
pub mod invite;
mod members;
pub mod sections;
mod structure;

/// Where the call preferences' labels card still finds the page's data. It moves to
/// `sections::NodeSections` with that card's rewrite, which ends the last cycle through
/// here (this page shows the card; the card reads this page's data).
pub use sections::NodeSections;

use crate::{
    api::nodes::NodeDetail,
    components::{
        AccountTree, AdminLayout, Breadcrumbs, Refresh, frame_error, node_detail, use_node_id,
    },
    domain::Permission,
    pages::call_prefs::AgencyLabelsCard,
};
use disabled::DisabledUsers;
use invite::{InviteForm, PendingInvitations};
use leptos::prelude::*;
use leptos_meta::Title;
use members::{AddRoleForm, Members};
use sections::use_sections;
use structure::{ArchiveForm, CreateChildForm, MoveForm, RenameForm};

#[component]
pub fn NodePage() -> impl IntoView {
    view! {
        <AdminLayout>
            <NodeView/>
        </AdminLayout>
    }
}

#[component]
fn NodeView() -> impl IntoView {
    let node_id = use_node_id();
    let refresh = Refresh::provide();
    // Not keyed on `refresh`: the sections refetch their own data, and the forms in them
    // keep their state (and their success messages) across a change.
    let detail = node_detail(node_id);
    provide_context(NodeSections::new(node_id, detail, refresh));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <NodeBody detail=d/> }.into_any(),
                    Err(e) => frame_error("Account", e),
                }
            })}
        </Suspense>
    }
}

#[component]
fn NodeBody(detail: NodeDetail) -> impl IntoView {
    let NodeDetail { node, ancestors, children: _, permissions } = detail;
    let can = move |p: Permission| permissions.contains(&p);
    let id = node.id;
    let title = format!("{} · Roster", node.name);
    let can_manage_tree = can(Permission::ManageSubAccounts);
    let can_rename = can(Permission::ManageAccountSettings);
    let can_view_users = can(Permission::ViewUsers);
    let can_manage_users = can(Permission::ManageUsers);
    let can_manage_roles = can(Permission::ManageRoles);
    let is_root = node.parent_id.is_none();
    // Roles belong to the agency: the root of the breadcrumbs, or this node itself.
    let agency = ancestors.first().map(|a| a.id).unwrap_or(id);
    let tree = use_sections().tree;
    view! {
        <Title text=title/>
        <Breadcrumbs ancestors=ancestors node=node.clone()/>
        <h1><span class="kind">{node.kind.label()}</span>" "<span data-testid="node-title">{node.name.clone()}</span></h1>
        <nav aria-label="This account" class="node-links">
            {can_view_users.then(|| view! { <a href=format!("/nodes/{id}/users") data-testid="directory-link">"Users"</a> })}
            {can(Permission::ViewAuditLog).then(|| view! { <a href=format!("/nodes/{id}/audit")>"Audit log"</a> })}
            {can(Permission::ViewAccount).then(|| view! { <a href=format!("/nodes/{id}/contacts")>"Contacts"</a> })}
            {can(Permission::ViewAccount).then(|| view! { <a href=format!("/nodes/{id}/call-teams")>"Call teams"</a> })}
            {can_view_users.then(|| view! { <a href=format!("/nodes/{id}/teams")>"Teams"</a> })}
            {can(Permission::ViewAccount).then(|| view! { <a href=format!("/nodes/{id}/access")>"Access control"</a> })}
        </nav>
        <div class="node-layout">
            <section class="card" aria-labelledby="below-heading">
                <h2 id="below-heading">"Below this account"</h2>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match tree.await {
                            Ok(nodes) if nodes.len() > 1 => view! {
                                <AccountTree nodes=nodes current=id label="Accounts below"/>
                            }.into_any(),
                            Ok(_) => view! { <p class="empty">"Nothing below this one yet."</p> }.into_any(),
                            Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Suspense>
                {can_manage_tree.then(|| view! { <CreateChildForm parent=id/> })}
            </section>
            {can_view_users.then(|| view! {
                <section class="card" aria-labelledby="people-heading">
                    <h2 id="people-heading">"People with access"</h2>
                    <Members node=id can_manage=can_manage_users/>
                    {can_manage_users.then(|| view! { <AddRoleForm node=id/> })}
                    <PendingInvitations can_manage=can_manage_users/>
                    <DisabledUsers/>
                    {can_manage_users.then(|| view! { <InviteForm node=id/> })}
                    {can_manage_users.then(|| view! { <p class="bulk-add-link"><a href=format!("/nodes/{id}/bulk-add")>"Bulk add"</a></p> })}
                </section>
            })}
            {(can_rename || can_manage_roles || (can_manage_tree && !is_root)).then(|| view! {
                <section class="card" aria-labelledby="settings-heading">
                    <h2 id="settings-heading">"Settings"</h2>
                    {can_manage_roles.then(|| view! {
                        <p><a href=format!("/nodes/{agency}/roles")>"Roles and permissions"</a></p>
                    })}
                    {can_rename.then(|| view! { <RenameForm node=id current=node.name.clone()/> })}
                    {(can_rename && is_root).then(|| view! { <AgencyLabelsCard/> })}
                    {(can_manage_tree && !is_root).then(|| view! {
                        <MoveForm node=id/>
                        <ArchiveForm node=id/>
                    })}
                </section>
            })}
        </div>
    }
}
