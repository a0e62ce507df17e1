//! The whole decision: a random policy (any `CORS_*` text) and random request headers
//! (repeated, malformed, hostile). Invariants on every answer: at most one ACAO, never `*`
//! with credentials, never an origin other than the request's; ACAC only with an exact
//! origin; no `Access-Control-*` on a rejected preflight or a disallowed request; `Vary`
//! with `Origin` whenever the answer depends on the origin.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight_fuzz::{check_answer, policy_from, request_headers, Bytes};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let Ok(policy) = policy_from(&mut bytes) else {
        return;
    };
    let (method, headers) = request_headers(&mut bytes);
    check_answer(&policy, &method, &headers);
});
