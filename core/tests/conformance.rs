//! The conformance table: `fetch()` calls as a browser makes them, played through a policy
//! and judged by the browser model (the Fetch Standard's CORS checks, with Chromium's
//! messages). Each row is one rule of the Fetch Standard or web-platform-tests (`cors/`,
//! `fetch/api/cors/`): safelisted methods and headers, preflight triggers, origin
//! serialization, credentials, wildcard semantics.

mod common;

use http::{Method, Response, StatusCode};
use preflight::{Decision, Policy};
use preflight_browser::{self as browser, Fetch};

/// The policies rows refer to by name.
fn policy(name: &str) -> Policy {
    let vars: &[(&str, &str)] = match name {
        "list" => &[
            (
                "CORS_ALLOWED_ORIGINS",
                "https://app.example.com,https://*.example.org,http://localhost:*",
            ),
            ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
        ],
        "creds" => &[
            (
                "CORS_ALLOWED_ORIGINS",
                "https://app.example.com,https://*.example.org,http://localhost:*",
            ),
            ("CORS_ALLOW_CREDENTIALS", "true"),
            ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
        ],
        "any" => &[
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_EXPOSE_HEADERS", "X-Request-Id"),
        ],
        "any-all" => &[
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_ALLOWED_METHODS", "*"),
            ("CORS_ALLOWED_HEADERS", "*"),
            ("CORS_EXPOSE_HEADERS", "*"),
        ],
        "narrow" => &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_ALLOWED_METHODS", "GET,PATCH"),
            ("CORS_ALLOWED_HEADERS", "X-Custom"),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ],
        "stars-creds" => &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_ALLOWED_METHODS", "*"),
            ("CORS_ALLOWED_HEADERS", "*"),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ],
        other => panic!("no policy {other}"),
    };
    common::policy(vars)
}

const APP: &str = "https://app.example.com";
const OK: &str = "ok";
/// Chromium's message for a preflight answered without CORS headers (our 403).
const PREFLIGHT_REFUSED: &str = "Response to preflight request doesn't pass access control check";
const NO_ACAO: &str = "No 'Access-Control-Allow-Origin' header is present";
const WILDCARD_CREDS: &str = "must not be the wildcard '*'";
const ACAC: &str = "Access-Control-Allow-Credentials";

/// (policy, origin, method, request headers, credentials, expected: "ok" or a message part,
/// whether a preflight is sent)
type Row = (
    &'static str,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
    bool,
    &'static str,
    bool,
);

const JSON: (&str, &str) = ("Content-Type", "application/json");
const AUTH: (&str, &str) = ("Authorization", "Bearer t");

