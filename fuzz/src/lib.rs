//! What the fuzz targets share: turning fuzz bytes into origins, policies and requests, an
//! independent reference matcher, and the response invariants every answer must satisfy.

use http::header::{HeaderValue, ORIGIN};
use http::{HeaderMap, Method};
use preflight::{Decision, Policy};

/// Reads bytes one at a time; past the end it yields zeros.
pub struct Bytes<'a>(pub &'a [u8]);

impl Bytes<'_> {
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    /// The rest of the input up to the next `sep` byte (consumed), as bytes.
    pub fn until(&mut self, sep: u8) -> &[u8] {
        let at = self
            .0
            .iter()
            .position(|&b| b == sep)
            .unwrap_or(self.0.len());
        let (head, rest) = self.0.split_at(at);
        self.0 = rest.get(1..).unwrap_or_default();
        head
    }
}

const LABELS: [&str; 6] = ["a", "b", "xn--c", "1", "a-b", "example"];
const TLDS: [&str; 3] = ["com", "test", "co.uk"];

/// A configuration entry in canonical form, from a few bytes: `scheme://[*.]labels.tld[:port]`
/// with the port exact, absent, or `*`.
pub fn entry(bytes: &mut Bytes<'_>) -> String {
    let b = bytes.byte();
    let scheme = if b & 1 == 0 { "https" } else { "http" };
    let wildcard = b & 2 != 0;
    let mut host = String::new();
    for i in 0..=(b >> 2 & 1) {
        if i > 0 {
            host.push('.');
        }
        host.push_str(LABELS[bytes.byte() as usize % LABELS.len()]);
    }
    host.push('.');
    host.push_str(TLDS[bytes.byte() as usize % TLDS.len()]);
    let port = match bytes.byte() % 4 {
        0 => String::new(),
        1 => ":*".to_string(),
        2 => ":8080".to_string(),
        _ => ":3000".to_string(),
    };
    format!(
        "{scheme}://{}{host}{port}",
        if wildcard { "*." } else { "" }
    )
}

/// A request origin near the entries: one of them with a mutation, or raw bytes.
pub fn request_origin(bytes: &mut Bytes<'_>, entries: &[String]) -> Vec<u8> {
    let choice = bytes.byte();
    if entries.is_empty() || choice & 0x80 != 0 {
        return bytes.until(0xff).to_vec();
    }
    let base = entries[choice as usize % entries.len()].replace("*.", "");
    let base = base.replace(":*", "");
    let mut origin = base.into_bytes();
    match bytes.byte() % 8 {
        0 => {}
        1 => {
            // A subdomain of the entry: `scheme://x.host`.
            let at = origin
                .windows(3)
                .position(|w| w == b"://")
                .map_or(0, |i| i + 3);
            origin.splice(at..at, b"x.".iter().copied());
        }
        2 => origin.extend_from_slice(b".evil.net"),
        3 => origin.extend_from_slice(b":9999"),
        4 => origin.push(b'/'),
        5 => origin.insert(0, b' '),
        6 => {
            let at = bytes.byte() as usize % origin.len().max(1);
            origin.insert(at, bytes.byte());
        }
        _ => origin.make_ascii_uppercase(),
    }
    origin
}

/// The reference matcher: whether `origin` (already a valid browser origin) is `entry`, or
/// matches it as a pattern. Plain string operations, no shared code with the library.
pub fn oracle(entry: &str, origin: &str) -> bool {
    if entry == "*" {
        return true;
    }
    let (scheme, rest) = entry.split_once("://").expect("entries have a scheme");
    let Some(request) = origin.strip_prefix(&format!("{scheme}://")) else {
        return false;
    };
    let (pattern_host, pattern_port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (rest, None),
    };
    // Entries are never IPv6, so a `:` in the request always starts its port.
    let (request_host, request_port) = match request.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (request, None),
    };
    let port_ok = match pattern_port {
        Some("*") => true,
        Some(p) => request_port == Some(p),
        None => request_port.is_none(),
    };
    let host_ok = match pattern_host.strip_prefix("*.") {
        Some(base) => request_host
            .strip_suffix(base)
            .and_then(|labels| labels.strip_suffix('.'))
            // Patterns cover letter-digit-hyphen names only: a host with `_` must be listed.
            .is_some_and(|labels| {
                !labels.is_empty() && !labels.starts_with('.') && !request_host.contains('_')
            }),
        None => request_host == pattern_host,
    };
    port_ok && host_ok
}

