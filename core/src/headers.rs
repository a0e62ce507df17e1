//! Headers: `CORS_ALLOWED_HEADERS` against the preflight's `Access-Control-Request-Headers`,
//! and `CORS_EXPOSE_HEADERS`.
//!
//! An allowed preflight that requested names is answered with the policy's list, ready-made
//! at cold start (nothing copied from the request):
//!
//! ```text
//! CORS_ALLOWED_HEADERS=Authorization,Content-Type,X-Request-Id
//! Access-Control-Request-Headers: authorization                          (request)
//! Access-Control-Allow-Headers: authorization, content-type, x-request-id (answer)
//! ```
//!
//! With `CORS_ALLOWED_HEADERS=*` the requested names are echoed (never a literal `*`), which
//! also covers `Authorization`, works with credentials and in Safari:
//!
//! ```text
//! Access-Control-Request-Headers: authorization,x-trace     (request)
//! Access-Control-Allow-Headers: authorization,x-trace       (answer)
//! ```
//!
//! `CORS_EXPOSE_HEADERS=X-Request-Id` produces, on every allowed actual response:
//!
//! ```text
//! Access-Control-Expose-Headers: X-Request-Id
//! ```

use http::header::HeaderName;
use http::HeaderValue;

use crate::list::Entries;
use crate::names::{is_token, STAR};
use crate::problem::Problem;
use crate::vars;

/// Most names looked at in one `Access-Control-Request-Headers`; a longer list is refused.
pub const MAX_REQUEST_HEADER_NAMES: usize = 64;

/// Longest header name looked at in `Access-Control-Request-Headers`.
pub const MAX_HEADER_NAME_LEN: usize = 256;

/// Longest `Access-Control-Request-Headers` value looked at: the caps above, with separators.
/// Anything longer is refused without being scanned.
pub const MAX_REQUEST_HEADERS_LEN: usize = MAX_REQUEST_HEADER_NAMES * (MAX_HEADER_NAME_LEN + 2);

/// The default of `CORS_ALLOWED_HEADERS`.
pub const DEFAULT_HEADERS: &str = "Authorization,Content-Type";

/// Request headers scripts can never set (the Fetch Standard's forbidden request-header names),
/// so allowing them does nothing; `Proxy-` and `Sec-` prefixes are forbidden too.
const FORBIDDEN_REQUEST: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether a header name is a CORS protocol header a script can set (`Access-Control-*`
/// but the two forbidden ones, which browsers drop: `-Request-Method` and
/// `-Request-Headers`): what pages following a mistaken tutorial send, most often
/// `Access-Control-Allow-Origin`. Chromium preflights them like any other name; the policy
/// refuses such a preflight as [`Rejection::CorsHeaderRequested`](crate::Rejection) and
/// refuses listing them in `CORS_ALLOWED_HEADERS`.
///
/// ```
/// assert!(preflight::is_cors_header_name(b"Access-Control-Allow-Origin"));
/// assert!(!preflight::is_cors_header_name(b"Access-Control-Request-Method")); // browsers drop it
/// assert!(!preflight::is_cors_header_name(b"X-Request-Id"));
/// ```
pub fn is_cors_header_name(name: &[u8]) -> bool {
    const PREFIX: &[u8] = b"access-control-";
    name.len() > PREFIX.len()
        && name[..PREFIX.len()].eq_ignore_ascii_case(PREFIX)
        && !name.eq_ignore_ascii_case(b"access-control-request-method")
        && !name.eq_ignore_ascii_case(b"access-control-request-headers")
}

/// Response headers every script can read without exposure.
pub(crate) const SAFELISTED_RESPONSE: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// The compiled `CORS_ALLOWED_HEADERS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AllowedHeaders {
    /// `*`: any requested name, answered by echoing the names.
    Any,
    /// These names (lower case), compared case-insensitively.
    List(Vec<Box<str>>),
}

/// Why an `Access-Control-Request-Headers` value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeadersCheck {
    Allowed,
    TooLong,
    TooMany,
    NameTooLong,
    /// An empty item, or a name that is not a token.
    Malformed,
    NotAllowed,
    /// Not allowed, and a CORS response header (`Access-Control-Allow-Origin`): the page
    /// sends what the server should.
    CorsHeader,
}

