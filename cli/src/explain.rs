//! `preflight explain`: every policy the `CORS_*` variables describe (the unnamed one and each
//! named one, `CORS_<NAME>_*`), in plain words, and every problem the core's validation finds,
//! worded as the adapters log them.

use std::path::Path;

use preflight::describe::{Description, Listed, OriginEntry, Ports};
use preflight::{ConfigError, Policies, Policy, Problem};
use preflight_browser::{
    MAX_PREFLIGHT_CACHE_SECONDS, SAFELISTED_REQUEST_HEADERS, SAFELISTED_RESPONSE_HEADERS,
};
use serde_json::{json, Value};

/// Where the variables came from, read as the adapters read them.
struct Source {
    what: String,
    pairs: Vec<(String, String)>,
}

fn read(env_file: Option<&Path>) -> Result<Source, String> {
    let Some(path) = env_file else {
        return Ok(Source {
            what: "the environment".into(),
            pairs: std::env::vars_os()
                .filter_map(|(k, v)| {
                    Some((k.into_string().ok()?, v.to_string_lossy().into_owned()))
                })
                .filter(|(k, _)| preflight::vars::in_namespace(k))
                .collect(),
        });
    };
    let pairs: Vec<(String, String)> = dotenvy::from_path_iter(path)
        .map_err(|e| format!("--env-file {}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--env-file {}: {e}", path.display()))?;
    Ok(Source {
        what: path.display().to_string(),
        pairs,
    })
}

impl Source {
    /// The value of `variable` (one of `vars::ALL`) of the policy `policy`, as read.
    fn value(&self, policy: Option<&str>, variable: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| preflight::vars::split(k) == Some((policy, variable)))
            .map(|(_, v)| v.as_str())
    }

    /// The `CORS_` names that are no policy's variable.
    fn unknown(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .pairs
            .iter()
            .map(|(k, _)| k.as_str())
            .filter(|k| preflight::vars::is_unknown(k))
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }
}

