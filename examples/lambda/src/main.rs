//! The example API, the same on every platform:
//!
//! | request | answer |
//! |---|---|
//! | `GET /items` | `200` JSON list |
//! | `PUT /items/{id}` with `Authorization: Bearer <token>` and a JSON body | `200` echo |
//! | `PUT /items/{id}` without `Authorization` | `401` JSON (auth runs after CORS) |
//! | `DELETE /items/{id}` | `204` |
//! | `GET /error` | the handler fails; the browser reads `500` |
//!
//! Every response carries `X-Request-Id` (the Lambda request id, which also names the
//! function's log lines), exposed by `CORS_EXPOSE_HEADERS`; on the `500` of a failing
//! handler `preflight-lambda` sets it. `X-Served-By` is not exposed: scripts cannot read it.
//! Run it: `cargo lambda watch --disable-cors` (the flag matters: without it the local runner
//! answers preflights itself and hides every CORS mistake).

use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};

#[preflight_lambda::cors]
async fn handler(req: Request) -> Result<Response<Body>, Error> {
    let request_id = req
        .lambda_context_ref()
        .map(|context| context.request_id.clone())
        .unwrap_or_default();
    let path = req.uri().path().trim_end_matches('/');
    let method = req.method().as_str();
    let (status, body) = match (method, path.split('/').collect::<Vec<_>>().as_slice()) {
        ("GET", ["", "items"]) => (
            200,
            serde_json::json!([{"id": "1", "name": "apple"}, {"id": "2", "name": "pear"}])
                .to_string(),
        ),
        ("PUT", ["", "items", id]) => {
            let authorized = req
                .headers()
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("Bearer ") && v.len() > 7);
            if !authorized {
                (
                    401,
                    serde_json::json!({"error": "missing bearer token"}).to_string(),
                )
            } else {
                let sent: serde_json::Value =
                    serde_json::from_slice(req.body().as_ref()).unwrap_or(serde_json::Value::Null);
                (200, serde_json::json!({"id": id, "item": sent}).to_string())
            }
        }
        ("DELETE", ["", "items", _]) => (204, String::new()),
        ("GET", ["", "error"]) => {
            return Err(format!("{request_id}: the example fails on purpose").into())
        }
        _ => (404, serde_json::json!({"error": "not found"}).to_string()),
    };
    let body = if body.is_empty() {
        Body::Empty
    } else {
        Body::from(body)
    };
    let mut response = Response::builder()
        .status(status)
        .header("x-request-id", request_id)
        .header("x-served-by", "items-api")
        .body(body)?;
    if status != 204 {
        response
            .headers_mut()
            .insert("content-type", "application/json".parse()?);
    }
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .init();
    lambda_http::run(service_fn(handler)).await
}
