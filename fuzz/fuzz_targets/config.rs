//! The configuration parser: arbitrary text for every `CORS_*` variable. Invariants: never
//! panics; every problem names a known variable; a valid policy never combines `*` with
//! credentials; the report and the policy display without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use preflight_fuzz::{policy_from, Bytes};

fuzz_target!(|data: &[u8]| {
    match policy_from(&mut Bytes(data)) {
        Ok(policy) => {
            assert!(!(policy.allows_any_origin() && policy.allows_credentials()));
            assert!(policy.max_age() <= preflight::MAX_MAX_AGE);
            let _ = policy.to_string();
        }
        Err(error) => {
            assert!(error.errors().count() > 0, "an error report without errors");
            for problem in error.problems() {
                assert!(
                    preflight::vars::ALL.contains(&problem.variable()),
                    "{problem}"
                );
            }
            let _ = error.to_string();
        }
    }
});
