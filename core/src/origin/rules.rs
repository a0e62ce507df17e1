//! The `CORS_ALLOWED_ORIGINS` rules that depend on the rest of the policy: `*` never with
//! credentials, `http://` with credentials only on loopback hosts, patterns on domains
//! strangers can host under (the Public Suffix List); and the fixes proposed for a refused
//! entry, each checked by the same rules before it is proposed.

use crate::list::{list, Compare, Entries, Given, Star};
use crate::problem::Problem;
use crate::suffix;
use crate::vars;

use super::AllowedOrigin;

/// Parses `CORS_ALLOWED_ORIGINS` (`None` when unset) in full: every entry by
/// [`check_entry`], repeats once normalized reported; the problems go to `problems`.
pub(crate) fn allowed_origins(
    given: Option<Given<'_>>,
    credentials: bool,
    predicate: bool,
    problems: &mut Vec<Problem>,
) -> Vec<AllowedOrigin> {
    let var = vars::ALLOWED_ORIGINS;
    // With a function deciding origins, the list may be absent: the function is the policy.
    let given = match given {
        None if predicate => return Vec::new(),
        given => given,
    };
    let fix_missing = "set CORS_ALLOWED_ORIGINS to the origins of the pages that call this API, comma-separated (e.g. https://app.example.com,http://localhost:3000), or to * for a public API without credentials";
    let Some(given) = given else {
        problems.push(Problem::error(
            "origin-missing",
            var,
            None,
            "is not set; it is required, and no origin is allowed by default",
            fix_missing,
        ));
        return Vec::new();
    };
    let star = Star {
        every: "origin",
        list_of: "origins",
    };
    let entries = match list(var, given, Compare::Exact, star, problems) {
        Entries::Any => vec!["*"],
        Entries::Items(entries) => entries,
    };
    if entries.is_empty() && !predicate {
        problems.push(Problem::error(
            "origin-empty",
            var,
            Some(&given.shown()),
            "is empty; it is required, and no origin is allowed by default",
            fix_missing,
        ));
    }
    let mut parsed = Vec::with_capacity(entries.len());
    for entry in &entries {
        match check_entry(entry, credentials, 0) {
            Ok((origin, warning)) => {
                problems.extend(warning);
                if parsed.contains(&origin) {
                    problems.push(Problem::warning(
                        "origin-duplicate",
                        var,
                        Some(entry),
                        format!("is the same origin as another entry once normalized (`{origin}`)"),
                        "remove the repeat",
                    ));
                    continue;
                }
                parsed.push(origin);
            }
            Err(problem) => problems.push(*problem),
        }
    }
    parsed
}

/// How deep a proposed fix is looked for: a proposal that fails validation may have a
/// proposal of its own (`https://a.*.example.com` → `https://*.example.com`), and no deeper.
const PROPOSAL_DEPTH: u8 = 2;

/// Checks one `CORS_ALLOWED_ORIGINS` entry in full: its grammar, then the rules that depend
/// on the rest of the policy (`*` never with credentials, `http://` with credentials,
/// patterns on shared domains). A warning comes with the entry it keeps; an error replaces
/// it.
fn check_entry(
    entry: &str,
    credentials: bool,
    depth: u8,
) -> Result<(AllowedOrigin, Option<Problem>), Box<Problem>> {
    let var = vars::ALLOWED_ORIGINS;
    let write = |value: &str| format!("write `{value}`");
    let origin = match AllowedOrigin::parse(entry) {
        Ok(origin) => origin,
        Err(err) => {
            let problem = Problem::error(err.code, var, Some(entry), err.reason, err.fix);
            return Err(Box::new(propose(
                problem,
                err.candidate,
                credentials,
                depth,
                write,
            )));
        }
    };
    match &origin {
        AllowedOrigin::Any if credentials => Err(Box::new(Problem::error("origin-any-with-credentials", 
            var,
            Some(entry),
            "`*` cannot be used with CORS_ALLOW_CREDENTIALS=true: browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and reflecting every origin instead would let any website read your users' data",
            "list the origins that may send credentials (e.g. https://app.example.com), or set CORS_ALLOW_CREDENTIALS=false for a public API",
        ))),
        AllowedOrigin::Any => Ok((origin, None)),
        // Before the pattern rules: an http:// pattern or port wildcard is as readable by a
        // network attacker as an exact http:// origin.
        AllowedOrigin::Listed { .. } if credentials && origin.is_insecure() => {
            let problem = Problem::error("origin-insecure-with-credentials", 
                var,
                Some(entry),
                "an http:// origin, pattern or port wildcard on a host other than localhost or a loopback address can be impersonated by anyone on the network path (they can inject script into the page), so it must not receive credentialed responses",
                "use https:// (only loopback hosts may use http:// with credentials)",
            );
            let https = origin.to_string().replacen("http://", "https://", 1);
            Err(Box::new(propose(
                problem,
                Some(https),
                credentials,
                depth,
                write,
            )))
        }
        AllowedOrigin::Listed {
            subdomains: true,
            host,
            scheme,
            ..
        } => {
            let Some(why) = suffix::shared_base(host) else {
                return Ok((origin, None));
            };
            let reason = format!("`*.{host}` is {why}, so this pattern trusts sites run by strangers");
            let example = Some(format!("{}://myapp.{host}", scheme.as_str()));
            let own = |value: &str| format!("list your own origins on {host} exactly (e.g. `{value}`), or use a domain you own");
            if credentials {
                let problem = Problem::error("origin-shared-domain", var, Some(entry), format!("{reason}; with CORS_ALLOW_CREDENTIALS=true they could read your users' data"), "list your own origins exactly, or use a domain you own");
                Err(Box::new(propose(
                    problem,
                    example,
                    credentials,
                    depth,
                    own,
                )))
            } else {
                let problem = Problem::warning("origin-shared-domain", var, Some(entry), reason, "list your own origins exactly");
                Ok((origin.clone(), Some(propose(problem, example, credentials, depth, own))))
            }
        }
        AllowedOrigin::Listed { .. } | AllowedOrigin::App(_) => Ok((origin, None)),
    }
}

/// Adds `candidate` (one entry or a comma-separated list) to `problem` as the value its fix
/// proposes, worded by `fix`, once every part of it passes [`check_entry`] (or has a valid
/// proposal of its own). A candidate that cannot be made valid is not proposed: the fix
/// keeps its words.
fn propose(
    problem: Problem,
    candidate: Option<String>,
    credentials: bool,
    depth: u8,
    fix: impl FnOnce(&str) -> String,
) -> Problem {
    let Some(candidate) = candidate.filter(|_| depth < PROPOSAL_DEPTH) else {
        return problem;
    };
    // A list is proposed only when every part is valid as it stands: correcting the parts
    // of an entry split at its spaces would be guessing.
    let several = candidate.contains(',');
    let mut valid = Vec::new();
    for part in candidate.split(',').map(str::trim) {
        // `*` is no fix for part of a list.
        if several && part == "*" {
            return problem;
        }
        match check_entry(part, credentials, depth + 1) {
            Ok((origin, None)) => valid.push(origin.to_string()),
            Ok((_, Some(other))) => match other.suggestion() {
                Some(value) if !several => valid.push(value.to_string()),
                _ => return problem,
            },
            Err(other) => match other.suggestion() {
                Some(value) if !several => valid.push(value.to_string()),
                _ => return problem,
            },
        }
    }
    let value = valid.join(",");
    let words = fix(&value);
    problem.suggest(value, words)
}
