//! Forms of the node page that change the tree: a new account or sub-group below, the
//! node's name, where it sits, and archiving it.

use super::sections::use_sections;
use crate::{
    api::nodes::{ArchiveNode, CreateNode, MoveNode, RenameNode},
    components::{
        AfterAction, Alert, ConfirmDialog, ConfirmedForm, Field, use_refresh, use_toasts,
    },
    domain::NodeId,
};
use leptos::prelude::*;

/// Loads the page again: the change shows in the title and breadcrumbs.
fn reload() {
    let _ = window().location().reload();
}

#[component]
pub fn CreateChildForm(parent: NodeId) -> impl IntoView {
    let action = ServerAction::<CreateNode>::new();
    let (refresh, toasts) = (use_refresh(), use_toasts());
    action.on_success(move |_| {
        toasts.show("Created.");
        refresh.bump();
    });
    view! {
        <ActionForm action=action attr:class="form form-inline">
            <input type="hidden" name="parent_id" value=parent.to_string()/>
            <Field id="new-child-name" name="name" label="New account or sub-group" required=true maxlength=120/>
            <button type="submit" class="button button-primary" disabled=move || action.pending().get()>"Create"</button>
            <Alert message=action.error()/>
        </ActionForm>
    }
}

#[component]
pub fn RenameForm(node: NodeId, current: String) -> impl IntoView {
    let action = ServerAction::<RenameNode>::new();
    action.on_success(|_| reload());
    view! {
        <ActionForm action=action attr:class="form form-inline">
            <input type="hidden" name="node_id" value=node.to_string()/>
            <Field id="rename" name="name" label="Name" value=current required=true maxlength=120/>
            <button type="submit" class="button" disabled=move || action.pending().get()>"Rename"</button>
            <Alert message=action.error()/>
        </ActionForm>
    }
}

#[component]
pub fn MoveForm(node: NodeId) -> impl IntoView {
    let action = ServerAction::<MoveNode>::new();
    action.on_success(|_| reload());
    let error = action.error();
    let destinations = use_sections().destinations;
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

#[component]
pub fn ArchiveForm(node: NodeId) -> impl IntoView {
    let action = ServerAction::<ArchiveNode>::new();
    // It is gone from the tree: back to the top.
    action.on_success(|_| {
        let _ = window().location().set_href("/");
    });
    let confirmed = ConfirmedForm::new();
    view! {
        <ActionForm action=action node_ref=confirmed.form attr:class="form form-inline" on:submit=move |ev| confirmed.on_submit(ev)>
            <input type="hidden" name="node_id" value=node.to_string()/>
            <button type="submit" class="button button-danger" disabled=move || action.pending().get()>"Archive…"</button>
            <Alert message=action.error()/>
        </ActionForm>
        <ConfirmDialog confirm=confirmed.confirm id="archive" title="Archive this account?"
            message="It and everything below it are archived, and people lose the access it gave them."
            action="Archive" on_confirm=move || confirmed.proceed()/>
    }
}