/// What one `CORS_ALLOWED_ORIGINS` entry lets in.
fn origin_words(entry: &OriginEntry<'_>) -> String {
    if let OriginEntry::App(origin) = entry {
        let what = if origin.contains("extension://") {
            "browser extension"
        } else {
            "app shell (Capacitor, Ionic, Tauri)"
        };
        return format!("exactly this {what}'s pages, byte for byte");
    }
    let OriginEntry::Listed {
        scheme,
        host,
        subdomains,
        ports,
    } = entry
    else {
        return "any origin (`Access-Control-Allow-Origin: *`, never with credentials)".into();
    };
    let ports = match ports {
        Ports::Default => String::new(),
        Ports::Exact(port) => format!(" on port {port}"),
        Ports::Any => " on any port".into(),
    };
    let scheme = scheme.as_str();
    match (subdomains, ports.is_empty()) {
        (true, _) => format!(
            "any subdomain of {host} over {scheme}{ports} (one or more labels: a.{host}, a.b.{host}), not {host} itself"
        ),
        (false, true) => {
            "exactly this origin (scheme, host and port as the browser sends them)".into()
        }
        (false, false) => format!("{scheme}://{host}{ports}"),
    }
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

/// The policy's settings in words, from the core's typed description.
fn meanings(d: &Description<'_>) -> Vec<(&'static str, String)> {
    let methods = match &d.methods {
        Listed::Any => "any method (`*`: the answer names the method requested)".to_string(),
        Listed::Names(names) => format!(
            "{}, and always GET, HEAD and POST (browsers allow those without asking); preflights for other methods get 403",
            list(names)
        ),
    };
    let headers = match &d.request_headers {
        Listed::Any => "any request header; the requested names are echoed, so Authorization and credentialed calls work too".to_string(),
        Listed::Names(names) => format!(
            "{} (besides the CORS-safelisted {}, each with a safelisted value); a preflight asking for another gets 403",
            list(names),
            list(&SAFELISTED_REQUEST_HEADERS)
        ),
    };
    let exposed = match d.exposed_headers {
        None => format!(
            "none: scripts read only {}",
            list(&SAFELISTED_RESPONSE_HEADERS)
        ),
        Some(names) => format!("{names}, besides the safelisted response headers"),
    };
    let credentials = if d.credentials {
        "yes: cookies and HTTP authentication are allowed (`Access-Control-Allow-Credentials: true`)"
    } else {
        "no: a call with `credentials: 'include'` is blocked by the browser"
    };
    let private_network = if d.private_network {
        "yes: preflights carrying `Access-Control-Request-Private-Network: true` get `Access-Control-Allow-Private-Network: true` (only older Chromium releases sent it, for Private Network Access; Chromium 156 never does: its Local Network Access asks the user, and no server header changes that)"
    } else {
        "no: a preflight asking for private network access is answered without the grant (only older Chromium releases sent it; Chromium 156 never does, and no response header affects its Local Network Access prompt)"
    };
    vec![
        ("methods", methods),
        ("request headers", headers),
        ("exposed headers", exposed),
        ("credentials", credentials.to_string()),
        (
            "preflight cache",
            format!(
                "{} s (`Access-Control-Max-Age`; Chromium keeps at most {MAX_PREFLIGHT_CACHE_SECONDS} s, Firefox {} s)",
                d.max_age,
                preflight::MAX_MAX_AGE
            ),
        ),
        ("private network", private_network.to_string()),
        (
            "cross-site requests",
            if d.refuse_cross_site {
                "refused: a POST, PUT, PATCH or DELETE that a browser sends from another site, from an origin not listed above (a form posted from any page, which CORS alone lets through with the user's cookies), gets a 403 before the handler runs (`CORS_REFUSE_CROSS_SITE=true`)"
            } else {
                "passed to the handler: CORS lets a simple cross-site request (a form POST) through and only stops the page from reading the answer; set CORS_REFUSE_CROSS_SITE=true to refuse state-changing ones from origins not listed"
            }
            .to_string(),
        ),
    ]
}

/// The description as JSON, typed for scripts.
fn description_json(d: &Description<'_>) -> Value {
    let listed = |l: &Listed<'_>| match l {
        Listed::Any => json!("*"),
        Listed::Names(names) => json!(names),
    };
    json!({
        "origins": d.origins.iter().map(|o| json!({"entry": o.to_string(), "matches": origin_words(o)})).collect::<Vec<_>>(),
        "methods": listed(&d.methods),
        "request_headers": listed(&d.request_headers),
        "exposed_headers": d.exposed_headers,
        "credentials": d.credentials,
        "max_age": d.max_age,
        "private_network": d.private_network,
        "refuse_cross_site": d.refuse_cross_site,
        "origin_function": d.origin_function,
    })
}

fn problem_json(p: &Problem) -> Value {
    json!({
        "code": p.code(),
        "severity": p.severity().to_string(),
        "variable": p.variable(),
        "entry": p.entry(),
        "reason": p.reason(),
        "fix": p.fix(),
    })
}

/// The lines an adapter logs at cold start for these policies, as the core writes them.
fn log_lines(policies: &Policies) -> Vec<String> {
    policies
        .outcome_lines()
        .into_iter()
        .map(|(level, line)| format!("{level:<5} {line}"))
        .collect()
}

/// A policy's title: `The policy` for the unnamed one, `The policy PUBLIC` for a named one.
fn title(name: Option<&str>) -> String {
    match name {
        None => "The policy".to_string(),
        Some(name) => format!("The policy {name} (CORS_{name}_*)"),
    }
}

/// One policy's variables, as read.
fn variables<'a>(source: &'a Source, name: Option<&str>) -> Vec<(String, Option<&'a str>)> {
    preflight::vars::ALL
        .iter()
        .map(|variable| {
            (
                preflight::vars::named(variable, name),
                source.value(name, variable),
            )
        })
        .collect()
}

