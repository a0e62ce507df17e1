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
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,preflight=debug".into()),
        )
        .without_time()
        .with_ansi(false)
        .init();
    run(service_fn(handler)).await
}
