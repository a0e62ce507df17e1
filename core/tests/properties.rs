//! Property tests: for random policies and random `fetch()` calls, the browser model accepts
//! the server's answers exactly when the policy allows the call. The expected verdict comes
//! from an independent oracle over the generated configuration, not from the library.

mod common;

use http::{Method, Response, StatusCode};
use preflight::{Decision, Policy, Settings};
use preflight_browser::{self as browser, Fetch};
use proptest::prelude::*;

/// Allowlist entries, and which candidate origins each one matches (hand-labelled).
const ENTRIES: [(&str, &[&str]); 5] = [
    ("https://app.example.com", &["https://app.example.com"]),
    (
        "https://*.example.org",
        &["https://a.example.org", "https://a.b.example.org"],
    ),
    (
        "http://localhost:*",
        &["http://localhost", "http://localhost:3000"],
    ),
    (
        "https://api.example.net:8443",
        &["https://api.example.net:8443"],
    ),
    ("http://127.0.0.1:8080", &["http://127.0.0.1:8080"]),
];

/// Request origins: the matching ones above, and attacks that match nothing.
const CANDIDATES: [&str; 16] = [
    "https://app.example.com",
    "https://a.example.org",
    "https://a.b.example.org",
    "http://localhost",
    "http://localhost:3000",
    "https://api.example.net:8443",
    "http://127.0.0.1:8080",
    "https://app.example.com.evil.net",
    "https://evilexample.org",
    "https://example.org",
    "http://app.example.com",
    "https://api.example.net",
    "null",
    "http://localhost.evil.net:3000",
    "https://localhost:3000",
    "http://127.0.0.1:8081",
];

const METHODS: [&str; 6] = ["GET", "POST", "PUT", "PATCH", "DELETE", "PROPFIND"];
const REQUEST_METHODS: [&str; 8] = [
    "GET", "HEAD", "POST", "PUT", "patch", "PATCH", "DELETE", "PROPFIND",
];
const HEADER_NAMES: [&str; 3] = ["Authorization", "Content-Type", "X-Custom"];
/// (name, value, safelisted?)
const REQUEST_HEADERS: [(&str, &str, bool); 6] = [
    ("Authorization", "Bearer x", false),
    ("Content-Type", "application/json", false),
    ("Content-Type", "text/plain", true),
    ("X-Custom", "1", false),
    ("X-Other", "1", false),
    ("Accept", "application/json", true),
];

#[derive(Debug, Clone)]
struct Config {
    any_origin: bool,
    entries: Vec<usize>,
    methods: Option<Vec<usize>>, // None = *
    headers: Option<Vec<usize>>, // None = *
    credentials: bool,
}

#[derive(Debug, Clone)]
struct Call {
    origin: usize,
    method: usize,
    headers: Vec<usize>,
    credentials: bool,
}

fn config() -> impl Strategy<Value = Config> {
    (
        any::<bool>(),
        proptest::sample::subsequence((0..ENTRIES.len()).collect::<Vec<_>>(), 1..=ENTRIES.len()),
        proptest::option::of(proptest::sample::subsequence(
            (0..METHODS.len()).collect::<Vec<_>>(),
            1..=METHODS.len(),
        )),
        proptest::option::of(proptest::sample::subsequence(
            (0..HEADER_NAMES.len()).collect::<Vec<_>>(),
            0..=HEADER_NAMES.len(),
        )),
        any::<bool>(),
    )
        .prop_map(
            |(any_origin, entries, methods, headers, credentials)| Config {
                any_origin,
                entries,
                methods,
                headers,
                // `*` with credentials is a configuration error, tested elsewhere.
                credentials: credentials && !any_origin,
            },
        )
}

fn call() -> impl Strategy<Value = Call> {
    (
        0..CANDIDATES.len(),
        0..REQUEST_METHODS.len(),
        proptest::sample::subsequence((0..REQUEST_HEADERS.len()).collect::<Vec<_>>(), 0..=3),
        any::<bool>(),
    )
        .prop_map(|(origin, method, headers, credentials)| Call {
            origin,
            method,
            headers,
            credentials,
        })
        // Two Content-Type values would be combined by the browser; keep one.
        .prop_filter("one content-type", |c| {
            !(c.headers.contains(&1) && c.headers.contains(&2))
        })
}

fn build(config: &Config) -> Policy {
    let list = |idx: &Option<Vec<usize>>, names: &[&str]| match idx {
        None => "*".to_string(),
        Some(v) => v.iter().map(|&i| names[i]).collect::<Vec<_>>().join(","),
    };
    let origins = if config.any_origin {
        "*".to_string()
    } else {
        config
            .entries
            .iter()
            .map(|&i| ENTRIES[i].0)
            .collect::<Vec<_>>()
            .join(",")
    };
    let headers = list(&config.headers, &HEADER_NAMES);
    let mut settings = Settings::from_vars([
        ("CORS_ALLOWED_ORIGINS", origins),
        ("CORS_ALLOWED_METHODS", list(&config.methods, &METHODS)),
        ("CORS_ALLOW_CREDENTIALS", config.credentials.to_string()),
    ]);
    settings.allowed_headers = Some(headers);
    settings.build().unwrap_or_else(|e| panic!("{e}"))
}

