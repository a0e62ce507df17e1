//! `/axum/...`: the example API as an axum `Router` ([`preflight_example_axum`]) in one Vercel
//! function, under `vercel_runtime`'s `VercelLayer`. The CORS policy is one layer on the
//! router, `.layer(preflight_vercel::CorsLayer::new())`, added last so that it is the outermost.
//! `vercel.json` rewrites every `/axum/<path>` to this function with `?path=<path>`, which
//! [`preflight_example_vercel::rewritten`] puts back before the router routes.

use axum::Router;
use tower::{ServiceBuilder, ServiceExt};
use vercel_runtime::axum::VercelLayer;

#[tokio::main]
async fn main() -> Result<(), vercel_runtime::Error> {
    preflight_example_vercel::init_tracing();
    let api = preflight_example_axum::router(|headers, _extensions| {
        // Vercel's edge names each request in `x-vercel-id`; locally there is none.
        headers
            .get("x-vercel-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("local")
            .to_owned()
    });
    // Streamed responses too (`/axum/stream/events`): `VercelLayer` streams a body whose
    // content type is `text/event-stream` (or JSON) and buffers the others.
    let router = Router::new()
        .nest(
            "/axum",
            api.nest("/stream", preflight_example_axum::stream::router()),
        )
        .layer(preflight_vercel::CorsLayer::new());
    let service = router.map_request(preflight_example_vercel::rewritten);
    vercel_runtime::run(
        ServiceBuilder::new()
            .layer(VercelLayer::new())
            .service(service),
    )
    .await
}
