//! `preflight explain`: the policy the `CORS_*` variables describe, in plain words, and every
//! problem the core's validation finds, worded as the adapters log them.

use std::path::Path;

use preflight::describe::{Description, Listed, OriginEntry, Ports};
use preflight::{Policy, Problem, Settings};
use preflight_browser::{
    MAX_PREFLIGHT_CACHE_SECONDS, SAFELISTED_REQUEST_HEADERS, SAFELISTED_RESPONSE_HEADERS,
};
use serde_json::{json, Value};

/// Where the variables came from, read as the adapters read them.
struct Source {
    what: String,
    settings: Settings,
}

fn read(env_file: Option<&Path>) -> Result<Source, String> {
    let Some(path) = env_file else {
        return Ok(Source {
            what: "the environment".into(),
            settings: Settings::from_env(),
        });
    };
    let pairs: Vec<(String, String)> = dotenvy::from_path_iter(path)
        .map_err(|e| format!("--env-file {}: {e}", path.display()))?
        .collect::<Result<_, _>>()
        .map_err(|e| format!("--env-file {}: {e}", path.display()))?;
    Ok(Source {
        what: path.display().to_string(),
        settings: Settings::from_vars(pairs),
    })
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

/// The lines an adapter logs at cold start for this configuration, as the core writes them.
fn log_lines(result: &Result<Policy, preflight::ConfigError>) -> Vec<String> {
    Policy::outcome_lines(result)
        .into_iter()
        .map(|(level, line)| format!("{level:<5} {line}"))
        .collect()
}

/// Prints the explanation; `Ok(true)` when the configuration is valid.
pub fn run(env_file: Option<&Path>, as_json: bool) -> Result<bool, String> {
    let source = read(env_file)?;
    let result = source.settings.build();
    let variables: Vec<(&str, &str)> = preflight::vars::ALL
        .iter()
        .filter_map(|name| Some((*name, source.settings.get(name)?)))
        .collect();
    if as_json {
        let value = json!({
            "source": source.what,
            "variables": variables.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
            "unknown_variables": &source.settings.unknown,
            "valid": result.is_ok(),
            "policy": result.as_ref().ok().map(|p| description_json(&p.describe())),
            "problems": match &result {
                Ok(p) => p.warnings().iter().map(problem_json).collect::<Vec<_>>(),
                Err(e) => e.problems().iter().map(problem_json).collect(),
            },
            "log": log_lines(&result),
        });
        println!("{}", serde_json::to_string_pretty(&value).expect("JSON"));
        return Ok(result.is_ok());
    }

    println!("CORS_* variables from {}:", source.what);
    for name in preflight::vars::ALL {
        match source.settings.get(name) {
            Some(value) => println!("  {name} = {value}"),
            None => println!("  {name} (not set: default)"),
        }
    }
    for name in &source.settings.unknown {
        println!("  {name} (not a preflight variable)");
    }
    println!();
    match &result {
        Ok(policy) => {
            let description = policy.describe();
            println!("The policy:");
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
                "INVALID: {} error(s). The adapters answer every request 500 without CORS headers until this is fixed; nothing falls back to allowing every origin.",
                err.errors().count()
            );
            for p in err.problems() {
                println!("  - {p}");
            }
        }
    }
    println!();
    println!("What the adapters log at cold start:");
    for line in log_lines(&result) {
        println!("  {line}");
    }
    Ok(result.is_ok())
}
