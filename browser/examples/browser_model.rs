//! The browser model as a program, for the test that holds it to headless Chromium
//! (`tests/test_browser_model.py`): reads a JSON list of calls on standard input, prints the
//! model's verdict for each as a JSON list.
//!
//! A call: `{"id", "origin", "method", "headers": [[name, value], ...], "credentials": bool,
//! "preflight": {"status", "headers": [[name, value], ...]} | null, "actual": {"status",
//! "headers": [...]}}`. A verdict: `{"id", "needs_preflight", "request_headers"` (the
//! `Access-Control-Request-Headers` the browser sends, or null)`, "sent_headers"` (the author
//! headers the actual request carries, lower case, combined)`, "allowed", "message"` (what
//! follows "has been blocked by CORS policy: ", or null)`, "cache_seconds"` (how long the
//! preflight answer is cached, or null)`}`.
//!
//! `cargo run -q -p preflight-cors-browser --example browser_model < calls.json`

use std::io::Read;

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use preflight_browser::{self as browser, Fetch};
use serde_json::{json, Value};

fn headers(list: &Value) -> HeaderMap {
    let mut map = HeaderMap::new();
    for pair in list.as_array().into_iter().flatten() {
        let (Some(name), Some(value)) = (pair[0].as_str(), pair[1].as_str()) else {
            continue;
        };
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            map.append(name, value);
        }
    }
    map
}

fn response(value: &Value) -> (StatusCode, HeaderMap) {
    let status = value["status"]
        .as_u64()
        .and_then(|s| StatusCode::from_u16(s as u16).ok())
        .unwrap_or(StatusCode::OK);
    (status, headers(&value["headers"]))
}

fn judge(call: &Value) -> Value {
    let mut fetch = Fetch::new(
        call["origin"].as_str().unwrap_or_default(),
        call["method"].as_str().unwrap_or("GET"),
    )
    .credentials(call["credentials"].as_bool().unwrap_or(false));
    for pair in call["headers"].as_array().into_iter().flatten() {
        fetch = fetch.header(
            pair[0].as_str().unwrap_or_default(),
            pair[1].as_str().unwrap_or_default(),
        );
    }
    let needs_preflight = fetch.needs_preflight();
    let preflight = call.get("preflight").filter(|p| !p.is_null()).map(response);
    let (_, actual) = response(&call["actual"]);
    let verdict = browser::evaluate(
        &fetch,
        preflight
            .as_ref()
            .map(|(status, headers)| (*status, headers)),
        &actual,
    );
    let sent: Vec<Value> = fetch
        .request_headers()
        .iter()
        .filter(|(name, _)| *name != http::header::ORIGIN)
        .map(|(name, value)| json!([name.as_str(), String::from_utf8_lossy(value.as_bytes())]))
        .collect();
    json!({
        "id": call["id"],
        "needs_preflight": needs_preflight,
        "request_headers": fetch.request_headers_value(),
        "sent_headers": sent,
        "allowed": verdict.is_ok(),
        "message": verdict.err().map(|blocked| blocked.to_string()),
        "cache_seconds": preflight
            .as_ref()
            .filter(|_| needs_preflight)
            .map(|(_, headers)| browser::preflight_cache_seconds(headers)),
    })
}

fn main() {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("calls on standard input");
    let calls: Value = serde_json::from_str(&input).expect("a JSON list of calls");
    let verdicts: Vec<Value> = calls.as_array().into_iter().flatten().map(judge).collect();
    println!("{}", Value::Array(verdicts));
}
