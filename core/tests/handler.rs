//! The shared request cycle (`preflight::handler`): preflights never reach the handler, and a
//! failing or panicking handler still gives the browser a 500 with CORS headers.

mod common;

use std::cell::Cell;

use http::{Request, Response, StatusCode};
use preflight::handler::{handle, misconfigured, INTERNAL_ERROR_BODY};

const APP: &str = "https://app.example.com";

fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

fn request(method: &str, headers: &[(&str, &str)]) -> Request<()> {
    let mut builder = Request::builder().method(method).uri("/items");
    for (n, v) in headers {
        builder = builder.header(*n, *v);
    }
    builder.body(()).unwrap()
}

#[test]
fn preflights_never_reach_the_handler() {
    let policy = common::origins(APP);
    let called = Cell::new(false);
    for origin in [APP, "https://evil.example"] {
        let req = request(
            "OPTIONS",
            &[("origin", origin), ("access-control-request-method", "PUT")],
        );
        let response: Response<String> = run(handle(&policy, req, |_| async {
            called.set(true);
            Ok::<_, String>(Response::new("handler".to_string()))
        }));
        assert!(
            response.status() == StatusCode::NO_CONTENT
                || response.status() == StatusCode::FORBIDDEN
        );
        assert_eq!(response.body(), "");
    }
    assert!(!called.get());
}

#[test]
fn handler_errors_and_panics_become_500_with_cors_headers() {
    let policy = common::policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    let req = || request("GET", &[("origin", APP)]);
    let failed: Response<String> = run(handle(&policy, req(), |_| async {
        Err::<Response<String>, _>("boom")
    }));
    let panicked_in_future: Response<String> = run(handle(&policy, req(), |_| async {
        if APP.len() > 1 {
            panic!("bug inside the future");
        }
        Ok::<_, String>(Response::new(String::new()))
    }));
    let panicked_before_future: Response<String> = run(handle(
        &policy,
        req(),
        |_| -> std::future::Ready<Result<Response<String>, String>> {
            panic!("bug before the future")
        },
    ));
    for (name, response) in [
        ("error", failed),
        ("panic in future", panicked_in_future),
        ("panic before future", panicked_before_future),
    ] {
        assert_eq!(
            response.status(),
            StatusCode::INTERNAL_SERVER_ERROR,
            "{name}"
        );
        assert_eq!(response.body(), INTERNAL_ERROR_BODY, "{name}");
        assert_eq!(
            response.headers()["access-control-allow-origin"],
            APP,
            "{name}"
        );
        assert_eq!(
            response.headers()["access-control-allow-credentials"],
            "true",
            "{name}"
        );
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{name}"
        );
    }
}

#[test]
fn failures_are_logged_at_error() {
    let policy = common::origins(APP);
    let (_, logs) = common::capture_logs(|| {
        run(handle::<(), String, _, _, _>(
            &policy,
            request("GET", &[("origin", APP)]),
            |_| async { Err::<Response<String>, _>("the database is down") },
        ))
    });
    assert!(
        logs.contains("ERROR") && logs.contains("the database is down"),
        "{logs}"
    );
}

#[test]
fn handler_responses_of_any_status_are_decorated() {
    let policy = common::origins(APP);
    for status in [200, 401, 404, 500] {
        let response: Response<String> = run(handle(
            &policy,
            request("PUT", &[("origin", APP)]),
            |_| async move {
                let mut r = Response::new("x".to_string());
                *r.status_mut() = StatusCode::from_u16(status).unwrap();
                Ok::<_, String>(r)
            },
        ));
        assert_eq!(response.status(), status);
        assert_eq!(response.headers()["access-control-allow-origin"], APP);
    }
}

#[test]
fn an_invalid_configuration_answers_500_without_cors_headers() {
    let err = preflight::Settings::from_vars([
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .build()
    .unwrap_err();
    let response: Response<String> = misconfigured(&err);
    assert_eq!(response.status(), 500);
    assert!(response.body().contains("1 problem"));
    assert!(response
        .headers()
        .keys()
        .all(|k| !k.as_str().starts_with("access-control-")));
}

#[test]
fn logs_name_the_path_never_the_query_or_secret_headers() {
    // Query strings carry tokens and signatures, headers carry cookies and credentials: the
    // log lines of rejected and allowed preflights and of disallowed requests hold none.
    let policy = common::origins(APP);
    let secret = "s3cr3t-t0ken";
    type Call<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);
    let calls: [Call; 4] = [
        (
            "OPTIONS",
            "https://evil.example",
            &[("access-control-request-method", "PUT")],
        ),
        ("OPTIONS", APP, &[("access-control-request-method", "PUT")]),
        (
            "OPTIONS",
            APP,
            &[
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-evil"),
            ],
        ),
        ("GET", "https://evil.example", &[]),
    ];
    for (method, origin, extra) in calls {
        let mut builder = Request::builder()
            .method(method)
            .uri(format!("/items/42?token={secret}&sig={secret}"))
            .header("origin", origin)
            .header("cookie", format!("session={secret}"))
            .header("authorization", format!("Bearer {secret}"));
        for (n, v) in extra {
            builder = builder.header(*n, *v);
        }
        let req = builder.body(()).unwrap();
        let (_, logs) = common::capture_logs(|| {
            let _: Response<String> = run(handle(&policy, req, |_| async {
                Ok::<_, String>(Response::new(String::new()))
            }));
        });
        assert!(logs.contains("path=/items/42"), "{method} {origin}: {logs}");
        assert!(!logs.contains(secret), "{method} {origin}: {logs}");
        assert!(!logs.contains("token="), "{method} {origin}: {logs}");
    }
}

#[tokio::test]
async fn serve_tags_only_the_answers_the_library_wrote() {
    use http::{HeaderValue, Request, Response, StatusCode};
    let policy = preflight::Policy::builder()
        .allowed_origins(["https://app.example.com"])
        .build();
    let id = || Some(HeaderValue::from_static("req-1"));
    let request = || {
        Request::builder()
            .header("origin", "https://app.example.com")
            .body(())
            .unwrap()
    };
    // The handler's own 500 keeps its headers: no request id added.
    let own: Response<String> =
        preflight::handler::serve(policy.as_ref(), id(), request(), |_| async {
            let mut response = Response::new(String::from("{}"));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            Ok::<_, String>(response)
        })
        .await;
    assert_eq!(own.status(), 500);
    assert!(own.headers().get("x-request-id").is_none());
    // The library's 500 for a failing handler carries it.
    let failed: Response<String> =
        preflight::handler::serve(policy.as_ref(), id(), request(), |_| async {
            Err::<Response<String>, _>("down")
        })
        .await;
    assert_eq!(failed.headers()["x-request-id"], "req-1");
}
