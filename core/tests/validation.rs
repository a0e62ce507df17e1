//! Configuration validation: every mistake is reported, all at once, naming the variable,
//! the entry, why and the fix; nothing falls back to allowing every origin.

use preflight::{ConfigError, Policy, Settings, Severity};

fn build(vars: &[(&str, &str)]) -> Result<Policy, ConfigError> {
    Settings::from_vars(vars.iter().copied()).build()
}

fn errors(vars: &[(&str, &str)]) -> ConfigError {
    match build(vars) {
        Ok(policy) => panic!("expected an error, got a policy: {policy}"),
        Err(e) => e,
    }
}

/// The single error for `CORS_ALLOWED_ORIGINS=<entry>`, with its reason and fix.
fn origin_error(entry: &str) -> (String, String) {
    let err = errors(&[("CORS_ALLOWED_ORIGINS", entry)]);
    let problems: Vec<_> = err.errors().collect();
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].variable(), "CORS_ALLOWED_ORIGINS");
    assert_eq!(problems[0].entry(), Some(entry));
    (
        problems[0].reason().to_string(),
        problems[0].fix().to_string(),
    )
}

#[test]
fn missing_or_empty_origins_is_an_error_not_an_open_policy() {
    for vars in [
        vec![],
        vec![("CORS_ALLOWED_ORIGINS", "")],
        vec![("CORS_ALLOWED_ORIGINS", " , ")],
    ] {
        let err = errors(&vars);
        let first = err.errors().next().unwrap();
        assert_eq!(first.variable(), "CORS_ALLOWED_ORIGINS");
        assert!(
            matches!(first.code(), "origin-missing" | "origin-empty"),
            "{err}"
        );
        assert!(first.fix().contains("https://app.example.com"), "{err}");
    }
}

#[test]
fn origin_grammar_errors_name_entry_reason_and_fix() {
    let cases = [
        (
            "https://app.example.com/",
            "trailing slash",
            "https://app.example.com",
        ),
        (
            "https://app.example.com/api",
            "path",
            "https://app.example.com",
        ),
        (
            "https://app.example.com?x=1",
            "query",
            "https://app.example.com",
        ),
        (
            "https://admin:pw@app.example.com",
            "user info",
            "https://app.example.com",
        ),
        (
            "ftp://app.example.com",
            "scheme `ftp`",
            "https://app.example.com",
        ),
        ("app.example.com", "no scheme", "https://app.example.com"),
        ("https://app.example.com:0", "out of range", "1 to 65535"),
        (
            "https://app.example.com:70000",
            "out of range",
            "1 to 65535",
        ),
        ("https://app.example.com:abc", "not a number", "1 to 65535"),
        (
            "https://app.example.com:08080",
            "leading zero",
            "1 to 65535",
        ),
        // Split at its space, the entry is not two origins: no value is proposed.
        (
            "https://app example.com",
            "space",
            "separate origins with commas",
        ),
        (
            "https://a.example https://b.example",
            "space",
            "https://a.example,https://b.example",
        ),
        ("null", "sandboxed", "real http(s) origin"),
        (
            "https://*example.com",
            "evilexample.com",
            "https://*.example.com",
        ),
        ("https://app!1.example.com", "'!'", "letters, digits"),
        ("https://*.app_1.example.com", "`_`", "exactly"),
        ("https://app..example.com", "empty label", "letters, digits"),
        ("https://bücher.example", "punycode", "xn--"),
    ];
    for (entry, reason, fix) in cases {
        let (got_reason, got_fix) = origin_error(entry);
        assert!(
            got_reason.contains(reason),
            "{entry}: reason {got_reason:?} lacks {reason:?}"
        );
        assert!(
            got_fix.contains(fix),
            "{entry}: fix {got_fix:?} lacks {fix:?}"
        );
    }
}

#[test]
fn null_explains_why_it_is_never_trusted() {
    let (reason, _) = origin_error("null");
    assert!(reason.contains("any site"), "{reason}");
}

