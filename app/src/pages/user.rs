//! A person: who they are and the roles they hold across the account tree.

use crate::{
    api::{members::list_user_roles, users::get_user},
    components::AdminLayout,
    domain::UserId,
    error::AppError,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn UserPage() -> impl IntoView {
    view! {
        <AdminLayout>
            <UserView/>
        </AdminLayout>
    }
}

#[component]
fn UserView() -> impl IntoView {
    let params = use_params_map();
    let user_id = move || params.read().get("id").and_then(|s| s.parse::<UserId>().ok());
    let data = Resource::new(user_id, |id| async move {
        let id = id.ok_or_else(|| AppError::not_found("There is no such person."))?;
        Ok::<_, AppError>((get_user(id).await?, list_user_roles(id).await?))
    });
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((user, roles)) => view! {
                        <Title text=format!("{} · Roster", user.name)/>
                        <h1 data-testid="user-name">{user.name.clone()}</h1>
                        <p class="lead">
                            {user.email.clone()}" · "
                            <span class=format!("status status-{}", user.status.key())>{user.status.label()}</span>
                        </p>
                        <section class="card" aria-labelledby="roles-heading">
                            <h2 id="roles-heading">"Roles across the account tree"</h2>
                            {if roles.is_empty() {
                                view! { <p class="empty">"No roles where you can see them."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table">
                                        <thead><tr><th scope="col">"Account"</th><th scope="col">"Role"</th></tr></thead>
                                        <tbody>
                                            {roles.into_iter().map(|r| view! {
                                                <tr>
                                                    <td><a href=format!("/nodes/{}", r.at_node_id)>{r.at_node_name}</a></td>
                                                    <td>{r.role_name}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Err(e) => view! {
                        <Title text="Person · Roster"/>
                        <h1>"Person"</h1>
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}
