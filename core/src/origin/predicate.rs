//! Origins decided by a function ([`Builder::allow_origin_if`](crate::Builder::allow_origin_if)),
//! for allowlists that live elsewhere (a tenant table, a tenant's settings). The function
//! sees only a request's origin, parsed and validated ([`Origin`]): never `null`, a malformed
//! or repeated `Origin`, nor any other part of the request. It can widen the policy, never
//! weaken its rules:
//!
//! - **Probed at build time.** The function is asked about origins no page has (under the
//!   reserved `.invalid` domain, RFC 6761). Saying yes to them means it allows every origin:
//!   with `CORS_ALLOW_CREDENTIALS=true` that is a build error (`origin-predicate-allows-any`),
//!   since any website could then read your users' data; without credentials, a warning.
//! - **Credential rules at request time.** With credentials, its yes for an `http://` origin
//!   on a host other than localhost or a loopback address counts as no (a network attacker
//!   could impersonate it), the rule listed entries follow.

use std::fmt;
use std::sync::Arc;

use super::host::is_loopback_host;
use super::parse::{Origin, Scheme};

/// The function that decides origins the list does not name.
#[derive(Clone)]
pub(crate) struct OriginPredicate(Arc<dyn Fn(&Origin<'_>) -> bool + Send + Sync>);

impl fmt::Debug for OriginPredicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OriginPredicate(..)")
    }
}

/// Origins no page has (the `.invalid` domain never resolves): a function that allows one of
/// them allows every origin.
pub(crate) const CANARIES: [&str; 3] = [
    "https://preflight-canary.invalid",
    "http://preflight-canary.invalid:8443",
    "https://a.b.preflight-canary.invalid",
];

impl OriginPredicate {
    pub(crate) fn new(f: impl Fn(&Origin<'_>) -> bool + Send + Sync + 'static) -> Self {
        OriginPredicate(Arc::new(f))
    }

    /// Whether the function allows `origin`, under the credential rules.
    pub(crate) fn allows(&self, origin: &Origin<'_>, credentials: bool) -> bool {
        if credentials && origin.scheme() == Scheme::Http && !is_loopback_host(origin.host()) {
            return false;
        }
        (self.0)(origin)
    }

    /// The first canary the function allows (it allows every origin), if any.
    pub(crate) fn allows_a_canary(&self) -> Option<&'static str> {
        CANARIES
            .into_iter()
            .find(|canary| Origin::parse(canary.as_bytes()).is_ok_and(|origin| (self.0)(&origin)))
    }
}