#[test]
fn star_or_shared_patterns_with_credentials_are_refused() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    assert!(
        err.to_string().contains("CORS_ALLOW_CREDENTIALS=true"),
        "{err}"
    );
    for shared in [
        "*.com",
        "*.vercel.app",
        "*.workers.dev",
        "*.pages.dev",
        "*.github.io",
        "*.netlify.app",
        "*.amazonaws.com",
        "*.co.uk",
    ] {
        let entry = format!("https://{shared}");
        let err = errors(&[
            ("CORS_ALLOWED_ORIGINS", &entry),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ]);
        let problem = err.errors().next().unwrap();
        assert_eq!(problem.entry(), Some(entry.as_str()));
        assert_eq!(problem.code(), "origin-shared-domain", "{err}");
        // Without credentials: a warning, and the policy is built.
        let policy = build(&[("CORS_ALLOWED_ORIGINS", &entry)]).unwrap();
        assert_eq!(policy.warnings().len(), 1);
        assert_eq!(policy.warnings()[0].severity(), Severity::Warning);
    }
}

#[test]
fn patterns_on_an_owned_domain_work_with_credentials() {
    let policy = build(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://*.example.com,https://myapp.vercel.app",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .unwrap();
    assert!(policy.warnings().is_empty());
    assert!(policy.allows_origin("https://a.example.com"));
}

#[test]
fn star_must_stand_alone() {
    let err = errors(&[("CORS_ALLOWED_ORIGINS", "*,https://app.example.com")]);
    assert!(
        err.problems()
            .iter()
            .any(|p| p.code() == "list-star-not-alone"),
        "{err}"
    );
}

#[test]
fn http_origins_with_credentials_only_on_loopback() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "http://app.example.com"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ]);
    let problem = err.errors().next().unwrap();
    assert_eq!(problem.code(), "origin-insecure-with-credentials", "{err}");
    assert!(problem.fix().contains("https://app.example.com"), "{err}");
    build(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "http://localhost:*,http://127.0.0.1:3000,http://[::1]:8080,http://app.localhost",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .unwrap();
    build(&[("CORS_ALLOWED_ORIGINS", "http://app.example.com")]).unwrap();
}

#[test]
fn every_http_entry_with_credentials_is_refused_by_one_rule() {
    // Exact origins, subdomain patterns and port wildcards alike: a network attacker can
    // answer for any plain-HTTP host, so none of them may receive credentialed responses.
    for (entry, https) in [
        ("http://app.example.com", "https://app.example.com"),
        ("HTTP://App.Example.com", "https://app.example.com"),
        ("http://*.example.com", "https://*.example.com"),
        ("http://app.example.com:*", "https://app.example.com:*"),
        ("http://*.example.com:*", "https://*.example.com:*"),
        (
            "http://app.example.com:8080",
            "https://app.example.com:8080",
        ),
        ("http://app.example.com:443", "https://app.example.com"),
        ("http://10.0.0.5:3000", "https://10.0.0.5:3000"),
    ] {
        let err = errors(&[
            ("CORS_ALLOWED_ORIGINS", entry),
            ("CORS_ALLOW_CREDENTIALS", "true"),
        ]);
        let problems: Vec<_> = err.errors().collect();
        assert_eq!(problems.len(), 1, "{entry}: {err}");
        assert_eq!(
            problems[0].code(),
            "origin-insecure-with-credentials",
            "{entry}: {err}"
        );
        assert_eq!(problems[0].suggestion(), Some(https), "{entry}: {err}");
        assert!(problems[0].fix().contains(https), "{entry}: {err}");
        // The same entry without credentials is a working policy.
        build(&[("CORS_ALLOWED_ORIGINS", entry)]).unwrap();
    }
    // Loopback hosts keep http:// with credentials, in every form.
    build(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "http://*.localhost,http://*.localhost:*,http://127.0.0.1:*,http://[::1]:*",
        ),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ])
    .unwrap();
}

/// Every `http(s)://` value a fix names, between backticks.
fn named_origins(fix: &str) -> Vec<String> {
    fix.split('`')
        .skip(1)
        .step_by(2)
        .filter(|v| v.starts_with("http://") || v.starts_with("https://"))
        .map(str::to_string)
        .collect()
}

