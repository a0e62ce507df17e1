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

    /// The fixture event, rewritten to `method path` with exactly `headers`.
    fn event(self, method: &str, path: &str, headers: &[(&str, &str)]) -> LambdaRequest {
        let mut event = self.fixture();
        let single: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), json!(v)))
            .collect();
        let multi: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), json!([v])))
            .collect();
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
                event["headers"] = Value::Object(single);
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
    let service = Adapter::from(preflight_lambda::CorsLayer.layer(service_fn(handler)));
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
