//! The bulk action bar: one action for the people selected on the page, confirmed in a
//! modal dialog that says how many people it touches, then what happened to each.

use crate::{
    api::{
        directory::{BulkUserAction, PerUserOutcome, apply_to_users},
        roles::RoleSummary,
    },
    components::{Alert, Confirm, ConfirmDialog},
    domain::{NodeId, Permission, RoleId, UserId},
    error::AppError,
};
use leptos::prelude::*;
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Choice {
    AddRole,
    RemoveRole,
    Suspend,
    Disable,
    Resend,
}

impl Choice {
    const ALL: [Choice; 5] =
        [Self::AddRole, Self::RemoveRole, Self::Suspend, Self::Disable, Self::Resend];

    fn key(self) -> &'static str {
        match self {
            Self::AddRole => "add_role",
            Self::RemoveRole => "remove_role",
            Self::Suspend => "suspend",
            Self::Disable => "disable",
            Self::Resend => "resend",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::AddRole => "Add role here",
            Self::RemoveRole => "Remove role here",
            Self::Suspend => "Suspend",
            Self::Disable => "Disable",
            Self::Resend => "Resend invitation",
        }
    }

    fn needs_role(self) -> bool {
        matches!(self, Self::AddRole | Self::RemoveRole)
    }
}

