//! `preflight lint`: the deployment files of a serverless project checked for the two-layer
//! CORS mistakes (shared/BROWSER-RULES.md classes 13-15 and the `CORS_*` values themselves):
//! AWS SAM `template.yaml`, plain CloudFormation (`cdk.out/*.template.json`, templates found
//! by their content), `vercel.json`, `wrangler.toml`, `serverless.yml`. Each finding names the
//! file, the line, the problem and the fix.

mod cloudformation;
mod sam;
mod serverless;
mod vercel;
mod wrangler;
pub mod yaml;

use std::path::{Path, PathBuf};

use serde_json::json;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Browsers will block calls.
    Error,
    /// Works, but fragile or unsafe.
    Warning,
}

/// One problem in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// Error or warning.
    pub level: Level,
    /// A stable name.
    pub code: &'static str,
    /// What is wrong.
    pub problem: String,
    /// What to change.
    pub fix: String,
}

/// Collects findings for one file.
pub struct Report<'a> {
    file: &'a Path,
    findings: Vec<Finding>,
}

impl Report<'_> {
    fn add(&mut self, line: usize, level: Level, code: &'static str, problem: String, fix: &str) {
        self.findings.push(Finding {
            file: self.file.to_owned(),
            line,
            level,
            code,
            problem,
            fix: fix.to_owned(),
        });
    }
}

/// The JSON document, or `None` with an `unreadable` finding on the line the parser stopped
/// at, naming `tool`, which refuses the file too.
fn json_or_report(text: &str, report: &mut Report<'_>, tool: &str) -> Option<serde_json::Value> {
    match serde_json::from_str(text) {
        Ok(doc) => Some(doc),
        Err(e) => {
            report.add(
                e.line(),
                Level::Error,
                "unreadable",
                format!("not valid JSON: {e}"),
                &format!("fix the syntax ({tool} refuses it too)"),
            );
            None
        }
    }
}

/// Validates `CORS_*` values `(name, value, line)` found in `context` as the adapters will,
/// every policy they configure, reporting each problem on its variable's line (or
/// `fallback_line`).
fn validate(
    report: &mut Report<'_>,
    context: &str,
    vars: &[(String, String, usize)],
    fallback_line: usize,
) {
    if vars.is_empty() {
        return;
    }
    // Every policy the values configure, the unnamed one and each named one (`CORS_<NAME>_*`),
    // as the adapters read them at cold start.
    let policies =
        preflight::Policies::from_vars(vars.iter().map(|(k, v, _)| (k.as_str(), v.clone())));
    let mut problems: Vec<preflight::Problem> = policies.warnings().to_vec();
    for (_, result) in policies.iter() {
        problems.extend_from_slice(match result {
            Ok(policy) => policy.warnings(),
            Err(err) => err.problems(),
        });
    }
    for p in problems {
        let level = match p.severity() {
            preflight::Severity::Error => Level::Error,
            _ => Level::Warning,
        };
        let line = vars
            .iter()
            .find(|(k, _, _)| k == p.variable())
            .map_or(fallback_line, |(_, _, line)| *line);
        let entry = p.entry().map(|e| format!(" {e:?}:")).unwrap_or_default();
        report.add(
            line,
            level,
            p.code(),
            format!("{} in {context}:{entry} {}", p.variable(), p.reason()),
            p.fix(),
        );
    }
}

/// The files lint reads, by name.
const FILES: [&str; 8] = [
    "template.yaml",
    "template.yml",
    "vercel.json",
    "wrangler.toml",
    "wrangler.json",
    "wrangler.jsonc",
    "serverless.yml",
    "serverless.yaml",
];

/// Directories never searched (`fixtures`: test inputs, not deployments).
const SKIP: [&str; 6] = [
    "target",
    "node_modules",
    ".git",
    ".aws-sam",
    ".vercel",
    "fixtures",
];

/// The largest file read to see whether it is a CloudFormation template (CloudFormation
/// takes templates up to 1 MB).
const MAX_SNIFF: u64 = 2 << 20;

/// Whether `text` is a CloudFormation template (SAM included): JSON whose top level has
/// `AWSTemplateFormatVersion` or `Resources` of `AWS::` types, or YAML with either key at
/// the top level.
fn looks_like_cloudformation(text: &str) -> bool {
    if text.trim_start().starts_with('{') {
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
            return false;
        };
        let aws_resources = doc["Resources"].as_object().is_some_and(|r| {
            r.values()
                .any(|r| r["Type"].as_str().is_some_and(|t| t.starts_with("AWS::")))
        });
        return doc.get("AWSTemplateFormatVersion").is_some() || aws_resources;
    }
    text.lines()
        .any(|l| l.starts_with("AWSTemplateFormatVersion:"))
        || (text.lines().any(|l| l.starts_with("Resources:")) && text.contains("AWS::"))
}

