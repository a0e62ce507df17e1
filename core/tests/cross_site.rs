//! The cross-site request guard (`CORS_REFUSE_CROSS_SITE=true`): a state-changing request a
//! browser sent from another site, from an origin the policy does not allow, is refused with
//! a `403` before the handler. The decision table follows Go's
//! `net/http.CrossOriginProtection`: `Sec-Fetch-Site` first, `Origin` against `Host` for
//! browsers that do not send it, the allowlist for everything else.

mod common;

use common::{capture_logs, headers, send};
use http::{Method, Request, Response};
use preflight::handler::{self, Generated, CROSS_SITE_BODY};
use preflight::{CrossSite, Decision, Policy, Settings};

const APP: &str = "https://app.example.com";
const EVIL: &str = "https://evil.example";

fn guarded() -> Policy {
    common::policy(&[
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_REFUSE_CROSS_SITE", "true"),
    ])
}

/// `None`: the handler runs; `Some(reason)`: refused.
fn verdict(policy: &Policy, method: &str, lines: &[(&str, &str)]) -> Option<CrossSite> {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    match policy.decide(&method, &headers(lines)) {
        Decision::Refuse(refused) => Some(refused.reason()),
        Decision::Forward(_) | Decision::Preflight(_) => None,
    }
}

/// A method, the request's header lines, the verdict, and what the case shows.
type Case<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    Option<CrossSite>,
    &'a str,
);

#[test]
fn the_decision_table() {
    let p = guarded();
    let host = ("host", "api.example.com");
    let cases: &[Case] = &[
        // Browsers that send Sec-Fetch-Site.
        (
            "POST",
            &[("origin", APP), ("sec-fetch-site", "cross-site")],
            None,
            "an allowed origin passes",
        ),
        (
            "POST",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            Some(CrossSite::OriginNotAllowed),
            "a form POST from another site",
        ),
        (
            "PUT",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            Some(CrossSite::OriginNotAllowed),
            "PUT",
        ),
        (
            "DELETE",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            Some(CrossSite::OriginNotAllowed),
            "DELETE",
        ),
        (
            "PATCH",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            Some(CrossSite::OriginNotAllowed),
            "PATCH",
        ),
        (
            "POST",
            &[
                ("origin", "https://other.example.com"),
                ("sec-fetch-site", "same-site"),
            ],
            Some(CrossSite::OriginNotAllowed),
            "a sibling subdomain is another origin",
        ),
        (
            "POST",
            &[("sec-fetch-site", "cross-site")],
            Some(CrossSite::NoOrigin),
            "cross-site without Origin",
        ),
        (
            "POST",
            &[("origin", "null"), ("sec-fetch-site", "cross-site")],
            Some(CrossSite::OriginNotAllowed),
            "a sandboxed page (Origin: null)",
        ),
        (
            "POST",
            &[
                ("origin", APP),
                ("origin", EVIL),
                ("sec-fetch-site", "cross-site"),
            ],
            Some(CrossSite::OriginNotAllowed),
            "two Origin lines",
        ),
        (
            "POST",
            &[("origin", EVIL), ("sec-fetch-site", "same-origin")],
            None,
            "same-origin (the browser says so)",
        ),
        (
            "POST",
            &[("sec-fetch-site", "none")],
            None,
            "the user's own navigation",
        ),
        (
            "POST",
            &[("origin", EVIL), ("sec-fetch-site", "bogus")],
            Some(CrossSite::OriginNotAllowed),
            "an unknown Sec-Fetch-Site value is not trusted",
        ),
        // Safe methods are never refused.
        (
            "GET",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            None,
            "GET",
        ),
        (
            "HEAD",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            None,
            "HEAD",
        ),
        (
            "OPTIONS",
            &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
            None,
            "OPTIONS that is not a preflight",
        ),
        // Without Sec-Fetch-Site: non-browser clients, old browsers.
        ("POST", &[], None, "curl, a server, a webhook"),
        (
            "POST",
            &[("origin", "https://api.example.com"), host],
            None,
            "same origin by Host",
        ),
        (
            "POST",
            &[("origin", "https://API.example.com"), host],
            None,
            "host names compare without case",
        ),
        (
            "POST",
            &[("origin", EVIL), host],
            Some(CrossSite::OriginNotAllowed),
            "another origin by Host",
        ),
        (
            "POST",
            &[("origin", "https://api.example.com:8443"), host],
            Some(CrossSite::OriginNotAllowed),
            "another port",
        ),
        (
            "POST",
            &[("origin", APP), host],
            None,
            "an allowed origin, by the list",
        ),
        (
            "POST",
            &[("origin", EVIL)],
            Some(CrossSite::OriginNotAllowed),
            "an Origin and no Host",
        ),
    ];
    for (method, lines, expected, name) in cases {
        assert_eq!(
            verdict(&p, method, lines),
            *expected,
            "{name}: {method} {lines:?}"
        );
    }
}

