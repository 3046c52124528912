//! The frame of every signed-in page: header with navigation and the signed-in person.

use super::{after_action::AfterAction, feedback::ToastRegion};
use crate::{
    api::auth::{SessionInfo, SignOut},
    error::AppError,
};
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

/// The visitor's session, resolved once per page load (on the server, then handed over
/// with the page).
#[derive(Clone, Copy)]
pub struct SessionResource(pub Resource<Result<SessionInfo, AppError>>);

pub fn use_session() -> Resource<Result<SessionInfo, AppError>> {
    expect_context::<SessionResource>().0
}

/// Wraps a page that needs a signed-in person; sends anyone else to sign in (or to the
/// first-run setup when there is no agency yet).
///
/// The page itself is built exactly once, outside the session's `Suspense`: building it
/// inside the `Suspend` would rebuild it (and its resources) every time the suspense re-ran
/// during server rendering, and the browser would then hydrate against data that belongs to
/// a different copy. The page's own server functions refuse a signed-out visitor anyway;
/// the gate only decides what to show.
#[component]
pub fn AdminLayout(children: Children) -> impl IntoView {
    let session = use_session();
    let location = use_location();
    let page = children();
    view! {
        <a class="skip-link" href="#main">"Skip to content"</a>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.await {
                    Ok(SessionInfo { viewer: Some(viewer), .. }) => {
                        view! {
                            <header class="topbar">
                                <a class="brand" href="/">"Roster"</a>
                                <nav aria-label="Main">
                                    <a href="/">"Account tree"</a>
                                </nav>
                                <div class="who">
                                    <a class="who-name" href="/profile" data-testid="viewer-name">
                                        {viewer.display_name()}
                                    </a>
                                    <span class="who-email">{viewer.email.clone()}</span>
                                    <SignOutButton/>
                                </div>
                            </header>
                        }
                            .into_any()
                    }
                    Ok(SessionInfo { needs_setup: true, .. }) => {
                        view! { <Redirect path="/setup"/> }.into_any()
                    }
                    Ok(_) => {
                        let here = location.pathname.get_untracked();
                        let path = if here == "/" {
                            "/sign-in".to_string()
                        } else {
                            format!("/sign-in?next={here}")
                        };
                        view! { <Redirect path=path/> }.into_any()
                    }
                    Err(err) => {
                        view! { <p class="alert alert-error" role="alert">{err.to_string()}</p> }
                            .into_any()
                    }
                }
            })}
        </Suspense>
        <main id="main" class="content">
            {page}
        </main>
        <ToastRegion/>
    }
}

#[component]
fn SignOutButton() -> impl IntoView {
    let action = ServerAction::<SignOut>::new();
    action.load_on_success();
    view! {
        <ActionForm action=action attr:class="inline-form">
            <button type="submit" class="button button-quiet" disabled=move || action.pending().get()>
                "Sign out"
            </button>
        </ActionForm>
    }
}
