//! Bulk add at a node (`/nodes/:id/bulk-add`): paste lines, or choose a .csv or .txt file,
//! of `email, first name, last name`, pick one role for everyone, preview what each line
//! will do, then add them all in one go, with a progress bar while it runs.
//!
//! Needs JavaScript beyond rendering: the preview, reading the file and the progress polling
//! run in the browser, and the two server functions carrying the text take JSON (a form post
//! of 1 MiB of text would not fit). Without it the page renders and says so.

use crate::{
    api::{
        bulk_add::{
            BulkLine, BulkOutcome, BulkPreview, BulkProgress, BulkResult, MAX_BYTES,
            bulk_add_progress, commit_bulk_add, preview_bulk_add,
        },
        nodes::NodeDetail,
        roles::{RoleSummary, list_roles},
    },
    components::{AdminLayout, Alert, Breadcrumbs, NodeSection},
    domain::{NodeSummary, Permission, RoleId},
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use std::time::Duration;

/// Rows shown at once; the filter narrows a longer batch.
const SHOWN: usize = 500;

#[component]
pub fn BulkAddPage() -> impl IntoView {
    view! {
        <Title text="Bulk add · Roster"/>
        <AdminLayout>
            <NodeSection heading="Bulk add" header=false needs=Permission::ManageUsers load=givable_roles
                body=|detail, roles| view! { <BulkAddForm ancestors=detail.ancestors node=detail.node roles=roles/> }/>
        </AdminLayout>
    }
}

/// Only the roles the caller may give here: the server would refuse the others.
async fn givable_roles(detail: NodeDetail) -> Result<Vec<RoleSummary>, AppError> {
    let roles = list_roles(detail.node.id).await?;
    Ok(roles.into_iter().filter(|r| r.givable_with(&detail.permissions)).collect())
}

/// Which lines of the preview are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Filter {
    All,
    Problems,
    Invite,
    Grant,
    Unchanged,
    Duplicate,
}

impl Filter {
    fn keeps(self, outcome: &BulkOutcome) -> bool {
        match self {
            Filter::All => true,
            Filter::Problems => matches!(outcome, BulkOutcome::Invalid { .. }),
            Filter::Invite => matches!(outcome, BulkOutcome::Invite),
            Filter::Grant => matches!(outcome, BulkOutcome::GrantAccess { .. }),
            Filter::Unchanged => matches!(outcome, BulkOutcome::AlreadyHasRole { .. }),
            Filter::Duplicate => matches!(outcome, BulkOutcome::Duplicate { .. }),
        }
    }
}

/// A preview with what it was made of, to tell when the form no longer matches it.
type Previewed = (RoleId, String, BulkPreview);

/// A batch id for the progress polls: only its starter can see it, so it need not be secret.
fn new_batch_id() -> String {
    let random = (js_sys::Math::random() * 1e15) as u64;
    format!("b{:x}-{:x}", js_sys::Date::now() as u64, random)
}

