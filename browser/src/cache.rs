//! How long Chromium keeps a preflight answer.

use http::header::ACCESS_CONTROL_MAX_AGE;
use http::HeaderMap;

use crate::check::combined;

/// How long Chromium caches a preflight answer, in seconds: `Access-Control-Max-Age` as a
/// non-negative integer, 5 when missing or invalid, at most 7200.
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
