//! Heap allocations on the request path, counted with a counting global allocator.
//! Rejecting a preflight, refusing a cross-site request and passing a request without
//! `Origin` must not allocate at all;
//! the other paths allocate only what the `http` types need to hold the answer.

mod common;

use allocation_counter::measure;
use common::headers;
use http::{HeaderMap, Method};
use preflight::{Decision, Policy};

fn policy() -> Policy {
    common::policy(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example.com,https://*.example.org,http://localhost:*",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
    ])
}

/// A response as a handler returns it: a few headers already there.
fn response_headers() -> HeaderMap {
    headers(&[
        ("content-type", "application/json"),
        ("x-request-id", "r-1"),
    ])
}

#[test]
fn rejected_preflights_allocate_nothing() {
    let p = policy();
    let cases = [
        headers(&[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "GET"),
        ]),
        headers(&[
            ("origin", "https://app.example.com.evil.net"),
            ("access-control-request-method", "GET"),
        ]),
        headers(&[("origin", "null"), ("access-control-request-method", "GET")]),
        headers(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "TRACE"),
        ]),
        headers(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "patch"),
        ]),
        headers(&[
            ("origin", "https://app.example.com"),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                "authorization,x-not-allowed",
            ),
        ]),
        headers(&[
            ("origin", "https://a.example.org"),
            ("access-control-request-method", "PUT"),
            (
                "access-control-request-headers",
                &vec!["x-a"; 1000].join(","),
            ),
        ]),
    ];
    for request in &cases {
        let counted = measure(|| {
            let decision = p.decide(&Method::OPTIONS, request);
            assert!(matches!(&decision, Decision::Preflight(pre) if !pre.is_allowed()));
            std::hint::black_box(decision);
        });
        assert_eq!(counted.count_total, 0, "{request:?}");
    }
}

#[test]
fn requests_without_origin_allocate_nothing() {
    let p = policy();
    let request = headers(&[("accept", "application/json")]);
    let mut response = response_headers();
    response.reserve(4);
    let counted = measure(|| {
        let Decision::Forward(actual) = p.decide(&Method::GET, &request) else {
            unreachable!()
        };
        p.apply(&actual, &mut response);
    });
    assert_eq!(counted.count_total, 0);
    assert_eq!(response["vary"], "Origin");
}

#[test]
fn disallowed_actual_requests_allocate_nothing() {
    let p = policy();
    let request = headers(&[("origin", "https://evil.example")]);
    let mut response = response_headers();
    response.reserve(4);
    let counted = measure(|| {
        let Decision::Forward(actual) = p.decide(&Method::GET, &request) else {
            unreachable!()
        };
        p.apply(&actual, &mut response);
    });
    assert_eq!(counted.count_total, 0);
}

#[test]
fn allowed_paths_allocate_only_for_the_answer() {
    let p = policy();
    // Allowed preflight: the decision clones header values (reference-counted, no copy) and
    // the answer's HeaderMap needs its storage.
    let request = headers(&[
        ("origin", "https://a.example.org"),
        ("access-control-request-method", "PUT"),
        (
            "access-control-request-headers",
            "authorization,content-type",
        ),
    ]);
    let decided = measure(|| {
        std::hint::black_box(p.decide(&Method::OPTIONS, &request));
    });
    let answered = measure(|| {
        let Decision::Preflight(pre) = p.decide(&Method::OPTIONS, &request) else {
            unreachable!()
        };
        std::hint::black_box(pre.into_response(()));
    });
    // Allowed actual request into a response with room for the headers.
    let request = headers(&[("origin", "https://app.example.com")]);
    let mut response = response_headers();
    response.reserve(8);
    let actual = measure(|| {
        let Decision::Forward(actual) = p.decide(&Method::GET, &request) else {
            unreachable!()
        };
        p.apply(&actual, &mut response);
    });
    println!(
        "allocations: allowed preflight decision {}, with its response {}, allowed actual request {}",
        decided.count_total, answered.count_total, actual.count_total
    );
    assert!(decided.count_total <= 3, "{}", decided.count_total);
    assert!(answered.count_total <= 6, "{}", answered.count_total);
    assert!(actual.count_total <= 2, "{}", actual.count_total);
}

#[test]
fn cross_site_refusals_allocate_nothing() {
    let p = common::policy(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_REFUSE_CROSS_SITE", "true"),
    ]);
    let cases: [HeaderMap; 3] = [
        headers(&[
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ]),
        headers(&[("sec-fetch-site", "cross-site")]),
        headers(&[
            ("origin", "https://evil.example"),
            ("host", "api.example.com"),
        ]),
    ];
    for request in &cases {
        let counted = measure(|| {
            let decision = p.decide(&Method::POST, request);
            assert!(matches!(decision, Decision::Refuse(_)));
            std::hint::black_box(decision);
        });
        assert_eq!(counted.count_total, 0, "{request:?}");
    }
}
