//! The wire's shared vocabulary, at the bottom of the crate: header names and fixed header
//! values that several modules write or read, and the RFC 9110 `token` grammar. Every other
//! module may import this one; it imports none of them.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, HOST, ORIGIN,
};
use http::{HeaderName, HeaderValue};

/// `Access-Control-Allow-Private-Network`, answered to `Access-Control-Request-Private-Network`.
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// `Access-Control-Request-Private-Network`, sent by Chromium on preflights to private networks.
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// `Sec-Fetch-Site`, which browsers send on every request: `same-origin`, `same-site`,
/// `cross-site`, or `none` (the user's own navigation). Read by the cross-site guard.
pub(crate) const SEC_FETCH_SITE: HeaderName = HeaderName::from_static("sec-fetch-site");

/// The request headers a policy decides on: an adapter whose platform drops repeated lines
/// (Lambda's REST events) or hands over a copy of the request (Workers) keeps these. The last
/// two are read by the cross-site guard only (`CORS_REFUSE_CROSS_SITE`).
///
/// ```
/// assert_eq!(preflight::CORS_REQUEST_HEADERS[0], http::header::ORIGIN);
/// assert_eq!(preflight::CORS_REQUEST_HEADERS.len(), 6);
/// ```
pub const CORS_REQUEST_HEADERS: [HeaderName; 6] = [
    ORIGIN,
    ACCESS_CONTROL_REQUEST_METHOD,
    ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
    SEC_FETCH_SITE,
    HOST,
];

/// Every `Access-Control-*` response header a browser reads. The policy owns them: whatever a
/// handler set is removed.
pub(crate) const CORS_RESPONSE_HEADERS: [HeaderName; 7] = [
    ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_ALLOW_CREDENTIALS,
    ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_HEADERS,
    ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
];

/// `true`, for `Access-Control-Allow-Credentials` and `Access-Control-Allow-Private-Network`.
pub(crate) const TRUE: HeaderValue = HeaderValue::from_static("true");

/// `*`, for `Access-Control-Allow-Origin` when any origin is allowed.
pub(crate) const STAR: HeaderValue = HeaderValue::from_static("*");

/// Whether `bytes` is an HTTP token (RFC 9110 `tchar`s, at least one).
pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| TCHAR[usize::from(b)])
}

/// RFC 9110 `tchar`: letters, digits and ``!#$%&'*+-.^_`|~``.
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        b += 1;
    }
    table
};