#[test]
fn every_value_a_fix_proposes_passes_validation() {
    // Fed back in place of the entry, a proposed value must raise no error of its own; and
    // every origin a fix names (examples included) is itself valid in the same policy.
    let entries = [
        "HTTP://app.example.com",
        "http://app.example.com",
        "http://*.example.com",
        "http://app.example.com:*",
        "https://a.*.example.com",
        "https://*example.com",
        "https://foo*.example.com:8443",
        "https://*.*.example.com",
        "*.example.com",
        "app.example.com",
        "app.example.com/",
        "//app.example.com",
        "ftp://app.example.com",
        "chrome://app.example.com/x",
        "https://app.example.com/",
        "https://app.example.com/api?x=1",
        "https://u:p@app.example.com",
        "https://u@app.example.com/",
        "https://a.example https://b.example",
        "https://a .example",
        "https://*.vercel.app",
        "http://*.vercel.app",
        "https://*.com",
        "https://*com",
        "null",
        "*",
        "https://app.example.com:0",
        "https://app.example.com:08080",
        "https://[::1",
        "https://*.127.0.0.1",
        "https://-a.example",
        "https://a..example",
        "https://bücher.example",
        "https://a%2eexample",
        "https://*",
        "https://*.",
    ];
    let mut proposals = 0;
    for credentials in ["true", "false"] {
        for entry in entries {
            let list = format!("{entry},https://other.example.com");
            let vars = [
                ("CORS_ALLOWED_ORIGINS", list.as_str()),
                ("CORS_ALLOW_CREDENTIALS", credentials),
            ];
            let problems = match build(&vars) {
                Ok(policy) => policy.warnings().to_vec(),
                Err(err) => err.problems().to_vec(),
            };
            for problem in problems.iter().filter(|p| p.entry() == Some(entry)) {
                for named in named_origins(problem.fix()) {
                    let alone = [
                        ("CORS_ALLOWED_ORIGINS", named.as_str()),
                        ("CORS_ALLOW_CREDENTIALS", credentials),
                    ];
                    assert!(
                        build(&alone).is_ok(),
                        "{entry} (credentials {credentials}): the fix names `{named}`, which is refused: {problem}"
                    );
                }
                let Some(value) = problem.suggestion() else {
                    continue;
                };
                proposals += 1;
                let fixed = list.replacen(entry, value, 1);
                let again = [
                    ("CORS_ALLOWED_ORIGINS", fixed.as_str()),
                    ("CORS_ALLOW_CREDENTIALS", credentials),
                ];
                if let Err(err) = build(&again) {
                    panic!("{entry} (credentials {credentials}): the proposed `{value}` is refused in turn: {err}");
                }
            }
        }
    }
    // The corpus exercises proposals, not only fixes without one.
    assert!(proposals >= 30, "only {proposals} proposals");
}

#[test]
fn forbidden_methods_and_headers_are_refused() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_METHODS", "GET,CONNECT,TRACE,TRACK"),
    ]);
    let entries: Vec<_> = err
        .errors()
        .map(|p| p.entry().unwrap().to_string())
        .collect();
    assert_eq!(entries, ["CONNECT", "TRACE", "TRACK"]);
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_HEADERS", "Content-Type,Cookie,Sec-Fetch-Site,Proxy-Authorization,Origin,Access-Control-Allow-Origin"),
    ]);
    let entries: Vec<_> = err
        .errors()
        .map(|p| p.entry().unwrap().to_string())
        .collect();
    assert_eq!(
        entries,
        [
            "Cookie",
            "Sec-Fetch-Site",
            "Proxy-Authorization",
            "Origin",
            "Access-Control-Allow-Origin"
        ]
    );
    assert!(err.errors().all(|p| p.variable() == "CORS_ALLOWED_HEADERS"));
}

#[test]
fn max_age_limits() {
    let err = errors(&[("CORS_ALLOWED_ORIGINS", "*"), ("CORS_MAX_AGE", "86401")]);
    assert_eq!(err.errors().next().unwrap().code(), "max-age-too-large");
    let policy = build(&[("CORS_ALLOWED_ORIGINS", "*"), ("CORS_MAX_AGE", "86400")]).unwrap();
    assert_eq!(policy.max_age(), 86400);
    assert_eq!(policy.warnings()[0].code(), "max-age-above-chromium-cap");
    for bad in ["-1", "ten", "1.5", "", "+5", "1e3"] {
        let err = errors(&[("CORS_ALLOWED_ORIGINS", "*"), ("CORS_MAX_AGE", bad)]);
        let problem = err.errors().next().unwrap();
        assert_eq!(problem.variable(), "CORS_MAX_AGE");
        assert_eq!(problem.entry(), Some(bad));
    }
    assert_eq!(
        build(&[("CORS_ALLOWED_ORIGINS", "*"), ("CORS_MAX_AGE", " 600 ")])
            .unwrap()
            .max_age(),
        600
    );
}

