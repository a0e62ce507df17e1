//! Runs the attack corpus (`attacks.toml`, next to this file; its header says what each
//! attack is checked for) against its policies.

mod common;

use common::*;
use http::{HeaderMap, Method};
use preflight::{Decision, Policy};
use toml::{Table, Value};

/// No log line about an attack may be longer than this, however large the input.
const MAX_LOG_BYTES: usize = 2048;

struct Attack {
    class: String,
    origins: Vec<String>,
    request: Vec<(String, String)>,
    reason: String,
    origin_is_allowed: bool,
    against: Option<Vec<String>>,
}

/// `{TEXT*N}` becomes TEXT repeated N times.
fn expand(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find('{') {
        let end = start + rest[start..].find('}').expect("unclosed {");
        let (text, count) = rest[start + 1..end].rsplit_once('*').expect("{TEXT*N}");
        out.push_str(&rest[..start]);
        out.push_str(&text.repeat(count.parse().expect("N is a number")));
        rest = &rest[end + 1..];
    }
    out + rest
}

fn strings(table: &Table, one: &str, many: &str) -> Vec<String> {
    match (table.get(one), table.get(many)) {
        (Some(Value::String(s)), None) => vec![expand(s)],
        (None, Some(Value::Array(items))) => items
            .iter()
            .map(|v| expand(v.as_str().expect("strings")))
            .collect(),
        (None, None) => vec![],
        _ => panic!("{table:?}: give `{one}` or `{many}`, as strings"),
    }
}

fn corpus() -> (Vec<(String, Policy)>, Vec<Attack>) {
    let text = include_str!("attacks.toml");
    let file: Table = toml::from_str(text).expect("attacks.toml parses");
    let policies = file["policies"]
        .as_table()
        .expect("[policies]")
        .iter()
        .map(|(name, vars)| {
            let vars: Vec<(&str, &str)> = vars
                .as_table()
                .expect("a policy is a table")
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str().expect("values are strings")))
                .collect();
            (name.clone(), policy(&vars))
        })
        .collect();
    let attacks = file["attack"]
        .as_array()
        .expect("[[attack]]")
        .iter()
        .map(|a| {
            let a = a.as_table().expect("an attack is a table");
            let known = [
                "class",
                "origin",
                "origins",
                "method",
                "methods",
                "request_headers",
                "request_headers_lines",
                "extra",
                "reason",
                "origin_is_allowed",
                "against",
            ];
            if let Some(unknown) = a.keys().find(|k| !known.contains(&k.as_str())) {
                panic!("unknown field `{unknown}` in {a:?}");
            }
            let mut methods = strings(a, "method", "methods");
            if methods.is_empty() {
                methods.push("PUT".into());
            }
            let mut request: Vec<(String, String)> = methods
                .into_iter()
                .map(|m| ("access-control-request-method".into(), m))
                .collect();
            for names in strings(a, "request_headers", "request_headers_lines") {
                request.push(("access-control-request-headers".into(), names));
            }
            for pair in a
                .get("extra")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let pair = pair.as_array().expect("[name, value]");
                request.push((
                    pair[0].as_str().unwrap().into(),
                    expand(pair[1].as_str().unwrap()),
                ));
            }
            let origins = strings(a, "origin", "origins");
            assert!(!origins.is_empty(), "{a:?}: no origin");
            Attack {
                class: a["class"].as_str().expect("class").into(),
                origins,
                request,
                reason: a["reason"].as_str().expect("reason").into(),
                origin_is_allowed: a
                    .get("origin_is_allowed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                against: a.get("against").map(|list| {
                    list.as_array()
                        .expect("against is a list")
                        .iter()
                        .map(|p| p.as_str().unwrap().to_owned())
                        .collect()
                }),
            }
        })
        .collect();
    (policies, attacks)
}

fn request(origins: &[String], rest: &[(String, String)]) -> HeaderMap {
    let pairs: Vec<(&str, &str)> = origins
        .iter()
        .map(|o| ("origin", o.as_str()))
        .chain(rest.iter().map(|(n, v)| (n.as_str(), v.as_str())))
        .collect();
    headers(&pairs)
}

