//! The example API ([`preflight_example_items`]) on Cloudflare Workers, wrapped by
//! [`preflight_worker::wrap_http`]. The CORS settings are `[vars]` in `wrangler.toml`.
//! `X-Request-Id` is Cloudflare's Ray ID (`cf-ray`); on the `500` of a failing handler
//! `preflight-worker` sets it.
//!
//! Run it: `npx wrangler dev` (after `worker-build --release`, see the README).

use http_body_util::BodyExt;
use worker::{event, Context, Env, HttpRequest, Result};

#[cfg(feature = "cors")]
#[event(fetch)]
async fn fetch(
    req: HttpRequest,
    env: Env,
    _ctx: Context,
) -> Result<http::Response<preflight_worker::CorsBody>> {
    preflight_worker::wrap_http(req, &env, api).await
}

/// The size baseline: the same Worker without CORS (`--no-default-features`).
#[cfg(not(feature = "cors"))]
#[event(fetch)]
async fn fetch(
    req: HttpRequest,
    _env: Env,
    _ctx: Context,
) -> Result<http::Response<http_body_util::Full<bytes::Bytes>>> {
    let response = api(req).await.unwrap_or_else(|error| {
        let mut response = http::Response::new(error);
        *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        response
    });
    Ok(response.map(|body| http_body_util::Full::new(body.into())))
}

async fn api(req: HttpRequest) -> std::result::Result<http::Response<String>, String> {
    let request_id = req
        .headers()
        .get("cf-ray")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("local")
        .to_owned();
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map_err(|e| e.to_string())?.to_bytes();
    preflight_example_items::handle(
        &parts.method,
        parts.uri.path(),
        &parts.headers,
        &body,
        &request_id,
    )
}