const ROWS: &[Row] = &[
    // -- Simple requests: safelisted methods and headers, no preflight (Fetch "CORS-safelisted").
    ("list", APP, "GET", &[], false, OK, false),
    ("list", APP, "HEAD", &[], false, OK, false),
    ("list", APP, "POST", &[], false, OK, false),
    (
        "list",
        APP,
        "POST",
        &[("Content-Type", "text/plain")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "POST",
        &[("Content-Type", "text/plain;charset=UTF-8")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "POST",
        &[("Content-Type", "application/x-www-form-urlencoded")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "POST",
        &[("Content-Type", "multipart/form-data; boundary=x")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Accept", "application/json")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Accept-Language", "en-GB")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Content-Language", "de")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Range", "bytes=0-")],
        false,
        OK,
        false,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Range", "bytes=0-99")],
        false,
        OK,
        false,
    ),
    (
        "list",
        "http://localhost:3000",
        "GET",
        &[],
        false,
        OK,
        false,
    ),
    // -- Preflight triggers: non-safelisted methods, headers and values.
    ("list", APP, "PUT", &[], false, OK, true),
    ("list", APP, "DELETE", &[], false, OK, true),
    ("list", APP, "PATCH", &[], false, OK, true),
    ("list", APP, "POST", &[JSON], false, OK, true),
    ("list", APP, "PUT", &[JSON, AUTH], false, OK, true),
    ("list", APP, "GET", &[AUTH], false, OK, true),
    (
        "list",
        APP,
        "GET",
        &[("Content-Type", "application/json; charset=utf-8")],
        false,
        OK,
        true,
    ),
    (
        "list",
        APP,
        "GET",
        &[("X-Request-Id", "1")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Range", "bytes=0-1,5-6")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Range", "bytes=-5")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Accept", "text/html(")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        APP,
        "GET",
        &[("Content-Language", "de(x)")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    ("list", APP, "OPTIONS", &[], false, PREFLIGHT_REFUSED, true),
    ("list", APP, "PROPFIND", &[], false, PREFLIGHT_REFUSED, true),
    // -- Method case: browsers upper-case only the six standard methods.
    ("list", APP, "put", &[], false, OK, true),
    ("list", APP, "delete", &[], false, OK, true),
    ("list", APP, "patch", &[], false, PREFLIGHT_REFUSED, true),
    ("narrow", APP, "PATCH", &[], false, OK, true),
    ("narrow", APP, "patch", &[], false, PREFLIGHT_REFUSED, true),
    ("any-all", APP, "patch", &[], false, OK, true),
    // -- Origins: exact, pattern, port wildcard, and what must never match.
    (
        "list",
        "https://a.example.org",
        "GET",
        &[],
        false,
        OK,
        false,
    ),
    (
        "list",
        "https://a.b.example.org",
        "PUT",
        &[JSON],
        false,
        OK,
        true,
    ),
    ("list", "http://localhost", "GET", &[], false, OK, false),
    ("list", "http://localhost:3000", "PUT", &[], false, OK, true),
    (
        "list",
        "http://localhost:5173",
        "DELETE",
        &[],
        false,
        OK,
        true,
    ),
    (
        "list",
        "https://example.org",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://example.org",
        "PUT",
        &[],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        "https://evil.example",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://evil.example",
        "PUT",
        &[JSON],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        "https://app.example.com.evil.net",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://app.example.com.evil.net",
        "DELETE",
        &[],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        "https://evilexample.org",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://a.example.org.evil.net",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "http://app.example.com",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "http://app.example.com",
        "PUT",
        &[],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "list",
        "https://app.example.com:8443",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://localhost:3000",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "http://127.0.0.1:3000",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "http://localhost.evil.net",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    ("list", "null", "GET", &[], false, NO_ACAO, false),
    ("list", "null", "PUT", &[], false, PREFLIGHT_REFUSED, true),
    (
        "list",
        "https://xn--pp-qla.example.com",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://app.example.co",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://ap.example.com",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    (
        "list",
        "https://wwwxapp.example.com",
        "GET",
        &[],
        false,
        NO_ACAO,
        false,
    ),
    // -- Credentials: ACAC exactly `true` on preflight and response; never with `*`.
    ("creds", APP, "GET", &[], true, OK, false),
    ("creds", APP, "GET", &[], false, OK, false),
    ("creds", APP, "PUT", &[JSON, AUTH], true, OK, true),
    ("creds", APP, "DELETE", &[], true, OK, true),
    (
        "creds",
        "https://a.example.org",
        "PATCH",
        &[JSON],
        true,
        OK,
        true,
    ),
    (
        "creds",
        "http://localhost:3000",
        "POST",
        &[JSON],
        true,
        OK,
        true,
    ),
    (
        "creds",
        "https://evil.example",
        "GET",
        &[],
        true,
        NO_ACAO,
        false,
    ),
    (
        "creds",
        "https://evil.example",
        "PUT",
        &[],
        true,
        PREFLIGHT_REFUSED,
        true,
    ),
    ("creds", "null", "GET", &[], true, NO_ACAO, false),
    ("list", APP, "GET", &[], true, ACAC, false),
    ("list", APP, "PUT", &[], true, ACAC, true),
    ("list", APP, "POST", &[JSON], true, ACAC, true),
    ("any", APP, "GET", &[], true, WILDCARD_CREDS, false),
    ("any", APP, "PUT", &[], true, WILDCARD_CREDS, true),
    ("any-all", APP, "GET", &[], true, WILDCARD_CREDS, false),
    // -- `*` origins without credentials.
    ("any", APP, "GET", &[], false, OK, false),
    (
        "any",
        "https://anyone.example",
        "GET",
        &[],
        false,
        OK,
        false,
    ),
    (
        "any",
        "https://anyone.example",
        "PUT",
        &[JSON, AUTH],
        false,
        OK,
        true,
    ),
    (
        "any",
        "https://anyone.example",
        "DELETE",
        &[],
        false,
        OK,
        true,
    ),
    ("any", "null", "GET", &[], false, OK, false),
    ("any", "null", "PUT", &[JSON], false, OK, true),
    (
        "any",
        "http://localhost:1234",
        "PATCH",
        &[],
        false,
        OK,
        true,
    ),
    (
        "any",
        "https://anyone.example",
        "GET",
        &[("X-Custom", "1")],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    (
        "any",
        "https://anyone.example",
        "PROPFIND",
        &[],
        false,
        PREFLIGHT_REFUSED,
        true,
    ),
    // -- `*` methods and headers: echoed, so Authorization and credentials work too.
    (
        "any-all",
        "https://anyone.example",
        "PROPFIND",
        &[],
        false,
        OK,
        true,
    ),
    (
        "any-all",
        "https://anyone.example",
        "GET",
        &[("X-Anything", "1")],
        false,
        OK,
        true,
    ),
    (
        "any-all",
        "https://anyone.example",
        "PUT",
        &[AUTH, JSON, ("X-A", "1"), ("X-B", "2")],
        false,
        OK,
        true,
    ),
    ("stars-creds", APP, "PROPFIND", &[AUTH], true, OK, true),
    (
        "stars-creds",
        APP,
        "PUT",
        &[("X-Anything", "1")],
        true,
        OK,
        true,
    ),
    ("stars-creds", APP, "REPORT", &[JSON], false, OK, true),
    (
        "stars-creds",
        "https://evil.example",
        "PUT",
        &[AUTH],
        true,
        PREFLIGHT_REFUSED,
        true,
    ),
    // -- Narrow lists: only what is listed passes a preflight.
    ("narrow", APP, "GET", &[("X-Custom", "1")], true, OK, true),
    ("narrow", APP, "GET", &[("x-custom", "1")], true, OK, true),
    ("narrow", APP, "PATCH", &[("X-Custom", "1")], true, OK, true),
    ("narrow", APP, "PUT", &[], true, PREFLIGHT_REFUSED, true),
    // POST is not listed, but GET, HEAD and POST are always allowed, as browsers allow them
    // (a form could send this POST without asking).
    ("narrow", APP, "POST", &[("X-Custom", "1")], true, OK, true),
    ("narrow", APP, "HEAD", &[("X-Custom", "1")], true, OK, true),
    ("narrow", APP, "GET", &[AUTH], true, PREFLIGHT_REFUSED, true),
    ("narrow", APP, "GET", &[JSON], true, PREFLIGHT_REFUSED, true),
    (
        "narrow",
        APP,
        "GET",
        &[("X-Custom", "1"), ("X-Other", "1")],
        true,
        PREFLIGHT_REFUSED,
        true,
    ),
    ("narrow", APP, "POST", &[], true, OK, false),
    ("narrow", APP, "GET", &[], false, OK, false),
    (
        "narrow",
        APP,
        "POST",
        &[("Content-Type", "text/plain")],
        true,
        OK,
        false,
    ),
    (
        "narrow",
        "https://a.example.org",
        "GET",
        &[],
        true,
        NO_ACAO,
        false,
    ),
];

fn fetch(row: &Row) -> Fetch {
    let (_, origin, method, headers, credentials, _, _) = *row;
    let mut fetch = Fetch::new(origin, method).credentials(credentials);
    for (name, value) in headers {
        fetch = fetch.header(*name, *value);
    }
    fetch
}

/// Plays a row; returns the browser's verdict and whether the page can read `X-Request-Id`.
fn play(
    policy: &Policy,
    fetch: &Fetch,
    status: StatusCode,
) -> (Result<(), browser::Blocked>, bool) {
    if fetch.needs_preflight() {
        let request = fetch.preflight_request();
        let Decision::Preflight(answer) = policy.decide(request.method(), request.headers()) else {
            panic!("a browser preflight must be decided as a preflight")
        };
        let answer = answer.into_response(());
        if let Err(blocked) = browser::check_preflight(fetch, answer.status(), answer.headers()) {
            return (Err(blocked), false);
        }
    }
    let method = Method::from_bytes(fetch.method.as_bytes()).unwrap();
    let Decision::Forward(actual) = policy.decide(&method, &fetch.request_headers()) else {
        panic!("an actual request must be forwarded")
    };
    let mut response = Response::new(());
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("x-request-id", "r-1".parse().unwrap());
    policy.apply(&actual, response.headers_mut());
    let verdict = browser::check_response(fetch, response.headers());
    let readable =
        verdict.is_ok() && browser::can_read_header(fetch, response.headers(), "x-request-id");
    (verdict, readable)
}

#[test]
fn conformance_table() {
    assert!(ROWS.len() >= 100, "{} rows", ROWS.len());
    let mut failures = Vec::new();
    for (i, row) in ROWS.iter().enumerate() {
        let policy = policy(row.0);
        let fetch = fetch(row);
        if fetch.needs_preflight() != row.6 {
            failures.push(format!(
                "row {i} {row:?}: needs_preflight is {}",
                fetch.needs_preflight()
            ));
            continue;
        }
        let (verdict, _) = play(&policy, &fetch, StatusCode::OK);
        let expected = row.5;
        let ok = match &verdict {
            Ok(()) => expected == OK,
            Err(blocked) => expected != OK && blocked.to_string().contains(expected),
        };
        if !ok {
            failures.push(format!(
                "row {i} {row:?}: expected {expected:?}, browser says {verdict:?}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} rows failed:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
}

#[test]
fn error_statuses_stay_readable_for_allowed_origins() {
    let policy = policy("creds");
    for status in [400, 401, 403, 404, 405, 409, 422, 429, 500, 502, 503, 504] {
        let fetch = Fetch::new(APP, "PUT")
            .header("Content-Type", "application/json")
            .credentials(true);
        let (verdict, readable) = play(&policy, &fetch, StatusCode::from_u16(status).unwrap());
        assert!(verdict.is_ok(), "{status}: {verdict:?}");
        assert!(readable, "{status}: X-Request-Id must be exposed");
    }
}

#[test]
fn only_exposed_headers_are_readable() {
    for (name, expose, readable) in [
        ("list", "x-request-id", true),
        ("any-all", "x-request-id", true),
        ("narrow", "x-request-id", false),
    ] {
        let policy = policy(name);
        let fetch = Fetch::new(APP, "GET");
        let (verdict, can_read) = play(&policy, &fetch, StatusCode::OK);
        assert!(verdict.is_ok(), "{name}");
        assert_eq!(can_read, readable, "{name}: {expose}");
    }
}
