//! Preflight answers, built once per policy and copied per request.
//!
//! Every allowed preflight of a policy answers the same headers but for the origin, the
//! method and (with `CORS_ALLOWED_HEADERS=*`) the header names, so the policy keeps a ready
//! header map for each outcome. Answering copies the map (two allocations, the least a
//! `HeaderMap` can hold) and writes the few per-request values in place, found by comparing
//! names, instead of hashing every name into a new map:
//!
//! ```text
//! allowed (204)                                         rejected (403)
//! Vary: Origin, Access-Control-Request-Method, ...      Vary: Origin, Access-Control-Request-Method, ...
//! Access-Control-Allow-Origin: <per request>
//! Access-Control-Allow-Methods: <per request>
//! Access-Control-Allow-Headers: <the policy's list>
//! Access-Control-Allow-Credentials: true   (when enabled)
//! Access-Control-Max-Age: 7200
//! ```
//!
//! Neither sets `Content-Length`: RFC 9110 (section 8.6) forbids it in a `204`, and the
//! server or platform frames the `403`'s empty body itself.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, VARY,
};
use http::{HeaderMap, HeaderValue};

use crate::names::{ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, STAR, TRUE};
use crate::vary;

/// Written where a per-request value goes and always overwritten; empty, so that a value
/// left behind by mistake could only make browsers refuse, never allow.
const PLACEHOLDER: HeaderValue = HeaderValue::from_static("");

/// What an allowed preflight answers beyond the ready headers: the values that depend on the
/// request.
#[derive(Debug, Clone)]
pub(crate) struct AllowedPreflight {
    /// The request's origin, or `None` to answer `*`.
    pub(crate) origin: Option<HeaderValue>,
    pub(crate) method: HeaderValue,
    pub(crate) headers: AllowHeaders,
    pub(crate) private_network: bool,
}

/// What an allowed preflight answers in `Access-Control-Allow-Headers`.
#[derive(Debug, Clone)]
pub(crate) enum AllowHeaders {
    /// No names were requested: no header.
    Nothing,
    /// The policy's list (`CORS_ALLOWED_HEADERS`), ready in the policy's answer.
    Listed,
    /// The requested names, echoed (`CORS_ALLOWED_HEADERS=*`).
    Echo(HeaderValue),
}

/// The ready answers of a policy.
#[derive(Debug, Clone)]
pub(crate) struct Answers {
    /// Allowed, no header names requested (or `CORS_ALLOWED_HEADERS=*`, which echoes them).
    allowed: HeaderMap,
    /// Allowed, names requested: `allowed` plus the listed `Access-Control-Allow-Headers`.
    allowed_names: HeaderMap,
    rejected: HeaderMap,
}

impl Answers {
    /// `any_origin`: the policy allows `*`; `allow_headers`: the `Access-Control-Allow-Headers`
    /// value of a listed `CORS_ALLOWED_HEADERS` (`None` for `*` or an empty list);
    /// `private_network`: `CORS_ALLOW_PRIVATE_NETWORK=true`.
    pub(crate) fn new(
        any_origin: bool,
        allow_headers: Option<HeaderValue>,
        credentials: bool,
        private_network: bool,
        max_age: HeaderValue,
    ) -> Answers {
        // A policy of `*` never answers private network access (refused when built).
        let vary = match (any_origin, private_network) {
            (true, _) => vary::PREFLIGHT_ANY_ORIGIN,
            (false, true) => vary::PREFLIGHT_PRIVATE_NETWORK,
            (false, false) => vary::PREFLIGHT,
        };
        let mut rejected = HeaderMap::with_capacity(1);
        rejected.insert(VARY, vary.clone());

        let mut allowed = HeaderMap::with_capacity(8);
        allowed.insert(VARY, vary);
        allowed.insert(
            ACCESS_CONTROL_ALLOW_ORIGIN,
            if any_origin { STAR } else { PLACEHOLDER },
        );
        allowed.insert(ACCESS_CONTROL_ALLOW_METHODS, PLACEHOLDER);
        if credentials {
            allowed.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        allowed.insert(ACCESS_CONTROL_MAX_AGE, shared(max_age));
        let mut allowed_names = allowed.clone();
        if let Some(names) = allow_headers {
            allowed_names.insert(ACCESS_CONTROL_ALLOW_HEADERS, shared(names));
        }
        Answers {
            allowed,
            allowed_names,
            rejected,
        }
    }

    /// Writes a rejected preflight's headers: only `Vary`.
    pub(crate) fn write_rejected(&self, headers: &mut HeaderMap) {
        copy(&self.rejected, headers);
    }

    /// Writes an allowed preflight's headers.
    pub(crate) fn write_allowed(&self, allowed: AllowedPreflight, headers: &mut HeaderMap) {
        let template = match allowed.headers {
            AllowHeaders::Listed => &self.allowed_names,
            AllowHeaders::Nothing | AllowHeaders::Echo(_) => &self.allowed,
        };
        copy(template, headers);
        let (mut origin, mut method) = (allowed.origin, Some(allowed.method));
        for (name, value) in headers.iter_mut() {
            if *name == ACCESS_CONTROL_ALLOW_ORIGIN {
                if let Some(origin) = origin.take() {
                    *value = origin;
                }
            } else if *name == ACCESS_CONTROL_ALLOW_METHODS {
                if let Some(method) = method.take() {
                    *value = method;
                }
            }
        }
        debug_assert!(method.is_none(), "the answer template has Allow-Methods");
        if let AllowHeaders::Echo(names) = allowed.headers {
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, names);
        }
        if allowed.private_network {
            headers.insert(ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, TRUE);
        }
    }
}

/// Copies `template` into `headers`: a clone when `headers` is empty (the usual case), else
/// header by header, replacing what was there.
fn copy(template: &HeaderMap, headers: &mut HeaderMap) {
    if headers.is_empty() {
        headers.clone_from(template);
    } else {
        for (name, value) in template {
            headers.insert(name.clone(), value.clone());
        }
    }
}

/// Clones a value once, so its bytes become shared and every later clone is a reference
/// count, never an allocation.
fn shared(value: HeaderValue) -> HeaderValue {
    let _ = value.clone();
    value
}
