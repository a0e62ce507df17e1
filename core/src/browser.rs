//! The browser model: the Fetch Standard's CORS checks as pure functions over the `http`
//! crate's types, with the reasons in the words Chromium prints in its console.
//!
//! It answers "would a browser let this page read this response?" for one `fetch()` call:
//! whether a preflight is sent ([`Fetch::needs_preflight`]), what it looks like
//! ([`Fetch::preflight_request`]), whether its answer passes ([`check_preflight`]), and
//! whether the actual response passes ([`check_response`]) and which of its headers the
//! script can read ([`can_read_header`]).
//!
//! Modelled from the Fetch Standard ("CORS check", "CORS-preflight fetch",
//! "CORS-safelisted request-header", "CORS-safelisted method") and Chromium's
//! `services/network/public/cpp/cors/cors.cc` for the order of checks and the messages. Not
//! modelled: following redirects (a redirected preflight is simply blocked), the preflight
//! cache (see [`preflight_cache_seconds`]), Private Network Access, `no-cors` mode. Where
//! Chromium departs from the standard, the model follows Chromium and says so (`*` still
//! covering `Authorization`: [`authorization_only_by_wildcard`]).
//!
//! ```
//! use http::{HeaderMap, StatusCode};
//! use preflight::browser::{check_preflight, Fetch};
//!
//! let fetch = Fetch::new("https://app.example.com", "PUT").header("Content-Type", "application/json");
//! assert!(fetch.needs_preflight());
//! assert_eq!(fetch.request_headers_value().as_deref(), Some("content-type"));
//!
//! let mut answer = HeaderMap::new();
//! answer.insert("access-control-allow-origin", "https://app.example.com".parse().unwrap());
//! answer.insert("access-control-allow-methods", "PUT".parse().unwrap());
//! let blocked = check_preflight(&fetch, StatusCode::NO_CONTENT, &answer).unwrap_err();
//! assert_eq!(
//!     blocked.to_string(),
//!     "Request header field content-type is not allowed by Access-Control-Allow-Headers in preflight response."
//! );
//! ```

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request, StatusCode};

// The model's own tables, written from the Fetch Standard and checked in headless Chromium
// (`tests/test_browser_model.py`). The server side has tables of its own: the model must not
// share them, or a wrong table would be wrong on both sides and no test would notice.

/// Methods browsers upper-case before sending (Fetch "normalize a method").
const NORMALIZED_METHODS: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Methods no script may send, also inside the method-override headers.
const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Request headers a script cannot set: the browser drops them silently (no error, no
/// preflight). Fetch "forbidden request-header", plus `User-Agent`, which Chromium still
/// keeps for itself.
const FORBIDDEN_REQUEST_HEADERS: [&str; 22] = [
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
    "user-agent",
    "via",
];

/// Response headers every script can read (Fetch "CORS-safelisted response-header name").
const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// RFC 9110 `token`: letters, digits and ``!#$%&'*+-.^_`|~``, at least one.
fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether a script's request header is dropped by the browser (Fetch "forbidden
/// request-header"): a forbidden name, a `Proxy-` or `Sec-` name, or a method-override
/// header naming a forbidden method.
fn is_forbidden_request_header(lower: &str, value: &str) -> bool {
    if FORBIDDEN_REQUEST_HEADERS.contains(&lower)
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return true;
    }
    matches!(
        lower,
        "x-http-method" | "x-http-method-override" | "x-method-override"
    ) && value.split(',').any(|m| {
        FORBIDDEN_METHODS
            .iter()
            .any(|f| f.eq_ignore_ascii_case(m.trim_matches([' ', '\t'])))
    })
}

/// What a script asked `fetch()` to do, as the browser sees it.
///
/// ```
/// use preflight::browser::Fetch;
/// let fetch = Fetch::new("https://app.example.com", "patch").header("X-Request-Id", "1").credentials(true);
/// assert_eq!(fetch.method, "patch"); // only the six standard methods are upper-cased
/// assert!(fetch.credentials);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// The page's serialized origin, e.g. `http://127.0.0.1:8080`, or `null`.
    pub origin: String,
    /// The method as the browser sends it (see [`Fetch::new`]).
    pub method: String,
    /// Author request headers `(name, value)` as the script set them.
    pub headers: Vec<(String, String)>,
    /// Credentials mode `include` (cookies, HTTP authentication).
    pub credentials: bool,
}

/// Which response a check is about; the messages differ.
///
/// ```
/// assert_ne!(preflight::browser::Stage::Preflight, preflight::browser::Stage::Actual);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The answer to the `OPTIONS` preflight.
    Preflight,
    /// The answer to the actual request.
    Actual,
}