#[test]
fn booleans_must_be_true_or_false() {
    for bad in ["yes", "1", "on", "\"true\"", ""] {
        for var in ["CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_PRIVATE_NETWORK"] {
            let err = errors(&[("CORS_ALLOWED_ORIGINS", "https://a.example"), (var, bad)]);
            let problem = err.errors().next().unwrap();
            assert_eq!(problem.variable(), var);
            assert!(problem.fix().contains("true or false"));
        }
    }
    assert!(build(&[
        ("CORS_ALLOWED_ORIGINS", "https://a.example"),
        ("CORS_ALLOW_CREDENTIALS", "TRUE")
    ])
    .unwrap()
    .allows_credentials());
}

#[test]
fn unknown_variables_are_warned_with_did_you_mean() {
    let err = errors(&[("CORS_ALLOWED_ORIGIN", "https://a.example")]);
    let warning = err.warnings().next().unwrap();
    assert_eq!(warning.variable(), "CORS_ALLOWED_ORIGIN");
    assert_eq!(warning.fix(), "did you mean CORS_ALLOWED_ORIGINS?");
    let policy = build(&[
        ("CORS_ALLOWED_ORIGINS", "https://a.example"),
        ("CORS_MAXAGE", "60"),
        ("CORS_FOO_BAR_BAZ_QUX", "1"),
    ])
    .unwrap();
    let fixes: Vec<_> = policy
        .warnings()
        .iter()
        .map(|w| w.fix().to_string())
        .collect();
    assert_eq!(fixes[1], "did you mean CORS_MAX_AGE?");
    assert!(fixes[0].contains("the known variables are"), "{fixes:?}");
}

#[test]
fn upper_case_and_default_ports_are_normalised_not_refused() {
    let policy = build(&[(
        "CORS_ALLOWED_ORIGINS",
        "HTTPS://App.Example.COM:443,Http://LocalHost:80",
    )])
    .unwrap();
    assert!(policy.warnings().is_empty());
    assert!(policy.allows_origin("https://app.example.com"));
    assert!(policy.allows_origin("http://localhost"));
    assert!(policy
        .to_string()
        .starts_with("origins https://app.example.com, http://localhost;"));
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "https://a.example/, null, *"),
        ("CORS_ALLOWED_METHODS", "GET,TRACE"),
        ("CORS_ALLOWED_HEADERS", "Cookie"),
        ("CORS_EXPOSE_HEADERS", "*"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_MAX_AGE", "-5"),
        ("CORS_ALLOW_PRIVATE_NETWORK", "maybe"),
        ("CORS_ALOWED_HEADERS", "x"),
    ]);
    let vars: Vec<_> = err.errors().map(|p| p.variable().to_string()).collect();
    for var in [
        "CORS_ALLOWED_ORIGINS",
        "CORS_ALLOWED_METHODS",
        "CORS_ALLOWED_HEADERS",
        "CORS_EXPOSE_HEADERS",
        "CORS_MAX_AGE",
        "CORS_ALLOW_PRIVATE_NETWORK",
    ] {
        assert!(vars.iter().any(|v| v == var), "{var} missing from {err}");
    }
    // The trailing slash, `null`, `*` next to other entries, `*` with credentials.
    assert_eq!(
        vars.iter().filter(|v| *v == "CORS_ALLOWED_ORIGINS").count(),
        4,
        "{err}"
    );
    assert_eq!(err.warnings().count(), 1);
    let report = err.to_string();
    assert!(
        report.starts_with("invalid CORS configuration: 9 errors and 1 warning"),
        "{report}"
    );
    assert_eq!(report.lines().count(), 11, "{report}");
    // Errors first, in the order of the variables; then warnings.
    assert_eq!(
        vars.first().map(String::as_str),
        Some("CORS_ALLOWED_ORIGINS")
    );
    assert_eq!(
        vars.last().map(String::as_str),
        Some("CORS_ALLOW_PRIVATE_NETWORK")
    );
}

#[test]
fn warnings_for_lists() {
    let policy = build(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://a.example,,https://a.example,https://A.example:443",
        ),
        ("CORS_ALLOWED_METHODS", "get,patch"),
        ("CORS_EXPOSE_HEADERS", "Content-Type"),
    ])
    .unwrap();
    let reasons: Vec<_> = policy
        .warnings()
        .iter()
        .map(|w| w.reason().to_string())
        .collect();
    assert_eq!(reasons.len(), 6, "{reasons:#?}");
}

