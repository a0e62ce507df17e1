//! `#[cors(policy = "...")]` and `CorsLayer::named` on Lambda: each handler or router is
//! served by its named policy (`CORS_<NAME>_*`), and a name the environment does not
//! configure answers `500` without CORS headers instead of serving with another policy.

use std::sync::atomic::{AtomicUsize, Ordering};

use lambda_http::tower::{Layer, ServiceExt};
use lambda_http::{service_fn, Body, Error, Request, Response};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[preflight_lambda::cors(policy = "public")]
async fn catalogue(_req: Request) -> Result<Response<Body>, Error> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Ok(Response::new(Body::from("[]")))
}

#[preflight_lambda::cors(policy = "api")]
async fn me(_req: Request) -> Result<Response<Body>, Error> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Ok(Response::new(Body::from("{}")))
}

#[preflight_lambda::cors(policy = "pubic")]
async fn misnamed(_req: Request) -> Result<Response<Body>, Error> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Ok(Response::new(Body::from("never")))
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri("/");
    for (n, v) in headers {
        builder = builder.header(*n, *v);
    }
    builder.body(Body::Empty).unwrap()
}

const APP: &str = "https://app.example.com";

#[tokio::test]
async fn each_handler_is_served_by_its_named_policy() {
    // The only test in this binary: it sets the process environment before the first read.
    std::env::set_var("CORS_PUBLIC_ALLOWED_ORIGINS", "*");
    std::env::set_var("CORS_PUBLIC_ALLOWED_METHODS", "GET");
    std::env::set_var("CORS_API_ALLOWED_ORIGINS", APP);
    std::env::set_var("CORS_API_ALLOW_CREDENTIALS", "true");

    let anyone = ("origin", "https://anyone.example");
    let response = catalogue(request("GET", &[anyone])).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    assert!(!response
        .headers()
        .contains_key("access-control-allow-credentials"));
    let response = me(request("GET", &[anyone])).await.unwrap();
    assert!(!response
        .headers()
        .contains_key("access-control-allow-origin"));
    let response = me(request("GET", &[("origin", APP)])).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], APP);
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);

    // PUT: allowed by `api`, not by `public` (GET only); neither preflight runs the handler.
    let put = [("origin", APP), ("access-control-request-method", "PUT")];
    assert_eq!(me(request("OPTIONS", &put)).await.unwrap().status(), 204);
    assert_eq!(
        catalogue(request("OPTIONS", &put)).await.unwrap().status(),
        403
    );
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        3,
        "a preflight must not reach a handler"
    );

    // A name nothing configures: 500 without CORS headers, the handler never runs.
    let response = misnamed(request("GET", &[("origin", APP)])).await.unwrap();
    assert_eq!(response.status(), 500);
    assert!(!response
        .headers()
        .contains_key("access-control-allow-origin"));
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);

    // The same policies per router, through the layer.
    let layered =
        preflight_lambda::CorsLayer::named("api").layer(service_fn(|_req: Request| async {
            Ok::<_, Error>(Response::new(Body::from("{}")))
        }));
    let response = layered
        .oneshot(request("GET", &[("origin", APP)]))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
}