#[test]
fn a_preflight_is_a_preflight_whatever_the_guard() {
    let p = guarded();
    let request = headers(&[
        ("origin", EVIL),
        ("access-control-request-method", "POST"),
        ("sec-fetch-site", "cross-site"),
    ]);
    let Decision::Preflight(preflight) = p.decide(&Method::OPTIONS, &request) else {
        panic!("not a preflight");
    };
    assert!(!preflight.is_allowed());
}

#[test]
fn without_the_guard_nothing_is_refused() {
    let p = common::policy(&[("CORS_ALLOWED_ORIGINS", APP)]);
    assert!(!p.refuses_cross_site());
    for method in ["POST", "PUT", "DELETE"] {
        let lines = [("origin", EVIL), ("sec-fetch-site", "cross-site")];
        assert_eq!(verdict(&p, method, &lines), None);
        assert_eq!(
            verdict(&p, method, &[("sec-fetch-site", "cross-site")]),
            None
        );
    }
}

#[test]
fn a_refusal_never_runs_the_handler_and_carries_no_cors_header() {
    let p = guarded();
    let outcome = send(
        &p,
        "POST",
        &[("origin", EVIL), ("sec-fetch-site", "cross-site")],
        200,
        &[("access-control-allow-origin", "*")],
    );
    assert!(!outcome.handler_ran);
    assert_eq!(outcome.response.status(), 403);
    assert!(outcome.cors_headers().is_empty());
    assert_eq!(outcome.response.headers()["vary"], "Origin");
}

#[tokio::test]
async fn the_request_cycle_answers_403_with_a_body_and_the_request_id() {
    let p = guarded();
    let request = Request::builder()
        .method("POST")
        .uri("/items")
        .header("origin", EVIL)
        .header("sec-fetch-site", "cross-site")
        .body(())
        .unwrap();
    let id = Some(http::HeaderValue::from_static("req-9"));
    let ran = std::cell::Cell::new(false);
    let response: Response<String> = handler::serve(Ok(&p), id, request, |_req| async {
        ran.set(true);
        Ok::<_, String>(Response::new("the handler".into()))
    })
    .await;
    assert!(!ran.get());
    assert_eq!(response.status(), 403);
    assert_eq!(response.body(), CROSS_SITE_BODY);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(response.headers()["x-request-id"], "req-9");
    assert_eq!(
        response.extensions().get::<Generated>(),
        Some(&Generated::CrossSiteRefused)
    );
    assert!(response
        .headers()
        .get("access-control-allow-origin")
        .is_none());
}

#[test]
fn a_refusal_is_logged_with_the_rule_and_the_variable_to_change() {
    let p = guarded();
    let request = headers(&[("origin", EVIL), ("sec-fetch-site", "cross-site")]);
    let (_, log) = capture_logs(|| drop(p.decide(&Method::POST, &request)));
    assert!(log.contains("WARN"), "{log}");
    assert!(log.contains("cross-site request refused"), "{log}");
    assert!(log.contains("origin=https://evil.example"), "{log}");
    assert!(log.contains("sec_fetch_site=cross-site"), "{log}");
    assert!(
        log.contains("fix=\"CORS_ALLOWED_ORIGINS\"") || log.contains("fix=CORS_ALLOWED_ORIGINS"),
        "{log}"
    );
}

#[test]
fn the_variable_is_validated_and_warned_about_with_any_origin() {
    let error = Settings::from_vars([
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_REFUSE_CROSS_SITE", "yes"),
    ])
    .build()
    .unwrap_err();
    let problem = error.errors().next().unwrap();
    assert_eq!(problem.code(), "boolean-invalid");
    assert_eq!(problem.variable(), "CORS_REFUSE_CROSS_SITE");

    let any = Settings::from_vars([
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_REFUSE_CROSS_SITE", "true"),
    ])
    .build()
    .unwrap();
    let codes: Vec<&str> = any.warnings().iter().map(|w| w.code()).collect();
    assert_eq!(codes, ["cross-site-guard-with-any-origin"]);
    // With `*` only a cross-site request without Origin is refused.
    let lines = [("origin", EVIL), ("sec-fetch-site", "cross-site")];
    assert_eq!(verdict(&any, "POST", &lines), None);
    assert_eq!(
        verdict(&any, "POST", &[("sec-fetch-site", "cross-site")]),
        Some(CrossSite::NoOrigin)
    );
}

#[test]
fn the_builder_and_the_description_know_the_guard() {
    let p = Policy::builder()
        .allowed_origins([APP])
        .refuse_cross_site(true)
        .build()
        .unwrap();
    assert!(p.refuses_cross_site());
    assert!(p.describe().refuse_cross_site);
    assert!(
        p.to_string().ends_with("; cross-site requests refused"),
        "{p}"
    );
    let off = Policy::builder().allowed_origins([APP]).build().unwrap();
    assert!(!off.to_string().contains("cross-site"), "{off}");
}