impl AllowedHeaders {
    /// Parses the entries of `CORS_ALLOWED_HEADERS`, adding every problem found.
    pub(crate) fn parse(entries: Entries<'_>, problems: &mut Vec<Problem>) -> AllowedHeaders {
        let var = vars::ALLOWED_HEADERS;
        let entries = match entries {
            Entries::Any => return AllowedHeaders::Any,
            Entries::Items(entries) => entries,
        };
        let mut list = Vec::with_capacity(entries.len());
        for entry in entries {
            let Some(name) = header_name(var, entry, problems) else {
                continue;
            };
            let lower = name.as_str();
            if is_cors_header_name(lower.as_bytes()) {
                problems.push(Problem::error("header-cors-protocol", 
                    var,
                    Some(entry),
                    "is a CORS protocol header: the server answers it and the browser sends its own; a page that sets it on a request follows a mistaken tutorial, and allowing it would only hide that mistake (it does nothing on a request)",
                    format!("remove {entry} from this list, and from the headers of the page's fetch() call; the server's CORS headers come from this library"),
                ));
                continue;
            }
            if FORBIDDEN_REQUEST.contains(&lower)
                || lower.starts_with("proxy-")
                || lower.starts_with("sec-")
            {
                problems.push(Problem::error("header-forbidden", 
                    var,
                    Some(entry),
                    "is a forbidden request header: browsers never let scripts set it (cookies are sent with CORS_ALLOW_CREDENTIALS=true, not by allowing `Cookie`), so allowing it does nothing",
                    format!("remove {entry}"),
                ));
                continue;
            }
            list.push(name.as_str().into());
        }
        AllowedHeaders::List(list)
    }

    /// Checks an `Access-Control-Request-Headers` value with bounded work: its length is
    /// checked before anything is scanned, and scanning stops at the first bad name.
    /// Returns the offending name, for the log. Never allocates.
    pub(crate) fn check<'v>(&self, value: &'v [u8]) -> (HeadersCheck, Option<&'v [u8]>) {
        if value.len() > MAX_REQUEST_HEADERS_LEN {
            return (HeadersCheck::TooLong, None);
        }
        for (count, item) in value.split(|&b| b == b',').enumerate() {
            if count == MAX_REQUEST_HEADER_NAMES {
                return (HeadersCheck::TooMany, None);
            }
            let name = item.trim_ascii();
            if name.len() > MAX_HEADER_NAME_LEN {
                return (HeadersCheck::NameTooLong, None);
            }
            match self {
                // Browsers send listed names in lower case: a byte-equal listed name is a
                // valid token, so the common case is one comparison per listed name.
                AllowedHeaders::List(list) => {
                    if list.iter().any(|allowed| allowed.as_bytes() == name) {
                        continue;
                    }
                    if !is_token(name) {
                        return (HeadersCheck::Malformed, Some(name));
                    }
                    if !list
                        .iter()
                        .any(|allowed| allowed.as_bytes().eq_ignore_ascii_case(name))
                    {
                        let why = if is_cors_header_name(name) {
                            HeadersCheck::CorsHeader
                        } else {
                            HeadersCheck::NotAllowed
                        };
                        return (why, Some(name));
                    }
                }
                AllowedHeaders::Any => {
                    if !is_token(name) {
                        return (HeadersCheck::Malformed, Some(name));
                    }
                }
            }
        }
        (HeadersCheck::Allowed, None)
    }

    /// The `Access-Control-Allow-Headers` value answered to every allowed preflight of a
    /// listed policy (`None` for `*`, answered by echoing, and for an empty list).
    pub(crate) fn answer(&self) -> Option<HeaderValue> {
        match self {
            AllowedHeaders::List(list) if !list.is_empty() => {
                HeaderValue::from_str(&list.join(", ")).ok()
            }
            _ => None,
        }
    }

    /// The names, for `Display`.
    /// The listed names, or `None` for `*` (for [`Policy::describe`](crate::Policy::describe)).
    pub(crate) fn listed(&self) -> Option<Vec<&str>> {
        match self {
            AllowedHeaders::Any => None,
            AllowedHeaders::List(list) => Some(list.iter().map(|name| &**name).collect()),
        }
    }
}

/// Parses `CORS_EXPOSE_HEADERS` into the precomputed `Access-Control-Expose-Headers` value
/// (`None` when nothing is exposed).
pub(crate) fn expose_headers(
    entries: Entries<'_>,
    credentials: bool,
    problems: &mut Vec<Problem>,
) -> Option<HeaderValue> {
    let var = vars::EXPOSE_HEADERS;
    let entries = match entries {
        Entries::Any if credentials => {
            problems.push(Problem::error("expose-star-with-credentials", 
                var,
                Some("*"),
                "with CORS_ALLOW_CREDENTIALS=true browsers read `*` as a header literally named `*`, so nothing would be exposed",
                "list the response headers scripts may read, e.g. X-Request-Id,ETag",
            ));
            return None;
        }
        Entries::Any => return Some(STAR),
        Entries::Items(entries) => entries,
    };
    let mut kept: Vec<&str> = Vec::with_capacity(entries.len());
    for entry in entries {
        let Some(name) = header_name(var, entry, problems) else {
            continue;
        };
        let lower = name.as_str();
        if lower == "set-cookie" || lower == "set-cookie2" {
            problems.push(Problem::error(
                "expose-set-cookie",
                var,
                Some(entry),
                "browsers never let scripts read Set-Cookie, whatever the server exposes",
                format!("remove {entry}"),
            ));
            continue;
        }
        if SAFELISTED_RESPONSE.contains(&lower) {
            problems.push(Problem::warning(
                "expose-safelisted",
                var,
                Some(entry),
                "is always readable by scripts; exposing it does nothing",
                format!("remove {entry}"),
            ));
            continue;
        }
        kept.push(entry);
    }
    if kept.is_empty() {
        return None;
    }
    HeaderValue::from_str(&kept.join(", ")).ok()
}

