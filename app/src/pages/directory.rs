//! The users directory of a node (`/nodes/:id/users`): search as you type, filters, sortable
//! columns, keyset pages, the count, the CSV export and (with JavaScript, for people who
//! manage users here) bulk actions.
//!
//! The view lives in the address (`?q=…&status=…&role=…&under=…&inherited=1&sort=-name`,
//! and `after=` for a later page), so it can be linked and reloaded. Without JavaScript the
//! filters are a plain GET form and the column headers its submit buttons; with it, every
//! change updates the address at once (the search box after a 250 ms pause in typing).

mod bulk;

use crate::{
    api::{
        directory::{
            DirectoryFilter, DirectoryPage as Page, DirectoryRow, SortKey, count_label,
            export_path, list_directory, parse_query, query_string, short_date, sort_param,
        },
        nodes::{NodeDetail, get_tree},
        roles::{RoleSummary, list_roles},
        teams::{Team, list_teams},
    },
    components::{AdminLayout, Breadcrumbs},
    domain::{NodeId, NodeSummary, Permission, UserId, UserStatus},
    pages::node_frame::{Loaded, frame_error, node_detail, node_if, use_node_id},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    hooks::{use_location, use_navigate},
};
use std::{collections::BTreeSet, time::Duration};

#[component]
pub fn DirectoryPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <DirectoryView/>
        </AdminLayout>
    }
}

/// The sub-trees and the teams to narrow by.
type Choices = (Vec<NodeSummary>, Vec<Team>);

/// What the page shows besides the node, made where the page is built (see `node_detail`
/// for why), each fetched only for a caller who may view people here.
#[derive(Clone, Copy)]
struct DirectoryData {
    filter: Memo<DirectoryFilter>,
    /// A later page's `after=`.
    cursor: Memo<Option<String>>,
    /// Bumped after a bulk action, so the list is read again.
    version: RwSignal<u32>,
    page: Loaded<Page>,
    roles: Loaded<Vec<RoleSummary>>,
    choices: Loaded<Choices>,
}

#[component]
fn DirectoryView() -> impl IntoView {
    let node_id = use_node_id();
    let detail = node_detail(node_id);
    let location = use_location();
    let pairs = Memo::new(move |_| parse_query(&location.search.get()));
    let filter = Memo::new(move |_| {
        pairs.with(|p| DirectoryFilter::from_query(p.iter().map(|(k, v)| (k.as_str(), v.as_str()))))
    });
    let cursor = Memo::new(move |_| {
        pairs.with(|p| p.iter().rev().find(|(k, _)| k == "after").map(|(_, v)| v.clone()))
    });
    let version = RwSignal::new(0u32);
    let viewer = |d: &NodeDetail| d.can(Permission::ViewUsers);
    let data = DirectoryData {
        filter,
        cursor,
        version,
        page: Resource::new(
            move || (node_id(), filter.get(), cursor.get(), version.get()),
            move |(n, f, c, _)| async move {
                list_directory(node_if(n, detail, viewer).await?, f, c).await
            },
        ),
        roles: Resource::new(node_id, move |n| async move {
            list_roles(node_if(n, detail, viewer).await?).await
        }),
        choices: Resource::new(node_id, move |n| async move {
            let node = node_if(n, detail, viewer).await?;
            // Either list may be out of the caller's reach: then it offers nothing.
            let tree = get_tree(node).await.unwrap_or_default();
            let teams = list_teams(node).await.unwrap_or_default();
            Ok((tree, teams))
        }),
    };
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <DirectoryBody detail=d data=data/> }.into_any(),
                    Err(e) => frame_error("People", e),
                }
            })}
        </Suspense>
    }
}

/// The page's address for `filter` (and a later page's cursor).
fn address(node: NodeId, filter: &DirectoryFilter, after: Option<&str>) -> String {
    let mut pairs = filter.to_query();
    if let Some(a) = after {
        pairs.push(("after", a.to_string()));
    }
    match pairs.is_empty() {
        true => format!("/nodes/{node}/users"),
        false => format!("/nodes/{node}/users?{}", query_string(&pairs)),
    }
}

/// The states one can filter by (deleted people are never listed).
const STATES: [UserStatus; 4] =
    [UserStatus::Active, UserStatus::Invited, UserStatus::Suspended, UserStatus::Disabled];

