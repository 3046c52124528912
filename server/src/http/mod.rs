//! The HTTP surface: pages, server functions, static files, and the layers around them.

mod api;
mod csrf;
mod headers;

use app::{App, server::AppState, shell};
use axum::{
    Router,
    middleware::{from_fn, from_fn_with_state},
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer, trace::TraceLayer};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    // Registers the pages and, at `/api/<endpoint>`, every server function.
    Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            {
                let state = state.clone();
                move || provide_context(state.clone())
            },
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Outermost last: headers, CSRF refusal, the session, the API guard, the routes.
        .layer(from_fn(api::guard))
        .layer(from_fn_with_state(state.clone(), app::server::session::resolve))
        .layer(from_fn_with_state(state.clone(), csrf::refuse_cross_site))
        .layer(from_fn(headers::security_headers))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