/// Why the browser blocks. `Display` gives Chromium's console wording (what follows
/// "has been blocked by CORS policy: ").
///
/// ```
/// use preflight::browser::{Blocked, Stage};
/// let blocked = Blocked::NoAllowOrigin { stage: Stage::Actual };
/// assert_eq!(blocked.to_string(), "No 'Access-Control-Allow-Origin' header is present on the requested resource.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked {
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
    },
    /// `Access-Control-Allow-Origin` with several values (a list, or several lines).
    MultipleAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
        /// The combined value.
        value: String,
    },
    /// `Access-Control-Allow-Origin` that is not an origin.
    InvalidAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
        /// The value.
        value: String,
    },
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardWithCredentials {
        /// Preflight or actual response.
        stage: Stage,
    },
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch {
        /// Preflight or actual response.
        stage: Stage,
        /// The value.
        value: String,
    },
    /// `Access-Control-Allow-Credentials` is not exactly `true` on a credentialed request.
    AllowCredentials {
        /// Preflight or actual response.
        stage: Stage,
        /// The value (empty when missing).
        value: String,
    },
    /// The preflight's status is not 200-299.
    PreflightStatus {
        /// The status received.
        status: u16,
    },
    /// The preflight was answered with a redirect.
    PreflightRedirect,
    /// `Access-Control-Allow-Methods` does not parse as a list of methods.
    InvalidAllowMethods,
    /// `Access-Control-Allow-Headers` does not parse as a list of header names.
    InvalidAllowHeaders,
    /// The method is not allowed by the preflight answer.
    MethodNotAllowed {
        /// The method.
        method: String,
    },
    /// A request header is not allowed by the preflight answer.
    HeaderNotAllowed {
        /// The lower-case header name.
        name: String,
    },
    /// [`evaluate`] was asked to judge a call that needs a preflight without one.
    PreflightMissing,
}

const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = |f: &mut fmt::Formatter<'_>, stage: &Stage| {
            if *stage == Stage::Preflight {
                f.write_str(PREFLIGHT_PREFIX)
            } else {
                Ok(())
            }
        };
        match self {
            Blocked::NoAllowOrigin { stage } => {
                prefix(f, stage)?;
                f.write_str("No 'Access-Control-Allow-Origin' header is present on the requested resource.")
            }
            Blocked::MultipleAllowOrigin { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.")
            }
            Blocked::InvalidAllowOrigin { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.")
            }
            Blocked::WildcardWithCredentials { stage } => {
                prefix(f, stage)?;
                f.write_str("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.")
            }
            Blocked::AllowOriginMismatch { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.")
            }
            Blocked::AllowCredentials { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.")
            }
            Blocked::PreflightStatus { .. } => {
                write!(f, "{PREFLIGHT_PREFIX}It does not have HTTP ok status.")
            }
            Blocked::PreflightRedirect => write!(f, "{PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request."),
            Blocked::InvalidAllowMethods => f.write_str("Cannot parse Access-Control-Allow-Methods response header field in preflight response."),
            Blocked::InvalidAllowHeaders => f.write_str("Cannot parse Access-Control-Allow-Headers response header field in preflight response."),
            Blocked::MethodNotAllowed { method } => {
                write!(f, "Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.")
            }
            Blocked::HeaderNotAllowed { name } => {
                write!(f, "Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response.")
            }
            Blocked::PreflightMissing => f.write_str("this request needs a CORS preflight, and none was answered"),
        }
    }
}

impl std::error::Error for Blocked {}

