//! The example API ([`preflight_example_items`]) as an axum [`Router`], the shape most Rust
//! serverless code has: a nested router (`/items`), method routers that have some methods
//! only (with a fallback of their own), a handler that panics (`/error`) and the router's
//! fallback. Each platform's axum example (`examples/lambda`'s `items-axum`,
//! `examples/vercel`'s `api/axum.rs`, `examples/worker-axum`) puts the same one CORS layer on
//! it with `Router::layer`; there is no CORS code here. [`scoped`] is two APIs with a policy
//! each, one layer per nested router.
//!
//! The answers are those of [`preflight_example_items::handle`], so the conformance matrix
//! (tests/matrix.toml) holds for this API as for the others; the routing is axum's.
#![forbid(unsafe_code)]

pub mod scoped;
#[cfg(feature = "stream")]
pub mod stream;

use axum::body::{to_bytes, Body};
use axum::extract::{Path, Request, State};
use axum::response::Response;
use axum::routing::{get, put};
use axum::Router;
use http::{Extensions, HeaderMap, Method, StatusCode};

/// How a platform names a request (the Lambda request id, `x-vercel-id`, `cf-ray`): the
/// API's `X-Request-Id`.
pub type RequestId = fn(&HeaderMap, &Extensions) -> String;

/// The largest request body the API reads.
const MAX_BODY: usize = 64 * 1024;

/// The API's router, its routes at the root (`/items`, `/items/{id}`, `/error`).
///
/// ```
/// use tower::ServiceExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let router = preflight_example_axum::router(|_, _| "req-1".to_owned());
/// let request = http::Request::builder().uri("/items").body(axum::body::Body::empty()).unwrap();
/// let response = router.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["x-request-id"], "req-1");
/// # });
/// ```
pub fn router(request_id: RequestId) -> Router {
    let items = Router::new().route("/", get(list)).route(
        "/{id}",
        // Other methods on an item get the API's 404, as on the other examples.
        put(item).delete(item).fallback(not_found),
    );
    Router::new()
        .nest("/items", items)
        .route("/error", get(fail))
        .fallback(not_found)
        .with_state(request_id)
}

async fn list(State(id): State<RequestId>, request: Request) -> Response {
    answer(id, "/items".to_owned(), request).await
}

async fn item(State(id): State<RequestId>, Path(item): Path<String>, request: Request) -> Response {
    answer(id, format!("/items/{item}"), request).await
}

async fn not_found(State(id): State<RequestId>, request: Request) -> Response {
    answer(id, "/not-a-route".to_owned(), request).await
}

/// The API's failing route: the handler panics (a bug), and the CORS layer answers `500`
/// with CORS headers instead of the runtime's bare error.
async fn fail(State(id): State<RequestId>, request: Request) -> Response {
    let request_id = id(request.headers(), request.extensions());
    panic!("{request_id}: the example fails on purpose");
}

/// The items API's answer to `request` as if it were for `path`.
async fn answer(id: RequestId, path: String, request: Request) -> Response {
    let request_id = id(request.headers(), request.extensions());
    let (parts, body) = request.into_parts();
    let Ok(body) = to_bytes(body, MAX_BODY).await else {
        return status(StatusCode::PAYLOAD_TOO_LARGE);
    };
    let method: &Method = &parts.method;
    match preflight_example_items::handle(method, &path, &parts.headers, &body, &request_id) {
        Ok(response) => response.map(Body::from),
        Err(error) => panic!("{error}"),
    }
}

fn status(status: StatusCode) -> Response {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}
