//! Streamed responses on AWS Lambda (function URLs with `InvokeMode: RESPONSE_STREAM`): an
//! axum `Router` ([`preflight_example_axum::stream`]: `GET /events`, server-sent events;
//! `GET /fail`, a panic before the first byte) run by
//! `lambda_http::run_with_streaming_response_concurrent`, with the CORS policy as one layer on
//! it, `.layer(preflight_lambda::CorsLayer::new())`. The status and headers, CORS headers included,
//! leave before the first byte of the body; a preflight is answered before any route runs; a
//! handler that fails before its first byte is a `500` with CORS headers. With
//! `AWS_LAMBDA_MAX_CONCURRENCY` above 1 (Lambda Managed Instances) it serves that many
//! invocations at once; otherwise one at a time, as `run_with_streaming_response` does.
//!
//! Run it: `cargo lambda watch --disable-cors --env-var CORS_ALLOWED_ORIGINS=http://127.0.0.1:8080`,
//! then `curl -N http://localhost:9000/lambda-url/items-stream/events`.

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    let router = preflight_example_axum::stream::router().layer(preflight_lambda::CorsLayer::new());
    lambda_http::run_with_streaming_response_concurrent(router).await
}
