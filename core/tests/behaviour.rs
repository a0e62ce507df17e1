//! One test per line of the behaviour and edge-case tables in the README.

mod common;

use common::*;

const APP: &str = "https://app.example.com";
const VARY_PREFLIGHT: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

// ---- Requests without Origin ----

#[test]
fn no_origin_runs_the_handler_untouched_but_for_vary() {
    let p = origins(APP);
    let out = send(&p, "GET", &[], 200, &[("content-type", "application/json")]);
    assert!(out.handler_ran);
    assert_eq!(out.status(), 200);
    assert_eq!(out.get("vary"), Some("Origin"));
    assert_eq!(out.get("content-type"), Some("application/json"));
    assert!(out.cors_headers().is_empty());
}

#[test]
fn no_origin_with_any_origin_policy_gets_the_same_answer_as_a_cors_request() {
    // Fetch Standard, "CORS protocol and HTTP caches": a resource that answers `*` should
    // always send it, so a shared cache never serves a copy without it.
    let p = origins("*");
    let out = send(&p, "GET", &[], 200, &[]);
    assert!(out.handler_ran);
    assert_eq!(out.get("access-control-allow-origin"), Some("*"));
    assert_eq!(out.get("vary"), None);
}

#[test]
fn options_without_request_method_goes_to_the_handler() {
    let p = origins(APP);
    let out = send(
        &p,
        "OPTIONS",
        &[("origin", APP)],
        200,
        &[("allow", "GET, PUT")],
    );
    assert!(out.handler_ran);
    assert_eq!(out.get("access-control-allow-origin"), Some(APP));
    assert_eq!(out.get("access-control-allow-methods"), None);
}

#[test]
fn options_without_origin_goes_to_the_handler() {
    let p = origins(APP);
    let out = send(
        &p,
        "OPTIONS",
        &[("access-control-request-method", "PUT")],
        200,
        &[],
    );
    assert!(out.handler_ran);
    assert!(out.cors_headers().is_empty());
}

// ---- Allowed preflights ----

#[test]
fn allowed_preflight_is_answered_without_the_handler() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_MAX_AGE", "600"),
    ]);
    let out = preflight(&p, APP, "PUT", Some("authorization,content-type"));
    assert!(!out.handler_ran, "auth must never see a preflight");
    assert_eq!(out.status(), 204);
    assert_eq!(
        out.get("content-length"),
        None,
        "RFC 9110 forbids it in a 204"
    );
    assert_eq!(out.get("access-control-allow-origin"), Some(APP));
    assert_eq!(out.get("access-control-allow-methods"), Some("PUT"));
    assert_eq!(
        out.get("access-control-allow-headers"),
        Some("authorization, content-type"),
        "a listed CORS_ALLOWED_HEADERS is answered as the policy's list"
    );
    assert_eq!(out.get("access-control-allow-credentials"), Some("true"));
    assert_eq!(out.get("access-control-max-age"), Some("600"));
    assert_eq!(out.get("access-control-allow-private-network"), None);
    assert_eq!(out.all("vary"), [VARY_PREFLIGHT]);
}

#[test]
fn allowed_preflight_without_credentials_or_headers_sends_neither() {
    let p = origins(APP);
    let out = preflight(&p, APP, "DELETE", None);
    assert_eq!(out.status(), 204);
    assert_eq!(out.get("access-control-allow-credentials"), None);
    assert_eq!(out.get("access-control-allow-headers"), None);
    assert_eq!(out.get("access-control-max-age"), Some("7200"));
    let empty = preflight(&p, APP, "DELETE", Some(""));
    assert_eq!(empty.status(), 204);
    assert_eq!(empty.get("access-control-allow-headers"), None);
}

#[test]
fn private_network_is_allowed_only_when_asked_and_enabled() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_PRIVATE_NETWORK", "true"),
    ]);
    let asked = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-private-network", "true"),
        ],
        200,
        &[],
    );
    assert_eq!(asked.status(), 204);
    assert_eq!(
        asked.get("access-control-allow-private-network"),
        Some("true")
    );
    let not_asked = preflight(&p, APP, "GET", None);
    assert_eq!(not_asked.get("access-control-allow-private-network"), None);
}

#[test]
fn private_network_asked_while_off_is_answered_without_the_grant() {
    // No 403: a browser that only warns about Private Network Access (the Chromium releases
    // that sent the header) still passes the preflight; one that enforces it refuses the
    // call for the missing grant, as it would a 403.
    let p = origins(APP);
    let asked = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-private-network", "true"),
        ],
        200,
        &[],
    );
    assert_eq!(asked.status(), 204);
    assert_eq!(asked.get("access-control-allow-origin"), Some(APP));
    assert_eq!(asked.get("access-control-allow-private-network"), None);
    // The answer does not depend on the header, so Vary does not name it.
    assert!(!asked.get("vary").unwrap().contains("Private-Network"));
}

