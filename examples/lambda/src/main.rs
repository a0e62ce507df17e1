//! The example API ([`preflight_example_items`]) on AWS Lambda, wrapped by
//! `#[preflight_lambda::cors]`. `X-Request-Id` is the Lambda request id, which also names the
//! function's log lines; on the `500` of a failing handler `preflight-cors-lambda` sets it.
//!
//! Run it: `cargo lambda watch --disable-cors --env-var CORS_ALLOWED_ORIGINS=http://127.0.0.1:8080`
//! (the flag matters: without it the local runner answers preflights itself and hides every
//! CORS mistake). `template.yaml` at the repository root deploys it behind API Gateway.

#[cfg(not(feature = "cors"))]
use lambda_http::run;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};
#[cfg(feature = "cors")]
use preflight_lambda::run;

#[cfg_attr(feature = "cors", preflight_lambda::cors)]
async fn handler(req: Request) -> Result<Response<Body>, Error> {
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

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    run(service_fn(handler)).await
}
