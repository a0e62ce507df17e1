//! `wrangler.toml`, `wrangler.json` and `wrangler.jsonc`: the `CORS_*` values in `vars` (and
//! each environment's `vars`) must validate, read as the Workers adapter reads bindings.

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
        .filter(|(k, _)| preflight::vars::in_namespace(k))
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

/// A JSON binding's value as the adapter sees it (as [`binding`] for TOML).
fn json_binding(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(items) => {
            items.iter().map(json_binding).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// JSON with comments (`//`, `/* */`) and trailing commas, as wrangler reads `.jsonc`, made
/// plain JSON; strings are kept as they are and line breaks stay where they were.
fn plain_json(text: &str) -> String {
    // Comments first, so that a comma followed by a comment and `}` is seen as trailing.
    let stripped = outside_strings(text, |chars, i, out| match (chars[i], chars.get(i + 1)) {
        ('/', Some('/')) => {
            let mut end = i;
            while end < chars.len() && chars[end] != '\n' {
                end += 1;
            }
            end
        }
        ('/', Some('*')) => {
            let mut end = i + 2;
            while end < chars.len() && !(chars[end] == '*' && chars.get(end + 1) == Some(&'/')) {
                if chars[end] == '\n' {
                    out.push('\n');
                }
                end += 1;
            }
            end + 2
        }
        (c, _) => {
            out.push(c);
            i + 1
        }
    });
    outside_strings(&stripped, |chars, i, out| {
        let trailing = chars[i] == ','
            && matches!(
                chars[i + 1..].iter().find(|c| !c.is_whitespace()),
                Some('}' | ']')
            );
        if !trailing {
            out.push(chars[i]);
        }
        i + 1
    })
}

/// Copies `text`, handing each character outside a JSON string to `step`, which writes what
/// it keeps and returns where to go on.
fn outside_strings(
    text: &str,
    mut step: impl FnMut(&[char], usize, &mut String) -> usize,
) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let (mut i, mut in_string) = (0, false);
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
            i += 1;
        } else if c == '"' {
            in_string = true;
            out.push(c);
            i += 1;
        } else {
            i = step(&chars, i, &mut out);
        }
    }
    out
}

/// The line of the first `"key"` in `text`.
fn json_line_of(text: &str, key: &str) -> usize {
    let needle = format!("\"{key}\"");
    text.lines()
        .position(|l| l.contains(&needle))
        .map_or(1, |i| i + 1)
}

/// Checks one `wrangler.json` or `wrangler.jsonc`.
pub fn lint_json(text: &str, report: &mut Report<'_>) {
    // Comments are removed with their line breaks kept, so the lines stay the file's.
    let Some(doc) = super::json_or_report(&plain_json(text), report, "wrangler") else {
        return;
    };
    let mut scopes: Vec<(String, &serde_json::Value)> = Vec::new();
    if let Some(vars) = doc.get("vars") {
        scopes.push(("vars".into(), vars));
    }
    if let Some(serde_json::Value::Object(envs)) = doc.get("env") {
        for (name, env) in envs {
            if let Some(vars) = env.get("vars") {
                scopes.push((format!("env.{name}.vars"), vars));
            }
        }
    }
    for (context, vars) in scopes {
        let Some(vars) = vars.as_object() else {
            continue;
        };
        let cors: Vec<(String, String, usize)> = vars
            .iter()
            .filter(|(k, _)| preflight::vars::in_namespace(k))
            .map(|(k, v)| (k.clone(), json_binding(v), json_line_of(text, k)))
            .collect();
        let line = json_line_of(text, "vars");
        super::validate(report, &context, &cors, line);
    }
}
