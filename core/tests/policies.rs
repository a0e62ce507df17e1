//! Named policies (`CORS_<NAME>_*`): one function serving a public API open to `*` beside a
//! credentialed one, each policy read with the same variables, defaults and validation, all of
//! them validated and reported together, and a name the environment does not configure an
//! error that names what to set, never an empty or a fallback policy.

mod common;

use common::{capture_logs, headers};
use http::Method;
use preflight::{Decision, Policies, Settings};

const APP: &str = "https://app.example.com";

fn two_apis() -> Policies {
    Policies::from_vars([
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
        ("CORS_PUBLIC_ALLOWED_METHODS", "GET"),
        ("CORS_API_ALLOWED_ORIGINS", APP),
        ("CORS_API_ALLOW_CREDENTIALS", "true"),
        (
            "CORS_API_ALLOWED_HEADERS",
            "Authorization,Content-Type,X-Csrf-Token",
        ),
        ("PATH", "/usr/bin"),
    ])
}

fn codes(err: &preflight::ConfigError) -> Vec<(&'static str, String)> {
    err.problems()
        .iter()
        .map(|p| (p.code(), p.variable().to_string()))
        .collect()
}

#[test]
fn each_named_policy_reads_its_own_variables_with_the_same_defaults() {
    let policies = two_apis();
    assert_eq!(
        policies.names().collect::<Vec<_>>(),
        [Some("API"), Some("PUBLIC")]
    );
    let public = policies.get(Some("public")).unwrap();
    assert!(public.allows_any_origin());
    assert!(!public.allows_credentials());
    assert_eq!(public.max_age(), preflight::DEFAULT_MAX_AGE);
    let api = policies.get(Some("API")).unwrap();
    assert!(api.allows_credentials());
    assert!(api.allows_origin(APP));
    assert!(!api.allows_origin("https://evil.example"));
    assert_eq!(api.name(), Some("API"));
    // Different preflight answers from the two policies, for the same request.
    let request = headers(&[
        ("origin", APP),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-csrf-token"),
    ]);
    let Decision::Preflight(answer) = api.decide(&Method::OPTIONS, &request) else {
        panic!("a preflight")
    };
    assert!(answer.is_allowed());
    let Decision::Preflight(answer) = public.decide(&Method::OPTIONS, &request) else {
        panic!("a preflight")
    };
    assert!(!answer.is_allowed(), "PUBLIC allows GET only");
}

#[test]
fn nothing_is_inherited_from_the_unnamed_policy() {
    let policies = Policies::from_vars([
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_MAX_AGE", "60"),
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "https://docs.example.com"),
    ]);
    let public = policies.get(Some("public")).unwrap();
    assert!(!public.allows_credentials());
    assert_eq!(public.max_age(), preflight::DEFAULT_MAX_AGE);
    assert!(!public.allows_origin(APP));
    let unnamed = policies.get(None).unwrap();
    assert!(unnamed.allows_credentials() && unnamed.max_age() == 60);
    // A named policy without its origins is not a copy of the unnamed one's: it is an error.
    let policies = Policies::from_vars([
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_API_ALLOW_CREDENTIALS", "true"),
    ]);
    let err = policies.get(Some("api")).unwrap_err();
    assert_eq!(
        codes(err),
        [("origin-missing", "CORS_API_ALLOWED_ORIGINS".to_string())]
    );
}

#[test]
fn every_policy_is_validated_and_reported_together_under_its_own_variables() {
    let policies = Policies::from_vars([
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com/"),
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
        ("CORS_PUBLIC_ALLOW_CREDENTIALS", "true"),
        ("CORS_API_ALLOWED_ORIGINS", APP),
        ("CORS_API_MAX_AGE", "soon"),
        ("CORS_DOCS_ALLOWED_ORIGINS", "https://*.vercel.app"),
    ]);
    assert_eq!(
        codes(policies.get(None).unwrap_err()),
        [("origin-path", "CORS_ALLOWED_ORIGINS".to_string())]
    );
    let public = policies.get(Some("public")).unwrap_err();
    assert_eq!(
        codes(public),
        [(
            "origin-any-with-credentials",
            "CORS_PUBLIC_ALLOWED_ORIGINS".to_string()
        )]
    );
    // The words name the policy's variables too, never the unnamed policy's.
    let words = public.to_string();
    assert!(words.contains("CORS_PUBLIC_ALLOW_CREDENTIALS"), "{words}");
    assert!(!words.contains(" CORS_ALLOW_CREDENTIALS"), "{words}");
    assert_eq!(
        codes(policies.get(Some("api")).unwrap_err()),
        [("max-age-not-a-number", "CORS_API_MAX_AGE".to_string())]
    );
    // A valid policy's warnings are renamed as well, and it serves.
    let docs = policies.get(Some("docs")).unwrap();
    assert_eq!(docs.warnings()[0].code(), "origin-shared-domain");
    assert_eq!(docs.warnings()[0].variable(), "CORS_DOCS_ALLOWED_ORIGINS");
    // One report at cold start: every policy's lines, each error naming its variable.
    let lines = policies.outcome_lines();
    let errors: Vec<&str> = lines
        .iter()
        .filter(|(level, _)| *level == "ERROR")
        .map(|(_, line)| line.as_str())
        .collect();
    assert_eq!(errors.len(), 3, "{lines:#?}");
    assert!(errors[0].contains("CORS_ALLOWED_ORIGINS"));
    assert!(errors.iter().any(|l| l.contains("CORS_API_MAX_AGE")));
    assert!(errors
        .iter()
        .any(|l| l.contains("CORS_PUBLIC_ALLOWED_ORIGINS")));
    assert!(lines
        .iter()
        .any(|(level, line)| *level == "INFO" && line.starts_with("CORS policy DOCS: origins")));
    let (_, log) = capture_logs(|| policies.log_outcome());
    assert!(
        log.contains("CORS_API_MAX_AGE") && log.contains("CORS policy DOCS"),
        "{log}"
    );
}