/// Parses one header name entry, reporting a problem when it is not a valid name.
fn header_name(var: &'static str, entry: &str, problems: &mut Vec<Problem>) -> Option<HeaderName> {
    if entry.len() > MAX_HEADER_NAME_LEN || !is_token(entry.as_bytes()) {
        problems.push(Problem::error(
            "header-invalid",
            var,
            Some(entry),
            "is not a header name (letters, digits and !#$%&'*+-.^_`|~ only, at most 256 bytes)",
            "write header names such as Content-Type, X-Request-Id, separated by commas",
        ));
        return None;
    }
    HeaderName::from_bytes(entry.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(entries: &[&str]) -> AllowedHeaders {
        let mut problems = Vec::new();
        let h = AllowedHeaders::parse(Entries::of(entries), &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        h
    }

    #[test]
    fn names_compare_case_insensitively() {
        let h = allowed(&["Authorization", "Content-Type"]);
        assert_eq!(
            h.check(b"authorization,content-type").0,
            HeadersCheck::Allowed
        );
        assert_eq!(
            h.check(b"Content-Type , AUTHORIZATION").0,
            HeadersCheck::Allowed
        );
        assert_eq!(
            h.check(b"content-type,x-request-id"),
            (HeadersCheck::NotAllowed, Some(&b"x-request-id"[..]))
        );
        assert_eq!(h.check(b"").0, HeadersCheck::Malformed);
    }

    #[test]
    fn cors_header_names_are_told_apart() {
        let h = allowed(&["Content-Type"]);
        assert_eq!(
            h.check(b"access-control-allow-origin,content-type"),
            (
                HeadersCheck::CorsHeader,
                Some(&b"access-control-allow-origin"[..])
            )
        );
        assert_eq!(
            h.check(b"Access-Control-Max-Age").0,
            HeadersCheck::CorsHeader
        );
        assert_eq!(h.check(b"x-access-control").0, HeadersCheck::NotAllowed);
        assert!(!is_cors_header_name(b"access-control-request-method"));
        assert!(is_cors_header_name(
            b"access-control-request-private-network"
        ));
        assert!(is_cors_header_name(b"ACCESS-CONTROL-ALLOW-CREDENTIALS"));
    }

    #[test]
    fn hostile_lists_cost_bounded_work() {
        let h = AllowedHeaders::Any;
        let many = vec!["x-a"; 65].join(",");
        assert_eq!(h.check(many.as_bytes()).0, HeadersCheck::TooMany);
        let ok = vec!["x-a"; 64].join(",");
        assert_eq!(h.check(ok.as_bytes()).0, HeadersCheck::Allowed);
        let huge = "x".repeat(MAX_REQUEST_HEADERS_LEN + 1);
        assert_eq!(h.check(huge.as_bytes()).0, HeadersCheck::TooLong);
        let long_name = "x".repeat(257);
        assert_eq!(h.check(long_name.as_bytes()).0, HeadersCheck::NameTooLong);
        assert_eq!(h.check(b"a,,b").0, HeadersCheck::Malformed);
        assert_eq!(h.check(b"a,").0, HeadersCheck::Malformed);
        assert_eq!(h.check("x-\u{e9}".as_bytes()).0, HeadersCheck::Malformed);
        assert_eq!(h.check(b"x a").0, HeadersCheck::Malformed);
    }

    #[test]
    fn forbidden_headers_are_errors() {
        let mut problems = Vec::new();
        AllowedHeaders::parse(
            Entries::of(&[
                "Cookie",
                "Sec-Fetch-Mode",
                "Proxy-Authorization",
                "Origin",
                "Access-Control-Allow-Origin",
                "Host",
                "X Bad",
            ]),
            &mut problems,
        );
        assert_eq!(problems.len(), 7);
        assert!(problems[0].reason().contains("forbidden"));
        assert!(
            problems[4].reason().contains("CORS protocol header"),
            "{problems:?}"
        );
        assert!(problems[6].reason().contains("not a header name"));
    }

    #[test]
    fn expose_headers_rules() {
        let mut problems = Vec::new();
        let v = expose_headers(Entries::of(&["X-Request-Id", "ETag"]), true, &mut problems);
        assert_eq!(v.unwrap(), "X-Request-Id, ETag");
        assert!(problems.is_empty());
        let v = expose_headers(Entries::of(&["*"]), true, &mut problems);
        assert!(v.is_none());
        assert!(problems[0].reason().contains("literally"));
        problems.clear();
        assert_eq!(
            expose_headers(Entries::of(&["*"]), false, &mut problems).unwrap(),
            "*"
        );
        expose_headers(
            Entries::of(&["Set-Cookie", "Content-Type"]),
            false,
            &mut problems,
        );
        assert_eq!(problems.len(), 2);
        assert_eq!(problems[1].severity(), crate::Severity::Warning);
    }
}
