//! Loading a node for one of its pages, and the frame those pages share: breadcrumbs back
//! to the node, the heading and the title, or the reason it could not be shown (answered
//! with its status).

use super::breadcrumbs::Breadcrumbs;
use crate::{
    api::nodes::{NodeDetail, get_node},
    domain::NodeId,
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// The node of the route's `:id`.
pub fn use_node_id() -> impl Fn() -> Option<NodeId> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || params.read().get("id").and_then(|s| s.parse::<NodeId>().ok())
}

pub fn no_node() -> AppError {
    AppError::not_found("There is no such account.")
}

/// Data a page loads from a server function.
pub type Loaded<T> = Resource<Result<T, AppError>>;

/// A node as its page loads it.
pub type NodeDetailResource = Loaded<NodeDetail>;

/// The node of `node_id`, for a page that shows several sections of it.
///
/// Such a page makes every resource of its sections here, beside this one, where the page
/// is built; never inside a `Suspense`'s content. The server may render that content more
/// than once (the suspense walks it again as data arrives), so a resource made there can be
/// made twice, and the browser would hydrate against the other copy's data.
pub fn node_detail(
    node_id: impl Fn() -> Option<NodeId> + Send + Sync + 'static,
) -> NodeDetailResource {
    Resource::new(node_id, |id| async move {
        match id {
            Some(id) => get_node(id).await,
            None => Err(no_node()),
        }
    })
}

/// `node`, for fetching a section of its page, unless its `detail` says the caller may not
/// see that section (`allowed`): the section would not show, and the refused call would only
/// fill the log. While the page moves to another node, `detail` may still be the last
/// node's; the call is then made and the server decides.
pub async fn node_if(
    node: Option<NodeId>,
    detail: NodeDetailResource,
    allowed: impl FnOnce(&NodeDetail) -> bool,
) -> Result<NodeId, AppError> {
    let node = node.ok_or_else(no_node)?;
    match detail.await {
        Ok(d) if d.node.id == node && !allowed(&d) => Err(AppError::Forbidden),
        _ => Ok(node),
    }
}

/// The title, breadcrumbs, heading and place of a page of the node `d`.
pub fn frame_header(heading: &'static str, d: &NodeDetail) -> impl IntoView + use<> {
    let title = format!("{heading} · {} · Roster", d.node.name);
    let place = format!("{} {}", d.node.kind.label(), d.node.name);
    view! {
        <Title text=title/>
        <Breadcrumbs ancestors=d.ancestors.clone() node=d.node.clone() here=heading/>
        <h1>{heading}</h1>
        <p class="lead" data-testid="frame-place">{place}</p>
    }
}

/// The page when its node or data could not be loaded.
pub fn frame_error(heading: &'static str, e: AppError) -> AnyView {
    titled_frame_error(heading, heading, e)
}

/// [`frame_error`] for a page whose title is not its heading (the roles page's).
pub fn titled_frame_error(title: &'static str, heading: &'static str, e: AppError) -> AnyView {
    answer_with_status(&e);
    view! {
        <Title text=format!("{title} · Roster")/>
        <h1>{heading}</h1>
        <p class="alert alert-error" role="alert">{e.to_string()}</p>
    }
    .into_any()
}

/// A page that is refused ("you may not", "no such ...") answers 403 or 404 with its page,
/// not 200, so tools, caches and monitors see what happened. Only while rendering on the
/// server: in the browser the status is long sent.
pub fn answer_with_status(e: &AppError) {
    #[cfg(feature = "ssr")]
    if matches!(e.status(), 403 | 404)
        && let Some(res) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(e.status())
    {
        res.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = e;
}
