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
//! use preflight_browser::{check_preflight, Fetch};
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

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod blocked;
mod cache;
mod check;
mod fetch;
mod safelist;
#[cfg(test)]
mod tests;

pub use blocked::{Blocked, Stage};
pub use cache::{
    preflight_cache_seconds, DEFAULT_PREFLIGHT_CACHE_SECONDS, MAX_PREFLIGHT_CACHE_SECONDS,
};
pub use check::{
    authorization_only_by_wildcard, can_read_header, check_preflight, check_response, cors_check,
    evaluate,
};
pub use fetch::Fetch;
pub use safelist::{is_safelisted_method, SAFELISTED_REQUEST_HEADERS, SAFELISTED_RESPONSE_HEADERS};
