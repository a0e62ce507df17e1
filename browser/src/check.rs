//! The checks a browser runs on a preflight answer and on the actual response.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
};
use http::{HeaderMap, HeaderName, StatusCode};

use crate::safelist::*;
use crate::{Blocked, Fetch, Stage};

/// All lines of a header combined as Fetch does (`, `), or `None` when absent.
pub(crate) fn combined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let mut values = headers.get_all(name).iter().peekable();
    values.peek()?;
    let parts: Vec<String> = values
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect();
    Some(parts.join(", "))
}

/// The Fetch "CORS check" on any response (status is not considered): `Access-Control-Allow-Origin`
/// must be `*` (without credentials) or exactly the origin; with credentials,
/// `Access-Control-Allow-Credentials` must be exactly `true`.
///
/// ```
/// use http::HeaderMap;
/// use preflight_browser::{cors_check, Fetch, Stage};
/// let fetch = Fetch::new("https://app.example.com", "GET");
/// let mut headers = HeaderMap::new();
/// headers.insert("access-control-allow-origin", "https://app.example.com/".parse().unwrap());
/// assert!(cors_check(&fetch, &headers, Stage::Actual).is_err()); // a trailing slash fails
/// ```
pub fn cors_check(fetch: &Fetch, headers: &HeaderMap, stage: Stage) -> Result<(), Blocked> {
    let Some(allow_origin) = combined(headers, &ACCESS_CONTROL_ALLOW_ORIGIN) else {
        return Err(Blocked::NoAllowOrigin { stage });
    };
    let allow_origin = allow_origin.trim_matches([' ', '\t']).to_string();
    if allow_origin == "*" {
        if fetch.credentials {
            return Err(Blocked::WildcardWithCredentials { stage });
        }
        return Ok(());
    }
    if allow_origin != fetch.origin {
        if allow_origin.contains([',', ' ']) {
            return Err(Blocked::MultipleAllowOrigin {
                stage,
                value: allow_origin,
            });
        }
        if allow_origin != "null" && !is_valid_url(&allow_origin) {
            return Err(Blocked::InvalidAllowOrigin {
                stage,
                value: allow_origin,
            });
        }
        return Err(Blocked::AllowOriginMismatch {
            stage,
            value: allow_origin,
        });
    }
    if fetch.credentials {
        let value = combined(headers, &ACCESS_CONTROL_ALLOW_CREDENTIALS).unwrap_or_default();
        if value.trim_matches([' ', '\t']) != "true" {
            return Err(Blocked::AllowCredentials { stage, value });
        }
    }
    Ok(())
}

/// Whether `value` parses as a URL, the way Chromium tells an invalid
/// `Access-Control-Allow-Origin` from one that names another origin: a scheme is needed; a
/// special scheme (`http`, `https`, `ws`, `wss`, `ftp`) needs a host and a port of at most
/// five digits up to 65535; any other scheme takes anything (`app.example.com:3000` is the
/// scheme `app.example.com`).
pub(crate) fn is_valid_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let special = ["http", "https", "ws", "wss", "ftp"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(scheme));
    if !special {
        return true;
    }
    let rest = rest.trim_start_matches(['/', '\\']);
    let authority = rest.split(['/', '\\', '?', '#']).next().unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(inner) = host_port.strip_prefix('[') {
        let Some((address, after)) = inner.split_once(']') else {
            return false;
        };
        if address.parse::<std::net::Ipv6Addr>().is_err() {
            return false;
        }
        match after {
            "" => ("[v6]", None),
            _ => match after.strip_prefix(':') {
                Some(port) => ("[v6]", Some(port)),
                None => return false,
            },
        }
    } else {
        match host_port.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (host_port, None),
        }
    };
    let forbidden = |c: char| " #%/:<>?@[\\]^|".contains(c) || c.is_control();
    let host_ok = !host.is_empty() && (host == "[v6]" || !host.chars().any(forbidden));
    let port_ok = port.is_none_or(|p| {
        p.is_empty()
            || (p.len() <= 5
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= 65535))
    });
    host_ok && port_ok
}

/// Parses a header as a comma-separated list of tokens, as Fetch extracts header list values.
pub(crate) fn token_list(headers: &HeaderMap, name: &HeaderName) -> Option<Vec<String>> {
    let Some(value) = combined(headers, name) else {
        return Some(Vec::new());
    };
    let mut items = Vec::new();
    for item in value.split(',').map(|s| s.trim_matches([' ', '\t'])) {
        if item.is_empty() {
            continue;
        }
        if !is_token(item.as_bytes()) {
            return None;
        }
        items.push(item.to_string());
    }
    Some(items)
}

