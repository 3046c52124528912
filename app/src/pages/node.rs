//! A node of the account tree: where it sits (breadcrumbs), what is below it, who holds
//! which role here (and what they inherit from above), and the actions the caller may take.

use crate::{
    api::{
        call_prefs::{AgencySettings, get_agency_settings},
        invitations::{PendingInvitation, list_invitations},
        lifecycle::list_disabled_users,
        members::{
            AgencyUser, MEMBERS_ON_NODE_PAGE, NodeMember, RevokeRole, list_agency_users,
            list_node_members,
        },
        nodes::{ArchiveNode, CreateNode, NodeDetail, RenameNode, get_tree},
        roles::{RoleSummary, list_roles},
        tree::list_reachable_nodes,
        users::UserSummary,
    },
    components::{
        AccountTree, AdminLayout, Alert, Breadcrumbs, ConfirmDialog, ConfirmedForm, failure,
        on_success, use_toasts,
    },
    domain::{NodeId, NodeSummary, Permission},
    pages::{
        node_access::AddRoleForm,
        node_frame::{Loaded, NodeDetailResource, frame_error, node_detail, node_if, use_node_id},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NodePage() -> impl IntoView {
    view! {
        <AdminLayout>
            <NodeView/>
        </AdminLayout>
    }
}

/// Bumped after every change on the page, so its data is fetched again.
#[derive(Clone, Copy)]
pub struct Refresh(pub RwSignal<u32>);

impl Refresh {
    pub fn bump(self) {
        self.0.update(|n| *n += 1);
    }
}

#[component]
fn NodeView() -> impl IntoView {
    let node_id = use_node_id();
    let refresh = Refresh(RwSignal::new(0));
    provide_context(refresh);
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

/// The data of the node page's sections, made where the page is built (see `node_detail`
/// for why), each fetched only when the caller may see its section, and again after every
/// change on the page.
#[derive(Clone, Copy)]
pub struct NodeSections {
    pub tree: Loaded<Vec<NodeSummary>>,
    pub members: Loaded<Vec<NodeMember>>,
    pub invitations: Loaded<Vec<PendingInvitation>>,
    pub disabled: Loaded<Vec<UserSummary>>,
    /// The agency's people, for "+ Add role".
    pub agency_users: Loaded<Vec<AgencyUser>>,
    /// The roles the caller may give here, for "+ Add role" and the invite form.
    pub roles: Loaded<Vec<RoleSummary>>,
    /// Where the node may move to.
    pub destinations: Loaded<Vec<NodeSummary>>,
    /// The agency's custom field labels (on the agency's own page).
    pub labels: Loaded<AgencySettings>,
    /// Bumped when the labels alone change, so nothing else is fetched again.
    pub labels_version: RwSignal<u32>,
}

impl NodeSections {
    fn new(
        node_id: impl Fn() -> Option<NodeId> + Copy + Send + Sync + 'static,
        detail: NodeDetailResource,
        refresh: Refresh,
    ) -> Self {
        let key = move || (node_id(), refresh.0.get());
        let view_users = |d: &NodeDetail| d.can(Permission::ViewUsers);
        let manage_users = |d: &NodeDetail| d.can(Permission::ManageUsers);
        let labels_version = RwSignal::new(0_u32);
        Self {
            tree: Resource::new(key, move |(n, _)| async move {
                get_tree(node_if(n, detail, |_| true).await?).await
            }),
            members: Resource::new(key, move |(n, _)| async move {
                list_node_members(node_if(n, detail, view_users).await?).await
            }),
            invitations: Resource::new(key, move |(n, _)| async move {
                list_invitations(node_if(n, detail, view_users).await?).await
            }),
            disabled: Resource::new(key, move |(n, _)| async move {
                list_disabled_users(node_if(n, detail, view_users).await?).await
            }),
            agency_users: Resource::new(key, move |(n, _)| async move {
                list_agency_users(node_if(n, detail, manage_users).await?, String::new()).await
            }),
            roles: Resource::new(key, move |(n, _)| async move {
                let node = node_if(n, detail, manage_users).await?;
                let roles = list_roles(node).await?;
                // Only those the caller may give here: the server would refuse the others.
                Ok(match detail.await {
                    Ok(d) if d.node.id == node => {
                        roles.into_iter().filter(|r| r.givable_with(&d.permissions)).collect()
                    }
                    _ => roles,
                })
            }),
            destinations: Resource::new(key, move |(n, _)| async move {
                let movable = |d: &NodeDetail| {
                    d.can(Permission::ManageSubAccounts) && d.node.parent_id.is_some()
                };
                node_if(n, detail, movable).await?;
                list_reachable_nodes().await
            }),
            labels: Resource::new(
                move || (key(), labels_version.get()),
                move |((n, _), _)| async move {
                    let agency = |d: &NodeDetail| {
                        d.can(Permission::ManageAccountSettings) && d.node.parent_id.is_none()
                    };
                    get_agency_settings(node_if(n, detail, agency).await?).await
                },
            ),
            labels_version,
        }
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
    let tree = expect_context::<NodeSections>().tree;
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
                    <crate::pages::invite::PendingInvitations can_manage=can_manage_users/>
                    <crate::pages::node_disabled::DisabledUsers/>
                    {can_manage_users.then(|| view! { <crate::pages::invite::InviteForm node=id/> })}
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
                    {(can_rename && is_root).then(|| view! { <crate::pages::call_prefs::AgencyLabelsCard/> })}
                    {(can_manage_tree && !is_root).then(|| view! {
                        <crate::pages::node_access::MoveForm node=id/>
                        <ArchiveForm node=id/>
                    })}
                </section>
            })}
        </div>
    }
}