#[test]
fn an_unknown_name_is_an_error_that_names_what_to_set_and_what_is_configured() {
    let policies = two_apis();
    let err = policies.get(Some("pubic")).unwrap_err();
    let problem = &err.problems()[0];
    assert_eq!(problem.code(), "policy-unknown");
    assert_eq!(problem.variable(), "CORS_PUBIC_ALLOWED_ORIGINS");
    assert!(
        problem.reason().contains("no CORS_PUBIC_* variable is set"),
        "{err}"
    );
    assert!(problem.fix().contains("did you mean `PUBLIC`?"), "{err}");
    assert!(problem.fix().contains("API (CORS_API_*)"), "{err}");
    // Made once: the same error every time, logged the first time only.
    let (again, log) = capture_logs(|| policies.get(Some("PUBIC")).unwrap_err());
    assert!(std::ptr::eq(err, again));
    assert!(log.is_empty(), "{log}");
    let (_, log) = capture_logs(|| policies.get(Some("admin")).unwrap_err());
    assert!(
        log.contains("ERROR") && log.contains("CORS_ADMIN_ALLOWED_ORIGINS"),
        "{log}"
    );
    // The unnamed policy, when only named ones are configured.
    let err = policies.get(None).unwrap_err();
    assert_eq!(err.problems()[0].code(), "policy-unknown");
    assert!(
        err.problems()[0].fix().contains("CorsLayer::named"),
        "{err}"
    );
    // A name that cannot be a variable's part.
    let err = policies.get(Some("public-api")).unwrap_err();
    assert!(
        err.problems()[0].reason().contains("cannot name a policy"),
        "{err}"
    );
}

#[test]
fn an_empty_environment_still_reports_the_missing_origins() {
    let policies = Policies::from_vars(Vec::<(&str, &str)>::new());
    assert_eq!(policies.names().collect::<Vec<_>>(), [None]);
    assert_eq!(
        codes(policies.get(None).unwrap_err()),
        [("origin-missing", "CORS_ALLOWED_ORIGINS".to_string())]
    );
}

#[test]
fn typos_get_a_did_you_mean_with_the_policy_part_kept() {
    let policies = Policies::from_vars([
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
        ("CORS_PUBLIC_ALLOWED_ORIGIN", "*"),
        ("CORS_public_MAX_AGE", "60"),
        ("CORS_ALOWED_ORIGINS", APP),
    ]);
    let fixes: Vec<(&str, &str)> = policies
        .warnings()
        .iter()
        .map(|w| (w.variable(), w.fix()))
        .collect();
    assert_eq!(
        fixes,
        [
            ("CORS_ALOWED_ORIGINS", "did you mean CORS_ALLOWED_ORIGINS?"),
            (
                "CORS_PUBLIC_ALLOWED_ORIGIN",
                "did you mean CORS_PUBLIC_ALLOWED_ORIGINS?"
            ),
            ("CORS_public_MAX_AGE", "did you mean CORS_PUBLIC_MAX_AGE?"),
        ]
    );
    // The single-policy path no longer calls a named policy's variable a typo.
    let settings = Settings::from_vars([
        ("CORS_ALLOWED_ORIGINS", APP),
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
    ]);
    assert!(settings.unknown.is_empty(), "{:?}", settings.unknown);
    assert!(settings.build().unwrap().warnings().is_empty());
}

#[test]
fn a_rejection_is_logged_with_the_named_policys_variable() {
    let policies = two_apis();
    let api = policies.get(Some("api")).unwrap();
    let request = headers(&[
        ("origin", APP),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-unknown"),
    ]);
    let (_, log) = capture_logs(|| drop(api.decide(&Method::OPTIONS, &request)));
    assert!(
        log.contains("fix=\"CORS_API_ALLOWED_HEADERS\""),
        "the log must name the policy's variable: {log}"
    );
}

#[test]
fn the_variable_grammar_is_unambiguous() {
    use preflight::vars::{split, ALL};
    for variable in ALL {
        assert_eq!(split(variable), Some((None, variable)));
        let named = preflight::vars::named(variable, Some("partner_api"));
        assert_eq!(
            split(&named),
            Some((Some("PARTNER_API"), variable)),
            "{named}"
        );
        // A policy may be named after a variable's words without confusing the reader.
        let tricky = preflight::vars::named(variable, Some("ALLOW_PRIVATE"));
        assert_eq!(split(&tricky), Some((Some("ALLOW_PRIVATE"), variable)));
    }
    assert_eq!(split("CORS__MAX_AGE"), None);
    assert_eq!(split("CORS_9_MAX_AGE"), None);
    assert_eq!(split("CORS_A__B_MAX_AGE"), None);
}
