//! The HTTP surface: pages, server functions, static files, and the layers around them.

mod api;
mod csrf;
mod export;
mod headers;
mod picture;

use app::{App, server::AppState, shell};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware::{from_fn, from_fn_with_state},
    routing::{get, post},
};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use std::time::Duration;
use tower_http::{
    catch_panic::CatchPanicLayer, compression::CompressionLayer, limit::RequestBodyLimitLayer,
    services::ServeDir, timeout::TimeoutLayer, trace::TraceLayer,
};

fn pkg_dir(options: &leptos::config::LeptosOptions) -> std::path::PathBuf {
    std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref())
}

/// The largest request body accepted: a 1 MiB bulk-add batch, JSON-escaped, fits with room,
/// and so does a picture upload (`picture::MAX_UPLOAD_BYTES`).
const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// No request takes longer than this (the slowest, a 10,000-line bulk add, takes about a
/// second): a stuck one answers 503 and frees its connection instead of holding it forever.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

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
        // The users directory as a CSV download (session-authenticated like the pages).
        .route("/export/users.csv", get(export::users_csv))
        // Profile pictures (a file upload is a multipart form: no server function).
        .route(
            "/users/{id}/picture",
            get(picture::show)
                .post(picture::upload)
                .layer(DefaultBodyLimit::max(picture::MAX_UPLOAD_BYTES)),
        )
        .route("/users/{id}/picture/remove", post(picture::remove))
        // The bundle, as scripts/build.sh left it: brotli or gzip files made once at build
        // time when the browser accepts them, so no request compresses 4 MB of WASM.
        .nest_service(
            "/pkg",
            ServeDir::new(pkg_dir(&state.leptos_options)).precompressed_br().precompressed_gzip(),
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
        // Outermost last: headers, CSRF refusal, the session, the API guard, the routes.
        .layer(from_fn(api::guard))
        .layer(from_fn_with_state(state.clone(), app::server::session::resolve))
        .layer(from_fn_with_state(state.clone(), csrf::refuse_cross_site))
        .layer(from_fn_with_state(
            std::sync::Arc::new(state.config.trusted_proxies.clone()),
            app::server::client_ip::layer,
        ))
        .layer(from_fn_with_state(
            headers::Https(state.config.secure_cookies()),
            headers::security_headers,
        ))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(CompressionLayer::new())
        .layer(CatchPanicLayer::new())
        .layer(TimeoutLayer::with_status_code(
            http::StatusCode::SERVICE_UNAVAILABLE,
            REQUEST_TIMEOUT,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
