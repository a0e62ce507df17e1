//! Two APIs in one Lambda function, each with its own CORS policy
//! ([`preflight_example_axum::scoped`]): `/public/items` under the named policy `public`
//! (`CORS_PUBLIC_*`) and `/api/me` under the named policy `api` (`CORS_API_*`), one
//! `preflight_lambda::CorsLayer::named` layer per nested router. Every policy the variables
//! configure is validated and logged together at cold start.

use lambda_http::Error;

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    let router = preflight_example_axum::scoped::router(
        preflight_lambda::CorsLayer::named("public"),
        preflight_lambda::CorsLayer::named("api"),
    );
    preflight_lambda::run(router).await
}