#[component]
fn CreateChildForm(parent: NodeId) -> impl IntoView {
    let action = ServerAction::<CreateNode>::new();
    let refresh = expect_context::<Refresh>();
    let toasts = use_toasts();
    on_success(
        move || action.value().get(),
        move || {
            toasts.show("Created.");
            refresh.bump();
        },
    );
    let error = failure(move || action.value().get());
    view! {
        <ActionForm action=action attr:class="form form-inline">
            <input type="hidden" name="parent_id" value=parent.to_string()/>
            <div class="field">
                <label for="new-child-name">"New account or sub-group"</label>
                <input id="new-child-name" name="name" required maxlength="120"/>
            </div>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Create"</button>
            <Alert message=error/>
        </ActionForm>
    }
}

#[component]
fn RenameForm(node: NodeId, current: String) -> impl IntoView {
    let action = ServerAction::<RenameNode>::new();
    // The name is in the title and breadcrumbs: load the page again.
    on_success(
        move || action.value().get(),
        move || {
            let _ = window().location().reload();
        },
    );
    let error = failure(move || action.value().get());
    view! {
        <ActionForm action=action attr:class="form form-inline">
            <input type="hidden" name="node_id" value=node.to_string()/>
            <div class="field">
                <label for="rename">"Name"</label>
                <input id="rename" name="name" value=current required maxlength="120"/>
            </div>
            <button type="submit" class="button" disabled=move || action.pending().get()>"Rename"</button>
            <Alert message=error/>
        </ActionForm>
    }
}

#[component]
fn ArchiveForm(node: NodeId) -> impl IntoView {
    let action = ServerAction::<ArchiveNode>::new();
    let error = failure(move || action.value().get());
    on_success(
        move || action.value().get(),
        move || {
            let _ = window().location().set_href("/");
        },
    );
    let confirmed = ConfirmedForm::new();
    view! {
        <ActionForm action=action node_ref=confirmed.form attr:class="form form-inline" on:submit=move |ev| confirmed.on_submit(ev)>
            <input type="hidden" name="node_id" value=node.to_string()/>
            <button type="submit" class="button button-danger" disabled=move || action.pending().get()>"Archive…"</button>
            <Alert message=error/>
        </ActionForm>
        <ConfirmDialog confirm=confirmed.confirm id="archive" title="Archive this account?"
            message="It and everything below it are archived, and people lose the access it gave them."
            action="Archive" on_confirm=move || confirmed.proceed()/>
    }
}

#[component]
fn Members(node: NodeId, can_manage: bool) -> impl IntoView {
    let members = expect_context::<NodeSections>().members;
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
fn RevokeButton(
    node: NodeId,
    user: crate::domain::UserId,
    role: crate::domain::RoleId,
    role_name: String,
) -> impl IntoView {
    let action = ServerAction::<RevokeRole>::new();
    let refresh = expect_context::<Refresh>();
    let toasts = use_toasts();
    let done = format!("{role_name} removed.");
    on_success(
        move || action.value().get(),
        move || {
            toasts.show(done.clone());
            refresh.bump();
        },
    );
    let error = failure(move || action.value().get());
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
        <Alert message=error/>
    }
}
