//! The frame of the pages that belong to one node (contacts, call teams, teams, access
//! control): breadcrumbs back to the node, the heading and the title.
//!
//! Each of these pages loads the node and its own data in one resource, so the page waits
//! on one fetch and shows one error.

use crate::{
    api::nodes::{NodeDetail, get_node},
    components::{Alert, Breadcrumbs, use_toasts},
    domain::NodeId,
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use std::future::Future;

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
    answer_with_status(&e);
    view! {
        <Title text=format!("{heading} · Roster")/>
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

/// The message of a failed call when it is not about one of `fields` (those show at their
/// field), for an `Alert`.
pub fn alert_unless_field(err: Option<&AppError>, fields: &[&str]) -> Option<String> {
    match err {
        Some(e) if fields.iter().any(|f| e.field_message(f).is_some()) => None,
        Some(e) => Some(e.to_string()),
        None => None,
    }
}

/// A labelled input bound to `value`, with its error (from the last submit) under it and
/// announced; the input keeps what was typed when a submit fails.
#[component]
pub fn BoundField(
    /// Unique on the page.
    #[prop(into)]
    id: String,
    label: &'static str,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional)] hint: &'static str,
    #[prop(optional)] autocomplete: &'static str,
    #[prop(optional)] required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described_by = {
        let (error_id, hint_id) = (error_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if !hint.is_empty() {
                ids.push(hint_id.clone());
            }
            if error.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            <input id=id.clone() type=kind prop:value=value required=required
                autocomplete=(!autocomplete.is_empty()).then_some(autocomplete)
                on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=move || error.get().map(|_| "true")
                aria-describedby=described_by/>
            {(!hint.is_empty()).then(|| view! { <p class="hint" id=hint_id.clone()>{hint}</p> })}
            {move || error.get().map(|m| view! { <p class="field-error" id=error_id.clone()>{m}</p> })}
        </div>
    }
}

/// The one-field form that creates something by name at a node (a team, a call team, an
/// access-control group): the name's problem shows at the field, anything else above the
/// button; on success a toast says `created` and the page's data is fetched again.
#[component]
pub fn CreateByNameForm<T, Fut>(
    /// Unique on the page.
    id: &'static str,
    label: &'static str,
    button: &'static str,
    create: impl Fn(String) -> Fut + Send + Sync + 'static,
    /// The toast after a success.
    created: fn(&T) -> String,
    refresh: RwSignal<u32>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + Send + 'static,
{
    let toasts = use_toasts();
    let name = RwSignal::new(String::new());
    let action = Action::new(move |name: &String| create(name.clone()));
    Effect::new(move |_| {
        action.value().with(|v| {
            if let Some(Ok(t)) = v {
                toasts.show(created(t));
                name.set(String::new());
                refresh.update(|n| *n += 1);
            }
        })
    });
    let failed = move |on_field: bool| {
        action.value().with(|v| match v {
            Some(Err(e)) => match (e.field_message("name"), on_field) {
                (Some(m), true) => Some(m),
                (None, false) => Some(e.to_string()),
                _ => None,
            },
            _ => None,
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(name.get_untracked());
    };
    view! {
        <form class="form form-inline create-by-name" on:submit=submit novalidate>
            <BoundField id=id label=label value=name error=Signal::derive(move || failed(true))/>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>{button}</button>
            <Alert message=Signal::derive(move || failed(false))/>
        </form>
    }
}
