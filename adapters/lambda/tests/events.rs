//! Every event source `lambda_http` serves (API Gateway REST payload 1.0, HTTP API payload 2.0,
//! function URL, ALB), run through `lambda_http`'s own request and response conversion (its
//! `Adapter`, what `lambda_http::run` uses), with the AWS example events in `fixtures/`.
//! The assertions read the JSON the function would return to Lambda: what the gateway turns
//! into HTTP headers.

use std::sync::{Mutex, Once};

use lambda_http::request::LambdaRequest;
use lambda_http::tower::{Layer, ServiceExt};
use lambda_http::{service_fn, Adapter, Body, Context, Error, LambdaEvent, Request, Response};
use serde_json::{json, Value};

const ORIGIN: &str = "https://app.example.com";

/// Paths the handler saw, to prove which requests reached it.
static SEEN: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn setup() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Set before the first request of this test binary; the policy is cached after it.
        std::env::set_var("CORS_ALLOWED_ORIGINS", ORIGIN);
        std::env::set_var("CORS_EXPOSE_HEADERS", "X-Request-Id");
        std::env::set_var("AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH", "true");
    });
}

async fn handler(req: Request) -> Result<Response<Body>, Error> {
    let path = req.uri().path().to_string();
    SEEN.lock().unwrap().push(path.clone());
    if path == "/error" {
        return Err("failed on purpose".into());
    }
    // Two `Vary` lines of its own: payload 2.0 would keep only the first.
    Ok(Response::builder()
        .header("vary", "Accept-Encoding")
        .header("vary", "Cookie")
        .header("x-request-id", "req-1")
        .body(Body::from("[]"))?)
}

#[derive(Clone, Copy, Debug)]
enum Source {
    RestV1,
    HttpV2,
    FunctionUrl,
    Alb,
}

const SOURCES: [Source; 4] = [
    Source::RestV1,
    Source::HttpV2,
    Source::FunctionUrl,
    Source::Alb,
];