/// A file not named in [`FILES`] that is linted: `*.template.json` (what `cdk synth` writes),
/// and YAML or JSON that [`looks_like_cloudformation`] (outside `cdk.out`, whose other JSON
/// files are the assembly's own).
fn is_template(path: &Path, name: &str, in_cdk_out: bool) -> bool {
    if name.ends_with(".template.json") {
        return true;
    }
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if in_cdk_out || !matches!(extension, "yaml" | "yml" | "json" | "template") {
        return false;
    }
    let small = std::fs::metadata(path).is_ok_and(|m| m.len() <= MAX_SNIFF);
    small && std::fs::read_to_string(path).is_ok_and(|text| looks_like_cloudformation(&text))
}

fn find(dir: &Path, depth: usize, in_cdk_out: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            // A cloud assembly's `asset.*` directories hold bundled code, not templates.
            let asset = in_cdk_out && name.starts_with("asset.");
            if depth > 0 && !SKIP.contains(&name) && !name.starts_with('.') && !asset {
                find(&path, depth - 1, in_cdk_out || name == "cdk.out", out);
            }
        } else if FILES.contains(&name)
            || (name == "Cargo.toml" && vercel::is_rust_project(&path))
            || (!name.starts_with('.') && is_template(&path, name, in_cdk_out))
        {
            out.push(path);
        }
    }
}

/// Lints one file: a Vercel Rust project's `Cargo.toml` as that project,
/// `wrangler.json(c)` and `.toml` as wrangler configuration,
/// `serverless.y(a)ml` as the Serverless Framework's, `*.template.json` and JSON that looks
/// like CloudFormation as a CloudFormation template, other `.json` as `vercel.json`, anything
/// else as a SAM or CloudFormation template (JSON ones read as JSON).
pub fn lint_file(path: &Path) -> Result<Vec<Finding>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut report = Report {
        file: path,
        findings: Vec::new(),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let json_template = || {
        name.ends_with(".template.json")
            || (name != "vercel.json" && looks_like_cloudformation(&text))
    };
    match path.extension().and_then(|e| e.to_str()) {
        _ if name == "Cargo.toml" && vercel::is_rust_project(path) => {
            vercel::lint_project(path, &mut report)
        }
        // Any other crate's manifest: nothing of CORS in it.
        _ if name == "Cargo.toml" => {}
        _ if name.starts_with("wrangler")
            && (name.ends_with(".json") || name.ends_with(".jsonc")) =>
        {
            wrangler::lint_json(&text, &mut report)
        }
        _ if name.starts_with("serverless")
            && (name.ends_with(".yml") || name.ends_with(".yaml")) =>
        {
            serverless::lint(&text, &mut report)
        }
        Some("json") if json_template() => sam::lint_json(&text, &mut report),
        Some("json") => vercel::lint(&text, &mut report),
        Some("toml") => wrangler::lint(&text, &mut report),
        _ if text.trim_start().starts_with('{')
            && serde_json::from_str::<serde_json::Value>(&text).is_ok() =>
        {
            sam::lint_json(&text, &mut report)
        }
        _ => sam::lint(&text, &mut report),
    }
    report.findings.sort_by_key(|f| (f.line, f.level));
    Ok(report.findings)
}

/// Runs lint on a directory (searched 4 levels deep) or one file; `Ok(true)` when nothing
/// was found.
pub fn run(path: &Path, as_json: bool) -> Result<bool, String> {
    let files = if path.is_dir() {
        let mut files = Vec::new();
        find(
            path,
            4,
            path.file_name().is_some_and(|n| n == "cdk.out"),
            &mut files,
        );
        files
    } else if path.exists() {
        vec![path.to_owned()]
    } else {
        return Err(format!("{} does not exist", path.display()));
    };
    let mut findings = Vec::new();
    for file in &files {
        findings.extend(lint_file(file)?);
    }
    if as_json {
        let value = json!({
            "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
            "findings": findings.iter().map(|f| json!({
                "file": f.file.display().to_string(),
                "line": f.line,
                "level": if f.level == Level::Error { "error" } else { "warning" },
                "code": f.code,
                "problem": f.problem,
                "fix": f.fix,
            })).collect::<Vec<_>>(),
        });
        println!("{}", serde_json::to_string_pretty(&value).expect("JSON"));
        return Ok(findings.is_empty());
    }
    if files.is_empty() {
        println!(
            "no deployment files found under {} (looked for {}, *.template.json and CloudFormation templates by their content)",
            path.display(),
            FILES.join(", ")
        );
        return Ok(true);
    }
    for f in &findings {
        let level = if f.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        println!(
            "{}:{}: {level}[{}]: {}",
            f.file.display(),
            f.line,
            f.code,
            f.problem
        );
        println!("    fix: {}", f.fix);
    }
    let checked: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    println!(
        "{} finding(s) in {} file(s): {}",
        findings.len(),
        files.len(),
        checked.join(", ")
    );
    Ok(findings.is_empty())
}
