//! The page of one node's section (contacts, call teams, teams, access control, roles,
//! bulk add): the node and the section's data in one resource, so the page waits on one
//! fetch and shows one error; a refused page answers 403 or 404 with its heading and the
//! reason.
//!
//! The audit log keeps a frame of its own: its filter form is drawn before (and without)
//! the node, and the entries load apart, keyed on the filters.

use super::{
    node_frame::{frame_header, no_node, titled_frame_error, use_node_id},
    refresh::Refresh,
};
use crate::{
    api::nodes::{NodeDetail, get_node},
    domain::Permission,
    error::AppError,
};
use leptos::prelude::*;
use serde::{Serialize, de::DeserializeOwned};
use std::future::Future;

/// Loads the route's node, checks `needs`, loads the section's data with `load`, and draws
/// `body` under the frame (title, breadcrumbs, heading, place). Provides the page's
/// [`Refresh`]: the data is fetched again after each bump, and the page stays on screen
/// meanwhile (a `Transition`), so open forms keep their state.
#[component]
pub fn NodeSection<T, Fut, V>(
    /// The section's name: the heading, the title, and the error page's heading.
    heading: &'static str,
    /// Whether the frame draws the header; a page with a header of its own (bulk add, roles)
    /// draws it in `body`.
    #[prop(default = true)]
    header: bool,
    /// The window title's first part, where it is not the heading.
    #[prop(optional)]
    title: Option<&'static str>,
    /// What the caller must be allowed at the node to open the page; checked before `load`
    /// (the server checks again).
    #[prop(optional)]
    needs: Option<Permission>,
    /// The section's data, once its node is known.
    load: impl Fn(NodeDetail) -> Fut + Copy + Send + Sync + 'static,
    body: impl Fn(NodeDetail, T) -> V + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    let node_id = use_node_id();
    let refresh = Refresh::provide();
    // Made here, where the page is built, never inside the `Transition`'s content (see
    // `node_detail` for why).
    let data = Resource::new(
        move || (node_id(), refresh.key()),
        move |(id, _)| async move {
            let detail = get_node(id.ok_or_else(no_node)?).await?;
            if needs.is_some_and(|p| !detail.can(p)) {
                return Err(AppError::Forbidden);
            }
            let data = load(detail.clone()).await?;
            Ok((detail, data))
        },
    );
    let body = StoredValue::new(body);
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((detail, data)) => view! {
                        {header.then(|| frame_header(heading, &detail))}
                        {body.with_value(|body| body(detail, data))}
                    }.into_any(),
                    Err(e) => titled_frame_error(title.unwrap_or(heading), heading, e),
                }
            })}
        </Transition>
    }
}
