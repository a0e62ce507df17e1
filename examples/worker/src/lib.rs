//! The example API ([`preflight_example_items`]) on Cloudflare Workers, wrapped by
//! [`preflight_worker::wrap`]. The CORS settings are `[vars]` in `wrangler.toml`.
//! `X-Request-Id` is Cloudflare's Ray ID (`cf-ray`); on the `500` of a failing handler
//! `preflight-cors-worker` sets it.
//!
//! Two routes of this example only, for what a Worker's own `Response` can carry that the
//! library must leave alone:
//!
//! | request | answer |
//! |---|---|
//! | `GET /gzip` | `200`, a body gzipped by the handler ([`GZIP_BODY`], [`GZIP_TEXT`] once decoded), `Content-Encoding: gzip`, `encode_body` manual, `Vary: Accept-Encoding` |
//! | `GET /multi` | `200`, two `Set-Cookie` lines, two `X-Multi` lines (`a`, `b`), `Vary: Accept-Language` and a stale `Access-Control-Allow-Origin: *` the library replaces |
//!
//! Run it: `npx wrangler dev` (after `worker-build --release`, see the README).

use worker::{
    event, Context, EncodeBody, Env, Headers, Request, Response, ResponseBuilder, Result,
};

/// What [`GZIP_BODY`] decodes to.
pub const GZIP_TEXT: &[u8] = b"pre-compressed by the handler, sent as is\n\
pre-compressed by the handler, sent as is\n\
pre-compressed by the handler, sent as is\n\
pre-compressed by the handler, sent as is\n";

/// `GZIP_TEXT` gzipped (mtime 0): the exact bytes `GET /gzip` must deliver.
pub const GZIP_BODY: [u8; 65] = [
    31, 139, 8, 0, 0, 0, 0, 0, 2, 3, 43, 40, 74, 213, 77, 206, 207, 45, 40, 74, 45, 46, 78, 77, 81,
    72, 170, 84, 40, 201, 72, 85, 200, 72, 204, 75, 201, 73, 45, 210, 81, 40, 78, 205, 43, 81, 72,
    44, 86, 200, 44, 230, 42, 24, 80, 149, 0, 48, 45, 200, 80, 168, 0, 0, 0,
];

#[cfg(feature = "cors")]
#[event(fetch)]
async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
    preflight_worker::wrap(req, &env, api).await
}

/// The size baseline: the same Worker without CORS (`--no-default-features`).
#[cfg(not(feature = "cors"))]
#[event(fetch)]
async fn fetch(req: Request, _env: Env, _ctx: Context) -> Result<Response> {
    match api(req).await {
        Ok(response) => Ok(response),
        Err(error) => Response::error(error, 500),
    }
}

async fn api(mut req: Request) -> std::result::Result<Response, String> {
    let path = req.path();
    match (req.inner().method().as_str(), path.as_str()) {
        ("GET", "/gzip") => return gzip().map_err(|e| e.to_string()),
        ("GET", "/multi") => return multi().map_err(|e| e.to_string()),
        _ => {}
    }
    let method =
        http::Method::from_bytes(req.inner().method().as_bytes()).map_err(|e| e.to_string())?;
    let headers = http::HeaderMap::from(req.headers());
    let request_id = headers
        .get("cf-ray")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("local")
        .to_owned();
    let body = req.bytes().await.map_err(|e| e.to_string())?;
    let response = preflight_example_items::handle(&method, &path, &headers, &body, &request_id)?;
    to_worker(response).map_err(|e| e.to_string())
}

fn gzip() -> Result<Response> {
    let headers = Headers::new();
    headers.set("content-type", "text/plain")?;
    headers.set("content-encoding", "gzip")?;
    headers.set("vary", "Accept-Encoding")?;
    Ok(ResponseBuilder::new()
        .with_headers(headers)
        .with_encode_body(EncodeBody::Manual)
        .fixed(GZIP_BODY.to_vec()))
}

fn multi() -> Result<Response> {
    let headers = Headers::new();
    headers.append("set-cookie", "a=1; Path=/")?;
    headers.append("set-cookie", "b=2; Path=/")?;
    headers.append("x-multi", "a")?;
    headers.append("x-multi", "b")?;
    headers.set("vary", "Accept-Language")?;
    headers.set("access-control-allow-origin", "*")?;
    Ok(Response::ok("multi")?.with_headers(headers))
}

/// The items API's `http::Response` as the Worker's `Response`. Written here rather than
/// taken from preflight-cors-worker: the size baseline (`--no-default-features`) builds without it.
fn to_worker(response: http::Response<String>) -> Result<Response> {
    let headers = Headers::new();
    for (name, value) in response.headers() {
        headers.append(name.as_str(), value.to_str().map_err(|e| e.to_string())?)?;
    }
    let builder = ResponseBuilder::new()
        .with_status(response.status().as_u16())
        .with_headers(headers);
    let body = response.into_body();
    Ok(if body.is_empty() {
        builder.empty()
    } else {
        builder.fixed(body.into_bytes())
    })
}
