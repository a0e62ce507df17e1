//! The example API ([`preflight_example_items`]) on AWS Lambda, wrapped by
//! `#[preflight_lambda::cors]`. `X-Request-Id` is the Lambda request id, which also names the
//! function's log lines; on the `500` of a failing handler `preflight-cors-lambda` sets it.
//!
//! Run it: `cargo lambda watch --disable-cors --env-var CORS_ALLOWED_ORIGINS=http://127.0.0.1:8080`
//! (the flag matters: without it the local runner answers preflights itself and hides every
//! CORS mistake). `template.yaml` at the repository root deploys it behind API Gateway.

#[cfg(not(feature = "cors"))]
use lambda_http::run;
use lambda_http::{service_fn, Error};
use preflight_example_lambda::handler;
#[cfg(feature = "cors")]
use preflight_lambda::run;

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    run(service_fn(handler)).await
}