impl Fetch {
    /// A call from `origin` with `method`, normalized as browsers do (only `DELETE`, `GET`,
    /// `HEAD`, `OPTIONS`, `POST`, `PUT` are upper-cased), no headers, no credentials.
    ///
    /// ```
    /// use preflight::browser::Fetch;
    /// assert_eq!(Fetch::new("https://a.example", "delete").method, "DELETE");
    /// assert_eq!(Fetch::new("https://a.example", "patch").method, "patch");
    /// ```
    pub fn new(origin: impl Into<String>, method: impl Into<String>) -> Self {
        let method = method.into();
        let method = match NORMALIZED_METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&method))
        {
            Some(m) => (*m).to_string(),
            None => method,
        };
        Fetch {
            origin: origin.into(),
            method,
            headers: Vec::new(),
            credentials: false,
        }
    }

    /// Adds an author request header.
    ///
    /// ```
    /// let fetch = preflight::browser::Fetch::new("https://a.example", "GET").header("Accept", "text/plain");
    /// assert_eq!(fetch.headers.len(), 1);
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets credentials mode `include` (`true`) or `same-origin` (`false`).
    ///
    /// ```
    /// assert!(preflight::browser::Fetch::new("https://a.example", "GET").credentials(true).credentials);
    /// ```
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }

    /// The author headers the request carries: forbidden ones dropped, names lower-cased,
    /// the values of a repeated name combined with `, ` (as `Headers.append` does), in the
    /// order of first appearance.
    fn author_headers(&self) -> Vec<(String, String)> {
        let mut combined: Vec<(String, String)> = Vec::new();
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            // Fetch normalizes a value by trimming HTTP whitespace.
            let value = value.trim_matches([' ', '\t', '\n', '\r']);
            if is_forbidden_request_header(&lower, value) {
                continue;
            }
            match combined.iter_mut().find(|(n, _)| *n == lower) {
                Some((_, all)) => {
                    all.push_str(", ");
                    all.push_str(value);
                }
                None => combined.push((lower, value.to_string())),
            }
        }
        combined
    }

    /// The author header names that are not CORS-safelisted: lower case, sorted, unique
    /// (Fetch "CORS-unsafe request-header names").
    fn unsafe_header_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut safelisted = Vec::new();
        let mut safelisted_size = 0;
        for (lower, value) in self.author_headers() {
            if is_safelisted_request_header(&lower, value.as_bytes()) {
                safelisted_size += value.len();
                safelisted.push(lower);
            } else {
                names.push(lower);
            }
        }
        if safelisted_size > 1024 {
            names.extend(safelisted);
        }
        names.sort();
        names.dedup();
        names
    }

    /// Whether the browser sends a CORS-preflight first: the method is not GET, HEAD or POST,
    /// or a header is not CORS-safelisted.
    ///
    /// ```
    /// use preflight::browser::Fetch;
    /// assert!(!Fetch::new("https://a.example", "POST").header("Content-Type", "text/plain;charset=UTF-8").needs_preflight());
    /// assert!(Fetch::new("https://a.example", "POST").header("Content-Type", "application/json").needs_preflight());
    /// assert!(Fetch::new("https://a.example", "GET").header("Range", "bytes=-5").needs_preflight());
    /// ```
    pub fn needs_preflight(&self) -> bool {
        !is_safelisted_method(&self.method) || !self.unsafe_header_names().is_empty()
    }

    /// The value of `Access-Control-Request-Headers`: the unsafe names joined by `,`.
    ///
    /// ```
    /// let fetch = preflight::browser::Fetch::new("https://a.example", "GET")
    ///     .header("X-B", "1").header("Authorization", "x").header("x-b", "2").header("Accept", "*/*");
    /// assert_eq!(fetch.request_headers_value().as_deref(), Some("authorization,x-b"));
    /// ```
    pub fn request_headers_value(&self) -> Option<String> {
        let names = self.unsafe_header_names();
        (!names.is_empty()).then(|| names.join(","))
    }

    /// The preflight the browser sends: `OPTIONS /` with `Origin`,
    /// `Access-Control-Request-Method` and, when needed, `Access-Control-Request-Headers`;
    /// never credentials or author headers.
    ///
    /// ```
    /// let request = preflight::browser::Fetch::new("https://a.example", "PUT").preflight_request();
    /// assert_eq!(request.method(), http::Method::OPTIONS);
    /// assert_eq!(request.headers()["access-control-request-method"], "PUT");
    /// ```
    pub fn preflight_request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = Method::OPTIONS;
        let headers = request.headers_mut();
        insert(headers, ORIGIN, &self.origin);
        insert(headers, ACCESS_CONTROL_REQUEST_METHOD, &self.method);
        if let Some(names) = self.request_headers_value() {
            insert(headers, ACCESS_CONTROL_REQUEST_HEADERS, &names);
        }
        request
    }

    /// The actual request's headers: `Origin` and the author headers (values the `http`
    /// crate cannot hold are left out).
    ///
    /// ```
    /// let headers = preflight::browser::Fetch::new("https://a.example", "GET").header("X-A", "1").request_headers();
    /// assert_eq!(headers["origin"], "https://a.example");
    /// assert_eq!(headers["x-a"], "1");
    /// ```
    pub fn request_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        insert(&mut headers, ORIGIN, &self.origin);
        for (name, value) in &self.author_headers() {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        headers
    }
}

fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}

/// Fetch "CORS-safelisted method": `GET`, `HEAD` and `POST` never need a preflight on their
/// own (methods compare case-sensitively).
///
/// ```
/// use preflight::browser::is_safelisted_method;
/// assert!(is_safelisted_method("POST"));
/// assert!(!is_safelisted_method("PUT"));
/// assert!(!is_safelisted_method("post"));
/// ```
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Fetch "CORS-unsafe request-header byte".
fn is_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            0x22 | 0x28
                | 0x29
                | 0x3A
                | 0x3C
                | 0x3E
                | 0x3F
                | 0x40
                | 0x5B
                | 0x5C
                | 0x5D
                | 0x7B
                | 0x7D
                | 0x7F
        )
}

