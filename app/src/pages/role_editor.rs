//! The editor of a custom role: name, description and a checkbox grid of permissions by
//! area. Saving a role people hold first shows what changes for them.

use crate::{
    api::roles::{DeleteRole, PermissionDiff, RoleSummary, SaveRole, preview_role_change},
    components::{AfterAction, Alert, ConfirmDialog, ConfirmedForm, Field, SetCheckbox},
    domain::{NodeId, Permission, PermissionArea},
};
use leptos::prelude::*;
use std::collections::BTreeSet;

/// Permissions grouped by area, in display order: the editor's grid, and the built-in
/// roles' view beside it.
pub fn by_area() -> Vec<(PermissionArea, Vec<Permission>)> {
    let mut groups: Vec<(PermissionArea, Vec<Permission>)> = Vec::new();
    for p in Permission::all() {
        match groups.iter_mut().find(|(a, _)| *a == p.area()) {
            Some((_, list)) => list.push(p),
            None => groups.push((p.area(), vec![p])),
        }
    }
    groups
}

#[component]
pub fn RoleEditor(
    node: NodeId,
    role: Option<RoleSummary>,
    others: Vec<RoleSummary>,
) -> impl IntoView {
    let role_id = role.as_ref().map(|r| r.id);
    let version = role.as_ref().map(|r| r.version);
    let holders = role.as_ref().map(|r| r.holders).unwrap_or(0);
    let name = RwSignal::new(role.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let description =
        RwSignal::new(role.as_ref().map(|r| r.description.clone()).unwrap_or_default());
    let checked: RwSignal<BTreeSet<Permission>> = RwSignal::new(
        role.as_ref().map(|r| r.permissions.iter().copied().collect()).unwrap_or_default(),
    );
    let keys = move || checked.with(|c| c.iter().map(|p| p.key()).collect::<Vec<_>>());

    let preview = Action::new(move |keys: &Vec<String>| {
        let keys = keys.clone();
        async move {
            match role_id {
                Some(id) => preview_role_change(id, keys).await.map(Some),
                None => Ok(None),
            }
        }
    });
    let save = ServerAction::<SaveRole>::new();
    let do_save = move || {
        save.dispatch(SaveRole {
            agency_node_id: node,
            role_id,
            name: name.get_untracked(),
            description: description.get_untracked(),
            permissions: keys(),
            expected_version: version,
        });
    };
    // A role nobody holds saves at once; otherwise the difference is shown first.
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if role_id.is_some() && holders > 0 && preview.value().get_untracked().is_none() {
            preview.dispatch(keys());
        } else {
            do_save();
        }
    };
    save.on_success(move |saved| {
        let _ = window().location().set_href(&format!("/nodes/{node}/roles?role={}", saved.id));
    });
    // Editing after a preview asks for a fresh one.
    Effect::new(move |_| {
        checked.track();
        preview.value().set(None);
    });
    // Every failure is said above the form, a field's at its field too.
    let (save_error, preview_error) = (save.error(), preview.error());
    let alert = Signal::derive(move || save_error.get().or_else(|| preview_error.get()));
    let permissions_error = save.field_error("permissions");
    let diff = move || match preview.value().get() {
        Some(Ok(Some(d))) => Some(d),
        _ => None,
    };
    view! {
        <h2>{if role_id.is_some() { "Edit custom role" } else { "New custom role" }}</h2>
        <form class="form role-form" on:submit=on_submit novalidate>
            <Alert message=alert/>
            <Field id="role-name" label="Name" value=name maxlength=60 error=save.field_error("name")/>
            <Field id="role-description" label="Description" value=description/>
            {move || permissions_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
            <div class="perm-grid">
                {by_area().into_iter().map(|(area, perms)| view! {
                    <fieldset>
                        <legend>{area.label()}</legend>
                        {perms.into_iter().map(|p| view! {
                            <SetCheckbox set=checked item=p label=p.label() id=format!("perm-{}", p.key().replace(':', "-"))/>
                        }).collect_view()}
                    </fieldset>
                }).collect_view()}
            </div>
            {move || diff().map(|d| view! { <DiffView diff=d/> })}
            <button type="submit" class="button button-primary" disabled=move || save.pending().get() || preview.pending().get()>
                {move || if diff().is_some() { "Confirm and save" } else if role_id.is_some() && holders > 0 { "Review changes" } else { "Save role" }}
            </button>
        </form>
        {role_id.map(|id| {
            let held = holders > 0;
            let others: Vec<RoleSummary> = others.into_iter().filter(|o| o.id != id).collect();
            view! { <DeleteRoleForm role=id held=held others=others/> }
        })}
    }
}

#[component]
fn DiffView(diff: PermissionDiff) -> impl IntoView {
    let PermissionDiff { added, removed, holders_affected } = diff;
    view! {
        <div class="diff" role="status" data-testid="permission-diff">
            <p><strong>{format!("This changes what {holders_affected} {} can do.", if holders_affected == 1 { "person" } else { "people" })}</strong></p>
            {(!added.is_empty()).then(|| view! {
                <p>"Adds:"</p>
                <ul class="diff-added">{added.into_iter().map(|p| view! { <li>"+ "{p.label()}</li> }).collect_view()}</ul>
            })}
            {(!removed.is_empty()).then(|| view! {
                <p>"Removes:"</p>
                <ul class="diff-removed">{removed.into_iter().map(|p| view! { <li>"− "{p.label()}</li> }).collect_view()}</ul>
            })}
        </div>
    }
}

#[component]
fn DeleteRoleForm(
    role: crate::domain::RoleId,
    held: bool,
    others: Vec<RoleSummary>,
) -> impl IntoView {
    let action = ServerAction::<DeleteRole>::new();
    let error = action.error();
    // Back to the roles, none chosen.
    action.on_success(|()| {
        let _ = window().location().set_href(&window().location().pathname().unwrap_or_default());
    });
    let confirmed = ConfirmedForm::new();
    let message = if held {
        "The people holding it get the role you chose instead. This cannot be undone."
    } else {
        "Nobody holds it. This cannot be undone."
    };
    view! {
        <ConfirmDialog confirm=confirmed.confirm id="delete-role" title="Delete this role?"
            message=message.to_string() action="Delete role" on_confirm=move || confirmed.proceed()/>
        <ActionForm action=action node_ref=confirmed.form attr:class="form form-inline danger-zone"
            on:submit=move |ev| confirmed.on_submit(ev)>
            <input type="hidden" name="role_id" value=role.to_string()/>
            {held.then(|| view! {
                <div class="field">
                    <label for="replacement">"People holding it get instead"</label>
                    <select id="replacement" name="replacement">
                        {others.into_iter().map(|o| view! { <option value=o.id.to_string()>{o.name}</option> }).collect_view()}
                    </select>
                </div>
            })}
            <button type="submit" class="button button-danger" disabled=move || action.pending().get()>"Delete role…"</button>
            <Alert message=error/>
        </ActionForm>
    }
}
