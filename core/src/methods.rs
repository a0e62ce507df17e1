//! Methods: `CORS_ALLOWED_METHODS` and the preflight's `Access-Control-Request-Method`.
//!
//! The answer always names exactly the requested method, even `GET`, `HEAD` or `POST`:
//!
//! ```text
//! Access-Control-Request-Method: PUT      (request)
//! Access-Control-Allow-Methods: PUT       (answer)
//! ```
//!
//! `GET`, `HEAD` and `POST` are always allowed, listed or not, as browsers allow them: a
//! browser never asks permission for them (a form or a simple `fetch()` sends them without a
//! preflight), and it ignores `Access-Control-Allow-Methods` for them when a preflight is sent
//! for another reason (a JSON `Content-Type`, say). Refusing such a preflight would break the
//! app and protect nothing.
//!
//! Methods compare case-sensitively, as browsers do. Browsers upper-case only `DELETE`, `GET`,
//! `HEAD`, `OPTIONS`, `POST` and `PUT`; `fetch(url, {method: 'patch'})` sends `patch`, which a
//! configured `PATCH` does not allow.

use http::HeaderValue;

use crate::list::Entries;
use crate::names::is_token;
use crate::problem::Problem;
use crate::vars;

/// Longest method name looked at in a request; longer ones are refused unread.
pub const MAX_METHOD_LEN: usize = 64;

/// Methods browsers refuse to send from scripts.
const FORBIDDEN: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Methods browsers upper-case before sending (Fetch "normalize a method").
pub(crate) const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Methods allowed whatever `CORS_ALLOWED_METHODS` says (Fetch "CORS-safelisted method"),
/// each with its `Access-Control-Allow-Methods` answer.
static SAFELISTED: [(&[u8], HeaderValue); 3] = [
    (b"GET", HeaderValue::from_static("GET")),
    (b"HEAD", HeaderValue::from_static("HEAD")),
    (b"POST", HeaderValue::from_static("POST")),
];

/// The default of `CORS_ALLOWED_METHODS`.
pub const DEFAULT_METHODS: &str = "GET,HEAD,POST,PUT,PATCH,DELETE";

/// The compiled `CORS_ALLOWED_METHODS`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AllowedMethods {
    /// `*`: any method (the answer still names the one requested).
    Any,
    /// These names, compared byte for byte, each with its precomputed
    /// `Access-Control-Allow-Methods` value.
    List(Vec<(Box<str>, HeaderValue)>),
}

/// Why a requested method was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MethodCheck<'a> {
    /// Allowed; the value to answer (`None` for `*`: echo the request's).
    Allowed(Option<&'a HeaderValue>),
    /// Not a token, or too long.
    Invalid,
    /// Allowed in another case (`patch` for `PATCH`).
    WrongCase,
    NotAllowed,
}

impl AllowedMethods {
    /// Parses the entries of `CORS_ALLOWED_METHODS`, adding every problem found.
    pub(crate) fn parse(entries: Entries<'_>, problems: &mut Vec<Problem>) -> AllowedMethods {
        let var = vars::ALLOWED_METHODS;
        let entries = match entries {
            Entries::Any => return AllowedMethods::Any,
            Entries::Items(entries) => entries,
        };
        let mut list: Vec<(Box<str>, HeaderValue)> = Vec::with_capacity(entries.len());
        for entry in entries {
            if !is_token(entry.as_bytes()) {
                problems.push(Problem::error(
                    "method-invalid",
                    var,
                    Some(entry),
                    "is not a method name (letters, digits and !#$%&'*+-.^_`|~ only)",
                    "write method names such as GET, PUT, DELETE, separated by commas",
                ));
                continue;
            }
            let upper = entry.to_ascii_uppercase();
            if FORBIDDEN.contains(&upper.as_str()) {
                problems.push(Problem::error("method-forbidden", 
                    var,
                    Some(entry),
                    "is a forbidden method: browsers never let scripts send it, so allowing it does nothing",
                    format!("remove {entry}"),
                ));
                continue;
            }
            let name = if NORMALIZED.contains(&upper.as_str()) {
                if entry != upper {
                    problems.push(Problem::warning("method-normalized", 
                        var,
                        Some(entry),
                        format!("browsers upper-case `{entry}` to `{upper}` before sending it; it is allowed as `{upper}`"),
                        format!("write {upper}"),
                    ));
                }
                upper
            } else {
                if entry != upper {
                    problems.push(Problem::warning("method-case", 
                        var,
                        Some(entry),
                        format!("methods compare case-sensitively and browsers send `{entry}` exactly as a script writes it; this allows `fetch(url, {{method: '{entry}'}})` but not `{upper}`"),
                        format!("write {upper} unless your scripts send `{entry}` in lower case"),
                    ));
                }
                entry.to_string()
            };
            if list.iter().any(|(listed, _)| **listed == *name) {
                problems.push(Problem::warning("method-repeat", 
                    var,
                    Some(entry),
                    format!("is the same method as another entry (`{name}`) once upper-cased as browsers do"),
                    "remove the repeat",
                ));
                continue;
            }
            let value = HeaderValue::from_str(&name).expect("a token is a valid header value");
            // Cloned once here, so the bytes are shared and every answer's clone is a
            // reference count, never an allocation.
            let _ = value.clone();
            list.push((name.into_boxed_str(), value));
        }
        AllowedMethods::List(list)
    }

