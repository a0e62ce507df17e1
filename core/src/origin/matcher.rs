//! The compiled allowlist: look-up tables keyed by slices of the serialized origin.

use std::collections::{HashMap, HashSet};

use http::HeaderValue;

use super::grammar::*;
use super::hash::*;
use super::host::*;
use super::parse::*;

pub(crate) type Keys = HashSet<Box<str>, std::hash::BuildHasherDefault<KeyHasher>>;

/// Up to this many exact origins are compared one by one rather than hashed.
pub(crate) const FEW: usize = 4;

/// The compiled allowlist: hash sets keyed by slices of the serialized origin, so a look-up
/// costs the same for one entry or ten thousand and never allocates.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginSet {
    any: bool,
    /// `scheme://host[:port]`, with the `Access-Control-Allow-Origin` value to answer.
    pub(super) exact: HashMap<Box<[u8]>, HeaderValue, std::hash::BuildHasherDefault<KeyHasher>>,
    /// The exact entries instead of `exact` while there are at most [`FEW`]: comparing a
    /// handful of keys (lengths first) costs less than hashing the request's origin.
    few: Vec<(Box<[u8]>, HeaderValue)>,
    /// `scheme://host` for `scheme://host:*`
    any_port: Keys,
    /// per scheme: `base[:port]` for `scheme://*.base[:port]`
    subdomains: [Keys; 2],
    /// per scheme: `base` for `scheme://*.base:*`
    subdomains_any_port: [Keys; 2],
}

impl OriginSet {
    pub(crate) fn new(entries: &[AllowedOrigin]) -> Self {
        let mut set = OriginSet::default();
        for entry in entries {
            match entry {
                AllowedOrigin::Any => set.any = true,
                AllowedOrigin::App(origin) => {
                    let value = HeaderValue::from_str(origin)
                        .expect("a validated origin is a valid header value");
                    let _ = value.clone();
                    set.exact.insert(origin.as_bytes().into(), value);
                }
                AllowedOrigin::Listed {
                    scheme,
                    host,
                    subdomains,
                    port,
                } => {
                    let s = scheme.index();
                    let with_port = |prefix: String| match port {
                        PortSpec::Exact(p) => format!("{prefix}:{p}"),
                        _ => prefix,
                    };
                    match (subdomains, port) {
                        (false, PortSpec::Any) => {
                            set.any_port
                                .insert(format!("{}://{host}", scheme.as_str()).into());
                        }
                        (false, _) => {
                            let origin = with_port(format!("{}://{host}", scheme.as_str()));
                            let value = HeaderValue::from_str(&origin)
                                .expect("a validated origin is a valid header value");
                            // Cloned once here, so the bytes are shared and every answer's
                            // clone is a reference count, never an allocation.
                            let _ = value.clone();
                            set.exact.insert(origin.into_bytes().into(), value);
                        }
                        (true, PortSpec::Any) => {
                            set.subdomains_any_port[s].insert(host.as_str().into());
                        }
                        (true, _) => {
                            set.subdomains[s].insert(with_port(host.clone()).into());
                        }
                    }
                }
            }
        }
        if set.exact.len() <= FEW {
            set.few = set.exact.drain().collect();
        }
        set
    }

    /// The answer of the exact entry whose serialization is `raw`, byte for byte. The keys
    /// are canonical origins, so a hit is an allowed origin without parsing the request's
    /// value; a miss says nothing (a pattern may still match). One hash look-up, or a few
    /// comparisons for a short list.
    pub(crate) fn find_exact(&self, raw: &[u8]) -> Option<&HeaderValue> {
        if self.exact.is_empty() {
            return self
                .few
                .iter()
                .find(|(key, _)| **key == *raw)
                .map(|(_, value)| value);
        }
        self.exact.get(raw)
    }

    /// Whether every origin is allowed (`*`).
    pub(crate) fn is_any(&self) -> bool {
        self.any
    }

    /// Whether `origin` is allowed. Costs a few hash look-ups, plus one or two per label of
    /// the host when subdomain patterns exist; never allocates.
    pub(crate) fn allows(&self, origin: &Origin<'_>) -> bool {
        self.find_exact(origin.as_str().as_bytes()).is_some() || self.find_pattern(origin)
    }

    /// Whether `origin` matches `*`, a `:*` port entry or a subdomain pattern (exact
    /// entries aside: see [`OriginSet::find_exact`]).
    pub(crate) fn find_pattern(&self, origin: &Origin<'_>) -> bool {
        if self.any
            || (!self.any_port.is_empty() && self.any_port.contains(origin.scheme_and_host()))
        {
            return true;
        }
        let s = origin.scheme().index();
        let (subs, subs_any) = (&self.subdomains[s], &self.subdomains_any_port[s]);
        if subs.is_empty() && subs_any.is_empty() {
            return false;
        }
        let host = origin.host();
        // Patterns cover letter-digit-hyphen names only; a host with `_` must be listed.
        if host.starts_with('[') || host.contains('_') || classify_is_ipv4(host) {
            return false;
        }
        let host_and_port = origin.host_and_port();
        // Each `.` in the host starts a candidate base domain; the part before it is one or
        // more whole labels, which is exactly what `*.` stands for.
        for (dot, _) in host.bytes().enumerate().filter(|&(_, b)| b == b'.') {
            let base = dot + 1;
            if subs.contains(&host_and_port[base..]) || subs_any.contains(&host[base..]) {
                return true;
            }
        }
        false
    }
}
