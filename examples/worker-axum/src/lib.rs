//! The example API as an axum `Router` ([`preflight_example_axum`]) on Cloudflare Workers:
//! the CORS policy is one layer on the router, `.layer(preflight_worker::CorsLayer::new(&env))`
//! (the `CORS_*` bindings of `wrangler.toml`, read once per isolate), added last so that it is
//! the outermost. `X-Request-Id` is Cloudflare's Ray ID (`cf-ray`).
//!
//! Built with `worker-build --release --panic-unwind` (see `wrangler.toml`): a panicking
//! handler (`/error`) unwinds, and the layer answers `500` with CORS headers. Without
//! `--panic-unwind` a panic aborts the isolate and Cloudflare answers with its own error page,
//! which has no CORS headers, so the browser reports a CORS error instead of the `500`.
//!
//! Run it: `npx wrangler dev` (with the tools of the README's Workers quick start).

use tower_service::Service;
use worker::{event, Context, Env, HttpRequest, Result};

#[event(fetch)]
async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<axum::response::Response> {
    // Two more APIs with a policy each (`CORS_PUBLIC_*`, `CORS_API_*`), one layer per nested
    // router: `/public/...` and `/api/...`.
    let path = req.uri().path();
    if path.starts_with("/public/") || path.starts_with("/api/") {
        let mut scoped = preflight_example_axum::scoped::router(
            preflight_worker::CorsLayer::named(&env, "public"),
            preflight_worker::CorsLayer::named(&env, "api"),
        );
        return Ok(scoped.call(req).await?);
    }
    let mut router = preflight_example_axum::router(|headers, _extensions| {
        headers
            .get("cf-ray")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("local")
            .to_owned()
    })
    .layer(preflight_worker::CorsLayer::new(&env));
    Ok(router.call(req).await?)
}
