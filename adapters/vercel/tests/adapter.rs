//! `wrap` and `CorsLayer` around `vercel_runtime` handlers: preflights never reach the
//! handler, errors and panics become a 500 with CORS headers and the Vercel request id.
//! (The compiled function binaries are tested for real, in a browser, by `tests/`.)

use std::sync::atomic::{AtomicUsize, Ordering};

use http::Request;
use tower::{Layer, ServiceExt};
use vercel_runtime::{AppState, Error, LogContext, Response, ResponseBody};

const ORIGIN: &str = "https://app.example.com";
static CALLS: AtomicUsize = AtomicUsize::new(0);

fn setup() {
    // Every test sets the same value; the policy is read once per process.
    std::env::set_var("CORS_ALLOWED_ORIGINS", ORIGIN);
}

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request<String> {
    let mut builder = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(String::new()).unwrap()
}

async fn handler(req: Request<String>) -> Result<Response<ResponseBody>, Error> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    match req.uri().path() {
        "/api/error" => Err("failed on purpose".into()),
        "/api/panic" => panic!("panicked on purpose"),
        _ => Ok(Response::builder()
            .status(401)
            .body(ResponseBody::from("no token"))?),
    }
}

#[tokio::test]
async fn wrap_answers_preflights_and_decorates_every_status() {
    setup();
    let before = CALLS.load(Ordering::SeqCst);
    let preflight = request(
        "OPTIONS",
        "/api/items/1",
        &[("origin", ORIGIN), ("access-control-request-method", "PUT")],
    );
    let response = preflight_vercel::wrap(preflight, |_: Request<String>| async {
        Err::<Response<ResponseBody>, _>("a preflight must not reach the handler")
    })
    .await
    .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);

    let response = preflight_vercel::wrap(
        request("PUT", "/api/items/1", &[("origin", ORIGIN)]),
        handler,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 401);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    assert!(CALLS.load(Ordering::SeqCst) > before);
}

#[tokio::test]
async fn errors_and_panics_become_500_with_cors_headers_and_the_vercel_id() {
    setup();
    for path in ["/api/error", "/api/panic"] {
        let req = request(
            "GET",
            path,
            &[("origin", ORIGIN), ("x-vercel-id", "fra1::iad1::x1")],
        );
        let response = preflight_vercel::wrap(req, handler).await.unwrap();
        assert_eq!(response.status(), 500, "{path}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            ORIGIN,
            "{path}"
        );
        assert_eq!(
            response.headers()["x-request-id"],
            "fra1::iad1::x1",
            "{path}"
        );
    }
}

#[tokio::test]
async fn the_layer_wraps_a_service_over_app_state_and_request() {
    setup();
    let inner = tower::service_fn(|(_state, req): (AppState, Request<String>)| handler(req));
    let service = preflight_vercel::CorsLayer::new().layer(inner);
    let state = AppState::new(LogContext::new(None, None, None));
    let response = service
        .oneshot((state, request("GET", "/api/error", &[("origin", ORIGIN)])))
        .await
        .unwrap();
    assert_eq!(response.status(), 500);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    assert!(response.headers().get("x-request-id").is_none());
}