/// The oracle: what a correct server and browser together should conclude.
fn expected(config: &Config, call: &Call) -> bool {
    let origin = CANDIDATES[call.origin];
    let origin_ok = config.any_origin
        || config
            .entries
            .iter()
            .any(|&i| ENTRIES[i].1.contains(&origin));
    let method = REQUEST_METHODS[call.method];
    let unsafe_headers: Vec<&str> = call
        .headers
        .iter()
        .filter(|&&h| !REQUEST_HEADERS[h].2)
        .map(|&h| REQUEST_HEADERS[h].0)
        .collect();
    let needs_preflight = !["GET", "HEAD", "POST"].contains(&method) || !unsafe_headers.is_empty();
    // GET, HEAD and POST are always allowed, listed or not (as browsers allow them).
    let method_ok = ["GET", "HEAD", "POST"].contains(&method)
        || match &config.methods {
            None => true,
            Some(v) => v.iter().any(|&i| METHODS[i] == method),
        };
    let headers_ok = match &config.headers {
        None => true,
        Some(v) => unsafe_headers
            .iter()
            .all(|h| v.iter().any(|&i| HEADER_NAMES[i].eq_ignore_ascii_case(h))),
    };
    let credentials_ok = !call.credentials || config.credentials;
    origin_ok && credentials_ok && (!needs_preflight || (method_ok && headers_ok))
}

/// Plays the call through the policy and the browser model.
fn browser_verdict(policy: &Policy, call: &Call) -> Result<(), browser::Blocked> {
    let mut fetch = Fetch::new(CANDIDATES[call.origin], REQUEST_METHODS[call.method])
        .credentials(call.credentials);
    for &h in &call.headers {
        fetch = fetch.header(REQUEST_HEADERS[h].0, REQUEST_HEADERS[h].1);
    }
    if fetch.needs_preflight() {
        let request = fetch.preflight_request();
        let Decision::Preflight(answer) = policy.decide(request.method(), request.headers()) else {
            panic!("a browser preflight must be decided as a preflight");
        };
        let answer = answer.into_response(());
        browser::check_preflight(&fetch, answer.status(), answer.headers())?;
    }
    let method = Method::from_bytes(fetch.method.as_bytes()).unwrap();
    let Decision::Forward(actual) = policy.decide(&method, &fetch.request_headers()) else {
        panic!("an actual request must be forwarded to the handler");
    };
    let mut response = Response::new(());
    *response.status_mut() = StatusCode::OK;
    policy.apply(&actual, response.headers_mut());
    browser::check_response(&fetch, response.headers())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn browser_accepts_exactly_what_the_policy_allows(config in config(), call in call()) {
        let policy = build(&config);
        let verdict = browser_verdict(&policy, &call);
        prop_assert_eq!(verdict.is_ok(), expected(&config, &call), "{:?} for {:?}: {:?}", policy.to_string(), call, verdict);
    }

    #[test]
    fn decisions_never_panic_on_arbitrary_headers(
        method in "[A-Za-z]{1,8}",
        origin in proptest::collection::vec(any::<u8>(), 0..80),
        acrm in proptest::collection::vec(any::<u8>(), 0..20),
        acrh in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let policy = common::policy(&[("CORS_ALLOWED_ORIGINS", "https://app.example.com,https://*.example.org")]);
        let mut headers = http::HeaderMap::new();
        for (name, value) in [("origin", origin), ("access-control-request-method", acrm), ("access-control-request-headers", acrh)] {
            if let Ok(value) = http::HeaderValue::from_bytes(&value) {
                headers.insert(name, value);
            }
        }
        let method = Method::from_bytes(method.as_bytes()).unwrap();
        match policy.decide(&method, &headers) {
            Decision::Preflight(p) => {
                let response = p.into_response(());
                // A rejected preflight carries no Access-Control-* header at all.
                if response.status() == StatusCode::FORBIDDEN {
                    prop_assert!(response.headers().keys().all(|k| !k.as_str().starts_with("access-control-")));
                }
                // An allowed one never answers `*` or another origin.
                if let Some(acao) = response.headers().get("access-control-allow-origin") {
                    prop_assert_eq!(Some(acao), headers.get("origin"));
                }
            }
            Decision::Forward(actual) => {
                let mut response = http::HeaderMap::new();
                policy.apply(&actual, &mut response);
                if let Some(acao) = response.get("access-control-allow-origin") {
                    prop_assert_eq!(Some(acao), headers.get("origin"));
                }
                prop_assert!(response.get("vary").is_some());
            }
            // These policies have no cross-site guard.
            Decision::Refuse(_) => prop_assert!(false, "refused without the guard"),
        }
    }
}
