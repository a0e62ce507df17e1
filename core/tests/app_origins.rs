//! App and extension origins in `CORS_ALLOWED_ORIGINS`: Capacitor and Ionic
//! (`capacitor://localhost`, `ionic://localhost`), Tauri (`tauri://localhost`), browser
//! extensions (`chrome-extension://<id>`, `moz-extension://<uuid>`,
//! `safari-web-extension://<uuid>`). Exact entries only, in the shape each sends; `*` covers
//! them, no pattern does.

mod common;

use common::{get, preflight};
use preflight::Settings;

const CHROME: &str = "chrome-extension://abcdefghijklmnopabcdefghijklmnop";
const FIREFOX: &str = "moz-extension://0c5e7f8a-1b2c-4d3e-9f10-112233445566";
const SAFARI: &str = "safari-web-extension://0C5E7F8A-1B2C-4D3E-9F10-112233445566";
const APPS: [&str; 6] = [
    "capacitor://localhost",
    "ionic://localhost",
    "tauri://localhost",
    CHROME,
    FIREFOX,
    SAFARI,
];

#[test]
fn each_app_origin_is_allowed_exactly_with_credentials_too() {
    let policy = common::policy(&[
        ("CORS_ALLOWED_ORIGINS", &APPS.join(",")),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    assert!(policy.warnings().is_empty(), "{:?}", policy.warnings());
    for origin in APPS {
        let answer = preflight(&policy, origin, "PUT", None);
        assert_eq!(answer.status(), 204, "{origin}");
        assert_eq!(answer.get("access-control-allow-origin"), Some(origin));
        assert_eq!(answer.get("access-control-allow-credentials"), Some("true"));
        let actual = get(&policy, origin);
        assert_eq!(actual.get("access-control-allow-origin"), Some(origin));
        assert!(policy.allows_origin(origin), "{origin}");
    }
    let described: Vec<String> = policy
        .describe()
        .origins
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(described, APPS);
}

#[test]
fn only_the_exact_bytes_match() {
    let policy = common::origins(&format!("{CHROME},capacitor://localhost"));
    for other in [
        "chrome-extension://abcdefghijklmnopabcdefghijklmnoq", // another extension
        "chrome-extension://ABCDEFGHIJKLMNOPABCDEFGHIJKLMNOP",
        "capacitor://localhost.evil.example",
        "capacitor://evil",
        "ionic://localhost", // another shell's scheme
        "https://localhost",
        "moz-extension://0c5e7f8a-1b2c-4d3e-9f10-112233445566",
    ] {
        assert_eq!(
            preflight(&policy, other, "PUT", None).status(),
            403,
            "{other}"
        );
        assert_eq!(
            get(&policy, other).get("access-control-allow-origin"),
            None,
            "{other}"
        );
        assert!(!policy.allows_origin(other), "{other}");
    }
}

#[test]
fn entries_are_normalized_as_browsers_send_them() {
    let policy = common::origins(
        "CHROME-EXTENSION://abcdefghijklmnopabcdefghijklmnop,Capacitor://LocalHost,moz-extension://0C5E7F8A-1B2C-4D3E-9F10-112233445566",
    );
    let described: Vec<String> = policy
        .describe()
        .origins
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(described, [CHROME, "capacitor://localhost", FIREFOX]);
}

#[test]
fn a_star_policy_covers_them_and_no_pattern_does() {
    let any = common::origins("*");
    assert_eq!(
        get(&any, CHROME).get("access-control-allow-origin"),
        Some("*")
    );
    assert!(any.allows_origin(CHROME));
    let patterns = common::origins("https://*.example.com,http://localhost:*");
    assert_eq!(
        preflight(&patterns, "capacitor://localhost", "PUT", None).status(),
        403
    );
    assert_eq!(preflight(&patterns, CHROME, "PUT", None).status(), 403);
}

#[test]
fn malformed_app_origins_are_errors_that_say_why() {
    for (entry, words) in [
        ("chrome-extension://*", "exactly"),
        ("capacitor://*.localhost", "exactly"),
        ("chrome-extension://abc", "32 letters from a to p"),
        (
            "chrome-extension://abcdefghijklmnopabcdefghijklmnoz",
            "32 letters from a to p",
        ),
        ("moz-extension://not-a-uuid", "UUID"),
        (
            "safari-web-extension://0C5E7F8A1B2C4D3E9F10112233445566",
            "UUID",
        ),
        ("capacitor://localhost:8080", "without a port"),
        ("tauri://", "host name"),
        ("ionic://local_host", "host name"),
    ] {
        let error = Settings::from_vars([("CORS_ALLOWED_ORIGINS", entry)])
            .build()
            .unwrap_err();
        let problem = error.errors().next().unwrap();
        assert_eq!(problem.code(), "origin-app", "{entry}");
        assert_eq!(problem.entry(), Some(entry));
        assert!(
            problem.reason().contains(words),
            "{entry}: {}",
            problem.reason()
        );
    }
}

#[test]
fn other_schemes_are_still_refused_and_the_message_names_the_app_schemes() {
    let error = Settings::from_vars([("CORS_ALLOWED_ORIGINS", "ftp://files.example.com")])
        .build()
        .unwrap_err();
    let problem = error.errors().next().unwrap();
    assert_eq!(problem.code(), "origin-scheme");
    assert!(
        problem.reason().contains("`chrome-extension://`"),
        "{}",
        problem.reason()
    );
    assert!(
        problem.reason().contains("`capacitor://`"),
        "{}",
        problem.reason()
    );
}