#[test]
fn expose_star_with_credentials_is_refused() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "https://a.example"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_EXPOSE_HEADERS", "*"),
    ]);
    assert_eq!(
        err.errors().next().unwrap().variable(),
        "CORS_EXPOSE_HEADERS"
    );
}

#[test]
fn lookup_builder_and_env_share_one_validation() {
    let vars = [("CORS_ALLOWED_ORIGINS", "https://a.example/")];
    let from_vars = Settings::from_vars(vars).build().unwrap_err();
    let from_lookup = Policy::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| v.to_string())
    })
    .unwrap_err();
    let from_builder = Policy::builder()
        .allowed_origins(["https://a.example/"])
        .build()
        .unwrap_err();
    assert_eq!(from_vars, from_lookup);
    assert_eq!(from_vars, from_builder);
}

#[test]
fn env_path_reads_the_process_environment() {
    // The only test in this binary touching the process environment.
    std::env::set_var("CORS_ALLOWED_ORIGINS", "https://env.example");
    std::env::set_var("CORS_ALLOWED_ORIGINZ", "typo");
    let policy = Policy::from_env().unwrap();
    assert!(policy.allows_origin("https://env.example"));
    assert_eq!(
        policy.warnings()[0].fix(),
        "did you mean CORS_ALLOWED_ORIGINS?"
    );
    let cached = Policy::from_env_cached().unwrap();
    std::env::set_var("CORS_ALLOWED_ORIGINS", "https://changed.example");
    assert!(
        std::ptr::eq(cached, Policy::from_env_cached().unwrap()),
        "compiled once per process"
    );
    assert!(Policy::from_env_cached()
        .unwrap()
        .allows_origin("https://env.example"));
}

#[cfg(feature = "serde")]
#[test]
fn settings_deserialize_from_a_config_file() {
    let settings: Settings = serde_json::from_str(
        r#"{"CORS_ALLOWED_ORIGINS": "https://a.example", "allowed_methods": ["GET", "PUT"], "allow_credentials": true, "max_age": 60}"#,
    )
    .unwrap();
    let policy = settings.build().unwrap();
    assert!(policy.allows_credentials());
    assert_eq!(policy.max_age(), 60);
    let typo =
        serde_json::from_str::<Settings>(r#"{"allowed_origin": "https://a.example"}"#).unwrap_err();
    assert!(
        typo.to_string().contains("unknown field `allowed_origin`"),
        "{typo}"
    );
    let invalid: Settings =
        serde_json::from_str(r#"{"allowed_origins": ["https://a.example/"], "max_age": 100000}"#)
            .unwrap();
    assert_eq!(invalid.build().unwrap_err().errors().count(), 2);
}

#[test]
fn private_network_access_is_never_open_to_every_origin() {
    let err = errors(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_PRIVATE_NETWORK", "true"),
    ]);
    let problems: Vec<_> = err.errors().collect();
    assert_eq!(problems.len(), 1, "{err}");
    assert_eq!(problems[0].variable(), "CORS_ALLOW_PRIVATE_NETWORK");
    assert_eq!(
        problems[0].code(),
        "private-network-with-any-origin",
        "{err}"
    );
    build(&[
        ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_ALLOW_PRIVATE_NETWORK", "true"),
    ])
    .unwrap();
    build(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOW_PRIVATE_NETWORK", "false"),
    ])
    .unwrap();
}

#[test]
fn repeats_are_found_by_each_list_own_comparison() {
    // Methods compare case-sensitively: PATCH and patch are two methods (with a warning
    // about the lower-case one), never "listed twice".
    let policy = build(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_METHODS", "PATCH,patch"),
    ])
    .unwrap();
    assert!(
        policy.warnings().iter().all(|w| w.code() != "list-repeat"),
        "{:?}",
        policy.warnings()
    );
    assert!(
        policy.to_string().contains("methods PATCH, patch"),
        "{policy}"
    );
    // Header names compare case-insensitively.
    let policy = build(&[
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_HEADERS", "X-Request-Id,x-request-id"),
    ])
    .unwrap();
    assert!(
        policy.warnings().iter().any(|w| w.code() == "list-repeat"),
        "{:?}",
        policy.warnings()
    );
}

