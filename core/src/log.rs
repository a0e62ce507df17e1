//! Every log line the core writes, in one place: the policy's outcome at cold start, and the
//! outcome of each decision. Values from the request are escaped and cut ([`Shown`]); the
//! query string and header values other than the CORS request headers are never logged.
//!
//! | when | level | message |
//! |---|---|---|
//! | cold start, valid policy | `info` | `CORS policy: <the policy in one line>` (`CORS policy PUBLIC: …` for a named policy), each warning at `warn` |
//! | cold start, invalid configuration | `error` | every problem, each naming its variable |
//! | preflight allowed | `debug` | `CORS preflight allowed (204)` with `origin` and `method` |
//! | preflight rejected | `warn` | `CORS preflight rejected (403, no CORS headers): <why>` with `origin`, `method`, `headers`, `rule` and `fix` (the variable to change) |
//! | actual request from a disallowed origin | `debug` | `CORS: actual request from a disallowed origin; ...` with `origin` and `rule` |

use std::fmt;

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderValue};

use crate::decision::{ActualKind, Decision, Rejection};
use crate::names::SEC_FETCH_SITE;
use crate::problem::{ConfigError, Problem};

/// The lines logged at cold start for the outcome of building a policy, each with its level
/// (`"ERROR"`, `"WARN"`, `"INFO"`): every warning and the policy in one line, or every problem
/// of an invalid configuration.
pub(crate) fn policy_outcome_lines<P: fmt::Display>(
    result: Result<(&P, &[Problem]), &ConfigError>,
    name: Option<&str>,
) -> Vec<(&'static str, String)> {
    match result {
        Ok((policy, warnings)) => warnings
            .iter()
            .map(|warning| ("WARN", format!("CORS configuration: {warning}")))
            .chain([(
                "INFO",
                match name {
                    None => format!("CORS policy: {policy}"),
                    Some(name) => format!("CORS policy {name}: {policy}"),
                },
            )])
            .collect(),
        Err(err) => vec![("ERROR", err.to_string())],
    }
}

/// Logs [`policy_outcome_lines`] through `tracing`.
pub(crate) fn policy_outcome<P: fmt::Display>(
    result: Result<(&P, &[Problem]), &ConfigError>,
    name: Option<&str>,
) {
    lines(policy_outcome_lines(result, name));
}

/// Writes lines made by [`policy_outcome_lines`] through `tracing`, each at its level.
pub(crate) fn lines(lines: Vec<(&'static str, String)>) {
    for (level, line) in lines {
        match level {
            "ERROR" => tracing::error!("{line}"),
            "WARN" => tracing::warn!("{line}"),
            _ => tracing::info!("{line}"),
        }
    }
}

/// The outcome of one decision, with the request's CORS lines. Reads the headers again only
/// for a line that is written (a disabled level costs nothing).
pub(crate) fn decision(decision: &Decision<'_>, headers: &HeaderMap, policy: Option<&str>) {
    let first = |name| shown(headers.get(name));
    match decision {
        Decision::Preflight(preflight) => match preflight.rejection() {
            None => tracing::debug!(
                origin = %first(ORIGIN),
                method = %first(ACCESS_CONTROL_REQUEST_METHOD),
                "CORS preflight allowed (204)"
            ),
            Some(rejection) => preflight_rejected(rejection, headers, policy),
        },
        Decision::Refuse(refused) => tracing::warn!(
            origin = %first(ORIGIN),
            sec_fetch_site = %first(SEC_FETCH_SITE),
            rule = %refused.reason(),
            fix = ?Variable(Some(refused.reason().variable()), policy),
            "cross-site request refused (403, before the handler): {}",
            refused.reason()
        ),
        Decision::Forward(actual) => {
            if let ActualKind::Disallowed(rejection) = &actual.kind {
                tracing::debug!(
                    origin = %first(ORIGIN),
                    rule = %rejection,
                    "CORS: actual request from a disallowed origin; the handler runs, its response gets no CORS headers"
                );
            }
        }
    }
}

fn preflight_rejected(rejection: Rejection, headers: &HeaderMap, policy: Option<&str>) {
    tracing::warn!(
        origin = %shown(headers.get(ORIGIN)),
        method = %shown(headers.get(ACCESS_CONTROL_REQUEST_METHOD)),
        headers = %shown(headers.get(ACCESS_CONTROL_REQUEST_HEADERS)),
        rule = %rejection,
        fix = ?Variable(rejection.variable(), policy),
        "CORS preflight rejected (403, no CORS headers): {rejection}"
    );
}

/// A variable of the policy that decided, for a log line: `CORS_ALLOWED_HEADERS`, or
/// `CORS_PUBLIC_ALLOWED_HEADERS` for the named policy `PUBLIC`; `-` when no variable applies.
/// Written only when the line is (no allocation on the reject path), quoted as a string
/// field is (`fix="CORS_ALLOWED_HEADERS"`).
struct Variable<'a>(Option<&'static str>, Option<&'a str>);

impl fmt::Debug for Variable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.0, self.1) {
            (None, _) => f.write_str("\"-\""),
            (Some(variable), None) => write!(f, "\"{variable}\""),
            (Some(variable), Some(policy)) => {
                let rest = variable
                    .strip_prefix(crate::vars::PREFIX)
                    .unwrap_or(variable);
                write!(f, "\"{}{policy}_{rest}\"", crate::vars::PREFIX)
            }
        }
    }
}

/// A request header's value for a log line; empty when absent.
fn shown(value: Option<&HeaderValue>) -> Shown<'_> {
    Shown(value.map(HeaderValue::as_bytes).unwrap_or_default())
}

/// Shows request bytes in a log line safely: escaped, and cut at 200 bytes.
pub(crate) struct Shown<'a>(pub(crate) &'a [u8]);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const LIMIT: usize = 200;
        let cut = self.0.len().min(LIMIT);
        write!(f, "{}", self.0[..cut].escape_ascii())?;
        if self.0.len() > LIMIT {
            write!(f, "… ({} bytes)", self.0.len())?;
        }
        Ok(())
    }
}