#[component]
pub fn BulkBar(
    node: NodeId,
    selected: RwSignal<BTreeSet<UserId>>,
    shown: RwSignal<Vec<(UserId, String)>>,
    roles: Resource<Result<Vec<RoleSummary>, AppError>>,
    version: RwSignal<u32>,
    /// The caller's permissions here: only roles within them are offered.
    own: Vec<Permission>,
) -> impl IntoView {
    let own = StoredValue::new(own);
    let choice = RwSignal::new(Choice::AddRole);
    let role: RwSignal<Option<RoleId>> = RwSignal::new(None);
    let reason = RwSignal::new(String::new());
    // A problem found before asking the server: (field, message).
    let problem: RwSignal<Option<(&'static str, String)>> = RwSignal::new(None);
    // The action waiting for confirmation, its question, and the names of the people it is for.
    let waiting: RwSignal<Option<(Vec<UserId>, BulkUserAction)>> = RwSignal::new(None);
    let question = RwSignal::new(String::new());
    let names: RwSignal<HashMap<UserId, String>> = RwSignal::new(HashMap::new());
    let apply = Action::new(move |(ids, act): &(Vec<UserId>, BulkUserAction)| {
        let (ids, act) = (ids.clone(), act.clone());
        async move { apply_to_users(node, ids, act).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = apply.value().get() {
            selected.set(BTreeSet::new());
            version.update(|v| *v += 1);
        }
    });
    let field_error = move |name: &'static str| {
        Signal::derive(move || {
            if let Some((field, m)) = problem.get()
                && field == name
            {
                return Some(m);
            }
            match apply.value().get() {
                Some(Err(e)) => e.field_message(name),
                _ => None,
            }
        })
    };
    let alert = Signal::derive(move || match apply.value().get() {
        Some(Err(AppError::Validation { fields, .. })) if !fields.is_empty() => {
            let known = ["role_id", "reason"];
            fields.iter().find(|f| !known.contains(&f.field.as_str())).map(|f| f.message.clone())
        }
        Some(Err(e)) => Some(e.to_string()),
        _ => None,
    });
    let role_name = move |id: RoleId| {
        roles
            .get()
            .and_then(|r| r.ok())
            .and_then(|list| list.into_iter().find(|r| r.id == id).map(|r| r.name))
    };

    let asking = Confirm::new();
    let open = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        problem.set(None);
        let ids: Vec<UserId> = selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        let act = match choice.get_untracked() {
            Choice::AddRole | Choice::RemoveRole => {
                let Some(r) = role.get_untracked() else {
                    problem.set(Some(("role_id", "Choose a role.".into())));
                    return;
                };
                if choice.get_untracked() == Choice::AddRole {
                    BulkUserAction::AddRole(r)
                } else {
                    BulkUserAction::RemoveRole(r)
                }
            }
            Choice::Suspend => {
                let text = reason.get_untracked();
                if text.trim().is_empty() {
                    problem.set(Some(("reason", "Give a reason for the suspension.".into())));
                    return;
                }
                BulkUserAction::Suspend { reason: text }
            }
            Choice::Disable => BulkUserAction::Disable,
            Choice::Resend => BulkUserAction::ResendInvitation,
        };
        let role_label = match &act {
            BulkUserAction::AddRole(r) | BulkUserAction::RemoveRole(r) => role_name(*r),
            _ => None,
        };
        question.set(act.question(ids.len(), role_label.as_deref()));
        waiting.set(Some((ids, act)));
        asking.open();
    };
    let confirm = move || {
        if let Some((ids, act)) = waiting.get_untracked() {
            names.set(shown.get_untracked().into_iter().collect());
            apply.dispatch((ids, act));
        }
        waiting.set(None);
    };
    let count = move || selected.with(BTreeSet::len);
    let role_error = field_error("role_id");
    let reason_error = field_error("reason");
    view! {
        <section class="bulk-bar card" aria-label="Bulk actions" data-testid="bulk-bar">
            <form class="form form-inline" on:submit=open novalidate>
                <p class="bulk-selected" aria-live="polite">
                    {move || match count() {
                        0 => "Select people in the list to act on several at once.".to_string(),
                        1 => "1 person selected".to_string(),
                        n => format!("{n} people selected"),
                    }}
                </p>
                <div class="field">
                    <label for="bulk-action">"Action"</label>
                    <select id="bulk-action"
                        on:change=move |ev| {
                            let key = event_target_value(&ev);
                            if let Some(c) = Choice::ALL.into_iter().find(|c| c.key() == key) {
                                choice.set(c);
                                problem.set(None);
                            }
                        }>
                        {Choice::ALL.into_iter().map(|c| view! {
                            <option value=c.key() selected=move || choice.get() == c>{c.label()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <Show when=move || choice.get().needs_role()>
                    <div class="field" class:has-error=move || role_error.get().is_some()>
                        <label for="bulk-role">"Role"</label>
                        <select id="bulk-role"
                            aria-invalid=move || role_error.get().map(|_| "true")
                            aria-describedby=move || role_error.get().map(|_| "bulk-role-error")
                            on:change=move |ev| role.set(event_target_value(&ev).parse().ok())>
                            <option value="" selected=move || role.get().is_none()>"Choose a role"</option>
                            {move || roles.get().and_then(Result::ok).unwrap_or_default().into_iter()
                                .filter(|r| own.with_value(|own| r.givable_with(own))).map(|r| {
                                let rid = r.id;
                                view! { <option value=rid.to_string() selected=move || role.get() == Some(rid)>{r.name}</option> }
                            }).collect_view()}
                        </select>
                        {move || role_error.get().map(|m| view! { <p class="field-error" id="bulk-role-error">{m}</p> })}
                    </div>
                </Show>
                <Show when=move || choice.get() == Choice::Suspend>
                    <div class="field" class:has-error=move || reason_error.get().is_some()>
                        <label for="bulk-reason">"Reason for the suspension"</label>
                        <input id="bulk-reason" maxlength="500" prop:value=reason
                            on:input=move |ev| reason.set(event_target_value(&ev))
                            aria-invalid=move || reason_error.get().map(|_| "true")
                            aria-describedby=move || reason_error.get().map(|_| "bulk-reason-error")/>
                        {move || reason_error.get().map(|m| view! { <p class="field-error" id="bulk-reason-error">{m}</p> })}
                    </div>
                </Show>
                <button type="submit" class="button button-primary"
                    disabled=move || count() == 0 || apply.pending().get()>
                    {move || if apply.pending().get() { "Working…".to_string() } else { "Apply…".to_string() }}
                </button>
            </form>
            <Alert message=alert/>
            <ConfirmDialog confirm=asking id="bulk" title=question
                message="Each person is handled on their own: if the action cannot be applied to someone, the others still get it, and you will see what happened to each."
                action=Signal::derive(move || question.get().trim_end_matches('?').to_string())
                destructive=Signal::derive(move || waiting.with(|w| w.as_ref().is_some_and(|(_, a)| a.takes_away())))
                on_confirm=confirm/>
            {move || match apply.value().get() {
                Some(Ok(list)) => Some(view! { <Outcomes list=list names=names.get_untracked()/> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn Outcomes(list: Vec<PerUserOutcome>, names: HashMap<UserId, String>) -> impl IntoView {
    let done = list.iter().filter(|o| o.done).count();
    let summary = format!("Done for {done} of {}.", list.len());
    view! {
        <div class="bulk-results" role="status" data-testid="bulk-results">
            <p><strong>{summary}</strong></p>
            <ul>
                {list.into_iter().map(|o| {
                    let name = if !o.name.is_empty() {
                        o.name.clone()
                    } else {
                        names.get(&o.user_id).cloned().unwrap_or_else(|| format!("Person {}", o.user_id))
                    };
                    view! {
                        <li class:done=o.done class:not-done=!o.done data-testid="bulk-outcome">
                            <strong>{name}</strong>": "{o.message}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </div>
    }
}