/// Judges the answer to the preflight for `fetch`, in Chromium's order: a redirect is refused;
/// then the CORS check; then the status must be 200-299; then the methods and headers lists.
/// (Chromium checks the CORS headers before the status, so a `403` without
/// `Access-Control-Allow-Origin` reports the missing header.)
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use preflight_browser::{check_preflight, Fetch};
/// let fetch = Fetch::new("https://app.example.com", "DELETE");
/// let mut answer = HeaderMap::new();
/// answer.insert("access-control-allow-origin", "https://app.example.com".parse().unwrap());
/// answer.insert("access-control-allow-methods", "GET, DELETE".parse().unwrap());
/// assert!(check_preflight(&fetch, StatusCode::NO_CONTENT, &answer).is_ok());
/// assert!(check_preflight(&fetch, StatusCode::UNAUTHORIZED, &answer).is_err());
/// ```
pub fn check_preflight(
    fetch: &Fetch,
    status: StatusCode,
    headers: &HeaderMap,
) -> Result<(), Blocked> {
    if status.is_redirection() {
        return Err(Blocked::PreflightRedirect);
    }
    cors_check(fetch, headers, Stage::Preflight)?;
    if !status.is_success() {
        return Err(Blocked::PreflightStatus {
            status: status.as_u16(),
        });
    }
    let methods =
        token_list(headers, &ACCESS_CONTROL_ALLOW_METHODS).ok_or(Blocked::InvalidAllowMethods)?;
    let allowed_headers =
        token_list(headers, &ACCESS_CONTROL_ALLOW_HEADERS).ok_or(Blocked::InvalidAllowHeaders)?;
    let star = |list: &[String]| !fetch.credentials && list.iter().any(|m| m == "*");
    if !methods.contains(&fetch.method) && !is_safelisted_method(&fetch.method) && !star(&methods) {
        return Err(Blocked::MethodNotAllowed {
            method: fetch.method.clone(),
        });
    }
    for name in fetch.unsafe_header_names() {
        let listed = allowed_headers
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&name));
        // The Fetch Standard says `*` never covers Authorization; Chromium still lets it
        // through (with a deprecation warning in the console), Firefox and Safari do not:
        // see [`authorization_only_by_wildcard`].
        if !listed && !star(&allowed_headers) {
            return Err(Blocked::HeaderNotAllowed { name });
        }
    }
    Ok(())
}

/// Whether this preflight answer lets `Authorization` through only by
/// `Access-Control-Allow-Headers: *`. The Fetch Standard says `*` never covers
/// `Authorization`, and Firefox and Safari block such a call; Chromium (up to at least 156)
/// still allows it and prints a deprecation warning. [`check_preflight`] follows Chromium.
///
/// ```
/// use http::{HeaderMap, StatusCode};
/// use preflight_browser::{authorization_only_by_wildcard, check_preflight, Fetch};
/// let fetch = Fetch::new("https://app.example.com", "GET").header("Authorization", "Bearer x");
/// let mut answer = HeaderMap::new();
/// answer.insert("access-control-allow-origin", "https://app.example.com".parse().unwrap());
/// answer.insert("access-control-allow-headers", "*".parse().unwrap());
/// assert!(check_preflight(&fetch, StatusCode::NO_CONTENT, &answer).is_ok()); // Chromium
/// assert!(authorization_only_by_wildcard(&fetch, &answer)); // Firefox and Safari block it
/// ```
pub fn authorization_only_by_wildcard(fetch: &Fetch, headers: &HeaderMap) -> bool {
    let Some(allowed) = token_list(headers, &ACCESS_CONTROL_ALLOW_HEADERS) else {
        return false;
    };
    fetch
        .unsafe_header_names()
        .iter()
        .any(|n| n == "authorization")
        && !allowed
            .iter()
            .any(|h| h.eq_ignore_ascii_case("authorization"))
        && allowed.iter().any(|h| h == "*")
        && !fetch.credentials
}

/// The actual response's CORS check (its status does not matter: a `500` with the right
/// headers is readable).
///
/// ```
/// use http::HeaderMap;
/// use preflight_browser::{check_response, Fetch};
/// let fetch = Fetch::new("https://app.example.com", "GET").credentials(true);
/// let mut headers = HeaderMap::new();
/// headers.insert("access-control-allow-origin", "https://app.example.com".parse().unwrap());
/// headers.insert("access-control-allow-credentials", "TRUE".parse().unwrap());
/// assert!(check_response(&fetch, &headers).unwrap_err().to_string().contains("'TRUE'"));
/// ```
pub fn check_response(fetch: &Fetch, headers: &HeaderMap) -> Result<(), Blocked> {
    cors_check(fetch, headers, Stage::Actual)
}

/// Whether a script can read response header `name` (safelisted, or exposed by
/// `Access-Control-Expose-Headers`; `*` only without credentials; never `Set-Cookie`).
///
/// ```
/// use http::HeaderMap;
/// use preflight_browser::{can_read_header, Fetch};
/// let fetch = Fetch::new("https://a.example", "GET");
/// let mut headers = HeaderMap::new();
/// headers.insert("access-control-expose-headers", "X-Request-Id".parse().unwrap());
/// assert!(can_read_header(&fetch, &headers, "x-request-id"));
/// assert!(can_read_header(&fetch, &headers, "Content-Type"));
/// assert!(!can_read_header(&fetch, &headers, "x-internal"));
/// ```
pub fn can_read_header(fetch: &Fetch, headers: &HeaderMap, name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower == "set-cookie" || lower == "set-cookie2" {
        return false;
    }
    if SAFELISTED_RESPONSE_HEADERS.contains(&lower.as_str()) {
        return true;
    }
    let exposed = token_list(headers, &ACCESS_CONTROL_EXPOSE_HEADERS).unwrap_or_default();
    exposed
        .iter()
        .any(|e| e.eq_ignore_ascii_case(&lower) || (e == "*" && !fetch.credentials))
}

/// The whole verdict for one call: the preflight answer (when one is needed), then the actual
/// response. A call that needs a preflight without one given is [`Blocked::PreflightMissing`].
///
/// ```
/// use http::HeaderMap;
/// use preflight_browser::{evaluate, Blocked, Fetch};
/// let fetch = Fetch::new("https://a.example", "PUT");
/// assert_eq!(evaluate(&fetch, None, &HeaderMap::new()), Err(Blocked::PreflightMissing));
/// ```
pub fn evaluate(
    fetch: &Fetch,
    preflight: Option<(StatusCode, &HeaderMap)>,
    actual: &HeaderMap,
) -> Result<(), Blocked> {
    if fetch.needs_preflight() {
        let (status, headers) = preflight.ok_or(Blocked::PreflightMissing)?;
        check_preflight(fetch, status, headers)?;
    }
    check_response(fetch, actual)
}