#[component]
fn DirectoryBody(detail: NodeDetail, data: DirectoryData) -> impl IntoView {
    let DirectoryData { filter, cursor, version, page, roles, choices } = data;
    let NodeDetail { node, ancestors, permissions, .. } = detail;
    let id = node.id;
    let can_view = permissions.contains(&Permission::ViewUsers);
    let can_manage = permissions.contains(&Permission::ManageUsers);
    let navigate = use_navigate();
    // A new address for a changed filter; typing in the search box replaces the history
    // entry instead of adding one per pause.
    let go = Callback::new(move |(f, replace): (DirectoryFilter, bool)| {
        let options = NavigateOptions { replace, scroll: false, ..Default::default() };
        navigate(&address(id, &f, None), options);
    });
    let selected: RwSignal<BTreeSet<UserId>> = RwSignal::new(BTreeSet::new());
    // What the current page shows: for select-all and for naming people in results.
    let shown: RwSignal<Vec<(UserId, String)>> = RwSignal::new(Vec::new());
    Effect::new(move |_| {
        if let Some(Ok(p)) = page.get() {
            let rows: Vec<(UserId, String)> =
                p.rows.iter().map(|r| (r.user_id, r.name())).collect();
            selected.update(|s| s.retain(|id| rows.iter().any(|(r, _)| r == id)));
            shown.set(rows);
        }
    });
    // Checkboxes and the bulk bar need the app running: without JavaScript they would do
    // nothing, so they appear once the page is hydrated.
    let live = RwSignal::new(false);
    Effect::new(move |_| live.set(true));
    let busy = RwSignal::new(false);
    let title = format!("People · {} · Roster", node.name);
    let heading = format!("People in {}", node.name);
    view! {
        <Title text=title/>
        <Breadcrumbs ancestors=ancestors node=node.clone() here="People"/>
        <h1 data-testid="directory-title">{heading}</h1>
        {if !can_view {
            view! { <p class="alert alert-error" role="alert">"You do not have permission to do this."</p> }.into_any()
        } else {
            view! {
                <FilterForm node=id filter=filter go=go roles=roles choices=choices/>
                <div class="directory-tools">
                    <Transition>
                        {move || Suspend::new(async move {
                            page.await.ok().map(|p| view! {
                                <p class="directory-count" data-testid="directory-count" aria-live="polite">
                                    {count_label(p.count, p.count_exact)}
                                    {(!p.count_exact).then(|| view! { <span class="muted">" (estimated)"</span> })}
                                </p>
                            })
                        })}
                    </Transition>
                    <a class="button" data-testid="export-csv" rel="external" download
                        href=move || export_path(id, &filter.get())>"Export CSV"</a>
                </div>
                {can_manage.then(|| view! {
                    <Show when=move || live.get()>
                        <bulk::BulkBar node=id selected=selected shown=shown roles=roles version=version own=permissions.clone()/>
                    </Show>
                })}
                <div class="directory-results" aria-busy=move || busy.get().to_string()>
                    <Transition fallback=|| view! { <p class="loading">"Loading…"</p> } set_pending=busy>
                        {move || Suspend::new(async move {
                            match page.await {
                                Ok(p) => view! {
                                    <Results node=id page=p filter=filter cursor=cursor go=go
                                        selectable=Signal::derive(move || can_manage && live.get())
                                        selected=selected shown=shown/>
                                }.into_any(),
                                Err(e) => view! {
                                    <p class="alert alert-error" role="alert">{e.to_string()}</p>
                                }.into_any(),
                            }
                        })}
                    </Transition>
                </div>
            }.into_any()
        }}
    }
}

