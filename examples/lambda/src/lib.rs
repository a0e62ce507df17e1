//! What the example's functions share: the items API as a `lambda_http` handler wrapped by
//! `#[preflight_lambda::cors]`, and the log setup.
#![forbid(unsafe_code)]

use lambda_http::{Body, Error, Request, RequestExt, Response};

/// The log of every function of this example: `RUST_LOG` (the crate's
/// `[package.metadata.lambda.env]` sets `info,preflight=debug`, so the policy's decisions are
/// logged), without timestamps (CloudWatch adds its own).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .init();
}

/// The items API ([`preflight_example_items`]) as a `lambda_http` handler, wrapped by
/// `#[preflight_lambda::cors]` (without the `cors` feature: the size baseline, bare).
/// `X-Request-Id` is the Lambda request id.
#[cfg_attr(feature = "cors", preflight_lambda::cors)]
pub async fn handler(req: Request) -> Result<Response<Body>, Error> {
    let request_id = req
        .lambda_context_ref()
        .map(|context| context.request_id.clone())
        .unwrap_or_default();
    let response = preflight_example_items::handle(
        req.method(),
        req.uri().path(),
        req.headers(),
        req.body().as_ref(),
        &request_id,
    )?;
    Ok(response.map(|body| {
        if body.is_empty() {
            Body::Empty
        } else {
            Body::from(body)
        }
    }))
}