/// Fetch "CORS-safelisted request-header" for a lower-case name.
fn is_safelisted_request_header(name: &str, value: &[u8]) -> bool {
    if value.len() > 128 {
        return false;
    }
    match name {
        "accept" => !value.iter().any(|&b| is_unsafe_byte(b)),
        "accept-language" | "content-language" => value.iter().all(|&b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'=')
        }),
        "content-type" => {
            if value.iter().any(|&b| is_unsafe_byte(b)) {
                return false;
            }
            matches!(
                mime_essence(value).as_deref(),
                Some("application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain")
            )
        }
        "range" => is_simple_range(value),
        // Client hints Chromium safelists when their values are well-formed.
        "device-memory" | "dpr" | "downlink" => is_decimal(value, false),
        "width" | "viewport-width" | "rtt" => is_decimal(value, true),
        "ect" => matches!(value, b"slow-2g" | b"2g" | b"3g" | b"4g"),
        "save-data" => value == b"on",
        _ => false,
    }
}

/// A non-negative decimal number (`integer`: digits only; otherwise one `.` allowed).
fn is_decimal(value: &[u8], integer: bool) -> bool {
    let text = std::str::from_utf8(value).unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        None => digits(text),
        Some((whole, fraction)) => !integer && digits(whole) && digits(fraction),
    }
}

/// The essence (`type/subtype`, lower case) of a MIME type, or `None` when it does not parse.
fn mime_essence(value: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(value).ok()?;
    let essence = text
        .split(';')
        .next()?
        .trim_matches([' ', '\t', '\n', '\r']);
    let (kind, subtype) = essence.split_once('/')?;
    let token = |s: &str| is_token(s.as_bytes());
    (token(kind) && token(subtype)).then(|| essence.to_ascii_lowercase())
}

/// `bytes=N-` or `bytes=N-M` (Fetch "parse a single range header value", whitespace not
/// allowed, start required).
fn is_simple_range(value: &[u8]) -> bool {
    let Some(rest) = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case(b"bytes="))
        .map(|_| &value[6..])
    else {
        return false;
    };
    let Some(dash) = rest.iter().position(|&b| b == b'-') else {
        return false;
    };
    let (start, end) = (&rest[..dash], &rest[dash + 1..]);
    let digits = |s: &[u8]| s.iter().all(u8::is_ascii_digit);
    if start.is_empty() || !digits(start) || !digits(end) {
        return false;
    }
    if end.is_empty() {
        return true;
    }
    let parse = |s: &[u8]| {
        std::str::from_utf8(s)
            .ok()
            .and_then(|s| s.parse::<u128>().ok())
    };
    matches!((parse(start), parse(end)), (Some(a), Some(b)) if a <= b)
}

/// All lines of a header combined as Fetch does (`, `), or `None` when absent.
fn combined(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
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
/// use preflight::browser::{cors_check, Fetch, Stage};
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
fn is_valid_url(value: &str) -> bool {
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
fn token_list(headers: &HeaderMap, name: &HeaderName) -> Option<Vec<String>> {
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
/// use preflight::browser::{check_preflight, Fetch};
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
/// use preflight::browser::{authorization_only_by_wildcard, check_preflight, Fetch};
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
/// use preflight::browser::{check_response, Fetch};
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
/// use preflight::browser::{can_read_header, Fetch};
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

/// How long Chromium caches a preflight answer, in seconds: `Access-Control-Max-Age` as a
/// non-negative integer, 5 when missing or invalid, at most 7200.
///
/// ```
/// use http::HeaderMap;
/// let mut headers = HeaderMap::new();
/// assert_eq!(preflight::browser::preflight_cache_seconds(&headers), 5);
/// headers.insert("access-control-max-age", "86400".parse().unwrap());
/// assert_eq!(preflight::browser::preflight_cache_seconds(&headers), 7200);
/// ```
pub fn preflight_cache_seconds(headers: &HeaderMap) -> u64 {
    // As Chromium reads it: one signed 64-bit integer (a leading `+` or `-` allowed, nothing
    // else); a negative one means no caching, anything unreadable (an overflow, `6e2`, two
    // values) the default.
    let Some(value) = combined(headers, &ACCESS_CONTROL_MAX_AGE) else {
        return 5;
    };
    let value = value.trim_matches([' ', '\t']);
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return 5;
    }
    match value.parse::<i64>() {
        Ok(seconds) if seconds < 0 => 0,
        Ok(seconds) => (seconds as u64).min(7200),
        Err(_) => 5,
    }
}

/// The whole verdict for one call: the preflight answer (when one is needed), then the actual
/// response. A call that needs a preflight without one given is [`Blocked::PreflightMissing`].
///
/// ```
/// use http::HeaderMap;
/// use preflight::browser::{evaluate, Blocked, Fetch};
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
