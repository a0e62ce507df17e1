//! Two APIs in one function, each with its own CORS policy: a public, read-only catalogue
//! under `/public` (the named policy `public`: `CORS_PUBLIC_ALLOWED_ORIGINS=*`,
//! `CORS_PUBLIC_ALLOWED_METHODS=GET`) and the signed-in user's API under `/api` (the named
//! policy `api`: the app's origin, with credentials). Each nested router gets its platform's
//! layer for its policy (`CorsLayer::named("public")`, `CorsLayer::named("api")`); there is no
//! CORS code here. Each answer names the handler that wrote it, so a test can tell that the
//! request reached it.

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, Route};
use axum::Router;
use http::header::CONTENT_TYPE;
use std::convert::Infallible;
use tower_layer::Layer;
use tower_service::Service;

/// The two nested routers, `/public/items` (`GET`) and `/api/me` (`GET`, `PUT`), each with the
/// layer given for it.
///
/// ```
/// use tower::ServiceExt;
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let router = preflight_example_axum::scoped::router(tower::layer::util::Identity::new(), tower::layer::util::Identity::new());
/// let request = http::Request::builder().uri("/api/me").body(axum::body::Body::empty()).unwrap();
/// let response = router.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 200);
/// # });
/// ```
pub fn router<L>(public: L, api: L) -> Router
where
    L: Layer<Route> + Clone + Send + Sync + 'static,
    L::Service: Service<Request> + Clone + Send + Sync + 'static,
    <L::Service as Service<Request>>::Response: IntoResponse + 'static,
    <L::Service as Service<Request>>::Error: Into<Infallible> + 'static,
    <L::Service as Service<Request>>::Future: Send + 'static,
{
    let catalogue = Router::new()
        .route(
            "/items",
            get(|| answer(r#"{"handler":"public","items":["apple","kiwi"]}"#)),
        )
        .layer(public);
    let user = Router::new()
        .route(
            "/me",
            get(|| answer(r#"{"handler":"api","user":"ada"}"#))
                .put(|| answer(r#"{"handler":"api","saved":true}"#)),
        )
        .layer(api);
    Router::new().nest("/public", catalogue).nest("/api", user)
}

async fn answer(body: &'static str) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}