#[test]
fn private_network_answers_vary_on_the_request_header() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_PRIVATE_NETWORK", "true"),
    ]);
    let not_asked = preflight(&p, APP, "GET", None);
    assert!(
        not_asked
            .get("vary")
            .unwrap()
            .contains("Access-Control-Request-Private-Network"),
        "{:?}",
        not_asked.get("vary")
    );
}

// ---- Rejected preflights ----

#[test]
fn rejected_preflights_get_403_no_cors_headers_same_vary_and_one_warning() {
    let p = origins(APP);
    let cases: [(&str, &str, Option<&str>, &str); 4] = [
        (
            "https://evil.example",
            "GET",
            None,
            "not in CORS_ALLOWED_ORIGINS",
        ),
        (APP, "PROPFIND", None, "not in CORS_ALLOWED_METHODS"),
        (
            APP,
            "PUT",
            Some("x-request-id"),
            "not in CORS_ALLOWED_HEADERS",
        ),
        (
            APP,
            "PUT",
            Some("content-type,x-debug"),
            "not in CORS_ALLOWED_HEADERS",
        ),
    ];
    for (origin, method, names, rule) in cases {
        let (out, logs) = capture_logs(|| preflight(&p, origin, method, names));
        assert!(!out.handler_ran);
        assert_eq!(out.status(), 403, "{origin} {method} {names:?}");
        assert!(out.cors_headers().is_empty(), "{:?}", out.cors_headers());
        assert_eq!(out.all("vary"), [VARY_PREFLIGHT]);
        assert_eq!(
            out.get("content-length"),
            None,
            "the platform frames the body"
        );
        assert_eq!(logs.matches("WARN").count(), 1, "{logs}");
        assert!(logs.contains(rule), "{logs}");
        assert!(logs.contains(origin), "{logs}");
        assert!(logs.contains(method), "{logs}");
        if let Some(names) = names {
            assert!(logs.contains(names), "{logs}");
        }
    }
}

// ---- Actual requests ----

#[test]
fn allowed_actual_responses_get_cors_headers_whatever_the_status() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
    ]);
    for status in [200, 201, 204, 301, 400, 401, 403, 404, 405, 500, 502, 504] {
        let out = send(
            &p,
            "PUT",
            &[("origin", APP)],
            status,
            &[("x-request-id", "r1")],
        );
        assert!(out.handler_ran);
        assert_eq!(out.status(), status);
        assert_eq!(out.all("access-control-allow-origin"), [APP], "{status}");
        assert_eq!(out.get("access-control-allow-credentials"), Some("true"));
        assert_eq!(
            out.get("access-control-expose-headers"),
            Some("X-Request-Id")
        );
        assert_eq!(out.get("vary"), Some("Origin"));
        assert_eq!(out.get("access-control-allow-methods"), None);
        assert_eq!(out.get("access-control-max-age"), None);
    }
}

#[test]
fn existing_vary_is_kept_and_merged_into_one_value() {
    let p = origins(APP);
    let out = send(
        &p,
        "GET",
        &[("origin", APP)],
        200,
        &[("vary", "Accept-Encoding"), ("vary", "Accept-Language")],
    );
    assert_eq!(
        out.all("vary"),
        ["Accept-Encoding, Accept-Language, Origin"]
    );
    let out = send(&p, "GET", &[("origin", APP)], 200, &[("vary", "*")]);
    assert_eq!(out.all("vary"), ["*"]);
    let out = send(
        &p,
        "GET",
        &[("origin", APP)],
        200,
        &[("vary", "origin, accept")],
    );
    assert_eq!(out.all("vary"), ["origin, accept"]);
}

#[test]
fn cors_headers_set_by_the_handler_are_replaced_never_duplicated() {
    let p = origins(APP);
    let handler_headers = [
        ("access-control-allow-origin", "*"),
        ("access-control-allow-origin", "https://other.example"),
        ("access-control-allow-credentials", "true"),
        ("access-control-allow-methods", "*"),
        ("access-control-allow-headers", "*"),
        ("access-control-expose-headers", "*"),
        ("access-control-max-age", "99999"),
        ("access-control-allow-private-network", "true"),
        ("access-control-something-else", "x"),
    ];
    let out = send(&p, "GET", &[("origin", APP)], 200, &handler_headers);
    assert_eq!(out.all("access-control-allow-origin"), [APP]);
    assert_eq!(out.cors_headers(), ["access-control-allow-origin"]);
    for origin in [None, Some("https://evil.example")] {
        let request: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        let out = send(&p, "GET", &request, 200, &handler_headers);
        assert!(
            out.cors_headers().is_empty(),
            "{origin:?}: {:?}",
            out.cors_headers()
        );
    }
}

