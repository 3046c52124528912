//! The account tree as the signed-in person can reach it. (The full tree editor builds on
//! this page.)

use crate::{
    api::tree::{EntryPoint, list_entry_points},
    components::AdminLayout,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Account tree · Roster"/>
        <AdminLayout>
            <AccountTree/>
        </AdminLayout>
    }
}

#[component]
fn AccountTree() -> impl IntoView {
    let entries = Resource::new(|| (), |_| list_entry_points());
    view! {
        <h1>"Account tree"</h1>
        <Suspense fallback=|| view! { <p class="loading">"Loading the account tree…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"You have no access to any account yet. Ask an administrator to add you."</p>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="tree-roots">
                            {list.into_iter().map(|e| view! { <EntryCard entry=e/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EntryCard(entry: EntryPoint) -> impl IntoView {
    let EntryPoint { node, children } = entry;
    view! {
        <li class="card tree-root">
            <h2>
                <span class="kind">{node.kind.label()}</span>
                " "
                <span data-testid="node-name">{node.name}</span>
            </h2>
            {if children.is_empty() {
                view! { <p class="empty">"No accounts below this one yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="tree-children">
                        {children.into_iter().map(|c| view! {
                            <li><span class="kind">{c.kind.label()}</span>" "{c.name}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </li>
    }
}