/// Checks one attack against one policy; returns what went wrong, if anything.
fn check(attack: &Attack, policy: &Policy) -> Vec<String> {
    let mut failures = Vec::new();
    let mut fail = |what: String| failures.push(what);

    // The preflight.
    let preflight_request = request(&attack.origins, &attack.request);
    let (answer, log) =
        capture_logs(
            || match policy.decide(&Method::OPTIONS, &preflight_request) {
                Decision::Preflight(p) => Ok((p.rejection(), p.into_response(()))),
                Decision::Forward(_) | Decision::Refuse(_) => Err(()),
            },
        );
    let Ok((rejection, response)) = answer else {
        return vec!["not treated as a preflight".into()];
    };
    match rejection {
        None => fail("the preflight was ALLOWED".into()),
        Some(r) if format!("{r:?}") != attack.reason => {
            fail(format!("rejected as {r:?}, expected {}", attack.reason))
        }
        Some(r) => {
            if !log.contains("CORS preflight rejected") || !log.contains(&format!("rule={r}")) {
                fail(format!("the warning does not name the rule `{r}`: {log}"));
            }
            let fix = format!("fix={:?}", r.variable().unwrap_or("-"));
            if !log.contains(&fix) {
                fail(format!("the warning does not say `{fix}`: {log}"));
            }
        }
    }
    if log.len() > MAX_LOG_BYTES {
        fail(format!("the preflight's log is {} bytes", log.len()));
    }
    if response.status() != 403 {
        fail(format!("preflight status {}", response.status()));
    }
    let cors: Vec<_> = response
        .headers()
        .keys()
        .filter(|k| k.as_str().starts_with("access-control-"))
        .collect();
    if !cors.is_empty() {
        fail(format!("the rejected preflight carries {cors:?}"));
    }
    let vary = response.headers().get("vary").map(|v| v.to_str().unwrap());
    if !vary.is_some_and(|v| v.split(',').any(|t| t.trim() == "Origin")) {
        fail(format!("the rejected preflight has Vary {vary:?}"));
    }

    if attack.origin_is_allowed {
        return failures;
    }

    // An actual request from the same origin(s).
    let get = request(&attack.origins, &[]);
    let (outcome, log) = capture_logs(|| match policy.decide(&Method::GET, &get) {
        Decision::Forward(actual) => {
            let mut response = HeaderMap::new();
            policy.apply(&actual, &mut response);
            Some((actual.is_allowed(), response))
        }
        Decision::Preflight(_) | Decision::Refuse(_) => None,
    });
    match outcome {
        None => fail("a GET was treated as a preflight".into()),
        Some((allowed, response)) => {
            if allowed || response.contains_key("access-control-allow-origin") {
                fail("the actual request was ALLOWED".into());
            }
            if !log.contains("disallowed origin")
                || !log.contains(&format!(
                    "rule={}",
                    rejection.map(|r| r.to_string()).unwrap_or_default()
                ))
            {
                fail(format!(
                    "the actual request's log does not name the rule: {log}"
                ));
            }
            if log.len() > MAX_LOG_BYTES {
                fail(format!("the actual request's log is {} bytes", log.len()));
            }
        }
    }
    for origin in &attack.origins {
        if attack.origins.len() == 1 && policy.allows_origin(origin) {
            fail("Policy::allows_origin says yes".into());
        }
    }
    failures
}

#[test]
fn no_attack_gets_through() {
    let (policies, attacks) = corpus();
    assert!(
        attacks.len() >= 90,
        "the corpus shrank to {}",
        attacks.len()
    );
    let mut report = Vec::new();
    let mut runs = 0;
    for attack in &attacks {
        if let Some(names) = &attack.against {
            for name in names {
                assert!(
                    policies.iter().any(|(n, _)| n == name),
                    "{}: no policy `{name}`",
                    attack.class
                );
            }
        }
        for (name, policy) in &policies {
            if attack
                .against
                .as_ref()
                .is_some_and(|list| !list.contains(name))
            {
                continue;
            }
            runs += 1;
            for failure in check(attack, policy) {
                report.push(format!("[{}] against `{name}`: {failure}", attack.class));
            }
        }
    }
    assert!(
        report.is_empty(),
        "{} of {runs} attack runs failed:\n{}",
        report.len(),
        report.join("\n")
    );
}

/// Every class of shared/BROWSER-RULES.md that a request can exercise has attacks.
#[test]
fn every_request_side_class_is_covered() {
    let (_, attacks) = corpus();
    for class in ["1 ", "2 ", "3 ", "4 ", "5 ", "6 ", "7 ", "8 ", "11 ", "12 "] {
        assert!(
            attacks.iter().any(|a| a.class.starts_with(class)),
            "no attack of class {class}"
        );
    }
}

/// The checks can fail: a policy that allows what the corpus attacks is caught.
#[test]
fn a_permissive_policy_fails_the_corpus() {
    let (_, attacks) = corpus();
    let permissive = policy(&[
        (
            "CORS_ALLOWED_ORIGINS",
            "https://evil.example,http://app.example.com,https://*.vercel.app",
        ),
        ("CORS_ALLOWED_HEADERS", "*"),
        ("CORS_ALLOWED_METHODS", "*"),
    ]);
    let caught = |class: &str| {
        let attack = attacks.iter().find(|a| a.class.starts_with(class)).unwrap();
        check(attack, &permissive)
            .iter()
            .any(|f| f.contains("ALLOWED"))
    };
    assert!(caught("1 unlisted origin"));
    assert!(caught("7 http for a listed https origin"));
    assert!(caught("8 another project"));
}
