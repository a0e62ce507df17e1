//! The `#[cors]` attribute on a real `lambda_http` handler: preflights never reach it,
//! errors and panics become a 500 with CORS headers.

use std::sync::atomic::{AtomicUsize, Ordering};

use lambda_http::{Body, Error, Request, Response};

static CALLS: AtomicUsize = AtomicUsize::new(0);

#[preflight_lambda::cors]
async fn handler(req: Request) -> Result<Response<Body>, Error> {
    CALLS.fetch_add(1, Ordering::SeqCst);
    match req.uri().path() {
        "/error" => Err("failed on purpose".into()),
        "/panic" => panic!("panicked on purpose"),
        _ => Ok(Response::builder()
            .status(401)
            .body(Body::from("no token"))?),
    }
}

fn request(method: &str, path: &str, headers: &[(&str, &str)]) -> Request {
    let mut builder = lambda_http::http::Request::builder()
        .method(method)
        .uri(path);
    for (n, v) in headers {
        builder = builder.header(*n, *v);
    }
    builder.body(Body::Empty).unwrap()
}

#[tokio::test]
async fn the_attribute_wraps_a_lambda_http_handler() {
    // The only test in this binary: it sets the process environment before the first read.
    std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
    let origin = ("origin", "https://app.example.com");

    let preflight = handler(request(
        "OPTIONS",
        "/items/1",
        &[origin, ("access-control-request-method", "PUT")],
    ))
    .await
    .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        CALLS.load(Ordering::SeqCst),
        0,
        "a preflight must not reach the handler"
    );

    let unauthorized = handler(request("PUT", "/items/1", &[origin]))
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), 401);
    assert_eq!(
        unauthorized.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );

    for path in ["/error", "/panic"] {
        let response = handler(request("GET", path, &[origin])).await.unwrap();
        assert_eq!(response.status(), 500, "{path}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            "https://app.example.com",
            "{path}"
        );
    }
    assert_eq!(CALLS.load(Ordering::SeqCst), 3);
}
