//! One test per way CORS setups go wrong (shared/BROWSER-RULES.md, "How CORS setups go
//! wrong"): each must be impossible or refused with a clear message. Classes that live in a
//! platform's configuration (13, 14: gateway, vercel.json, function URL) are tested with the
//! adapters; here the core's part of them is.

mod common;

use common::*;
use preflight::{Settings, Severity};

const APP: &str = "https://app.example.com";

fn refused(vars: &[(&str, &str)]) -> String {
    Settings::from_vars(vars.iter().copied())
        .build()
        .expect_err("must be refused")
        .to_string()
}

#[test]
fn class_01_reflecting_any_origin_is_impossible() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    for origin in [
        "https://evil.example",
        "https://attacker.test",
        "http://localhost:1",
    ] {
        assert_eq!(
            get(&p, origin).get("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
    // The only way to allow every origin is `*`, which is never reflected and never credentialed.
    let any = origins("*");
    assert_eq!(
        get(&any, "https://evil.example").get("access-control-allow-origin"),
        Some("*")
    );
    assert!(refused(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true")
    ])
    .contains("reflecting every origin"));
}

#[test]
fn class_02_null_is_never_trusted() {
    assert!(refused(&[("CORS_ALLOWED_ORIGINS", "null")]).contains("trusts everyone"));
    let p = origins(APP);
    assert_eq!(get(&p, "null").get("access-control-allow-origin"), None);
    assert_eq!(preflight(&p, "null", "PUT", None).status(), 403);
}

#[test]
fn class_03_prefix_matching_is_impossible() {
    let p = origins("https://example.com,https://*.example.org");
    assert_eq!(
        get(&p, "https://example.com.evil.net").get("access-control-allow-origin"),
        None
    );
    assert_eq!(
        get(&p, "https://a.example.org.evil.net").get("access-control-allow-origin"),
        None
    );
}

#[test]
fn class_04_suffix_matching_is_impossible() {
    let p = origins("https://*.example.com");
    assert_eq!(
        get(&p, "https://evilexample.com").get("access-control-allow-origin"),
        None
    );
    assert!(
        refused(&[("CORS_ALLOWED_ORIGINS", "https://*example.com")]).contains("evilexample.com")
    );
}

#[test]
fn class_05_substring_and_regex_matching_is_impossible() {
    let p = origins("https://www.example.com");
    for origin in [
        "https://wwwxexample.com",
        "https://www.example.com.x",
        "https://xwww.example.com",
        "https://www-example.com",
    ] {
        assert_eq!(
            get(&p, origin).get("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[test]
fn class_06_unusual_host_characters_never_match() {
    let p = origins("https://*.example.com");
    for origin in [
        "https://a_b.example.com",
        "https://a`b.example.com",
        "https://a%2eb.example.com",
        "https://user@a.example.com",
        "https://evil.net@a.example.com",
        "https://a.example.com\\@evil.net",
        "https://a.example.com%00.evil.net",
        "https://A.example.com",
    ] {
        assert_eq!(
            get(&p, origin).get("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
    // A host with `_` (a Docker Compose service name) can be listed exactly, and matches
    // only itself; patterns never cover it.
    let listed = origins("https://a_b.example.com,http://my_service:*");
    assert!(get(&listed, "https://a_b.example.com")
        .get("access-control-allow-origin")
        .is_some());
    assert!(get(&listed, "http://my_service:8080")
        .get("access-control-allow-origin")
        .is_some());
    assert!(get(&listed, "https://a-b.example.com")
        .get("access-control-allow-origin")
        .is_none());
    assert!(refused(&[("CORS_ALLOWED_ORIGINS", "https://*.a_b.example.com")]).contains("`_`"));
    assert!(refused(&[("CORS_ALLOWED_ORIGINS", "https://a`b.example.com")]).contains("'`'"));
}

#[test]
fn class_07_https_sites_trusting_http_origins_with_credentials_is_refused() {
    assert!(refused(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://app.example.com,http://app.example.com"
        ),
        ("CORS_ALLOW_CREDENTIALS", "true")
    ])
    .contains("network"));
    let p = origins(APP);
    assert_eq!(
        get(&p, "http://app.example.com").get("access-control-allow-origin"),
        None
    );
}

#[test]
fn class_08_shared_hosting_suffixes() {
    for shared in [
        "vercel.app",
        "workers.dev",
        "pages.dev",
        "github.io",
        "netlify.app",
        "amazonaws.com",
    ] {
        let entry = format!("https://*.{shared}");
        assert!(refused(&[
            ("CORS_ALLOWED_ORIGINS", &entry),
            ("CORS_ALLOW_CREDENTIALS", "true")
        ])
        .contains("strangers"));
        let p = origins(&entry);
        assert_eq!(p.warnings()[0].severity(), Severity::Warning);
    }
}

#[test]
fn class_09_star_with_credentials_is_refused() {
    let report = refused(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    assert!(
        report.contains("CORS_ALLOWED_ORIGINS") && report.contains("list the origins"),
        "{report}"
    );
}

#[test]
fn class_10_vary_origin_whenever_the_answer_depends_on_it() {
    let p = origins(APP);
    for origin in [None, Some(APP), Some("https://evil.example")] {
        let request: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        let out = send(&p, "GET", &request, 200, &[]);
        assert_eq!(out.get("vary"), Some("Origin"), "{origin:?}");
    }
    assert!(preflight(&p, APP, "PUT", None)
        .get("vary")
        .unwrap()
        .starts_with("Origin"));
    assert!(preflight(&p, "https://evil.example", "PUT", None)
        .get("vary")
        .unwrap()
        .starts_with("Origin"));
}

#[test]
fn class_11_rejected_preflights_reveal_nothing() {
    let p = policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_MAX_AGE", "600"),
    ]);
    let out = preflight(&p, "https://evil.example", "PUT", Some("authorization"));
    assert_eq!(out.status(), 403);
    assert!(out.cors_headers().is_empty(), "{:?}", out.cors_headers());
}

#[test]
fn class_12_hostile_request_headers_cost_bounded_work() {
    let p = policy(&[("CORS_ALLOWED_ORIGINS", APP), ("CORS_ALLOWED_HEADERS", "*")]);
    let hostile = vec!["x-a"; 10_000].join(",");
    let out = preflight(&p, APP, "PUT", Some(&hostile));
    assert_eq!(out.status(), 403);
    let long = "a".repeat(1_000_000);
    assert_eq!(preflight(&p, APP, "PUT", Some(&long)).status(), 403);
}

#[test]
fn class_13_preflights_are_answered_before_auth_and_routing() {
    // The handler (auth, router) is never called for a preflight, allowed or not.
    let p = origins(APP);
    assert!(!preflight(&p, APP, "PUT", Some("authorization")).handler_ran);
    assert!(!preflight(&p, "https://evil.example", "PUT", None).handler_ran);
}

#[test]
fn class_14_handler_cors_headers_never_duplicate_ours() {
    let p = origins(APP);
    let out = send(
        &p,
        "GET",
        &[("origin", APP)],
        200,
        &[
            ("access-control-allow-origin", "*"),
            ("access-control-allow-origin", APP),
        ],
    );
    assert_eq!(out.all("access-control-allow-origin"), [APP]);
}

#[test]
fn class_15_error_responses_carry_cors_headers() {
    let p = origins(APP);
    for status in [400, 401, 403, 404, 500, 502, 503, 504] {
        assert_eq!(
            send(&p, "GET", &[("origin", APP)], status, &[]).get("access-control-allow-origin"),
            Some(APP),
            "{status}"
        );
    }
}