#[test]
fn disallowed_actual_request_runs_the_handler_without_cors_headers() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    let (out, logs) = capture_logs(|| get(&p, "https://evil.example"));
    assert!(
        out.handler_ran,
        "CORS is not access control: the handler runs"
    );
    assert_eq!(out.status(), 200);
    assert!(out.cors_headers().is_empty());
    assert_eq!(out.get("vary"), Some("Origin"));
    assert!(
        logs.contains("DEBUG") && logs.contains("disallowed origin"),
        "{logs}"
    );
}

// ---- Origins ----

#[test]
fn origins_match_only_as_browsers_serialize_them() {
    let p = origins("https://example.com,https://*.example.org");
    for attack in [
        "https://evilexample.com",
        "https://example.com.evil.net",
        "http://example.com",
        "https://example.com:8443",
        "null",
        "https://EXAMPLE.com",
        "https://example.com/",
        "https://example.com:443",
        "https://example.org",
        "https://evilexample.org",
        "https://a.example.org.evil.net",
        "https://a_b.example.org",
        "https://a%2eexample.org",
        "https://user@example.com",
    ] {
        assert_eq!(
            get(&p, attack).get("access-control-allow-origin"),
            None,
            "{attack}"
        );
        assert_eq!(preflight(&p, attack, "GET", None).status(), 403, "{attack}");
    }
    assert_eq!(
        get(&p, "https://example.com").get("access-control-allow-origin"),
        Some("https://example.com")
    );
    assert_eq!(
        get(&p, "https://a.b.example.org").get("access-control-allow-origin"),
        Some("https://a.b.example.org")
    );
}

#[test]
fn localhost_port_wildcard_matches_every_port_and_the_default_only() {
    let p = origins("http://localhost:*");
    for ok in [
        "http://localhost",
        "http://localhost:3000",
        "http://localhost:5173",
    ] {
        assert_eq!(preflight(&p, ok, "GET", None).status(), 204, "{ok}");
    }
    for bad in [
        "http://localhost:+3000",
        "http://localhost:03000",
        "http://localhost:80",
        "https://localhost:3000",
    ] {
        assert_eq!(preflight(&p, bad, "GET", None).status(), 403, "{bad}");
    }
}

#[test]
fn any_origin_policy_answers_star_without_vary_origin() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
    ]);
    let out = get(&p, "https://anything.example");
    assert_eq!(out.get("access-control-allow-origin"), Some("*"));
    assert_eq!(
        out.get("access-control-expose-headers"),
        Some("X-Request-Id")
    );
    assert_eq!(out.get("vary"), None);
    let pre = preflight(&p, "https://anything.example", "PUT", Some("content-type"));
    assert_eq!(pre.status(), 204);
    assert_eq!(pre.get("access-control-allow-origin"), Some("*"));
    assert_eq!(
        pre.all("vary"),
        ["Access-Control-Request-Method, Access-Control-Request-Headers"]
    );
    // `*` is a public API: it answers every origin alike, `null` included (browsers accept
    // `*` for it too), and echoes nothing from the request's Origin.
    for odd in ["null", "https://A.example", "https://x.example/"] {
        let pre = preflight(&p, odd, "PUT", None);
        assert_eq!(pre.status(), 204, "{odd}");
        assert_eq!(pre.get("access-control-allow-origin"), Some("*"));
        let out = get(&p, odd);
        assert_eq!(out.get("access-control-allow-origin"), Some("*"));
        assert_eq!(out.get("vary"), None);
    }
    // Methods and headers are still checked.
    assert_eq!(
        preflight(&p, "https://anything.example", "PUT", Some("x-debug")).status(),
        403
    );
}

// ---- Methods ----

#[test]
fn allow_methods_names_exactly_the_requested_method() {
    let p = origins(APP);
    for method in ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] {
        let out = preflight(&p, APP, method, None);
        assert_eq!(out.status(), 204);
        assert_eq!(out.all("access-control-allow-methods"), [method]);
    }
}

#[test]
fn methods_compare_case_sensitively_and_the_log_explains_patch() {
    let p = origins(APP);
    let (out, logs) = capture_logs(|| preflight(&p, APP, "patch", None));
    assert_eq!(out.status(), 403);
    assert!(logs.contains("fetch() sends"), "{logs}");
    assert!(logs.contains("`patch` stays `patch`"), "{logs}");
}

