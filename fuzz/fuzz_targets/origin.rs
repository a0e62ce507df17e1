//! The origin parser and matcher: a policy of canonical entries (exact, `*.` patterns, port
//! wildcards) and a request origin near them. Invariants: parsing never panics; a parsed
//! origin serializes back to exactly the request's bytes; an origin is allowed only if the
//! independent reference matcher says it is listed or matches a listed pattern.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight::Origin;
use preflight_fuzz::{entry, oracle, request_origin, Bytes};

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let count = 1 + bytes.byte() % 4;
    let entries: Vec<String> = (0..count).map(|_| entry(&mut bytes)).collect();
    let raw = request_origin(&mut bytes, &entries);
    let parsed = Origin::parse(&raw);
    if let Ok(origin) = &parsed {
        assert_eq!(origin.as_str().as_bytes(), &raw[..], "parse is not exact");
        assert_eq!(origin.to_string().as_bytes(), &raw[..]);
    }
    let Ok(policy) = preflight::Policy::builder()
        .allowed_origins(entries.iter().map(String::as_str))
        .build()
    else {
        return; // e.g. a pattern on a public suffix: refused, nothing to match
    };
    let Ok(text) = std::str::from_utf8(&raw) else {
        assert!(parsed.is_err());
        return;
    };
    if policy.allows_origin(text) {
        assert!(
            parsed.is_ok(),
            "allowed an origin the parser refuses: {text:?}"
        );
        assert!(
            entries.iter().any(|e| oracle(e, text)),
            "{text:?} allowed by {entries:?} but matches none of them"
        );
    } else if parsed.is_ok() {
        assert!(
            !entries.iter().any(|e| oracle(e, text)),
            "{text:?} refused by {entries:?} but the reference matcher allows it"
        );
    }
});
