//! # preflight-lambda
//!
//! CORS for AWS Lambda functions written with `lambda_http`, behind API Gateway (REST and
//! HTTP APIs), function URLs or an ALB. Put one attribute on the handler and set
//! `CORS_ALLOWED_ORIGINS`:
//!
//! ```no_run
//! use lambda_http::{service_fn, Body, Error, Request, Response};
//!
//! #[preflight_lambda::cors]
//! async fn handler(req: Request) -> Result<Response<Body>, Error> {
//!     Ok(Response::new(Body::from(format!("hello {}", req.uri().path()))))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     lambda_http::run(service_fn(handler)).await
//! }
//! ```
//!
//! The policy is read from the `CORS_*` variables once per cold start
//! ([`preflight::Policy::from_env_cached`]). Preflights are answered before the handler runs
//! (so authentication never sees them); every other response, whatever its status, gets the
//! CORS headers; a handler that returns `Err` or panics becomes a `500` with CORS headers
//! instead of a bare gateway `502` that the browser would report as a CORS error. With an
//! invalid configuration every request gets a `500` without CORS headers and the log lists
//! every problem. All of that lives in the `preflight` core; this crate only connects it to
//! `lambda_http`'s types.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt::Display;
use std::future::Future;

use lambda_http::{Body, Error, Request, Response};
use preflight::{handler, Policy};

pub use preflight;

/// Wraps an `async fn(Request) -> Result<Response<Body>, E>` handler with CORS (see the crate
/// documentation). Same as calling [`wrap`] at the top of the handler.
pub use preflight_macros::lambda as cors;

/// Runs `handler` for `request` under the policy from the `CORS_*` variables: what the
/// [`cors`] attribute expands to. Never returns `Err`: failures become `500` responses.
///
/// ```
/// use lambda_http::{Body, Request, Response};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
/// let request: Request = lambda_http::http::Request::builder()
///     .method("OPTIONS")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .body(Body::Empty)
///     .unwrap();
/// let response = preflight_lambda::wrap(request, |_req| async {
///     Err::<Response<Body>, _>("never called for a preflight")
/// })
/// .await
/// .unwrap();
/// assert_eq!(response.status(), 204);
/// # });
/// ```
pub async fn wrap<F, Fut, E>(request: Request, handler: F) -> Result<Response<Body>, Error>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: Display,
{
    Ok(match Policy::from_env_cached() {
        Ok(policy) => handler::handle(policy, request, handler).await,
        Err(error) => handler::misconfigured(error),
    })
}
