//! The model's own unit tests (Chromium checks it in tests/test_browser_model.py).

use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};

use crate::check::*;
use crate::*;

const APP: &str = "https://app.example.com";

fn map(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (n, v) in pairs {
        headers.append(
            HeaderName::from_bytes(n.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    headers
}

fn actual(acao: &[&str], acac: Option<&str>, credentials: bool) -> Result<(), Blocked> {
    let mut pairs: Vec<(&str, &str)> = acao
        .iter()
        .map(|v| ("access-control-allow-origin", *v))
        .collect();
    if let Some(v) = acac {
        pairs.push(("access-control-allow-credentials", v));
    }
    check_response(
        &Fetch::new(APP, "GET").credentials(credentials),
        &map(&pairs),
    )
}

#[test]
fn allow_origin_must_match_byte_for_byte() {
    assert!(actual(&[APP], None, false).is_ok());
    assert!(actual(&["*"], None, false).is_ok());
    assert!(actual(&[" https://app.example.com "], None, false).is_ok());
    assert!(matches!(
        actual(&[], None, false),
        Err(Blocked::NoAllowOrigin { .. })
    ));
    for bad in [
        "https://app.example.com/",
        "https://APP.example.com",
        "https://app.example.com:443",
        "http://app.example.com",
        "null",
    ] {
        assert!(
            matches!(
                actual(&[bad], None, false),
                Err(Blocked::AllowOriginMismatch { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        actual(&[APP, APP], None, false),
        Err(Blocked::MultipleAllowOrigin { .. })
    ));
    assert!(matches!(
        actual(&["https://a.example, https://app.example.com"], None, false),
        Err(Blocked::MultipleAllowOrigin { .. })
    ));
    assert!(matches!(
        actual(&["app.example.com"], None, false),
        Err(Blocked::InvalidAllowOrigin { .. })
    ));
}

#[test]
fn credentials_need_exactly_true_and_no_wildcard() {
    assert!(actual(&[APP], Some("true"), true).is_ok());
    for bad in ["TRUE", "1", "\"true\"", "yes", "true, true"] {
        assert!(
            matches!(
                actual(&[APP], Some(bad), true),
                Err(Blocked::AllowCredentials { .. })
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        actual(&[APP], None, true),
        Err(Blocked::AllowCredentials { .. })
    ));
    assert!(matches!(
        actual(&["*"], Some("true"), true),
        Err(Blocked::WildcardWithCredentials { .. })
    ));
    assert!(actual(&[APP], Some("false"), false).is_ok());
}

#[test]
fn preflight_triggers() {
    let f = |m: &str, h: &[(&str, &str)]| {
        let mut fetch = Fetch::new(APP, m);
        for (n, v) in h {
            fetch = fetch.header(*n, *v);
        }
        fetch.needs_preflight()
    };
    assert!(!f("GET", &[]));
    assert!(!f("head", &[]));
    assert!(!f(
        "POST",
        &[("content-type", "multipart/form-data; boundary=x")]
    ));
    assert!(!f("POST", &[("Content-Type", "Text/Plain")]));
    assert!(!f("GET", &[("Accept-Language", "en-US,en;q=0.9")]));
    assert!(!f("GET", &[("Range", "bytes=100-200")]));
    assert!(f("GET", &[("Range", "bytes=200-100")]));
    assert!(f("GET", &[("Range", "bytes=1-2,3-4")]));
    assert!(f("GET", &[("Range", "bytes= 1-2")]));
    assert!(f("PUT", &[]));
    assert!(f("patch", &[]));
    assert!(f("POST", &[("Content-Type", "application/json")]));
    assert!(f("POST", &[("Content-Type", "text/plain\"")]));
    assert!(f("GET", &[("Accept", &"a".repeat(129))]));
    assert!(f("GET", &[("Content-Language", "de(x)")]));
    assert!(f("GET", &[("X-Anything", "1")]));
    let mut fetch = Fetch::new(APP, "GET");
    for _ in 0..9 {
        fetch = fetch.header("Accept-Language", "a".repeat(128));
    }
    assert!(
        fetch.needs_preflight(),
        "over 1024 bytes of safelisted values"
    );
}

fn preflight(fetch: &Fetch, status: u16, pairs: &[(&str, &str)]) -> Result<(), Blocked> {
    check_preflight(fetch, StatusCode::from_u16(status).unwrap(), &map(pairs))
}

#[test]
fn preflight_status_and_order() {
    let put = Fetch::new(APP, "PUT");
    let good = [
        ("access-control-allow-origin", APP),
        ("access-control-allow-methods", "PUT"),
    ];
    assert!(preflight(&put, 200, &good).is_ok());
    assert!(preflight(&put, 204, &good).is_ok());
    for status in [400, 401, 403, 404, 405, 500, 502] {
        assert_eq!(
            preflight(&put, status, &good),
            Err(Blocked::PreflightStatus { status })
        );
    }
    for status in [301, 302, 303, 307, 308] {
        assert_eq!(
            preflight(&put, status, &good),
            Err(Blocked::PreflightRedirect)
        );
    }
    let blocked = preflight(&put, 403, &[]).unwrap_err();
    assert_eq!(
        blocked.to_string(),
        "Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."
    );
}

#[test]
fn methods_list_rules() {
    let allow = |m: &str, list: &str, creds: bool| {
        let fetch = Fetch::new(APP, m).credentials(creds);
        let mut pairs = vec![
            ("access-control-allow-origin", APP),
            ("access-control-allow-methods", list),
        ];
        if creds {
            pairs.push(("access-control-allow-credentials", "true"));
        }
        preflight(&fetch, 204, &pairs)
    };
    assert!(allow("PUT", "PUT", false).is_ok());
    assert!(allow("PUT", "GET, PUT", false).is_ok());
    assert!(allow("PUT", "put", false).is_err());
    assert!(allow("patch", "PATCH", false).is_err());
    assert!(allow("patch", "patch", false).is_ok());
    assert!(allow("PUT", "*", false).is_ok());
    assert_eq!(
        allow("PUT", "*", true),
        Err(Blocked::MethodNotAllowed {
            method: "PUT".into()
        })
    );
    assert!(
        allow("GET", "", false).is_ok(),
        "safelisted methods always pass"
    );
    assert_eq!(
        allow("PUT", "PUT GET", false),
        Err(Blocked::InvalidAllowMethods)
    );
    assert_eq!(
        allow("PUT", "", false).unwrap_err().to_string(),
        "Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."
    );
}

#[test]
fn headers_list_rules() {
    let allow = |h: &str, list: &str, creds: bool| {
        let fetch = Fetch::new(APP, "GET").header(h, "v").credentials(creds);
        let mut pairs = vec![
            ("access-control-allow-origin", APP),
            ("access-control-allow-headers", list),
        ];
        if creds {
            pairs.push(("access-control-allow-credentials", "true"));
        }
        preflight(&fetch, 204, &pairs)
    };
    assert!(allow("X-Custom", "x-custom", false).is_ok());
    assert!(allow("x-custom", "X-CUSTOM", false).is_ok());
    assert!(allow("X-Custom", "*", false).is_ok());
    assert!(allow("X-Custom", "*", true).is_err());
    // Chromium lets `*` cover Authorization (the standard, Firefox and Safari do not).
    assert!(allow("Authorization", "*", false).is_ok());
    assert!(allow("Authorization", "*", true).is_err());
    assert!(allow("Authorization", "*, Authorization", false).is_ok());
    assert_eq!(
        allow("X-Custom", "a b", false),
        Err(Blocked::InvalidAllowHeaders)
    );
    assert_eq!(
        allow("X-Request-Id", "content-type", false).unwrap_err().to_string(),
        "Request header field x-request-id is not allowed by Access-Control-Allow-Headers in preflight response."
    );
}

#[test]
fn exposure_and_max_age() {
    let fetch = Fetch::new(APP, "GET");
    let creds = Fetch::new(APP, "GET").credentials(true);
    let star = map(&[("access-control-expose-headers", "*")]);
    assert!(can_read_header(&fetch, &star, "x-anything"));
    assert!(!can_read_header(&creds, &star, "x-anything"));
    assert!(!can_read_header(&fetch, &star, "set-cookie"));
    assert!(can_read_header(&creds, &HeaderMap::new(), "cache-control"));
    for (value, seconds) in [
        ("0", 0),
        ("600", 600),
        ("86400", 7200),
        // As Chromium 156 caches them (tests/test_browser_model.py).
        ("-1", 0),
        ("+600", 600),
        ("00600", 600),
        ("6e2", 5),
        ("600, 600", 5),
        ("abc", 5),
        ("", 5),
        ("99999999999999999999999", 5),
        ("9223372036854775807", 7200),
    ] {
        assert_eq!(
            preflight_cache_seconds(&map(&[("access-control-max-age", value)])),
            seconds,
            "{value}"
        );
    }
}

#[test]
fn forbidden_headers_are_dropped_and_repeats_combined() {
    let fetch = Fetch::new(APP, "GET")
        .header("Cookie", "a=b")
        .header("Sec-Foo", "1")
        .header("X-HTTP-Method-Override", "put, trace")
        .header("User-Agent", "x");
    assert!(
        !fetch.needs_preflight(),
        "forbidden headers are dropped, not preflighted"
    );
    assert!(fetch.request_headers().get("cookie").is_none());
    let fetch = Fetch::new(APP, "GET").header("X-HTTP-Method-Override", "PUT");
    assert_eq!(
        fetch.request_headers_value().as_deref(),
        Some("x-http-method-override")
    );
    let fetch = Fetch::new(APP, "GET").header("X-A", "1").header("x-a", "2");
    assert_eq!(fetch.request_headers()["x-a"], "1, 2");
    // Two safelisted values that are too long together are preflighted.
    let fetch = Fetch::new(APP, "GET")
        .header("Accept", "a".repeat(100))
        .header("Accept", "b".repeat(100));
    assert_eq!(fetch.request_headers_value().as_deref(), Some("accept"));
}

#[test]
fn client_hints_with_valid_values_need_no_preflight() {
    let needs =
        |name: &str, value: &str| Fetch::new(APP, "GET").header(name, value).needs_preflight();
    for (name, value) in [
        ("device-memory", "2"),
        ("dpr", "1.5"),
        ("width", "100"),
        ("viewport-width", "100"),
        ("rtt", "50"),
        ("downlink", "1.5"),
        ("ect", "4g"),
        ("save-data", "on"),
    ] {
        assert!(!needs(name, value), "{name}: {value}");
    }
    for (name, value) in [
        ("device-memory", "abc"),
        ("dpr", "x"),
        ("width", "-1"),
        ("width", "1.5"),
        ("ect", "bogus"),
        ("save-data", "maybe"),
    ] {
        assert!(needs(name, value), "{name}: {value}");
    }
}

#[test]
fn invalid_and_mismatched_allow_origin_follow_url_parsing() {
    for value in [
        "app.example.com:443",
        "foo://bar",
        "HTTPS://APP.example.com",
        "https://app.example.com/x",
        "null",
    ] {
        assert!(
            matches!(
                actual(&[value], None, false),
                Err(Blocked::AllowOriginMismatch { .. })
            ),
            "{value}"
        );
    }
    for value in [
        "NULL",
        "https://",
        "http://[::1",
        "https://app.example.com:443:80",
        "",
    ] {
        assert!(
            matches!(
                actual(&[value], None, false),
                Err(Blocked::InvalidAllowOrigin { .. })
            ),
            "{value}"
        );
    }
    assert!(matches!(
        actual(&["http://a b"], None, false),
        Err(Blocked::MultipleAllowOrigin { .. })
    ));
}

#[test]
fn preflight_request_shape() {
    let fetch = Fetch::new(APP, "PUT")
        .header("Content-Type", "application/json")
        .header("Authorization", "x")
        .credentials(true);
    let request = fetch.preflight_request();
    assert_eq!(
        request.headers()["access-control-request-headers"],
        "authorization,content-type"
    );
    assert!(request.headers().get("authorization").is_none());
    assert!(request.headers().get("cookie").is_none());
    assert_eq!(fetch.request_headers()["authorization"], "x");
}

#[test]
fn the_safelisted_request_header_names_are_the_ones_the_check_passes() {
    use crate::safelist::is_safelisted_request_header;
    let samples: [(&str, &[u8]); 13] = [
        ("accept", b"*/*"),
        ("accept-language", b"en-GB"),
        ("content-language", b"de"),
        ("content-type", b"text/plain"),
        ("range", b"bytes=0-99"),
        ("device-memory", b"0.5"),
        ("dpr", b"2"),
        ("downlink", b"1.5"),
        ("width", b"800"),
        ("viewport-width", b"800"),
        ("rtt", b"50"),
        ("ect", b"4g"),
        ("save-data", b"on"),
    ];
    let names: Vec<&str> = samples.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, crate::SAFELISTED_REQUEST_HEADERS);
    for (name, value) in samples {
        assert!(is_safelisted_request_header(name, value), "{name}");
    }
    for name in ["authorization", "x-request-id", "cookie", "origin"] {
        assert!(!is_safelisted_request_header(name, b"1"), "{name}");
    }
}
