//! `preflight explain`: the policy in words from an env file or the environment, every
//! problem with the adapters' wording, exit 1 when invalid.

use std::io::Write;
use std::process::{Command, Output};

fn explain(env: &[(&str, &str)], args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_preflight"));
    command.arg("explain").args(args);
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("CORS_")) {
        command.env_remove(k);
    }
    command.envs(env.iter().copied());
    command.output().unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_valid_policy_in_words() {
    let out = explain(
        &[
            (
                "CORS_ALLOWED_ORIGINS",
                "https://app.example.com,https://*.example.org",
            ),
            ("CORS_ALLOW_CREDENTIALS", "true"),
            ("CORS_MAX_AGE", "600"),
        ],
        &[],
    );
    let text = text(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    for part in [
        "CORS_ALLOWED_ORIGINS = https://app.example.com,https://*.example.org",
        "CORS_ALLOWED_METHODS (not set: default)",
        "https://app.example.com          exactly this origin",
        "any subdomain of example.org over https",
        "not example.org itself",
        "credentials: yes",
        "preflight cache: 600 s",
        "INFO  CORS policy: origins https://app.example.com, https://*.example.org;",
    ] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
}

#[test]
fn every_problem_at_once_from_an_env_file() {
    let mut file = tempfile();
    writeln!(file.1, "# comment\nCORS_ALLOWED_ORIGINS=\"https://app.example.com/,null\"\nCORS_MAX_AGE=1e5\nCORS_ALLOWED_ORIGIN=x\nPATH_UNRELATED=1").unwrap();
    let out = explain(&[], &["--env-file", file.0.to_str().unwrap()]);
    let text = text(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    for part in [
        "INVALID: 3 error(s)",
        "error: CORS_ALLOWED_ORIGINS: \"https://app.example.com/\"",
        "error: CORS_ALLOWED_ORIGINS: \"null\"",
        "error: CORS_MAX_AGE: \"1e5\"",
        "did you mean CORS_ALLOWED_ORIGINS",
        "ERROR invalid CORS configuration: 3 errors and 1 warning",
    ] {
        assert!(text.contains(part), "missing {part:?} in:\n{text}");
    }
    assert!(!text.contains("PATH_UNRELATED"));
    std::fs::remove_file(file.0).unwrap();
}

#[test]
fn json_for_scripts() {
    let out = explain(
        &[("CORS_ALLOWED_ORIGINS", "https://*.vercel.app")],
        &["--json"],
    );
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(
        json["policy"]["origins"][0]["entry"],
        "https://*.vercel.app"
    );
    assert_eq!(json["policy"]["credentials"], false);
    assert_eq!(json["policy"]["max_age"], 7200);
    assert_eq!(json["problems"][0]["severity"], "warning");
    assert_eq!(json["problems"][0]["code"], "origin-shared-domain");
    assert_eq!(json["problems"][0]["variable"], "CORS_ALLOWED_ORIGINS");
}

#[test]
fn the_cross_site_guard_in_words_and_json() {
    let on = explain(
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_REFUSE_CROSS_SITE", "true"),
        ],
        &[],
    );
    let words = text(&on);
    assert_eq!(on.status.code(), Some(0), "{words}");
    assert!(words.contains("CORS_REFUSE_CROSS_SITE = true"), "{words}");
    assert!(words.contains("cross-site requests: refused"), "{words}");
    assert!(words.contains("; cross-site requests refused"), "{words}");
    let off = text(&explain(
        &[("CORS_ALLOWED_ORIGINS", "https://app.example.com")],
        &[],
    ));
    assert!(
        off.contains("cross-site requests: passed to the handler"),
        "{off}"
    );
    let json = explain(
        &[
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_REFUSE_CROSS_SITE", "true"),
        ],
        &["--json"],
    );
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["policy"]["refuse_cross_site"], true);
    assert_eq!(
        json["problems"][0]["code"],
        "cross-site-guard-with-any-origin"
    );
}

#[test]
fn app_and_extension_origins_in_words() {
    let out = explain(
        &[(
            "CORS_ALLOWED_ORIGINS",
            "capacitor://localhost,chrome-extension://abcdefghijklmnopabcdefghijklmnop",
        )],
        &[],
    );
    let words = text(&out);
    assert_eq!(out.status.code(), Some(0), "{words}");
    assert!(
        words.contains("exactly this app shell (Capacitor, Ionic, Tauri)'s pages"),
        "{words}"
    );
    assert!(
        words.contains("exactly this browser extension's pages"),
        "{words}"
    );
}

#[test]
fn nothing_set_is_an_error_not_allow_all() {
    let out = explain(&[], &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("CORS_ALLOWED_ORIGINS"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_missing_env_file_is_one_line() {
    let out = explain(&[], &["--env-file", "/nonexistent/.env"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/.env"), "{err}");
}

fn tempfile() -> (std::path::PathBuf, std::fs::File) {
    let path = std::env::temp_dir().join(format!(
        "preflight-explain-{}-{:?}.env",
        std::process::id(),
        std::thread::current().id()
    ));
    let file = std::fs::File::create(&path).unwrap();
    (path, file)
}

#[test]
fn named_policies_each_in_words_and_json() {
    let env = [
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
        ("CORS_PUBLIC_ALLOWED_METHODS", "GET"),
        ("CORS_API_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_API_ALLOW_CREDENTIALS", "true"),
    ];
    let out = explain(&env, &[]);
    let words = text(&out);
    assert_eq!(out.status.code(), Some(0), "{words}");
    for part in [
        "CORS_PUBLIC_ALLOWED_METHODS = GET",
        "CORS_API_MAX_AGE (not set: default)",
        "The policy API (CORS_API_*):",
        "The policy PUBLIC (CORS_PUBLIC_*):",
        "credentials: yes",
        "INFO  CORS policy PUBLIC: origins *;",
        "INFO  CORS policy API: origins https://app.example.com;",
    ] {
        assert!(words.contains(part), "missing {part:?} in:\n{words}");
    }
    // No unnamed policy is configured, so none is explained (nor reported missing).
    assert!(!words.contains("CORS_ALLOWED_ORIGINS"), "{words}");

    let json = explain(&env, &["--json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["valid"], true);
    assert_eq!(json["policy"], serde_json::Value::Null);
    assert_eq!(json["policies"][0]["name"], "API");
    assert_eq!(json["policies"][0]["policy"]["credentials"], true);
    assert_eq!(json["policies"][1]["name"], "PUBLIC");
    assert_eq!(
        json["policies"][1]["variables"][0]["name"],
        "CORS_PUBLIC_ALLOWED_ORIGINS"
    );

    // One invalid named policy makes the whole explanation invalid, under its own variable.
    let out = explain(
        &[
            ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
            ("CORS_API_ALLOWED_ORIGINS", "*"),
            ("CORS_API_ALLOW_CREDENTIALS", "true"),
        ],
        &[],
    );
    let words = text(&out);
    assert_eq!(out.status.code(), Some(1), "{words}");
    assert!(
        words.contains("The policy API (CORS_API_*): INVALID: 1 error(s)"),
        "{words}"
    );
    assert!(
        words.contains("error: CORS_API_ALLOWED_ORIGINS: \"*\""),
        "{words}"
    );
    // The words name the policy's own variables.
    assert!(
        words.contains("cannot be used with CORS_API_ALLOW_CREDENTIALS=true")
            && words.contains("or set CORS_API_ALLOW_CREDENTIALS=false"),
        "{words}"
    );
}
