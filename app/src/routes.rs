//! The one route table.

use crate::{
    api::auth::get_session,
    components::{layout::SessionResource, provide_toasts},
    pages::{
        AcceptInvitationPage, AccessGroupsPage, AuditLogPage, BulkAddPage, CallTeamsPage,
        ContactsPage, DirectoryPage, ForgotPasswordPage, HomePage, MyCallPreferencesPage,
        MyProfilePage, NodePage, NotFoundPage, ResetPasswordPage, RolesPage, SetupPage, SignInPage,
        TeamsPage, UserCallPreferencesPage, UserPage,
    },
};
use leptos::prelude::*;
use leptos_meta::provide_meta_context;
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_toasts();
    // Blocking: the session is part of the first HTML, and redirects can still be 302s.
    let session = Resource::new_blocking(|| (), |_| get_session());
    provide_context(SessionResource(session));
    view! {
        <Router>
            // Async rendering: each page arrives complete, data included, so it reads and
            // its forms work before (or without) hydration.
            <Routes fallback=|| view! { <NotFoundPage/> }>
                <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id") view=NodePage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/roles") view=RolesPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/users") view=DirectoryPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/audit") view=AuditLogPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/bulk-add") view=BulkAddPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/contacts") view=ContactsPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/call-teams") view=CallTeamsPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/teams") view=TeamsPage ssr=SsrMode::Async/>
                <Route path=path!("/nodes/:id/access") view=AccessGroupsPage ssr=SsrMode::Async/>
                <Route path=path!("/users/:id") view=UserPage ssr=SsrMode::Async/>
                <Route path=path!("/users/:id/calls") view=UserCallPreferencesPage ssr=SsrMode::Async/>
                <Route path=path!("/profile") view=MyProfilePage ssr=SsrMode::Async/>
                <Route path=path!("/profile/calls") view=MyCallPreferencesPage ssr=SsrMode::Async/>
                <Route path=path!("/invitations/:token") view=AcceptInvitationPage ssr=SsrMode::Async/>
                <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                <Route path=path!("/reset-password/:token") view=ResetPasswordPage ssr=SsrMode::Async/>
            </Routes>
        </Router>
    }
}