impl Source {
    fn fixture(self) -> Value {
        let text = match self {
            Source::RestV1 => include_str!("fixtures/apigw-rest-v1.json"),
            Source::HttpV2 => include_str!("fixtures/apigw-http-v2.json"),
            Source::FunctionUrl => include_str!("fixtures/function-url.json"),
            Source::Alb => include_str!("fixtures/alb.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    /// The fixture event, rewritten to `method path` with exactly `headers` (a name may
    /// repeat), in the shape each source gives repeated lines: payload 1.0 carries the last
    /// line in `headers` and every line in `multiValueHeaders`, payload 2.0 and function URLs
    /// join them with commas, a multi-value ALB lists them.
    fn event(self, method: &str, path: &str, headers: &[(&str, &str)]) -> LambdaRequest {
        let mut event = self.fixture();
        let mut single = serde_json::Map::new();
        let mut multi = serde_json::Map::new();
        let mut joined = serde_json::Map::new();
        for (name, value) in headers {
            single.insert(name.to_string(), json!(value));
            let lines = multi.entry(name.to_string()).or_insert_with(|| json!([]));
            lines.as_array_mut().unwrap().push(json!(value));
            let all = lines
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap());
            joined.insert(name.to_string(), json!(all.collect::<Vec<_>>().join(",")));
        }
        match self {
            Source::RestV1 => {
                event["httpMethod"] = json!(method);
                // API Gateway sends the resource path; the stage is only in the context.
                // lambda_http prefixes it unless AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH is set.
                event["path"] = json!(path);
                event["requestContext"]["path"] = json!(format!("/testStage{path}"));
                event["requestContext"]["httpMethod"] = json!(method);
                event["headers"] = Value::Object(single);
                event["multiValueHeaders"] = Value::Object(multi);
            }
            Source::HttpV2 | Source::FunctionUrl => {
                event["rawPath"] = json!(path);
                event["requestContext"]["http"]["method"] = json!(method);
                event["requestContext"]["http"]["path"] = json!(path);
                event["headers"] = Value::Object(joined);
            }
            Source::Alb => {
                event["httpMethod"] = json!(method);
                event["path"] = json!(path);
                event["multiValueHeaders"] = Value::Object(multi);
            }
        }
        serde_json::from_value(event).unwrap()
    }

    /// Every value the gateway would send for header `name`, from the serialized response.
    fn header(self, response: &Value, name: &str) -> Vec<String> {
        let values = |field: &str| -> Vec<String> {
            match &response[field][name] {
                Value::String(s) => vec![s.clone()],
                Value::Array(list) => list.iter().map(|v| v.as_str().unwrap().into()).collect(),
                _ => Vec::new(),
            }
        };
        match self {
            // Payload 1.0 answers with `multiValueHeaders` only (never both: API Gateway would
            // merge them into duplicates).
            Source::RestV1 => {
                assert_eq!(response["headers"], json!({}), "{self:?}: {response}");
                values("multiValueHeaders")
            }
            // Payload 2.0 and function URLs have one string per header.
            Source::HttpV2 | Source::FunctionUrl => values("headers"),
            // An ALB uses one of the two, depending on the target group; both must agree.
            Source::Alb => {
                let multi = values("multiValueHeaders");
                let merged = values("headers");
                assert_eq!(merged, multi[..multi.len().min(1)], "{self:?}: {response}");
                multi
            }
        }
    }
}

/// Runs one event through `lambda_http`'s adapter around the wrapped handler; returns the
/// response JSON the function would hand back to Lambda.
async fn invoke(event: LambdaRequest) -> Value {
    setup();
    // What `preflight_lambda::run` serves.
    let service = preflight_lambda::KeepRepeatedLines.layer(Adapter::from(
        preflight_lambda::CorsLayer::new().layer(service_fn(handler)),
    ));
    let mut context = Context::default();
    context.request_id = "8f4c1e2a-request".into();
    let response = service
        .oneshot(LambdaEvent::new(event, context))
        .await
        .unwrap();
    serde_json::to_value(response).unwrap()
}

#[tokio::test]
async fn preflights_are_answered_in_every_response_shape() {
    for source in SOURCES {
        let event = source.event(
            "OPTIONS",
            "/items/1",
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "PUT"),
                (
                    "access-control-request-headers",
                    "authorization,content-type",
                ),
            ],
        );
        let response = invoke(event).await;
        assert_eq!(response["statusCode"], 204, "{source:?}: {response}");
        assert_eq!(
            source.header(&response, "access-control-allow-origin"),
            [ORIGIN]
        );
        assert_eq!(
            source.header(&response, "access-control-allow-methods"),
            ["PUT"],
            "{source:?}: {response}"
        );
        assert_eq!(
            source.header(&response, "access-control-allow-headers"),
            ["authorization, content-type"],
            "{source:?}: {response}"
        );
        let vary = source.header(&response, "vary");
        assert_eq!(vary.len(), 1, "{source:?}: one Vary line: {response}");
        for part in [
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ] {
            assert!(
                vary[0].contains(part),
                "{source:?}: Vary {vary:?} lacks {part}"
            );
        }
    }
    assert!(
        !SEEN.lock().unwrap().iter().any(|p| p == "/items/1"),
        "a preflight reached the handler"
    );
}

#[tokio::test]
async fn actual_responses_keep_every_vary_value_on_one_line() {
    for source in SOURCES {
        let path = format!("/items/{source:?}");
        let response = invoke(source.event("GET", &path, &[("origin", ORIGIN)])).await;
        assert_eq!(response["statusCode"], 200, "{source:?}: {response}");
        assert_eq!(
            source.header(&response, "access-control-allow-origin"),
            [ORIGIN]
        );
        assert_eq!(
            source.header(&response, "access-control-expose-headers"),
            ["X-Request-Id"],
            "{source:?}: {response}"
        );
        let vary = source.header(&response, "vary");
        assert_eq!(vary.len(), 1, "{source:?}: {response}");
        let parts: Vec<&str> = vary[0].split(',').map(str::trim).collect();
        assert_eq!(parts, ["Accept-Encoding", "Cookie", "Origin"], "{source:?}");
        // The stage of a REST API event never reaches the handler's routing.
        assert!(
            SEEN.lock().unwrap().contains(&path),
            "{source:?}: the handler did not see {path}: {:?}",
            SEEN.lock().unwrap()
        );
    }
}

