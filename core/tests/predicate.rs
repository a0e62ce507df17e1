//! Origins decided by a function (`Builder::allow_origin_if`): it widens the list, sees only
//! parsed and validated origins, and cannot weaken the credential rules.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::{get, preflight};
use preflight::{Origin, Policy, Scheme};

fn tenants() -> HashSet<String> {
    ["acme.example", "globex.example"].map(String::from).into()
}

fn tenant_policy(credentials: bool) -> Policy {
    let tenants = tenants();
    Policy::builder()
        .allowed_origins(["https://app.example.com"])
        .allow_origin_if(move |origin: &Origin<'_>| {
            origin.scheme() == Scheme::Https && tenants.contains(origin.host())
        })
        .allow_credentials(credentials)
        .build()
        .unwrap()
}

#[test]
fn the_function_widens_the_list() {
    let policy = tenant_policy(true);
    for origin in [
        "https://app.example.com",
        "https://acme.example",
        "https://globex.example",
    ] {
        let answer = preflight(&policy, origin, "PUT", None);
        assert_eq!(answer.status(), 204, "{origin}");
        assert_eq!(answer.get("access-control-allow-origin"), Some(origin));
        assert_eq!(answer.get("access-control-allow-credentials"), Some("true"));
        assert_eq!(
            get(&policy, origin).get("access-control-allow-origin"),
            Some(origin)
        );
        assert!(policy.allows_origin(origin));
    }
    for origin in [
        "https://evil.example",
        "http://acme.example",
        "https://acme.example.evil.net",
    ] {
        assert_eq!(
            preflight(&policy, origin, "PUT", None).status(),
            403,
            "{origin}"
        );
        assert_eq!(
            get(&policy, origin).get("access-control-allow-origin"),
            None
        );
        assert!(!policy.allows_origin(origin), "{origin}");
    }
    assert!(
        policy
            .to_string()
            .contains("; and the origins a function allows"),
        "{policy}"
    );
    assert!(policy.describe().origin_function);
}

#[test]
fn the_function_sees_only_parsed_valid_unlisted_origins() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let policy = Policy::builder()
        .allowed_origins(["https://app.example.com"])
        .allow_origin_if(move |origin| {
            record.lock().unwrap().push(origin.as_str().to_string());
            false
        })
        .build()
        .unwrap();
    seen.lock().unwrap().clear(); // the build-time probes
    for origin in [
        "null",
        "https://App.example.com",
        "https://acme.example/",
        "https://user@acme.example",
        "https://a.example,https://b.example",
        "",
        "https://app.example.com", // listed: answered without asking
    ] {
        let _ = preflight(&policy, origin, "PUT", None);
        let _ = get(&policy, origin);
    }
    assert_eq!(*seen.lock().unwrap(), Vec::<String>::new());
    let _ = get(&policy, "https://acme.example");
    assert_eq!(*seen.lock().unwrap(), ["https://acme.example"]);
}

#[test]
fn a_function_that_allows_every_origin_is_refused_with_credentials() {
    let error = Policy::builder()
        .allow_origin_if(|_| true)
        .allow_credentials(true)
        .build()
        .unwrap_err();
    let problem = error.errors().next().unwrap();
    assert_eq!(problem.code(), "origin-predicate-allows-any");
    assert!(
        problem.reason().contains(".invalid"),
        "{}",
        problem.reason()
    );
    // A subtler one: "any host ending in a tenant-looking suffix" also says yes to the probes.
    let error = Policy::builder()
        .allow_origin_if(|o| !o.host().ends_with(".internal"))
        .allow_credentials(true)
        .build()
        .unwrap_err();
    assert_eq!(
        error.errors().next().unwrap().code(),
        "origin-predicate-allows-any"
    );
    // Without credentials it builds, with a warning.
    let open = Policy::builder().allow_origin_if(|_| true).build().unwrap();
    let codes: Vec<&str> = open.warnings().iter().map(|w| w.code()).collect();
    assert_eq!(codes, ["origin-predicate-allows-any"]);
}

#[test]
fn with_credentials_an_insecure_origin_is_refused_whatever_the_function_says() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = calls.clone();
    let policy = Policy::builder()
        .allow_origin_if(move |origin| {
            counted.fetch_add(1, Ordering::Relaxed);
            origin.host() == "tenant.example" || origin.host() == "localhost"
        })
        .allow_credentials(true)
        .build()
        .unwrap();
    assert_eq!(
        preflight(&policy, "http://tenant.example", "PUT", None).status(),
        403
    );
    assert_eq!(
        preflight(&policy, "https://tenant.example", "PUT", None).status(),
        204
    );
    assert_eq!(
        preflight(&policy, "http://localhost", "PUT", None).status(),
        204
    );
}

#[test]
fn with_a_function_the_list_may_be_left_out_but_not_the_rules() {
    let policy = Policy::builder()
        .allow_origin_if(|o| o.host() == "acme.example")
        .build()
        .unwrap();
    assert!(policy.allows_origin("https://acme.example"));
    assert!(
        policy.to_string().starts_with("origins none listed; "),
        "{policy}"
    );
    // Without a function, leaving the list out is still an error.
    let error = Policy::builder().build().unwrap_err();
    assert_eq!(error.errors().next().unwrap().code(), "origin-missing");
}
