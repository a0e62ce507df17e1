//! The request headers a preflight is judged on (`Origin`, `Access-Control-Request-Method`,
//! `Access-Control-Request-Headers`, `Access-Control-Request-Private-Network`), found in one
//! pass over the request's headers.
//!
//! One pass costs a cheap name comparison per header line; four `HeaderMap` look-ups would
//! each hash a name (the private-network one is 37 bytes long), which costs more than the
//! whole pass for the 10 to 20 lines a browser's preflight carries. Repeated lines are
//! noticed, so that a request with two `Origin` lines can be refused rather than judged on
//! either one.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue};

use crate::names::ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK;

/// One request header as seen: its first value, and whether another line followed.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Seen<'h> {
    pub(crate) first: Option<&'h HeaderValue>,
    pub(crate) repeated: bool,
}

impl<'h> Seen<'h> {
    /// The first value of `name` in `headers`: one look-up, for requests that are not
    /// preflights (they need `Origin` only).
    pub(crate) fn get(headers: &'h HeaderMap, name: http::HeaderName) -> Self {
        let mut values = headers.get_all(name).iter();
        Seen {
            first: values.next(),
            repeated: values.next().is_some(),
        }
    }

    fn see(&mut self, value: &'h HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        } else {
            self.repeated = true;
        }
    }

    /// The only value: `Some(None)` when absent, `None` when repeated.
    pub(crate) fn single(self) -> Option<Option<&'h HeaderValue>> {
        if self.repeated {
            None
        } else {
            Some(self.first)
        }
    }
}

/// The CORS request headers of an `OPTIONS` request.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PreflightHeaders<'h> {
    pub(crate) origin: Seen<'h>,
    pub(crate) method: Seen<'h>,
    pub(crate) names: Seen<'h>,
    pub(crate) private_network: Seen<'h>,
}

impl<'h> PreflightHeaders<'h> {
    /// Reads every header line once. Work is one comparison per line, whatever the values
    /// hold; nothing is allocated.
    pub(crate) fn scan(headers: &'h HeaderMap) -> Self {
        let mut found = PreflightHeaders::default();
        for (name, value) in headers {
            if *name == ORIGIN {
                found.origin.see(value);
            } else if *name == ACCESS_CONTROL_REQUEST_METHOD {
                found.method.see(value);
            } else if *name == ACCESS_CONTROL_REQUEST_HEADERS {
                found.names.see(value);
            } else if *name == ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK {
                found.private_network.see(value);
            }
        }
        found
    }

    /// Whether the request asks for private network access
    /// (`Access-Control-Request-Private-Network: true`).
    pub(crate) fn asks_private_network(&self) -> bool {
        self.private_network
            .first
            .is_some_and(|v| v.as_bytes() == b"true")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_pass_finds_each_header_and_notices_repeats() {
        let mut headers = HeaderMap::new();
        headers.insert("accept", HeaderValue::from_static("*/*"));
        headers.append("origin", HeaderValue::from_static("https://a.example"));
        headers.append("origin", HeaderValue::from_static("https://b.example"));
        headers.insert(
            "access-control-request-method",
            HeaderValue::from_static("PUT"),
        );
        headers.insert(
            "access-control-request-private-network",
            HeaderValue::from_static("true"),
        );
        let found = PreflightHeaders::scan(&headers);
        assert_eq!(found.origin.first.unwrap(), "https://a.example");
        assert!(found.origin.repeated);
        assert_eq!(found.origin.single(), None);
        assert_eq!(
            found.method.single(),
            Some(Some(&HeaderValue::from_static("PUT")))
        );
        assert_eq!(found.names.single(), Some(None));
        assert!(found.asks_private_network());
        assert!(!PreflightHeaders::scan(&HeaderMap::new()).asks_private_network());
    }
}
