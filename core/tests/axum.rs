//! The adapters' service ([`Around`] of a [`Runtime`]) on an axum `Router`, both ways a user
//! puts it there: inside (`Router::layer`, which wraps every route, nested routers, the
//! method routers' own fallbacks and the router's fallback) and outside (`layer.layer(router)`).
//! Each platform adapter's `Lambda`, `Vercel` and `Cloudflare` is such a `Runtime`; what is
//! checked here holds for all three.
#![cfg(feature = "tower")]

use std::convert::Infallible;

use axum::body::Body;
use axum::extract::Path;
use axum::routing::{get, put};
use axum::Router;
use http::{Extensions, HeaderMap, HeaderValue, Request, Response, StatusCode};
use preflight::layer::{Around, Runtime};
use preflight::{ConfigError, Policy};
use tower::{Layer, ServiceExt};

const APP: &str = "https://app.example.com";

/// A platform with one fixed policy (or configuration error) and `x-trace` as request id.
#[derive(Debug, Clone, Copy)]
struct Fixed(Result<&'static Policy, &'static ConfigError>);

impl Runtime for Fixed {
    fn policy(&self) -> Result<&'static Policy, &'static ConfigError> {
        self.0
    }
    fn request_id(&self, headers: &HeaderMap, _: &Extensions) -> Option<HeaderValue> {
        headers.get("x-trace").cloned()
    }
}

impl<S> Layer<S> for Fixed {
    type Service = Around<S, Fixed>;
    fn layer(&self, inner: S) -> Around<S, Fixed> {
        Around::new(inner, *self)
    }
}

fn platform() -> Fixed {
    let policy = Policy::builder()
        .allowed_origins([APP])
        .allowed_methods(["GET", "PUT", "DELETE"])
        .build()
        .unwrap();
    Fixed(Ok(Box::leak(Box::new(policy))))
}

/// The shapes of a real app: a nested router, a method router with only some methods, a
/// handler that panics, the router's fallback.
fn app() -> Router {
    let items = Router::new().route("/", get(|| async { "[]" })).route(
        "/{id}",
        put(|Path(id): Path<String>| async move { format!("put {id}") }),
    );
    Router::new()
        .nest("/items", items)
        .route(
            "/panic",
            get(|| async {
                panic!("a bug in the handler");
                #[allow(unreachable_code)]
                ""
            }),
        )
        .fallback(|| async { (StatusCode::NOT_FOUND, "no such route") })
}

fn request(method: &str, path: &str, origin: &str) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header("x-trace", "t-1");
    if !origin.is_empty() {
        builder = builder.header("origin", origin);
    }
    if method == "OPTIONS" {
        builder = builder.header("access-control-request-method", "PUT");
    }
    builder.body(Body::empty()).unwrap()
}

/// Both placements of the layer, as services over `Request<Body>`.
async fn both(request: impl Fn() -> Request<Body>) -> [Response<Body>; 2] {
    let inside = app().layer(platform());
    let outside = platform().layer(app());
    [
        inside.oneshot(request()).await.unwrap(),
        outside.oneshot(request()).await.unwrap(),
    ]
}

async fn text(response: Response<Body>) -> String {
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16)
        .await
        .unwrap();
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn allow_origin(response: &Response<Body>) -> Option<&str> {
    response
        .headers()
        .get("access-control-allow-origin")
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_preflight_is_answered_on_every_kind_of_route() {
    // A route with GET only (axum's method router would answer OPTIONS with 405), a nested
    // route, a path no route has (the fallback): each preflight is answered by the policy.
    for path in ["/items", "/items/7", "/panic", "/nowhere"] {
        for response in both(|| request("OPTIONS", path, APP)).await {
            assert_eq!(response.status(), StatusCode::NO_CONTENT, "{path}");
            assert_eq!(allow_origin(&response), Some(APP), "{path}");
            assert_eq!(
                response.headers()["access-control-allow-methods"],
                "PUT",
                "{path}"
            );
        }
    }
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_refused_before_any_route() {
    for response in both(|| request("OPTIONS", "/items/7", "https://evil.example")).await {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(allow_origin(&response), None);
    }
}

#[tokio::test]
async fn every_response_of_the_router_carries_the_cors_headers() {
    let cases = [
        ("GET", "/items", StatusCode::OK, "[]"),
        ("PUT", "/items/7", StatusCode::OK, "put 7"),
        ("GET", "/nowhere", StatusCode::NOT_FOUND, "no such route"),
    ];
    for (method, path, status, body) in cases {
        for response in both(|| request(method, path, APP)).await {
            assert_eq!(response.status(), status, "{method} {path}");
            assert_eq!(allow_origin(&response), Some(APP), "{method} {path}");
            assert_eq!(response.headers()["vary"], "Origin", "{method} {path}");
            assert_eq!(text(response).await, body, "{method} {path}");
        }
    }
    // A method the route does not have: axum's own 405, decorated too.
    for response in both(|| request("DELETE", "/items", APP)).await {
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(allow_origin(&response), Some(APP));
    }
}

#[tokio::test]
async fn a_panicking_handler_is_a_500_with_cors_headers_and_the_request_id() {
    for response in both(|| request("GET", "/panic", APP)).await {
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(allow_origin(&response), Some(APP));
        assert_eq!(response.headers()["x-request-id"], "t-1");
        assert_eq!(
            text(response).await,
            preflight::handler::INTERNAL_ERROR_BODY
        );
    }
}

#[tokio::test]
async fn an_invalid_configuration_answers_500_without_cors_headers_on_every_route() {
    let error = Policy::builder()
        .allowed_origins(["https://app.example.com/"])
        .build()
        .unwrap_err();
    let broken = Fixed(Err(Box::leak(Box::new(error))));
    for path in ["/items", "/nowhere"] {
        for method in ["GET", "OPTIONS"] {
            let inside = app().layer(broken);
            let outside = broken.layer(app());
            for response in [
                inside.oneshot(request(method, path, APP)).await.unwrap(),
                outside.oneshot(request(method, path, APP)).await.unwrap(),
            ] {
                assert_eq!(response.status(), 500, "{method} {path}");
                assert_eq!(allow_origin(&response), None, "{method} {path}");
                assert_eq!(response.headers()["x-request-id"], "t-1");
            }
        }
    }
}

#[test]
fn the_layer_fits_router_layer_bounds() {
    // `Router::layer` asks for a `Clone + Send + Sync + 'static` layer whose service never
    // fails; this compiles only if `Around<Route, _>` is one.
    fn fits<L>(_: L)
    where
        L: Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower::Service<Request<Body>, Error = Infallible> + Clone + Send + Sync,
    {
    }
    fits(platform());
}
