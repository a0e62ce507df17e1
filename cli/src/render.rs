//! Writing a check report: for people (text) and for scripts (`--json`).

use std::fmt::Write;

use http::HeaderMap;
use serde_json::{json, Map, Value};

use crate::check::{readable, status_text, Report, Step};
use crate::diagnose::Diagnosis;

/// Response headers worth showing: the CORS ones and those that tell who answered and why.
fn relevant(name: &str) -> bool {
    name.starts_with("access-control-")
        || matches!(
            name,
            "vary"
                | "location"
                | "www-authenticate"
                | "x-amzn-errortype"
                | "x-vercel-error"
                | "server"
                | "x-powered-by"
        )
}

fn lines(headers: &HeaderMap, keep: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(n, _)| keep(n.as_str()))
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn path(report: &Report) -> String {
    report
        .call
        .url
        .path_and_query()
        .map_or("/".into(), |p| p.as_str().to_owned())
}

fn step_text(out: &mut String, report: &Report, title: &str, step: &Step) {
    let _ = writeln!(out, "   > {} {}", step.method, path(report));
    for (name, value) in lines(&step.sent, |_| true) {
        let _ = writeln!(out, "   > {name}: {value}");
    }
    let _ = writeln!(out, "   < {}", status_text(step.answer.status));
    let shown = lines(&step.answer.headers, relevant);
    if !shown.iter().any(|(n, _)| n.starts_with("access-control-")) {
        let _ = writeln!(out, "   < (no Access-Control-* headers)");
    }
    for (name, value) in shown {
        let _ = writeln!(out, "   < {name}: {value}");
    }
    if step.blocked.is_some() && !step.answer.body.trim().is_empty() {
        let _ = writeln!(out, "   < body: {}", snippet(&step.answer.body));
    }
    match (&step.blocked, &step.diagnosis) {
        (None, _) => {
            let _ = writeln!(out, "   PASS: the browser accepts this {title}");
        }
        (Some(_), Some(d)) => {
            let _ = writeln!(out, "   FAIL [{}]", d.code);
            if let Some(message) = report.console_message() {
                let _ = writeln!(out, "   Chromium: {message}");
            }
            diagnosis_text(out, d);
        }
        (Some(b), None) => {
            let _ = writeln!(out, "   FAIL: {b}");
        }
    }
}

fn diagnosis_text(out: &mut String, d: &Diagnosis) {
    let _ = writeln!(out, "   cause:    {}", d.cause);
    let _ = writeln!(out, "   fix:      {}", d.fix);
    if let Some(sdk) = &d.sdk {
        let _ = writeln!(out, "   with the preflight SDK: {sdk}");
    }
}

/// The report for people.
pub fn text(report: &Report) -> String {
    let fetch = &report.call.fetch;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "preflight check: {} {} from origin {}{}",
        fetch.method,
        report.call.url,
        fetch.origin,
        if fetch.credentials {
            " with credentials"
        } else {
            ""
        }
    );
    let _ = writeln!(out);
    let mut number = 1;
    match &report.preflight {
        Some(step) => {
            let _ = writeln!(
                out,
                "{number}. Preflight (sent because {})",
                report.preflight_because.join("; ")
            );
            step_text(&mut out, report, "preflight answer", step);
            number += 1;
        }
        None => {
            let _ = writeln!(
                out,
                "{number}. No preflight: {} with only CORS-safelisted headers is a simple request",
                fetch.method
            );
            number += 1;
        }
    }
    let _ = writeln!(out);
    match &report.actual {
        Some(step) => {
            let _ = writeln!(out, "{number}. Actual request");
            step_text(&mut out, report, "response", step);
            if step.blocked.is_none() {
                let (shown, hidden) = readable(fetch, &step.answer.headers);
                let _ = writeln!(out, "   the script can read: {}", list_or_none(&shown));
                if !hidden.is_empty() {
                    let _ = writeln!(
                        out,
                        "   hidden from the script (not in Access-Control-Expose-Headers): {}",
                        hidden.join(", ")
                    );
                }
            }
        }
        None => {
            let _ = writeln!(
                out,
                "{number}. Actual request: not sent; the browser stops at a failed preflight"
            );
        }
    }
    if !report.findings.is_empty() {
        let _ = writeln!(out);
        let _ = writeln!(out, "Warnings");
        for f in &report.findings {
            let _ = writeln!(out, "   [{}] {}", f.code, f.message);
            let _ = writeln!(out, "   fix: {}", f.fix);
        }
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Verdict: {}",
        if report.allowed_everywhere() {
            "ALLOWED: the browser lets the page read the response".to_owned()
        } else if report.allowed() {
            format!(
                "ALLOWED in Chromium, BLOCKED in {} (see the warnings)",
                report.blocked_elsewhere().join(" and ")
            )
        } else {
            "BLOCKED: the page gets a TypeError (\"Failed to fetch\")".to_owned()
        }
    );
    out
}

/// The start of a body, on one line.
fn snippet(body: &str) -> String {
    let one_line: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    match one_line.char_indices().nth(160) {
        Some((cut, _)) => format!("{}…", &one_line[..cut]),
        None => one_line,
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "(nothing but the status and body)".into()
    } else {
        items.join(", ")
    }
}

fn headers_json(headers: &HeaderMap) -> Value {
    let mut map = Map::new();
    for (name, value) in headers {
        let entry = map
            .entry(name.as_str())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(String::from_utf8_lossy(value.as_bytes()).into());
        }
    }
    Value::Object(map)
}

fn step_json(report: &Report, step: &Step) -> Value {
    json!({
        "request": { "method": step.method, "path": path(report), "headers": headers_json(&step.sent) },
        "status": step.answer.status.as_u16(),
        "headers": headers_json(&step.answer.headers),
        "body": snippet(&step.answer.body),
        "pass": step.blocked.is_none(),
        "blocked": step.blocked.as_ref().map(ToString::to_string),
        "diagnosis": step.diagnosis.as_ref().map(|d| json!({
            "code": d.code, "cause": d.cause, "fix": d.fix, "sdk": d.sdk,
        })),
    })
}

/// The report for scripts.
pub fn json(report: &Report) -> Value {
    let fetch = &report.call.fetch;
    let (readable, hidden) = report
        .actual
        .as_ref()
        .filter(|s| s.blocked.is_none())
        .map(|s| readable(fetch, &s.answer.headers))
        .unwrap_or_default();
    json!({
        "url": report.call.url.to_string(),
        "origin": fetch.origin,
        "method": fetch.method,
        "credentials": fetch.credentials,
        "allowed": report.allowed(),
        "blocked_elsewhere": report.blocked_elsewhere(),
        "console": report.console_message(),
        "preflight_needed": report.preflight.is_some(),
        "preflight_because": report.preflight_because,
        "preflight": report.preflight.as_ref().map(|s| step_json(report, s)),
        "actual": report.actual.as_ref().map(|s| step_json(report, s)),
        "readable": readable,
        "hidden": hidden,
        "findings": report.findings.iter().map(|f| json!({
            "code": f.code, "message": f.message, "fix": f.fix,
        })).collect::<Vec<_>>(),
    })
}