#[test]
fn star_methods_and_headers_work_with_credentials_by_echoing() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOWED_METHODS", "*"),
        ("CORS_ALLOWED_HEADERS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    let out = preflight(&p, APP, "PROPFIND", Some("authorization,x-anything"));
    assert_eq!(out.status(), 204);
    assert_eq!(out.get("access-control-allow-methods"), Some("PROPFIND"));
    assert_eq!(
        out.get("access-control-allow-headers"),
        Some("authorization,x-anything")
    );
    assert_eq!(out.get("access-control-allow-credentials"), Some("true"));
}

#[test]
fn max_age_zero_is_sent_as_zero() {
    let p = policy(&[("CORS_ALLOWED_ORIGINS", APP), ("CORS_MAX_AGE", "0")]);
    assert_eq!(
        preflight(&p, APP, "PUT", None).get("access-control-max-age"),
        Some("0")
    );
}

// ---- Hostile requests ----

#[test]
fn repeated_or_empty_request_headers_are_judged_alike_on_every_platform() {
    let p = origins(APP);
    let two_origins = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("origin", APP),
            ("access-control-request-method", "GET"),
        ],
        200,
        &[],
    );
    assert_eq!(two_origins.status(), 403);
    let two_methods = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-method", "PUT"),
        ],
        200,
        &[],
    );
    assert_eq!(two_methods.status(), 403);
    let two_lists = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization"),
            ("access-control-request-headers", "content-type"),
        ],
        200,
        &[],
    );
    // Two Access-Control-Request-Headers lines are one list (API Gateway HTTP APIs,
    // function URLs and Workers join them with commas before the function sees them), so
    // the verdict is the same wherever the request arrives.
    assert_eq!(two_lists.status(), 204);
    assert_eq!(
        two_lists.get("access-control-allow-headers"),
        Some("authorization, content-type")
    );
    let two_lists_one_refused = send(
        &p,
        "OPTIONS",
        &[
            ("origin", APP),
            ("access-control-request-method", "GET"),
            ("access-control-request-headers", "authorization"),
            ("access-control-request-headers", "x-evil"),
        ],
        200,
        &[],
    );
    assert_eq!(two_lists_one_refused.status(), 403);
    let empty_origin = send(
        &p,
        "OPTIONS",
        &[("origin", ""), ("access-control-request-method", "GET")],
        200,
        &[],
    );
    assert_eq!(empty_origin.status(), 403);
    let empty_method = preflight(&p, APP, "", None);
    assert_eq!(empty_method.status(), 403);
    // On actual requests a repeated Origin is simply not allowed.
    let actual = send(&p, "GET", &[("origin", APP), ("origin", APP)], 200, &[]);
    assert!(actual.handler_ran && actual.cors_headers().is_empty());
}

#[test]
fn hostile_request_header_lists_are_refused() {
    let p = policy(&[("CORS_ALLOWED_ORIGINS", APP), ("CORS_ALLOWED_HEADERS", "*")]);
    let thousands = vec!["x-a"; 5000].join(",");
    let sixty_five = vec!["x-a"; 65].join(",");
    let sixty_four = vec!["x-a"; 64].join(",");
    let long_name = "x".repeat(257);
    let huge = "x-".repeat(50_000);
    for (names, status) in [
        (thousands.as_str(), 403),
        (sixty_five.as_str(), 403),
        (sixty_four.as_str(), 204),
        (long_name.as_str(), 403),
        (huge.as_str(), 403),
        ("a,,b", 403),
        (",", 403),
        ("x-a, ", 403),
        ("x-é", 403),
        ("x y", 403),
    ] {
        let mut request = headers(&[("origin", APP), ("access-control-request-method", "GET")]);
        request.insert(
            "access-control-request-headers",
            http::HeaderValue::from_bytes(names.as_bytes()).unwrap(),
        );
        let preflight::Decision::Preflight(answer) = p.decide(&http::Method::OPTIONS, &request)
        else {
            panic!("a preflight")
        };
        assert_eq!(
            answer.status().as_u16(),
            status,
            "{}",
            &names[..names.len().min(40)]
        );
    }
}

#[test]
fn non_ascii_and_huge_origins_are_refused() {
    let p = origins(APP);
    let huge = format!("https://{}.example.com", "a".repeat(100_000));
    for origin in [
        huge.as_bytes(),
        "https://äpp.example.com".as_bytes(),
        b"https://app.example.com\xff",
    ] {
        let mut request = headers(&[("access-control-request-method", "GET")]);
        request.insert("origin", http::HeaderValue::from_bytes(origin).unwrap());
        let preflight::Decision::Preflight(answer) = p.decide(&http::Method::OPTIONS, &request)
        else {
            panic!("a preflight")
        };
        assert_eq!(answer.status(), 403);
    }
}
