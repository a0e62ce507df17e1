//! How long Chromium keeps a preflight answer.

use http::header::ACCESS_CONTROL_MAX_AGE;
use http::HeaderMap;

use crate::check::combined;

/// How long Chromium keeps a preflight answer without `Access-Control-Max-Age`, or with one
/// it cannot read, in seconds.
///
/// ```
/// assert_eq!(preflight_browser::preflight_cache_seconds(&http::HeaderMap::new()), preflight_browser::DEFAULT_PREFLIGHT_CACHE_SECONDS);
/// ```
pub const DEFAULT_PREFLIGHT_CACHE_SECONDS: u64 = 5;

/// The longest Chromium keeps a preflight answer, in seconds, whatever the server asks.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// headers.insert("access-control-max-age", "86400".parse().unwrap());
/// assert_eq!(preflight_browser::preflight_cache_seconds(&headers), preflight_browser::MAX_PREFLIGHT_CACHE_SECONDS);
/// ```
pub const MAX_PREFLIGHT_CACHE_SECONDS: u64 = 7200;

/// How long Chromium caches a preflight answer, in seconds: `Access-Control-Max-Age` as a
/// non-negative integer, [`DEFAULT_PREFLIGHT_CACHE_SECONDS`] when missing or invalid, at
/// most [`MAX_PREFLIGHT_CACHE_SECONDS`].
///
/// ```
/// use http::HeaderMap;
/// let mut headers = HeaderMap::new();
/// assert_eq!(preflight_browser::preflight_cache_seconds(&headers), 5);
/// headers.insert("access-control-max-age", "86400".parse().unwrap());
/// assert_eq!(preflight_browser::preflight_cache_seconds(&headers), 7200);
/// ```
pub fn preflight_cache_seconds(headers: &HeaderMap) -> u64 {
    // As Chromium reads it: one signed 64-bit integer (a leading `+` or `-` allowed, nothing
    // else); a negative one means no caching, anything unreadable (an overflow, `6e2`, two
    // values) the default.
    let Some(value) = combined(headers, &ACCESS_CONTROL_MAX_AGE) else {
        return DEFAULT_PREFLIGHT_CACHE_SECONDS;
    };
    let value = value.trim_matches([' ', '\t']);
    let unsigned = value.strip_prefix(['+', '-']).unwrap_or(value);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return DEFAULT_PREFLIGHT_CACHE_SECONDS;
    }
    match value.parse::<i64>() {
        Ok(seconds) if seconds < 0 => 0,
        Ok(seconds) => (seconds as u64).min(MAX_PREFLIGHT_CACHE_SECONDS),
        Err(_) => DEFAULT_PREFLIGHT_CACHE_SECONDS,
    }
}
