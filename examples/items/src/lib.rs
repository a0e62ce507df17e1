//! The example API, the same on every platform (each platform example only converts its
//! request and response types around [`handle`]):
//!
//! | request | answer |
//! |---|---|
//! | `GET /items` | `200` JSON list |
//! | `PUT /items/{id}` with `Authorization: Bearer <token>` and a JSON body | `200` echo |
//! | `PUT /items/{id}` without `Authorization` | `401` JSON (auth runs after CORS) |
//! | `DELETE /items/{id}` | `204` |
//! | `GET /error` | `Err`: the handler fails; the CORS library answers `500` |
//! | anything else | `404` JSON |
//!
//! Every response carries `X-Request-Id` (the platform's request id), which the examples
//! expose with `CORS_EXPOSE_HEADERS`, and `X-Served-By`, which they do not: scripts cannot
//! read it. There is no CORS code here: that is the adapters' job.
#![forbid(unsafe_code)]

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};
use serde_json::{json, Value};

/// Answers one request of the example API. `path` is the route without any platform prefix
/// (`/items/1`, not `/api/items/1`). An empty body means none (the `204`).
///
/// ```
/// let response = preflight_example_items::handle(
///     &http::Method::GET, "/items", &http::HeaderMap::new(), b"", "req-1",
/// ).unwrap();
/// assert_eq!(response.status(), 200);
/// assert_eq!(response.headers()["x-request-id"], "req-1");
/// assert!(preflight_example_items::handle(
///     &http::Method::GET, "/error", &http::HeaderMap::new(), b"", "req-2",
/// ).is_err());
/// ```
pub fn handle(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    request_id: &str,
) -> Result<Response<String>, String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let (status, body) = match (method.as_str(), segments.as_slice()) {
        ("GET", ["", "items"]) => (
            StatusCode::OK,
            json!([{"id": "1", "name": "apple"}, {"id": "2", "name": "pear"}]),
        ),
        ("PUT", ["", "items", id]) => {
            let authorized = headers
                .get(AUTHORIZATION)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
                .is_some_and(|token| !token.is_empty());
            if authorized {
                let sent: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
                (StatusCode::OK, json!({"id": id, "item": sent}))
            } else {
                (
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "missing bearer token"}),
                )
            }
        }
        ("DELETE", ["", "items", _]) => (StatusCode::NO_CONTENT, Value::Null),
        ("GET", ["", "error"]) => {
            return Err(format!("{request_id}: the example fails on purpose"))
        }
        _ => (StatusCode::NOT_FOUND, json!({"error": "not found"})),
    };
    let mut response = Response::new(if body.is_null() {
        String::new()
    } else {
        body.to_string()
    });
    *response.status_mut() = status;
    let headers = response.headers_mut();
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert("x-request-id", id);
    }
    headers.insert("x-served-by", HeaderValue::from_static("items-api"));
    if !body.is_null() {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    }
    Ok(response)
}

/// The tenant table of the multi-tenant examples (origins decided by a function): host names
/// from a comma-separated list (the `TENANT_HOSTS` variable or binding), trimmed and lower
/// case, empty entries left out.
///
/// ```
/// let hosts = preflight_example_items::tenant_hosts(" Acme.test, ,globex.test");
/// assert!(hosts.contains("acme.test") && hosts.contains("globex.test"));
/// assert_eq!(hosts.len(), 2);
/// ```
pub fn tenant_hosts(list: &str) -> std::collections::HashSet<String> {
    list.split(',')
        .map(|host| host.trim().to_ascii_lowercase())
        .filter(|host| !host.is_empty())
        .collect()
}
