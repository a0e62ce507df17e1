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

use std::sync::OnceLock;

use axum::routing::put;
use axum::Router;
use preflight_worker::preflight::{ConfigError, Policy};
use tower_service::Service;
use worker::{event, Context, Env, HttpRequest, Result};

/// The tenants' policy: the `CORS_*` bindings for the app's own origin, and a function over
/// the tenant table (the `TENANT_HOSTS` binding here; a KV namespace or a database in a real
/// app, loaded once) for the rest. Built, and logged, once per isolate.
fn tenants_policy(env: &Env) -> std::result::Result<&'static Policy, &'static ConfigError> {
    static POLICY: OnceLock<std::result::Result<Policy, ConfigError>> = OnceLock::new();
    POLICY
        .get_or_init(|| {
            let hosts = env
                .var("TENANT_HOSTS")
                .map(|v| v.to_string())
                .unwrap_or_default();
            let tenants = preflight_example_items::tenant_hosts(&hosts);
            let result = preflight_worker::settings(env)
                .build_with(move |origin| tenants.contains(origin.host()));
            Policy::log_outcome(&result);
            result
        })
        .as_ref()
}

#[event(fetch)]
async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<axum::response::Response> {
    // Two more APIs with a policy each (`CORS_PUBLIC_*`, `CORS_API_*`), one layer per nested
    // router: `/public/...` and `/api/...`.
    let path = req.uri().path();
    // Origins decided by a function: `/tenants/items/{id}`, its own policy given to the layer.
    if path.starts_with("/tenants/") {
        let mut tenants = Router::new()
            .route(
                "/tenants/items/{id}",
                put(|| async { r#"{"handler":"tenants"}"# }),
            )
            .layer(preflight_worker::CorsLayer::with_policy(tenants_policy(
                &env,
            )));
        return Ok(tenants.call(req).await?);
    }
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
