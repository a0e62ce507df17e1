//! The adapter's logic, natively (x86_64): compiling bindings into a policy and the request
//! cycle of `respond`. The wasm build runs for real under `wrangler dev` in `tests/`.

use http::{Request, StatusCode};
use http_body::Body as _;
use preflight::{ConfigError, Policy};
use worker::{Body, HttpResponse};

/// The policy the Worker builds from these bindings.
fn compile(
    bindings: impl IntoIterator<Item = (&'static str, String)>,
) -> Result<Policy, ConfigError> {
    preflight::Settings::from_vars(bindings).build()
}

const ORIGIN: &str = "https://app.example.com";

fn policy() -> Policy {
    compile([
        ("CORS_ALLOWED_ORIGINS", ORIGIN.to_string()),
        ("CORS_EXPOSE_HEADERS", "X-Request-Id".to_string()),
    ])
    .unwrap()
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::builder()
        .method(method)
        .uri("https://api.example.com/items/1");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(future)
}

#[test]
fn bindings_are_validated_like_environment_variables() {
    let err = compile([
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example.com/,null".to_string(),
        ),
        ("CORS_MAX_AGE", "1e5".to_string()),
        ("CORS_EXPOSED_HEADERS", "X-Request-Id".to_string()),
    ])
    .unwrap_err();
    let report = err.to_string();
    for part in [
        "trailing slash",
        "null",
        "CORS_MAX_AGE",
        "did you mean CORS_EXPOSE_HEADERS",
    ] {
        assert!(report.contains(part), "{part}: {report}");
    }
    // A TOML list in [vars] arrives joined with commas.
    let policy = compile([(
        "CORS_ALLOWED_ORIGINS",
        "https://a.example.com,https://b.example.com".to_string(),
    )])
    .unwrap();
    assert!(policy.allows_origin("https://b.example.com"));
}

#[test]
fn preflights_never_reach_the_handler() {
    let policy = policy();
    let preflight = request(
        "OPTIONS",
        &[("origin", ORIGIN), ("access-control-request-method", "PUT")],
    );
    let response = block_on(preflight_worker::respond(
        Ok(&policy),
        preflight,
        |_req| async { Err::<HttpResponse, _>("a preflight must not reach the handler") },
    ));
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.headers()["access-control-allow-origin"], ORIGIN);
    assert!(response.body().is_end_stream());
}

#[test]
fn every_status_is_decorated_and_errors_become_500() {
    let policy = policy();
    let unauthorized = block_on(preflight_worker::respond(
        Ok(&policy),
        request("PUT", &[("origin", ORIGIN)]),
        |_req| async {
            let mut response = HttpResponse::new(Body::empty());
            *response.status_mut() = StatusCode::UNAUTHORIZED;
            Ok::<_, String>(response)
        },
    ));
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        unauthorized.headers()["access-control-allow-origin"],
        ORIGIN
    );
    assert_eq!(
        unauthorized.headers()["access-control-expose-headers"],
        "X-Request-Id"
    );

    let failed = block_on(preflight_worker::respond(
        Ok(&policy),
        request("GET", &[("origin", ORIGIN)]),
        |_req| async { Err::<HttpResponse, _>("the database is down") },
    ));
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(failed.headers()["access-control-allow-origin"], ORIGIN);
    assert_eq!(
        failed.body().size_hint().exact(),
        Some(preflight::handler::INTERNAL_ERROR_BODY.len() as u64)
    );
}

#[test]
fn an_invalid_configuration_is_a_500_without_cors_headers() {
    let err = compile([("CORS_ALLOWED_ORIGINS", String::new())]).unwrap_err();
    let response = block_on(preflight_worker::respond(
        Err(&err),
        request("GET", &[("origin", ORIGIN)]),
        |_req| async { Ok::<_, String>(HttpResponse::new(Body::empty())) },
    ));
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert!(response
        .headers()
        .keys()
        .all(|name| !name.as_str().starts_with("access-control-")));
}