    /// Checks a requested method. Never allocates.
    pub(crate) fn check(&self, method: &[u8]) -> MethodCheck<'_> {
        // A listed method is a valid token: a hit needs no further validation.
        if let AllowedMethods::List(list) = self {
            if let Some((_, value)) = list.iter().find(|(m, _)| m.as_bytes() == method) {
                return MethodCheck::Allowed(Some(value));
            }
        }
        if let Some((_, value)) = SAFELISTED.iter().find(|(m, _)| *m == method) {
            return MethodCheck::Allowed(Some(value));
        }
        if method.len() > MAX_METHOD_LEN || !is_token(method) {
            return MethodCheck::Invalid;
        }
        match self {
            AllowedMethods::Any => MethodCheck::Allowed(None),
            AllowedMethods::List(list) => {
                if list
                    .iter()
                    .any(|(m, _)| m.as_bytes().eq_ignore_ascii_case(method))
                {
                    MethodCheck::WrongCase
                } else {
                    MethodCheck::NotAllowed
                }
            }
        }
    }

    /// The methods, for `Display`.
    /// The listed names, or `None` for `*` (for [`Policy::describe`](crate::Policy::describe)).
    pub(crate) fn listed(&self) -> Option<Vec<&str>> {
        match self {
            AllowedMethods::Any => None,
            AllowedMethods::List(list) => Some(list.iter().map(|(m, _)| &**m).collect()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(entries: &[&str]) -> (AllowedMethods, Vec<Problem>) {
        let mut problems = Vec::new();
        (
            AllowedMethods::parse(Entries::of(entries), &mut problems),
            problems,
        )
    }

    #[test]
    fn methods_compare_case_sensitively() {
        let (m, problems) = parse(&["GET", "PATCH"]);
        assert!(problems.is_empty());
        assert!(matches!(m.check(b"PATCH"), MethodCheck::Allowed(Some(v)) if v == "PATCH"));
        assert_eq!(m.check(b"patch"), MethodCheck::WrongCase);
        assert_eq!(m.check(b"PUT"), MethodCheck::NotAllowed);
        assert_eq!(m.check(b"PU T"), MethodCheck::Invalid);
        assert_eq!(m.check(b""), MethodCheck::Invalid);
        assert_eq!(m.check(&[b'A'; 65]), MethodCheck::Invalid);
    }

    #[test]
    fn normalized_methods_are_upper_cased_with_a_warning() {
        let (m, problems) = parse(&["get", "patch"]);
        assert!(matches!(m.check(b"GET"), MethodCheck::Allowed(_)));
        assert!(matches!(m.check(b"patch"), MethodCheck::Allowed(_)));
        assert_eq!(m.check(b"PATCH"), MethodCheck::WrongCase);
        assert_eq!(problems.len(), 2);
        assert!(problems[0].reason().contains("upper-case"));
        assert!(problems[1].reason().contains("case-sensitively"));
    }

    #[test]
    fn forbidden_and_invalid_methods_are_errors() {
        let (_, problems) = parse(&["CONNECT", "trace", "TRACK", "GE T", "GET;"]);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].reason().contains("forbidden"));
        // `*` next to methods is the list parser's error (crate::list), not this module's.
        let (_, problems) = parse(&["*", "GET"]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn safelisted_methods_are_always_allowed() {
        let (m, problems) = parse(&["PUT", "DELETE"]);
        assert!(problems.is_empty());
        for method in ["GET", "HEAD", "POST"] {
            assert!(
                matches!(m.check(method.as_bytes()), MethodCheck::Allowed(Some(v)) if v == method),
                "{method}"
            );
        }
        // Browsers upper-case these three, so another case is still refused.
        assert_eq!(m.check(b"post"), MethodCheck::NotAllowed);
    }

    #[test]
    fn repeats_compare_as_browsers_send_methods() {
        // PATCH and patch are two methods; get and GET are one once normalized.
        let (m, problems) = parse(&["PATCH", "patch"]);
        assert!(matches!(m.check(b"PATCH"), MethodCheck::Allowed(_)));
        assert!(matches!(m.check(b"patch"), MethodCheck::Allowed(_)));
        assert!(
            problems.iter().all(|p| !p.reason().contains("same method")),
            "{problems:?}"
        );
        let (_, problems) = parse(&["GET", "get"]);
        assert!(
            problems.iter().any(|p| p.reason().contains("same method")),
            "{problems:?}"
        );
    }

    #[test]
    fn star_allows_any_token() {
        let (m, _) = parse(&["*"]);
        assert!(matches!(m.check(b"PROPFIND"), MethodCheck::Allowed(_)));
        assert_eq!(m.check(b"bad method"), MethodCheck::Invalid);
    }
}