#[component]
fn BulkAddForm(
    ancestors: Vec<NodeSummary>,
    node: NodeSummary,
    roles: Vec<RoleSummary>,
) -> impl IntoView {
    let node_id = node.id;
    let node_name = node.name.clone();
    let text = RwSignal::new(String::new());
    let role: RwSignal<Option<RoleId>> = RwSignal::new(None);
    // Checked here before calling: (field, message).
    let local_error: RwSignal<Option<(&'static str, String)>> = RwSignal::new(None);
    let file_error: RwSignal<Option<String>> = RwSignal::new(None);
    let filter = RwSignal::new(Filter::All);
    let progress: RwSignal<Option<BulkProgress>> = RwSignal::new(None);
    let polling: StoredValue<Option<IntervalHandle>> = StoredValue::new(None);

    let preview = Action::new(move |(role, text): &(RoleId, String)| {
        let (role, text) = (*role, text.clone());
        async move {
            let p = preview_bulk_add(node_id, role, text.clone()).await?;
            Ok::<Previewed, AppError>((role, text, p))
        }
    });
    let commit = Action::new(move |(role, text, batch): &(RoleId, String, String)| {
        commit_bulk_add(node_id, *role, text.clone(), batch.clone())
    });
    let committing = commit.pending();
    // Problems first: a batch with invalid lines opens on them.
    Effect::new(move |_| {
        let invalid = preview.value().with(|v| match v {
            Some(Ok((_, _, p))) => Some(p.counts.invalid),
            _ => None,
        });
        if let Some(invalid) = invalid {
            filter.set(if invalid > 0 { Filter::Problems } else { Filter::All });
        }
    });
    // The commit answered: stop asking how far it got.
    Effect::new(move |_| {
        if !committing.get()
            && let Some(handle) = polling.get_value()
        {
            handle.clear();
            polling.set_value(None);
        }
    });
    // The preview no longer shows what the form holds.
    let stale = Memo::new(move |_| {
        preview.value().with(|v| match v {
            Some(Ok((r, t, _))) => Some(*r) != role.get() || text.with(|now| now != t),
            _ => false,
        })
    });
    let field = move |name: &'static str| {
        Signal::derive(move || {
            if let Some((f, m)) = local_error.get()
                && f == name
            {
                return Some(m);
            }
            // Read in place: the preview holds up to 1 MiB of text.
            let from_commit = commit.value().with(|v| match v {
                Some(Err(e)) => e.field_message(name),
                _ => None,
            });
            from_commit.or_else(|| {
                preview.value().with(|v| match v {
                    Some(Err(e)) => e.field_message(name),
                    _ => None,
                })
            })
        })
    };
    let alert = Signal::derive(move || {
        let other = |e: AppError| match &e {
            AppError::Validation { fields, .. } if !fields.is_empty() => None,
            _ => Some(e.to_string()),
        };
        let from_commit = commit.value().with(|v| match v {
            Some(Err(e)) => Some(e.clone()),
            _ => None,
        });
        let from_preview = || {
            preview.value().with(|v| match v {
                Some(Err(e)) => Some(e.clone()),
                _ => None,
            })
        };
        from_commit.or_else(from_preview).and_then(other)
    });

    let on_preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(chosen) = role.get_untracked() else {
            local_error.set(Some(("role_id", "Choose the role everyone will have here.".into())));
            return;
        };
        local_error.set(None);
        commit.value().set(None);
        preview.dispatch((chosen, text.get_untracked()));
    };
    let on_commit = move |_| {
        let Some(Ok((chosen, previewed, _))) = preview.value().get_untracked() else { return };
        let batch = new_batch_id();
        progress.set(None);
        // Polls every 300 ms while the commit runs; one poll at a time.
        let busy = std::rc::Rc::new(std::cell::Cell::new(false));
        let poll_batch = batch.clone();
        let handle = set_interval_with_handle(
            move || {
                if busy.replace(true) {
                    return;
                }
                let (batch, busy) = (poll_batch.clone(), busy.clone());
                leptos::task::spawn_local(async move {
                    if let Ok(p) = bulk_add_progress(batch).await {
                        progress.set(p);
                    }
                    busy.set(false);
                });
            },
            Duration::from_millis(300),
        );
        polling.set_value(handle.ok());
        commit.dispatch((chosen, previewed, batch));
    };
    let on_file = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
        if file.size() > MAX_BYTES as f64 {
            file_error.set(Some(format!(
                "{} is larger than 1 MiB. Split it into smaller files and add them one at a time.",
                file.name()
            )));
            input.set_value("");
            return;
        }
        file_error.set(None);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(file.text()).await {
                Ok(content) => text.set(content.as_string().unwrap_or_default()),
                Err(_) => file_error.set(Some("This file could not be read.".into())),
            }
        });
    };
    let reset = move |_| {
        text.set(String::new());
        preview.value().set(None);
        commit.value().set(None);
        progress.set(None);
    };

    let back = format!("/nodes/{node_id}");
    view! {
        <Breadcrumbs ancestors=ancestors node=node.clone() here="Bulk add"/>
        <h1>"Bulk add at "{node_name.clone()}</h1>
        <noscript><p class="alert alert-error">"Bulk add needs JavaScript. Invite people one at a time from the account page instead."</p></noscript>
        {move || match commit.value().get() {
            Some(Ok(result)) => view! {
                <ResultSummary result=result back=back.clone() node_name=node_name.clone() on_more=reset/>
            }.into_any(),
            _ => view! {
                <section class="card bulk-add">
                    <form class="form" on:submit=on_preview novalidate>
                        <Alert message=alert/>
                        <div class="field" class:has-error=move || field("text").get().is_some()>
                            <label for="bulk-text">"People, one per line: email, first name, last name"</label>
                            <textarea id="bulk-text" class="bulk-text" rows="10" spellcheck="false"
                                placeholder="ann@example.com, Ann, Smith\nbob@example.com, Bob, Jones"
                                aria-describedby="bulk-text-hint"
                                aria-invalid=move || field("text").get().map(|_| "true")
                                prop:value=text
                                on:input=move |ev| text.set(event_target_value(&ev))></textarea>
                            <p class="hint" id="bulk-text-hint">
                                "Up to 10,000 lines or 1 MiB. A header line and blank lines are skipped; \
                                 put a value containing a comma in double quotes."
                            </p>
                            {move || field("text").get().map(|m| view! { <p class="field-error" data-testid="bulk-text-error">{m}</p> })}
                        </div>
                        <div class="field" class:has-error=move || file_error.get().is_some()>
                            <label for="bulk-file">"Or choose a .csv or .txt file"</label>
                            <input id="bulk-file" type="file" accept=".csv,.txt,text/csv,text/plain" on:change=on_file/>
                            {move || file_error.get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                        <div class="field" class:has-error=move || field("role_id").get().is_some()>
                            <label for="bulk-role">"Role for everyone, here"</label>
                            <select id="bulk-role"
                                aria-invalid=move || field("role_id").get().map(|_| "true")
                                on:change=move |ev| role.set(event_target_value(&ev).parse().ok())>
                                <option value="">"Choose a role…"</option>
                                {roles.iter().map(|r| view! { <option value=r.id.to_string()>{r.name.clone()}</option> }).collect_view()}
                            </select>
                            {move || field("role_id").get().map(|m| view! { <p class="field-error">{m}</p> })}
                        </div>
                        <div class="actions">
                            <button type="submit" class="button" disabled=move || preview.pending().get() || committing.get()>
                                {move || if preview.pending().get() { "Checking…" } else { "Preview" }}
                            </button>
                        </div>
                    </form>
                </section>
                {move || preview.value().with(|v| match v {
                    Some(Ok((_, _, p))) => Some(p.clone()),
                    _ => None,
                }).map(|p| view! {
                    <PreviewSection preview=p filter=filter stale=stale commit_pending=committing progress=progress on_commit=on_commit/>
                })}
            }.into_any(),
        }}
    }
}

