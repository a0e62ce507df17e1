//! `wrangler.toml`: the `CORS_*` values in `[vars]` (and each `[env.NAME.vars]`) must
//! validate, read as the Workers adapter reads bindings.

use super::{Level, Report};
use toml::{Table, Value};

/// A binding's value as the adapter sees it: strings as written, booleans and numbers
/// written out, lists joined with commas.
fn binding(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(binding).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// The line of `key = ` after the `header` line (or anywhere, for inline tables).
fn line_of(text: &str, header: &str, key: &str) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.trim() == header)
        .map_or(0, |i| i + 1);
    let is_key = |l: &&str| {
        l.trim_start()
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='))
    };
    lines[start..]
        .iter()
        .position(is_key)
        .map(|i| start + i + 1)
        .or_else(|| lines.iter().position(is_key).map(|i| i + 1))
        .unwrap_or(1)
}

fn check(text: &str, header: &str, vars: &Table, report: &mut Report<'_>) {
    let cors: Vec<(String, String, usize)> = vars
        .iter()
        .filter(|(k, _)| k.starts_with("CORS_"))
        .map(|(k, v)| (k.clone(), binding(v), line_of(text, header, k)))
        .collect();
    let header_line = text
        .lines()
        .position(|l| l.trim() == header)
        .map_or(1, |i| i + 1);
    super::validate(report, header, &cors, header_line);
}

/// Checks one `wrangler.toml`.
pub fn lint(text: &str, report: &mut Report<'_>) {
    let doc: Table = match text.parse() {
        Ok(doc) => doc,
        Err(e) => {
            let line = e
                .span()
                .map_or(1, |s| text[..s.start].matches('\n').count() + 1);
            report.add(
                line,
                Level::Error,
                "unreadable",
                format!("not valid TOML: {}", e.message()),
                "fix the syntax (wrangler refuses it too)",
            );
            return;
        }
    };
    if let Some(Value::Table(vars)) = doc.get("vars") {
        check(text, "[vars]", vars, report);
    }
    if let Some(Value::Table(envs)) = doc.get("env") {
        for (name, env) in envs {
            if let Some(Value::Table(vars)) = env.get("vars") {
                check(text, &format!("[env.{name}.vars]"), vars, report);
            }
        }
    }
}
