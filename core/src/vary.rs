//! `Vary`: which request headers the answer depends on, so that no browser or CDN cache serves
//! one origin's answer to another.
//!
//! | response | `Vary` |
//! |---|---|
//! | preflight, listed origins | `Origin, Access-Control-Request-Method, Access-Control-Request-Headers` |
//! | preflight, `*` | `Access-Control-Request-Method, Access-Control-Request-Headers` |
//! | preflight, listed origins, `CORS_ALLOW_PRIVATE_NETWORK=true` | the list one, then `Access-Control-Request-Private-Network` |
//! | actual request or no `Origin`, listed origins | `Origin`, merged into the handler's own `Vary` |
//! | actual request, `*` | the handler's own `Vary`, untouched |
//!
//! Merging writes one comma-joined value: API Gateway HTTP APIs and Lambda function URLs keep
//! only the first of repeated headers. `Vary: *` already covers everything and is kept as is.

use http::header::VARY;
use http::{HeaderMap, HeaderValue};

/// `Vary` of a preflight answer when the allowlist is a list.
pub(crate) const PREFLIGHT: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
);

/// `Vary` of a preflight answer when any origin is allowed.
pub(crate) const PREFLIGHT_ANY_ORIGIN: HeaderValue =
    HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers");

/// `Vary` of a preflight answer when the allowlist is a list and private network access is
/// answered: `Access-Control-Allow-Private-Network` depends on the request asking for it.
pub(crate) const PREFLIGHT_PRIVATE_NETWORK: HeaderValue = HeaderValue::from_static(
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network",
);

/// The field names of every `Vary` line, trimmed, empty items skipped.
fn tokens(headers: &HeaderMap) -> impl Iterator<Item = &[u8]> {
    headers
        .get_all(VARY)
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .map(<[u8]>::trim_ascii)
        .filter(|t| !t.is_empty())
}

/// Whether a response's `Vary` covers `Origin` (names it, or is `*`), read as
/// [`Policy::apply`](crate::Policy::apply) reads it when it merges `Origin` in: what a cache
/// needs so that one origin's answer is never served to another.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// assert!(!preflight::varies_on_origin(&headers));
/// headers.append("vary", "Accept-Encoding".parse().unwrap());
/// headers.append("vary", " origin ".parse().unwrap());
/// assert!(preflight::varies_on_origin(&headers));
/// ```
pub fn varies_on_origin(headers: &HeaderMap) -> bool {
    tokens(headers).any(|t| t == b"*" || t.eq_ignore_ascii_case(b"origin"))
}

/// Adds `Origin` to the response's `Vary`, keeping what is there, as one header line.
/// Allocates only when the handler set a `Vary` that lacks `Origin`.
pub(crate) fn add_origin(headers: &mut HeaderMap) {
    const ORIGIN: HeaderValue = HeaderValue::from_static("Origin");
    let mut lines = headers.get_all(VARY).iter();
    let Some(first) = lines.next() else {
        headers.insert(VARY, ORIGIN);
        return;
    };
    let several = lines.next().is_some();
    let tokens = || tokens(headers);
    if tokens().any(|t| t == b"*") {
        if several || first.as_bytes().trim_ascii() != b"*" {
            headers.insert(VARY, HeaderValue::from_static("*"));
        }
        return;
    }
    let has_origin = tokens().any(|t| t.eq_ignore_ascii_case(b"origin"));
    if has_origin && !several {
        return;
    }
    let mut merged: Vec<u8> = Vec::new();
    for token in tokens() {
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(token);
    }
    if !has_origin {
        if !merged.is_empty() {
            merged.extend_from_slice(b", ");
        }
        merged.extend_from_slice(b"Origin");
    }
    // Every byte came from valid header values or is ASCII, so this cannot fail; fall back to
    // a plain `Origin` rather than panic.
    let value = HeaderValue::from_bytes(&merged).unwrap_or(ORIGIN);
    headers.insert(VARY, value);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vary_after(lines: &[&str]) -> Vec<String> {
        let mut headers = HeaderMap::new();
        for line in lines {
            headers.append(VARY, HeaderValue::from_str(line).unwrap());
        }
        add_origin(&mut headers);
        headers
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn merges_into_one_line() {
        assert_eq!(vary_after(&[]), ["Origin"]);
        assert_eq!(
            vary_after(&["Accept-Encoding"]),
            ["Accept-Encoding, Origin"]
        );
        assert_eq!(
            vary_after(&["Accept-Encoding", "Cookie"]),
            ["Accept-Encoding, Cookie, Origin"]
        );
        assert_eq!(vary_after(&["origin"]), ["origin"]);
        assert_eq!(vary_after(&["Accept", "Origin"]), ["Accept, Origin"]);
        assert_eq!(vary_after(&["Accept, , Origin,"]), ["Accept, , Origin,"]);
        assert_eq!(vary_after(&["Accept,,"]), ["Accept, Origin"]);
    }

    #[test]
    fn star_stays() {
        assert_eq!(vary_after(&["*"]), ["*"]);
        assert_eq!(vary_after(&["Accept", "*"]), ["*"]);
        assert_eq!(vary_after(&["Accept, *"]), ["*"]);
    }
}
