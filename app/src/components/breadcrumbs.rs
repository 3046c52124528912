//! Where a page sits in the account tree: the node's ancestors (those the viewer may open),
//! the node, and the page within it.

use crate::domain::NodeSummary;
use leptos::prelude::*;

/// Breadcrumbs from known nodes: `ancestors` root first, then `node`, then `here` (the
/// current page within the node, if it is not the node's own page).
#[component]
pub fn Breadcrumbs(
    ancestors: Vec<NodeSummary>,
    node: NodeSummary,
    #[prop(optional, into)] here: Option<String>,
) -> impl IntoView {
    let node_item = match here.is_some() {
        true => view! { <li><a href=format!("/nodes/{}", node.id)>{node.name.clone()}</a></li> }
            .into_any(),
        false => view! { <li aria-current="page">{node.name.clone()}</li> }.into_any(),
    };
    view! {
        <nav aria-label="Breadcrumb" class="breadcrumbs">
            <ol>
                {ancestors.into_iter().map(|a| view! {
                    <li><a href=format!("/nodes/{}", a.id)>{a.name}</a></li>
                }).collect_view()}
                {node_item}
                {here.map(|h| view! { <li aria-current="page">{h}</li> })}
            </ol>
        </nav>
    }
}
