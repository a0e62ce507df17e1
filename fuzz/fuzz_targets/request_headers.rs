//! `Access-Control-Request-Headers`: arbitrary values on an otherwise valid preflight.
//! Invariants: never panics; an allowed preflight's requested names are all in the allowed
//! list (case-insensitively) and within the caps; the answer satisfies every response
//! invariant.
#![no_main]

use http::{HeaderMap, HeaderValue, Method};
use libfuzzer_sys::fuzz_target;
use preflight::Decision;

fuzz_target!(|data: &[u8]| {
    let policy = preflight::Policy::builder()
        .allowed_origins(["https://app.example.com"])
        .allowed_headers(["Authorization", "Content-Type", "X-Trace"])
        .build()
        .unwrap();
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        "origin",
        HeaderValue::from_static("https://app.example.com"),
    );
    headers.insert(
        "access-control-request-method",
        HeaderValue::from_static("PUT"),
    );
    headers.insert("access-control-request-headers", value.clone());
    preflight_fuzz::check_answer(&policy, &Method::OPTIONS, &headers);
    let Decision::Preflight(preflight) = policy.decide(&Method::OPTIONS, &headers) else {
        panic!("a preflight was not recognised");
    };
    if preflight.is_allowed() {
        let text = value.to_str().expect("allowed names are ASCII");
        let names: Vec<&str> = text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        assert!(names.len() <= preflight::MAX_REQUEST_HEADER_NAMES);
        for name in names {
            assert!(
                ["authorization", "content-type", "x-trace"]
                    .contains(&name.to_ascii_lowercase().as_str()),
                "allowed a header that is not listed: {name:?}"
            );
        }
    }
});
