//! The "Teams and groups" card of a person's page: their teams, call teams and
//! access-control groups, and whose activities they may see, where the caller may see them.

use crate::{
    api::teams::{Placed, UserTeams, list_user_teams_and_groups},
    domain::UserId,
    error::AppError,
};
use leptos::prelude::*;

/// The card's data, made where the person's page is built (see `node_detail` for why).
pub fn user_teams(
    user_id: impl Fn() -> Option<UserId> + Send + Sync + 'static,
) -> Resource<Result<UserTeams, AppError>> {
    Resource::new(user_id, |id| async move {
        list_user_teams_and_groups(
            id.ok_or_else(|| AppError::not_found("There is no such person."))?,
        )
        .await
    })
}

#[component]
pub fn UserTeamsCard(data: Resource<Result<UserTeams, AppError>>) -> impl IntoView {
    view! {
        <section class="card user-teams" aria-labelledby="user-teams-heading" data-testid="user-teams">
            <h2 id="user-teams-heading">"Teams and groups"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move { match data.await {
                Ok(t) if t.teams.is_empty() && t.call_teams.is_empty() && t.access_groups.is_empty()
                    && t.sees_activities_of.is_empty() => {
                    view! { <p class="empty">"On no team or group where you can see."</p> }.into_any()
                }
                Ok(t) => view! {
                    <dl class="user-teams-list">
                        {placed_list("Teams", "teams", t.teams)}
                        {placed_list("Call teams", "call-teams", t.call_teams)}
                        {placed_list("Access-control groups", "access", t.access_groups)}
                        {(!t.sees_activities_of.is_empty()).then(|| view! {
                            <dt>"Sees the activities of"</dt>
                            <dd>
                                <ul>
                                    {t.sees_activities_of.into_iter().map(|s| view! {
                                        <li>
                                            <a href=format!("/users/{}", s.subject.user_id)>{s.subject.name}</a>
                                            " at "<a href=format!("/nodes/{}/teams", s.node_id)>{s.node_name}</a>
                                        </li>
                                    }).collect_view()}
                                </ul>
                            </dd>
                        })}
                    </dl>
                }.into_any(),
                Err(e) => view! { <p class="alert alert-error">{e.to_string()}</p> }.into_any(),
            }})}
            </Suspense>
        </section>
    }
}

/// One kind of membership, each linked to the page of the node it is at (`page` below it).
fn placed_list(
    label: &'static str,
    page: &'static str,
    items: Vec<Placed>,
) -> impl IntoView + use<> {
    (!items.is_empty()).then(|| {
        view! {
            <dt>{label}</dt>
            <dd>
                <ul>
                    {items.into_iter().map(|p| view! {
                        <li>
                            <a href=format!("/nodes/{}/{page}", p.node_id)>{p.name}</a>
                            <span class="muted">" at "{p.node_name}</span>
                        </li>
                    }).collect_view()}
                </ul>
            </dd>
        }
    })
}
