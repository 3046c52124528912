//! The data of the node page's sections, made where the page is built (see `node_detail`
//! for why), each fetched only when the caller may see its section, and again after every
//! change on the page (its [`Refresh`]).

use crate::{
    api::{
        call_prefs::{AgencySettings, get_agency_settings},
        invitations::{PendingInvitation, list_invitations},
        lifecycle::list_disabled_users,
        members::{AgencyUser, NodeMember, list_agency_users, list_node_members},
        nodes::{NodeDetail, get_tree},
        roles::{RoleSummary, list_roles},
        tree::list_reachable_nodes,
        users::UserSummary,
    },
    components::{Loaded, NodeDetailResource, Refresh, node_if},
    domain::{NodeId, NodeSummary, Permission},
};
use leptos::prelude::*;

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
    /// Bumped when the labels alone change, so nothing else is fetched again. The call
    /// preferences' labels card bumps it by hand until its rewrite moves it to a `Refresh`.
    pub labels_version: RwSignal<u32>,
}

impl NodeSections {
    pub fn new(
        node_id: impl Fn() -> Option<NodeId> + Copy + Send + Sync + 'static,
        detail: NodeDetailResource,
        refresh: Refresh,
    ) -> Self {
        let key = move || (node_id(), refresh.key());
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

/// The sections' data, provided by the node page.
pub fn use_sections() -> NodeSections {
    expect_context()
}