fn policy_json(
    source: &Source,
    name: Option<&str>,
    result: Result<&Policy, &ConfigError>,
) -> Value {
    json!({
        "name": name,
        "variables": variables(source, name).iter().filter_map(|(k, v)| Some(json!({"name": k, "value": (*v)?}))).collect::<Vec<_>>(),
        "valid": result.is_ok(),
        "policy": result.ok().map(|p| description_json(&p.describe())),
        "problems": match result {
            Ok(p) => p.warnings().iter().map(problem_json).collect::<Vec<_>>(),
            Err(e) => e.problems().iter().map(problem_json).collect(),
        },
    })
}

/// Prints one policy in words, or its problems.
fn print_policy(name: Option<&str>, result: Result<&Policy, &ConfigError>) {
    match result {
        Ok(policy) => {
            let description = policy.describe();
            println!("{}:", title(name));
            println!("  origins:");
            for entry in &description.origins {
                println!("    {:<32} {}", entry.to_string(), origin_words(entry));
            }
            for (key, meaning) in meanings(&description) {
                println!("  {key}: {meaning}");
            }
            if !policy.allows_any_origin() {
                println!("  every other origin: no CORS headers; its preflights get 403 and the log says why");
            }
            if !policy.warnings().is_empty() {
                println!();
                println!("Warnings ({}):", policy.warnings().len());
                for w in policy.warnings() {
                    println!("  - {w}");
                }
            }
        }
        Err(err) => {
            println!(
                "{}: INVALID: {} error(s). The adapters answer every request it serves 500 without CORS headers until this is fixed; nothing falls back to allowing every origin.",
                title(name),
                err.errors().count()
            );
            for p in err.problems() {
                println!("  - {p}");
            }
        }
    }
}

/// Prints the explanation; `Ok(true)` when every policy is valid.
pub fn run(env_file: Option<&Path>, as_json: bool) -> Result<bool, String> {
    let source = read(env_file)?;
    let policies = Policies::from_vars(source.pairs.iter().map(|(k, v)| (k.as_str(), v.clone())));
    let valid = policies.iter().all(|(_, result)| result.is_ok());
    if as_json {
        // The unnamed policy's fields at the top (as before named policies), every policy
        // under `policies`.
        let unnamed = policies
            .configured(None)
            .map(|result| policy_json(&source, None, result));
        let field = |key: &str| unnamed.as_ref().map_or(Value::Null, |u| u[key].clone());
        let mut problems: Vec<Value> = policies.warnings().iter().map(problem_json).collect();
        if let Value::Array(more) = field("problems") {
            problems.extend(more);
        }
        let value = json!({
            "source": source.what,
            "variables": field("variables"),
            "unknown_variables": source.unknown(),
            "valid": valid,
            "policy": field("policy"),
            "problems": problems,
            "policies": policies.iter().map(|(name, result)| policy_json(&source, name, result)).collect::<Vec<_>>(),
            "log": log_lines(&policies),
        });
        println!("{}", serde_json::to_string_pretty(&value).expect("JSON"));
        return Ok(valid);
    }

    println!("CORS_* variables from {}:", source.what);
    for name in policies.names() {
        for (variable, value) in variables(&source, name) {
            match value {
                Some(value) => println!("  {variable} = {value}"),
                None => println!("  {variable} (not set: default)"),
            }
        }
    }
    for name in source.unknown() {
        println!("  {name} (not a preflight variable)");
    }
    for (name, result) in policies.iter() {
        println!();
        print_policy(name, result);
    }
    if !policies.warnings().is_empty() {
        println!();
        println!(
            "Warnings about the variables ({}):",
            policies.warnings().len()
        );
        for w in policies.warnings() {
            println!("  - {w}");
        }
    }
    println!();
    println!("What the adapters log at cold start:");
    for line in log_lines(&policies) {
        println!("  {line}");
    }
    Ok(valid)
}