/// Builds a policy from fuzz bytes: `CORS_*` values separated by 0xfe.
pub fn policy_from(bytes: &mut Bytes<'_>) -> Result<Policy, preflight::ConfigError> {
    let names = preflight::vars::ALL;
    let mut pairs = Vec::new();
    for name in names {
        let value = bytes.until(0xfe);
        if !value.is_empty() {
            pairs.push((
                name.to_string(),
                String::from_utf8_lossy(value).into_owned(),
            ));
        }
    }
    preflight::Settings::from_vars(pairs).build()
}

/// Request headers from fuzz bytes: `(selector, value)` pairs, the selector picking one of
/// the headers a policy reads (repeats allowed), values up to 0xff.
pub fn request_headers(bytes: &mut Bytes<'_>) -> (Method, HeaderMap) {
    let method = match bytes.byte() % 4 {
        0 => Method::OPTIONS,
        1 => Method::GET,
        2 => Method::PUT,
        _ => Method::from_bytes(b"patch").unwrap(),
    };
    // Every header a policy decides on (the cross-site guard's Sec-Fetch-Site and Host too).
    let names = preflight::CORS_REQUEST_HEADERS;
    let mut headers = HeaderMap::new();
    for _ in 0..(bytes.byte() % 8) {
        let name = names[bytes.byte() as usize % names.len()].clone();
        if let Ok(value) = HeaderValue::from_bytes(bytes.until(0xff)) {
            headers.append(name, value);
        }
    }
    (method, headers)
}

/// Checks every invariant of an answer; panics (a fuzz finding) with the reason.
pub fn check_answer(policy: &Policy, method: &Method, request: &HeaderMap) {
    let origins: Vec<&HeaderValue> = request.get_all(ORIGIN).iter().collect();
    match policy.decide(method, request) {
        Decision::Preflight(preflight) => {
            let allowed = preflight.is_allowed();
            let response = preflight.into_response(());
            let headers = response.headers();
            check_common(policy, &origins, headers);
            if !allowed {
                assert_eq!(response.status(), 403);
                assert!(
                    headers
                        .keys()
                        .all(|k| !k.as_str().starts_with("access-control-")),
                    "a rejected preflight carries CORS headers: {headers:?}"
                );
            } else {
                assert_eq!(response.status(), 204);
            }
        }
        Decision::Refuse(refused) => {
            // The guard refuses state-changing requests only, and never with CORS headers.
            assert!(policy.refuses_cross_site(), "refused without the guard");
            assert!(!matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS));
            let response = refused.into_response(());
            assert_eq!(response.status(), 403);
            assert!(
                response
                    .headers()
                    .keys()
                    .all(|k| !k.as_str().starts_with("access-control-")),
                "a refused request carries CORS headers"
            );
        }
        Decision::Forward(actual) => {
            let mut headers = HeaderMap::new();
            headers.insert("vary", HeaderValue::from_static("Accept-Encoding"));
            headers.insert("access-control-allow-origin", HeaderValue::from_static("*"));
            policy.apply(&actual, &mut headers);
            check_common(policy, &origins, &headers);
            if !actual.is_allowed() && !policy.allows_any_origin() {
                assert!(
                    headers
                        .keys()
                        .all(|k| !k.as_str().starts_with("access-control-")),
                    "a disallowed request gets CORS headers: {headers:?}"
                );
            }
        }
    }
}

fn check_common(policy: &Policy, origins: &[&HeaderValue], headers: &HeaderMap) {
    let acao: Vec<&HeaderValue> = headers
        .get_all("access-control-allow-origin")
        .iter()
        .collect();
    assert!(acao.len() <= 1, "more than one ACAO: {headers:?}");
    if let Some(value) = acao.first() {
        if value.as_bytes() == b"*" {
            assert!(!policy.allows_credentials(), "ACAO * with credentials");
            assert!(policy.allows_any_origin(), "ACAO * from a list policy");
        } else {
            assert!(
                origins.len() == 1 && origins[0] == *value,
                "ACAO {value:?} is not the request's origin {origins:?}"
            );
            let origin = value.to_str().expect("an allowed origin is ASCII");
            assert!(
                policy.allows_origin(origin),
                "ACAO for an origin the policy refuses"
            );
        }
    }
    if headers.contains_key("access-control-allow-credentials") {
        assert!(
            acao.first().is_some_and(|v| v.as_bytes() != b"*"),
            "ACAC without an exact origin: {headers:?}"
        );
    }
    if !policy.allows_any_origin() {
        let vary: Vec<&HeaderValue> = headers.get_all("vary").iter().collect();
        assert!(
            vary.len() == 1
                && vary[0]
                    .to_str()
                    .is_ok_and(|v| v.split(',').any(|p| p.trim() == "Origin")),
            "Vary lacks Origin on an origin-dependent answer: {headers:?}"
        );
    }
}
