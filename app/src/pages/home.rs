//! The account tree as the signed-in person can reach it.

use crate::{
    api::tree::list_reachable_nodes,
    components::{AccountTree, AdminLayout},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Account tree · Roster"/>
        <AdminLayout>
            <TreeView/>
        </AdminLayout>
    }
}

#[component]
fn TreeView() -> impl IntoView {
    let nodes = Resource::new(|| (), |_| list_reachable_nodes());
    view! {
        <h1>"Account tree"</h1>
        <p class="lead">"Access given at an account applies to everything below it. Use the arrow keys to move through the tree and Enter to open an account."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading the account tree…"</p> }>
            {move || Suspend::new(async move {
                match nodes.await {
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"You have no access to any account yet. Ask an administrator to add you."</p>
                    }.into_any(),
                    Ok(list) => view! { <div class="card"><AccountTree nodes=list/></div> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
