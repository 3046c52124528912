//! The HTTP surface: pages, server functions, static files, and the layers around them.

mod api;
mod csrf;
mod headers;

use app::{App, server::AppState, shell};
use axum::{
    Router,
    extract::{Request, State},
    middleware::{from_fn, from_fn_with_state},
    response::IntoResponse,
    routing::any,
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list, handle_server_fns_with_context};
use tower_http::{catch_panic::CatchPanicLayer, compression::CompressionLayer, trace::TraceLayer};

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let api = Router::new()
        .route("/api/{*fn_name}", any(server_fn_handler))
        .route_layer(from_fn(api::deny_anonymous))
        .layer(from_fn(api::error_status));
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
        .merge(api)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Outermost last: headers, then CSRF refusal, then the session, then the routes.
        .layer(from_fn_with_state(state.clone(), app::server::session::resolve))
        .layer(from_fn_with_state(state.clone(), csrf::refuse_cross_site))
        .layer(from_fn(headers::security_headers))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn server_fn_handler(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    handle_server_fns_with_context(move || provide_context(state.clone()), req).await
}
