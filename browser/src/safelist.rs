//! What the Fetch Standard lets a script send: the methods browsers normalize and forbid, the
//! request headers they drop or safelist, the response headers every script can read.

// The model's own tables, written from the Fetch Standard and checked in headless Chromium
// (`tests/test_browser_model.py`). The server side has tables of its own: the model must not
// share them, or a wrong table would be wrong on both sides and no test would notice.

/// Methods browsers upper-case before sending (Fetch "normalize a method").
pub(crate) const NORMALIZED_METHODS: [&str; 6] =
    ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// Methods no script may send, also inside the method-override headers.
pub(crate) const FORBIDDEN_METHODS: [&str; 3] = ["CONNECT", "TRACE", "TRACK"];

/// Request headers a script cannot set: the browser drops them silently (no error, no
/// preflight). Fetch "forbidden request-header", plus `User-Agent`, which Chromium still
/// keeps for itself.
pub(crate) const FORBIDDEN_REQUEST_HEADERS: [&str; 22] = [
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
///
/// ```
/// assert!(preflight_browser::SAFELISTED_RESPONSE_HEADERS.contains(&"content-type"));
/// assert!(!preflight_browser::SAFELISTED_RESPONSE_HEADERS.contains(&"x-request-id"));
/// ```
pub const SAFELISTED_RESPONSE_HEADERS: [&str; 7] = [
    "cache-control",
    "content-language",
    "content-length",
    "content-type",
    "expires",
    "last-modified",
    "pragma",
];

/// RFC 9110 `token`: letters, digits and ``!#$%&'*+-.^_`|~``, at least one.
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// Whether a script's request header is dropped by the browser (Fetch "forbidden
/// request-header"): a forbidden name, a `Proxy-` or `Sec-` name, or a method-override
/// header naming a forbidden method.
pub(crate) fn is_forbidden_request_header(lower: &str, value: &str) -> bool {
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

/// Fetch "CORS-safelisted method": `GET`, `HEAD` and `POST` never need a preflight on their
/// own (methods compare case-sensitively).
///
/// ```
/// use preflight_browser::is_safelisted_method;
/// assert!(is_safelisted_method("POST"));
/// assert!(!is_safelisted_method("PUT"));
/// assert!(!is_safelisted_method("post"));
/// ```
pub fn is_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// Fetch "CORS-unsafe request-header byte".
pub(crate) fn is_unsafe_byte(b: u8) -> bool {
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

/// The request headers a script may send without a preflight, each only with a value Fetch
/// (and, for the client hints, Chromium) safelists: `Content-Type` only as
/// `application/x-www-form-urlencoded`, `multipart/form-data` or `text/plain`, `Range` only as
/// one simple byte range, every value at most 128 bytes.
///
/// ```
/// assert!(preflight_browser::SAFELISTED_REQUEST_HEADERS.contains(&"content-type"));
/// assert!(!preflight_browser::SAFELISTED_REQUEST_HEADERS.contains(&"authorization"));
/// ```
pub const SAFELISTED_REQUEST_HEADERS: [&str; 13] = [
    "accept",
    "accept-language",
    "content-language",
    "content-type",
    "range",
    "device-memory",
    "dpr",
    "downlink",
    "width",
    "viewport-width",
    "rtt",
    "ect",
    "save-data",
];

/// Fetch "CORS-safelisted request-header" for a lower-case name.
pub(crate) fn is_safelisted_request_header(name: &str, value: &[u8]) -> bool {
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
pub(crate) fn is_decimal(value: &[u8], integer: bool) -> bool {
    let text = std::str::from_utf8(value).unwrap_or("");
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    match text.split_once('.') {
        None => digits(text),
        Some((whole, fraction)) => !integer && digits(whole) && digits(fraction),
    }
}

/// The essence (`type/subtype`, lower case) of a MIME type, or `None` when it does not parse.
pub(crate) fn mime_essence(value: &[u8]) -> Option<String> {
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
pub(crate) fn is_simple_range(value: &[u8]) -> bool {
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