#[component]
fn PreviewSection(
    preview: BulkPreview,
    filter: RwSignal<Filter>,
    stale: Memo<bool>,
    commit_pending: Memo<bool>,
    progress: RwSignal<Option<BulkProgress>>,
    on_commit: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    let c = preview.counts;
    let to_add = c.to_add();
    let lines = StoredValue::new(preview.lines);
    let blocked = c.invalid > 0;
    let choice = move |f: Filter, label: String| {
        view! {
            <button type="button" class="button button-small" aria-pressed=move || (filter.get() == f).to_string()
                on:click=move |_| filter.set(f)>{label}</button>
        }
    };
    let shown = move || {
        let f = filter.get();
        lines.with_value(|all| {
            let kept: Vec<BulkLine> = all.iter().filter(|l| f.keeps(&l.outcome)).cloned().collect();
            (kept.len(), kept.into_iter().take(SHOWN).collect::<Vec<_>>())
        })
    };
    view! {
        <section class="card bulk-preview" aria-labelledby="bulk-preview-heading">
            <h2 id="bulk-preview-heading">"Preview"</h2>
            <p class="bulk-counts" data-testid="bulk-counts">
                <span class="bulk-badge bulk-badge-invite">{format!("{} to invite", c.invite)}</span>" "
                <span class="bulk-badge bulk-badge-grant">{format!("{} to give access", c.grant)}</span>" "
                <span class="bulk-badge">{format!("{} already have the role", c.unchanged)}</span>" "
                <span class="bulk-badge">{format!("{} duplicate{}", c.duplicate, if c.duplicate == 1 { "" } else { "s" })}</span>" "
                <span class="bulk-badge bulk-badge-invalid">{format!("{} to fix", c.invalid)}</span>
            </p>
            <div class="bulk-commit">
                {blocked.then(|| view! {
                    <p class="alert alert-error" role="alert">
                        "Fix or remove the lines marked “Fix”, then preview again. Nothing is added while any line needs fixing."
                    </p>
                })}
                {move || stale.get().then(|| view! {
                    <p class="alert alert-error">"The text or the role changed since this preview: preview again."</p>
                })}
                <button type="button" class="button button-primary"
                    disabled=move || blocked || to_add == 0 || stale.get() || commit_pending.get()
                    on:click=on_commit>
                    {format!("Add {to_add} user{}", if to_add == 1 { "" } else { "s" })}
                </button>
                {move || commit_pending.get().then(|| view! { <CommitProgress progress=progress/> })}
            </div>
            <div class="bulk-filter" role="group" aria-label="Show">
                {choice(Filter::All, format!("All ({})", lines.with_value(Vec::len)))}
                {choice(Filter::Problems, format!("To fix ({})", c.invalid))}
                {choice(Filter::Invite, format!("New ({})", c.invite))}
                {choice(Filter::Grant, format!("Existing ({})", c.grant))}
                {choice(Filter::Unchanged, format!("Unchanged ({})", c.unchanged))}
                {choice(Filter::Duplicate, format!("Duplicates ({})", c.duplicate))}
            </div>
            {move || {
                let (total, rows) = shown();
                view! {
                    {(total > SHOWN).then(|| view! {
                        <p class="muted">{format!("Showing the first {SHOWN} of {total} lines.")}</p>
                    })}
                    <table class="table bulk-table" data-testid="bulk-preview">
                        <thead><tr>
                            <th scope="col">"Line"</th><th scope="col">"E-mail"</th>
                            <th scope="col">"Name"</th><th scope="col">"What happens"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|l| view! { <PreviewRow line=l/> }).collect_view()}
                        </tbody>
                    </table>
                }
            }}
        </section>
    }
}