#[test]
fn the_builder_takes_typed_values_as_they_are() {
    // One item is one entry: a comma inside it is not a list separator.
    let err = Policy::builder()
        .allowed_origins(["https://a.example,https://b.example"])
        .build()
        .unwrap_err();
    assert_eq!(err.errors().count(), 1, "{err}");
    assert_eq!(
        err.errors().next().unwrap().variable(),
        "CORS_ALLOWED_ORIGINS"
    );
    // Typed numbers and flags need no parsing, and are checked like the variables.
    let err = Policy::builder()
        .allowed_origins(["https://a.example"])
        .max_age(100_000)
        .build()
        .unwrap_err();
    assert!(
        err.to_string().contains("\"100000\": is above 86400 s"),
        "{err}"
    );
    let policy = Policy::builder()
        .allowed_origins(["https://a.example", " https://b.example "])
        .allowed_methods(["GET", "PUT"])
        .allow_credentials(true)
        .build()
        .unwrap();
    assert!(policy.allows_origin("https://b.example") && policy.allows_credentials());
}

/// Every code the source gives a problem is in `preflight::CODES`, once, and every listed
/// code is given somewhere: the list is the documentation scripts match on.
#[test]
fn every_problem_code_is_listed_once_and_used() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut used = std::collections::BTreeSet::new();
    let mut files = vec![src.clone()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // The code is the first argument of a constructor, or an arm of HostError::code.
        for marker in [
            "Problem::error(",
            "Problem::warning(",
            "entry_error(",
            "=> \"",
        ] {
            for (at, _) in text.match_indices(marker) {
                let rest = text[at + marker.len()..].trim_start();
                let Some(rest) = rest.strip_prefix(if marker == "=> \"" { "" } else { "\"" })
                else {
                    continue;
                };
                let code: String = rest.chars().take_while(|c| *c != '"').collect();
                let kebab = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
                if code.contains('-') && code.bytes().all(kebab) {
                    used.insert(code);
                }
            }
        }
    }
    let listed: std::collections::BTreeSet<String> =
        preflight::CODES.iter().map(|c| c.to_string()).collect();
    assert_eq!(
        listed.len(),
        preflight::CODES.len(),
        "a code is listed twice"
    );
    let unlisted: Vec<_> = used.difference(&listed).collect();
    assert!(
        unlisted.is_empty(),
        "codes given but not in CODES: {unlisted:?}"
    );
    let unused: Vec<_> = listed.difference(&used).collect();
    assert!(
        unused.is_empty(),
        "codes in CODES that nothing gives: {unused:?}"
    );
}

#[test]
fn problems_are_matched_by_code() {
    let codes = |pairs: &[(&str, &str)]| -> Vec<&'static str> {
        match preflight::Settings::from_vars(pairs.iter().copied()).build() {
            Ok(policy) => policy.warnings().iter().map(|p| p.code()).collect(),
            Err(err) => err.problems().iter().map(|p| p.code()).collect(),
        }
    };
    assert_eq!(codes(&[]), ["origin-missing"]);
    assert_eq!(
        codes(&[
            ("CORS_ALLOWED_ORIGINS", "https://a.example/, null, *"),
            ("CORS_ALLOW_CREDENTIALS", "true")
        ]),
        [
            "list-star-not-alone",
            "origin-path",
            "origin-null",
            "origin-any-with-credentials"
        ]
    );
    assert_eq!(
        codes(&[("CORS_ALLOWED_ORIGINS", "https://*.github.io")]),
        ["origin-shared-domain"]
    );
    assert_eq!(
        codes(&[("CORS_ALLOWED_ORIGINS", "https://ex ample.com")]),
        ["origin-space"]
    );
    assert_eq!(
        codes(&[("CORS_ALLOWED_ORIGINS", "https://-a.example.com")]),
        ["origin-host-hyphen"]
    );
    assert_eq!(
        codes(&[
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_ALLOWED_METHODS", "GET,TRACE,get"), // `get`: GET again once upper-cased
            ("CORS_MAX_AGE", "9000")
        ]),
        [
            "method-forbidden",
            "method-normalized",
            "method-repeat",
            "max-age-above-chromium-cap"
        ]
    );
    assert_eq!(
        codes(&[
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_ALLOWED_HEADERS", "Cookie,Access-Control-Allow-Origin"),
            ("CORS_ALOWED_HEADERS", "x")
        ]),
        [
            "header-forbidden",
            "header-cors-protocol",
            "unknown-variable"
        ]
    );
}
