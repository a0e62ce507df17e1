//! The glue every function of this example shares: the example API
//! ([`preflight_example_items`]) behind Vercel's `/api` prefix, wrapped by
//! `#[preflight_vercel::cors]`, and the runtime start-up.

use http_body_util::BodyExt;
use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};

/// One request of the example API, for every function of this project (each file under
/// `api/` is its own function; Vercel routes by path, the code is the same).
#[cfg_attr(feature = "cors", preflight_vercel::cors)]
pub async fn handler(req: Request) -> Result<Response<ResponseBody>, Error> {
    // Vercel's edge names each request in `x-vercel-id`; locally there is none.
    let request_id = req
        .headers()
        .get("x-vercel-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("local")
        .to_owned();
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let path = route(parts.uri.path(), parts.uri.query());
    let route = path.strip_prefix("/api").unwrap_or(&path);
    let response =
        preflight_example_items::handle(&parts.method, route, &parts.headers, &body, &request_id)?;
    Ok(response.map(ResponseBody::from))
}

/// The path the caller asked for. Vercel's router sends `/api/items/7` to the function of
/// `api/items/[id].rs` by rewriting it to `/api/items/[id]?id=7` (the route `vercel build`
/// writes into `.vercel/output/config.json`), so each `[name]` segment is put back from the
/// query parameter of that name; a path without one is returned as it is.
///
/// ```
/// use preflight_example_vercel::route;
/// assert_eq!(route("/api/items/[id]", Some("id=7&case=3")), "/api/items/7");
/// assert_eq!(route("/api/items/7", Some("case=3")), "/api/items/7");
/// assert_eq!(route("/api/items/[id]", None), "/api/items/[id]");
/// ```
pub fn route(path: &str, query: Option<&str>) -> String {
    let value = |name: &str| {
        query?
            .split('&')
            .find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))
    };
    let segments = path.split('/').map(|segment| {
        segment
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
            .and_then(value)
            .unwrap_or(segment)
    });
    segments.collect::<Vec<_>>().join("/")
}

/// Starts the function: logs to stdout (Vercel collects it), then serves on
/// `VERCEL_DEV_PORT` (3000 by default) as `vercel dev` and Vercel do.
pub async fn main() -> Result<(), Error> {
    init_tracing();
    run(service_fn(handler)).await
}

/// The log every function of this example writes: `RUST_LOG`, or the core's decisions at
/// `debug` and everything else at `info`; no colours (Vercel's log view shows them raw).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,preflight=debug".into()),
        )
        .without_time()
        .with_ansi(false)
        .init();
}

/// The request as the axum function's router must see it: `vercel.json` rewrites
/// `/axum/<path>?<query>` to `/api/axum?path=<path>&<query>`, and this puts
/// `/axum/<path>?<query>` back. A request that reaches the function with its own path (how
/// Vercel's edge may pass a rewrite on) is left as it is.
///
/// ```
/// let request = http::Request::builder().uri("/api/axum?path=items/42&case=3").body(()).unwrap();
/// assert_eq!(preflight_example_vercel::rewritten(request).uri(), "/axum/items/42?case=3");
/// let request = http::Request::builder().uri("/axum/items?case=1").body(()).unwrap();
/// assert_eq!(preflight_example_vercel::rewritten(request).uri(), "/axum/items?case=1");
/// ```
pub fn rewritten<B>(mut request: http::Request<B>) -> http::Request<B> {
    if request.uri().path() != "/api/axum" {
        return request;
    }
    let query = request.uri().query().unwrap_or("");
    let mut path = None;
    let mut rest = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        match pair.strip_prefix("path=") {
            Some(value) if path.is_none() => path = Some(value),
            _ => rest.push(pair),
        }
    }
    let mut target = format!("/axum/{}", path.unwrap_or(""));
    if !rest.is_empty() {
        target.push('?');
        target.push_str(&rest.join("&"));
    }
    if let Ok(uri) = target.parse() {
        *request.uri_mut() = uri;
    }
    request
}