#[component]
fn PreviewRow(line: BulkLine) -> impl IntoView {
    let invalid = matches!(line.outcome, BulkOutcome::Invalid { .. });
    let (badge, class, detail) = match line.outcome {
        BulkOutcome::Invite => ("New: invite", "bulk-badge bulk-badge-invite", String::new()),
        BulkOutcome::GrantAccess { name, .. } => {
            ("Existing: give access", "bulk-badge bulk-badge-grant", name)
        }
        BulkOutcome::AlreadyHasRole { name, .. } => {
            ("Already has the role", "bulk-badge", format!("{name}: nothing changes"))
        }
        BulkOutcome::Duplicate { of_line } => {
            ("Duplicate", "bulk-badge", format!("Same address as line {of_line}: skipped"))
        }
        BulkOutcome::Invalid { reason } => ("Fix", "bulk-badge bulk-badge-invalid", reason),
    };
    let name = format!("{} {}", line.first_name, line.last_name).trim().to_string();
    view! {
        <tr class:row-invalid=invalid data-testid="bulk-line">
            <td>{line.line}</td>
            <td>{line.email}</td>
            <td>{name}</td>
            <td><span class=class>{badge}</span>" "<span class="muted">{detail}</span></td>
        </tr>
    }
}

#[component]
fn CommitProgress(progress: RwSignal<Option<BulkProgress>>) -> impl IntoView {
    view! {
        <div class="bulk-progress" role="status">
            {move || match progress.get() {
                Some(p) if p.total > 0 => view! {
                    <progress max=p.total.to_string() value=p.done.to_string() aria-label="Adding people"></progress>
                    <span>{format!("Adding people… {} of {}", p.done, p.total)}</span>
                }.into_any(),
                // Not known yet (or asked of another server process): indeterminate.
                _ => view! {
                    <progress aria-label="Adding people"></progress>
                    <span>"Adding people…"</span>
                }.into_any(),
            }}
        </div>
    }
}

#[component]
fn ResultSummary(
    result: BulkResult,
    back: String,
    node_name: String,
    on_more: impl Fn(leptos::ev::MouseEvent) + 'static,
) -> impl IntoView {
    view! {
        <section class="card bulk-result">
            <h2>"Done"</h2>
            <p class="alert alert-ok" role="status" data-testid="bulk-result">{result.summary()}"."</p>
            <p>
                <a class="button button-primary" href=back>{format!("Back to {node_name}")}</a>" "
                <button type="button" class="button" on:click=on_more>"Add more people"</button>
            </p>
        </section>
    }
}
