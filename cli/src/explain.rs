//! `preflight explain`: the policy the `CORS_*` variables describe, in plain words, and every
//! problem the core's validation finds, worded as the adapters log them.

use std::path::Path;

use preflight::{ConfigError, Policy, Problem, Settings};
use serde_json::{json, Value};

/// Where the variables came from, and their values.
struct Source {
    what: String,
    vars: Vec<(String, String)>,
}

fn read(env_file: Option<&Path>) -> Result<Source, String> {
    let vars: Vec<(String, String)> = match env_file {
        None => std::env::vars().collect(),
        Some(path) => {
            let iter = dotenvy::from_path_iter(path)
                .map_err(|e| format!("--env-file {}: {e}", path.display()))?;
            iter.collect::<Result<_, _>>()
                .map_err(|e| format!("--env-file {}: {e}", path.display()))?
        }
    };
    let vars = vars
        .into_iter()
        .filter(|(k, _)| k.starts_with("CORS_"))
        .collect();
    Ok(Source {
        what: env_file.map_or("the environment".into(), |p| p.display().to_string()),
        vars,
    })
}

/// The policy's parts in words, from the compiled policy's one-line summary.
fn parts(policy: &Policy) -> Vec<(String, String)> {
    let summary = policy.to_string();
    let keys = [
        "origins",
        "methods",
        "request headers",
        "exposed headers",
        "credentials",
        "preflight cache",
        "private network",
    ];
    summary
        .split("; ")
        .filter_map(|part| {
            let key = keys.iter().find(|k| part.starts_with(*k))?;
            Some((key.to_string(), part[key.len()..].trim().to_owned()))
        })
        .collect()
}

/// What one `CORS_ALLOWED_ORIGINS` entry lets in.
fn origin_words(entry: &str) -> String {
    if entry == "*" {
        return "any origin (`Access-Control-Allow-Origin: *`, never with credentials)".into();
    }
    if let Some((scheme, rest)) = entry.split_once("://*.") {
        return format!(
            "any subdomain of {rest} over {scheme} (one or more labels: a.{rest}, a.b.{rest}), not {rest} itself"
        );
    }
    if let Some(base) = entry.strip_suffix(":*") {
        return format!("{base} on any port");
    }
    "exactly this origin (scheme, host and port as the browser sends them)".into()
}

fn meaning(key: &str, value: &str) -> String {
    match (key, value) {
        ("methods", v) if v.contains('*') => {
            "any method (`*`: without credentials; with credentials the requested method is echoed)".into()
        }
        ("methods", v) => format!(
            "{v}, and always GET, HEAD and POST (browsers allow those without asking); preflights for other methods get 403"
        ),
        ("request headers", v) if v.contains('*') => {
            "any request header; the requested names are echoed, so Authorization and credentialed calls work too".into()
        }
        ("request headers", v) => format!(
            "{v} (besides the CORS-safelisted Accept, Accept-Language, Content-Language and simple Content-Type); a preflight asking for another gets 403"
        ),
        ("exposed headers", "none") => {
            "none: scripts read only Cache-Control, Content-Language, Content-Length, Content-Type, Expires, Last-Modified and Pragma".into()
        }
        ("exposed headers", v) => format!("{v}, besides the safelisted response headers"),
        ("credentials", "yes") => {
            "yes: cookies and HTTP authentication are allowed (`Access-Control-Allow-Credentials: true`)".into()
        }
        ("credentials", _) => {
            "no: a call with `credentials: 'include'` is blocked by the browser".into()
        }
        ("preflight cache", v) => format!(
            "{v} (`Access-Control-Max-Age`; Chromium keeps at most 7200 s, Firefox 86400 s)"
        ),
        ("private network", "yes") => {
            "yes: preflights carrying `Access-Control-Request-Private-Network: true` get `Access-Control-Allow-Private-Network: true` (only older Chromium releases sent it, for Private Network Access; Chromium 156 never does: its Local Network Access asks the user, and no server header changes that)".into()
        }
        ("private network", _) => {
            "no: a preflight asking for private network access is answered without the grant (only older Chromium releases sent it; Chromium 156 never does, and no response header affects its Local Network Access prompt)".into()
        }
        (_, v) => v.into(),
    }
}

fn problem_json(p: &Problem) -> Value {
    json!({
        "severity": p.severity().to_string(),
        "variable": p.variable(),
        "entry": p.entry(),
        "reason": p.reason(),
        "fix": p.fix(),
    })
}

/// The lines an adapter logs at cold start for this configuration.
fn log_lines(result: &Result<Policy, ConfigError>) -> Vec<String> {
    match result {
        Ok(policy) => policy
            .warnings()
            .iter()
            .map(|w| format!("WARN  CORS configuration: {w}"))
            .chain([format!("INFO  CORS policy: {policy}")])
            .collect(),
        Err(err) => vec![format!("ERROR {err}")],
    }
}

/// Prints the explanation; `Ok(true)` when the configuration is valid.
pub fn run(env_file: Option<&Path>, as_json: bool) -> Result<bool, String> {
    let source = read(env_file)?;
    let settings = Settings::from_vars(source.vars.iter().map(|(k, v)| (k, v.clone())));
    let result = settings.build();
    if as_json {
        let value = json!({
            "source": source.what,
            "variables": source.vars.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
            "valid": result.is_ok(),
            "policy": result.as_ref().ok().map(|p| {
                parts(p).into_iter().map(|(k, v)| (k, Value::String(v))).collect::<serde_json::Map<_, _>>()
            }),
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
        match source.vars.iter().find(|(k, _)| k == name) {
            Some((_, value)) => println!("  {name} = {value}"),
            None => println!("  {name} (not set: default)"),
        }
    }
    for (name, _) in source
        .vars
        .iter()
        .filter(|(k, _)| !preflight::vars::ALL.contains(&k.as_str()))
    {
        println!("  {name} (not a preflight variable)");
    }
    println!();
    match &result {
        Ok(policy) => {
            println!("The policy:");
            for (key, value) in parts(policy) {
                if key == "origins" {
                    println!("  origins:");
                    for entry in value.split(", ") {
                        println!("    {entry:<32} {}", origin_words(entry));
                    }
                } else {
                    println!("  {key}: {}", meaning(&key, &value));
                }
            }
            println!("  every other origin: no CORS headers; its preflights get 403 and the log says why");
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