#[tokio::test]
async fn a_failing_handler_is_a_500_with_cors_headers_in_every_shape() {
    for source in SOURCES {
        let response = invoke(source.event("GET", "/error", &[("origin", ORIGIN)])).await;
        assert_eq!(response["statusCode"], 500, "{source:?}: {response}");
        assert_eq!(
            source.header(&response, "access-control-allow-origin"),
            [ORIGIN]
        );
        assert_eq!(
            source.header(&response, "x-request-id"),
            ["8f4c1e2a-request"],
            "{source:?}: the Lambda request id names the failure: {response}"
        );
    }
}

#[tokio::test]
async fn a_disallowed_origin_gets_no_cors_headers_in_any_shape() {
    for source in SOURCES {
        let event = source.event(
            "OPTIONS",
            "/items/1",
            &[
                ("origin", "https://app.example.com.evil.net"),
                ("access-control-request-method", "PUT"),
            ],
        );
        let response = invoke(event).await;
        assert_eq!(response["statusCode"], 403, "{source:?}: {response}");
        for side in ["headers", "multiValueHeaders"] {
            if let Value::Object(map) = &response[side] {
                assert!(
                    map.keys().all(|k| !k.starts_with("access-control-")),
                    "{source:?}: {response}"
                );
            }
        }
    }
}

/// The log lines written while `f` runs (this thread only).
async fn logged<F: std::future::Future>(f: F) -> (F::Output, String) {
    use std::io::Write;
    thread_local! {
        static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    struct ThreadBuffer;
    impl Write for ThreadBuffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            BUFFER.with(|buf| buf.borrow_mut().extend_from_slice(b));
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(|| ThreadBuffer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).unwrap();
    });
    BUFFER.with(|buf| buf.borrow_mut().clear());
    let output = f.await;
    (
        output,
        BUFFER.with(|buf| String::from_utf8_lossy(&buf.borrow()).into_owned()),
    )
}

#[tokio::test(flavor = "current_thread")]
async fn repeated_lines_get_the_same_verdict_and_reason_on_every_event_source() {
    // A second Origin after the allowed one, a second method: refused as repeats wherever
    // the event carries them (payload 1.0 in both fields, 2.0 joined, ALB listed).
    let cases: [(&[(&str, &str)], &str); 3] = [
        (
            &[
                ("origin", "https://evil.example"),
                ("origin", ORIGIN),
                ("access-control-request-method", "PUT"),
            ],
            "more than one Origin header",
        ),
        (
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "GET"),
                ("access-control-request-method", "PUT"),
            ],
            "more than one Access-Control-Request-Method header",
        ),
        (
            &[
                ("origin", ORIGIN),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "content-type"),
                ("access-control-request-headers", "x-evil"),
            ],
            "a requested header is not in CORS_ALLOWED_HEADERS",
        ),
    ];
    for (headers, reason) in cases {
        for source in SOURCES {
            let (response, logs) =
                logged(invoke(source.event("OPTIONS", "/items/1", headers))).await;
            assert_eq!(
                response["statusCode"], 403,
                "{source:?} {headers:?}: {response}"
            );
            let rejected: Vec<&str> = logs
                .lines()
                .filter(|l| l.contains("CORS preflight rejected"))
                .collect();
            assert_eq!(rejected.len(), 1, "{source:?} {headers:?}: {logs}");
            assert!(
                rejected[0].contains(reason),
                "{source:?} {headers:?}: {logs}"
            );
        }
    }
    // Repeated lines of one allowed list are one list everywhere.
    for source in SOURCES {
        let headers = [
            ("origin", ORIGIN),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization"),
            ("access-control-request-headers", "content-type"),
        ];
        let response = invoke(source.event("OPTIONS", "/items/1", &headers)).await;
        assert_eq!(response["statusCode"], 204, "{source:?}: {response}");
    }
}
