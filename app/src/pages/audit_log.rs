//! `/nodes/:id/audit`: the audit log of a node and everything below it. The filters are a
//! plain GET form, so every view is a link and works without JavaScript.
//!
//! Not a `NodeSection`: the filter form is drawn before (and without) the node, and the
//! entries load on their own, keyed on the filters.

use crate::{
    api::audit_log::{AuditFilter, AuditPage, list_audit_log},
    components::{AdminLayout, Breadcrumbs, answer_with_status, no_node, node_detail, use_node_id},
    domain::audit,
    format::percent_encode,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn AuditLogPage() -> impl IntoView {
    view! {
        <Title text="Audit log · Roster"/>
        <AdminLayout>
            <AuditLogView/>
        </AdminLayout>
    }
}

/// The query string for `filter` and an optional page cursor.
fn query_string(filter: &AuditFilter, before: Option<i64>) -> String {
    let mut parts: Vec<String> = [
        ("actor", &filter.actor),
        ("target", &filter.target),
        ("action", &filter.action),
        ("from", &filter.from),
        ("until", &filter.until),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", percent_encode(v)))
    .collect();
    if let Some(b) = before {
        parts.push(format!("before={b}"));
    }
    parts.join("&")
}

#[component]
fn AuditLogView() -> impl IntoView {
    let query = use_query_map();
    let node_id = use_node_id();
    let filter = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        AuditFilter {
            actor: get("actor"),
            target: get("target"),
            action: get("action"),
            from: get("from"),
            until: get("until"),
        }
    };
    let before = move || query.read().get("before").and_then(|b| b.parse::<i64>().ok());
    let page = Resource::new(
        move || (node_id(), filter(), before()),
        |(node, filter, before)| async move {
            let node = node.ok_or_else(no_node)?;
            list_audit_log(node, filter, before).await
        },
    );
    let detail = node_detail(node_id);
    view! {
        <Suspense fallback=|| view! { <nav aria-label="Breadcrumb" class="breadcrumbs"></nav> }>
            {move || Suspend::new(async move {
                detail.await.ok().map(|d| view! { <Breadcrumbs ancestors=d.ancestors node=d.node here="Audit log"/> })
            })}
        </Suspense>
        <h1>"Audit log"</h1>
        <p class="lead">"Who did what, here and in every account below. Entries cannot be changed or removed."</p>
        <form method="get" class="form filters" role="search" aria-label="Filter the audit log">
            <div class="field-row">
                <div class="field">
                    <label for="actor">"Done by"</label>
                    <input id="actor" name="actor" value=move || filter().actor placeholder="Start of a name"/>
                </div>
                <div class="field">
                    <label for="target">"Person concerned"</label>
                    <input id="target" name="target" value=move || filter().target placeholder="Start of a name"/>
                </div>
                <div class="field">
                    <label for="action">"Action"</label>
                    <select id="action" name="action">
                        <option value="" selected=move || filter().action.is_empty()>"Any action"</option>
                        {audit::ACTIONS.iter().map(|(key, label)| view! {
                            <option value=*key selected=move || filter().action == *key>{*label}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="from">"From"</label>
                    <input id="from" name="from" type="date" value=move || filter().from/>
                </div>
                <div class="field">
                    <label for="until">"Until"</label>
                    <input id="until" name="until" type="date" value=move || filter().until/>
                </div>
            </div>
            <button type="submit" class="button">"Filter"</button>
            " "
            <a href="?" class="button button-quiet">"Clear"</a>
        </form>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Entries page=p filter=filter()/> }.into_any(),
                    Err(e) => {
                        // Refused: the same page, answered 403 or 404.
                        answer_with_status(&e);
                        view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn Entries(page: AuditPage, filter: AuditFilter) -> impl IntoView {
    if page.entries.is_empty() {
        return view! { <p class="empty" data-testid="audit-empty">"No entries match."</p> }
            .into_any();
    }
    let older = page.next_before.map(|b| format!("?{}", query_string(&filter, Some(b))));
    view! {
        <p class="muted">{format!("Times are in your time zone, {}.", page.time_zone)}</p>
        <div class="table-scroll">
            <table class="table" data-testid="audit-table">
                <thead>
                    <tr>
                        <th scope="col">"When"</th>
                        <th scope="col">"Who"</th>
                        <th scope="col">"What"</th>
                        <th scope="col">"Person concerned"</th>
                        <th scope="col">"Where"</th>
                        <th scope="col">"Details"</th>
                    </tr>
                </thead>
                <tbody>
                    {page.entries.into_iter().map(|e| view! {
                        <tr data-testid="audit-row">
                            <td class="nowrap">{e.at_local}</td>
                            <td>{e.actor}</td>
                            <td>{audit::label(&e.action).to_string()}</td>
                            <td>{match (e.target_user_id, e.target) {
                                (Some(id), Some(name)) => view! { <a href=format!("/users/{id}")>{name}</a> }.into_any(),
                                (None, Some(name)) => name.into_any(),
                                _ => "—".into_any(),
                            }}</td>
                            <td>{match (e.node_id, e.node_name) {
                                (Some(id), Some(name)) => view! { <a href=format!("/nodes/{id}")>{name}</a> }.into_any(),
                                _ => "—".into_any(),
                            }}</td>
                            <td class="details">{e.details}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        {older.map(|href| view! { <p><a href=href class="button" rel="next">"Older entries"</a></p> })}
    }
    .into_any()
}