/// The search box and filters: a GET form of the page's own address.
#[component]
fn FilterForm(
    node: NodeId,
    filter: Memo<DirectoryFilter>,
    go: Callback<(DirectoryFilter, bool)>,
    roles: Loaded<Vec<RoleSummary>>,
    choices: Loaded<Choices>,
) -> impl IntoView {
    let search = NodeRef::<leptos::html::Input>::new();
    let timer: StoredValue<Option<TimeoutHandle>> = StoredValue::new(None);
    let cancel_timer = move || {
        if let Some(h) = timer.get_value() {
            h.clear();
        }
        timer.set_value(None);
    };
    let apply_query = move |text: String| {
        let mut f = filter.get_untracked();
        if f.query != text.trim() {
            f.query = text.trim().to_string();
            go.run((f, true));
        }
    };
    let on_input = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        cancel_timer();
        let handle =
            set_timeout_with_handle(move || apply_query(text), Duration::from_millis(250)).ok();
        timer.set_value(handle);
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        cancel_timer();
        if let Some(input) = search.get() {
            apply_query(input.value());
        }
    };
    let toggle_state = move |s: UserStatus, on: bool| {
        let mut f = filter.get_untracked();
        f.statuses.retain(|x| *x != s);
        if on {
            f.statuses.push(s);
        }
        go.run((f, false));
    };
    let initial = filter.get_untracked();
    view! {
        <form id="directory-filter" class="form directory-filter" method="get"
            action=format!("/nodes/{node}/users") role="search" aria-label="Find people"
            on:submit=on_submit>
            <div class="field search-field">
                <label for="directory-q">"Search"</label>
                <input id="directory-q" type="search" name="q" value=initial.query.clone()
                    node_ref=search autocomplete="off" maxlength="200"
                    aria-describedby="directory-q-hint" on:input=on_input/>
                <p class="hint" id="directory-q-hint">
                    "Finds people whose first name, last name, e-mail address or username starts with each word you type."
                </p>
            </div>
            <fieldset class="field status-filter">
                <legend>"Status"</legend>
                {STATES.into_iter().map(|s| {
                    let on = move || filter.with(|f| f.statuses.contains(&s));
                    view! {
                        <label class="check">
                            <input type="checkbox" name="status" value=s.key() checked=on prop:checked=on
                                on:change=move |ev| toggle_state(s, event_target_checked(&ev))/>
                            " "{s.label()}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <Suspense>
                {move || Suspend::new(async move {
                    let list = roles.await.unwrap_or_default();
                    view! {
                        <div class="field">
                            <label for="directory-role">"Role"</label>
                            <select id="directory-role" name="role"
                                on:change=move |ev| {
                                    let mut f = filter.get_untracked();
                                    f.role_id = event_target_value(&ev).parse().ok();
                                    go.run((f, false));
                                }>
                                <option value="" selected=move || filter.with(|f| f.role_id.is_none())>"Any role"</option>
                                {list.into_iter().map(|r| {
                                    let rid = r.id;
                                    view! {
                                        <option value=rid.to_string() selected=move || filter.with(|f| f.role_id == Some(rid))>{r.name}</option>
                                    }
                                }).collect_view()}
                            </select>
                        </div>
                    }
                })}
            </Suspense>
            <Suspense>
                {move || Suspend::new(async move {
                    let (nodes, teams) = choices.await.unwrap_or_default();
                    view! {
                        {(nodes.len() > 1).then(|| view! { <SubtreeSelect nodes=nodes filter=filter go=go/> })}
                        {(!teams.is_empty()).then(|| view! {
                            <div class="field">
                                <label for="directory-team">"Team"</label>
                                <select id="directory-team" name="team"
                                    on:change=move |ev| {
                                        let mut f = filter.get_untracked();
                                        f.team_id = event_target_value(&ev).parse().ok();
                                        go.run((f, false));
                                    }>
                                    <option value="" selected=move || filter.with(|f| f.team_id.is_none())>"Any team"</option>
                                    {teams.into_iter().map(|t| {
                                        let tid = t.id;
                                        view! {
                                            <option value=tid.to_string() selected=move || filter.with(|f| f.team_id == Some(tid))>{t.name}</option>
                                        }
                                    }).collect_view()}
                                </select>
                            </div>
                        })}
                    }
                })}
            </Suspense>
            <label class="check inherited-toggle">
                <input type="checkbox" name="inherited" value="1"
                    checked=move || filter.with(|f| f.inherited)
                    prop:checked=move || filter.with(|f| f.inherited)
                    on:change=move |ev| {
                        let mut f = filter.get_untracked();
                        f.inherited = event_target_checked(&ev);
                        go.run((f, false));
                    }/>
                " Include people with access from above"
            </label>
            {(initial.sort != SortKey::Name || initial.descending).then(|| view! {
                <input type="hidden" name="sort" value=sort_param(initial.sort, initial.descending)/>
            })}
            {(initial.page_size != 0).then(|| view! {
                <input type="hidden" name="per_page" value=initial.page_size.to_string()/>
            })}
            <button type="submit" class="button">"Search"</button>
        </form>
    }
}

/// "Within": the node itself or an account or sub-group below it.
#[component]
fn SubtreeSelect(
    nodes: Vec<NodeSummary>,
    filter: Memo<DirectoryFilter>,
    go: Callback<(DirectoryFilter, bool)>,
) -> impl IntoView {
    let root = nodes[0].id;
    // Depth by parent, for the indentation (the list comes shallowest first).
    let mut depth: std::collections::HashMap<NodeId, usize> = std::collections::HashMap::new();
    let options: Vec<(NodeId, String)> = nodes
        .into_iter()
        .map(|n| {
            let d = n.parent_id.and_then(|p| depth.get(&p).map(|d| d + 1)).unwrap_or(0);
            depth.insert(n.id, d);
            (n.id, format!("{}{}", "\u{2003}".repeat(d), n.name))
        })
        .collect();
    view! {
        <div class="field">
            <label for="directory-under">"Within"</label>
            <select id="directory-under" name="under"
                on:change=move |ev| {
                    let mut f = filter.get_untracked();
                    f.subtree = event_target_value(&ev).parse().ok().filter(|n| *n != root);
                    go.run((f, false));
                }>
                {options.into_iter().map(|(nid, label)| view! {
                    <option value=if nid == root { String::new() } else { nid.to_string() }
                        selected=move || filter.with(|f| f.subtree.unwrap_or(root) == nid)>{label}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// The count, the table and the pager of one page.
#[component]
fn Results(
    node: NodeId,
    page: Page,
    filter: Memo<DirectoryFilter>,
    cursor: Memo<Option<String>>,
    go: Callback<(DirectoryFilter, bool)>,
    selectable: Signal<bool>,
    selected: RwSignal<BTreeSet<UserId>>,
    shown: RwSignal<Vec<(UserId, String)>>,
) -> impl IntoView {
    let Page { rows, next_cursor, .. } = page;
    let f = filter.get_untracked();
    let filtered = !f.query.is_empty()
        || !f.statuses.is_empty()
        || f.role_id.is_some()
        || f.subtree.is_some()
        || f.team_id.is_some();
    if rows.is_empty() {
        let text = if filtered {
            "No one matches. Try fewer words or filters."
        } else {
            "No one has access here yet."
        };
        return view! { <p class="empty" data-testid="directory-empty">{text}</p> }.into_any();
    }
    let header = move |key: SortKey| {
        let active = f.sort == key;
        let aria = active.then_some(if f.descending { "descending" } else { "ascending" });
        let next = if active { !f.descending } else { key.starts_descending() };
        let arrow = match (active, f.descending) {
            (false, _) => "",
            (true, false) => " ▲",
            (true, true) => " ▼",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button type="submit" form="directory-filter" name="sort" value=sort_param(key, next)
                    class="sort-button"
                    on:click=move |ev| {
                        ev.prevent_default();
                        let mut f = filter.get_untracked();
                        f.sort = key;
                        f.descending = next;
                        go.run((f, false));
                    }>
                    {key.label()}<span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };
    let all_on_page = move || {
        shown.with(|s| {
            !s.is_empty() && selected.with(|sel| s.iter().all(|(id, _)| sel.contains(id)))
        })
    };
    let toggle_all = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let ids: Vec<UserId> = shown.with_untracked(|s| s.iter().map(|(id, _)| *id).collect());
        selected.update(|sel| {
            for id in ids {
                if on {
                    sel.insert(id);
                } else {
                    sel.remove(&id);
                }
            }
        });
    };
    let next = next_cursor.map(|c| address(node, &f, Some(&c)));
    let first = cursor.get_untracked().map(|_| address(node, &f, None));
    view! {
        <table class="table directory-table" data-testid="directory-table">
            <caption class="visually-hidden">"People within reach here"</caption>
            <thead>
                <tr>
                    <Show when=move || selectable.get()>
                        <th scope="col" class="select-col">
                            <input type="checkbox" aria-label="Select everyone on this page"
                                prop:checked=all_on_page on:change=toggle_all/>
                        </th>
                    </Show>
                    {header(SortKey::Name)}
                    {header(SortKey::Email)}
                    <th scope="col">"Username"</th>
                    {header(SortKey::Status)}
                    <th scope="col">"Home account"</th>
                    <th scope="col">"Roles here"</th>
                    {header(SortKey::Created)}
                </tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| view! { <Row row=r selectable=selectable selected=selected/> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" aria-label="Pages">
            {first.map(|href| view! { <a class="button" href=href>"First page"</a> })}
            {next.map(|href| view! { <a class="button" href=href data-testid="next-page">"Next page"</a> })}
        </nav>
    }
    .into_any()
}

#[component]
fn Row(
    row: DirectoryRow,
    selectable: Signal<bool>,
    selected: RwSignal<BTreeSet<UserId>>,
) -> impl IntoView {
    let id = row.user_id;
    let name = row.name();
    let label = format!("Select {name}");
    let on = move || selected.with(|s| s.contains(&id));
    view! {
        <tr data-testid="directory-row">
            <Show when=move || selectable.get()>
                <td class="select-col">
                    <input type="checkbox" aria-label=label.clone() prop:checked=on
                        on:change=move |ev| {
                            let checked = event_target_checked(&ev);
                            selected.update(|s| { if checked { s.insert(id); } else { s.remove(&id); } });
                        }/>
                </td>
            </Show>
            <td><a href=format!("/users/{id}")>{name.clone()}</a></td>
            <td class="email">{row.email.clone()}</td>
            <td>{row.username.clone()}</td>
            <td><span class=format!("status status-{}", row.status.key())>{row.status.label()}</span></td>
            <td>{row.home_node_name.clone().unwrap_or_default()}</td>
            <td>{row.roles_here.join(", ")}</td>
            <td class="nowrap">{short_date(row.created_at)}</td>
        </tr>
    }
}
