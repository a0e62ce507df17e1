//! The example API as an axum `Router` ([`preflight_example_axum`]) on AWS Lambda: the CORS
//! policy is one layer on the router, `.layer(preflight_lambda::CorsLayer::new())`, added last so
//! that it is the outermost and answers preflights before any other layer or route.
//! `X-Request-Id` is the Lambda request id, read from the Lambda context that `lambda_http`
//! puts in the request's extensions.
//!
//! Run it: `cargo lambda watch --disable-cors --env-var CORS_ALLOWED_ORIGINS=http://127.0.0.1:8080`,
//! then `http://localhost:9000/lambda-url/items-axum/items`.

use lambda_http::{Error, RequestExt};

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    let router = preflight_example_axum::router(|_headers, extensions| {
        extensions
            .lambda_context_ref()
            .map(|context| context.request_id.clone())
            .unwrap_or_default()
    })
    .layer(preflight_lambda::CorsLayer::new());
    preflight_lambda::run(router).await
}
