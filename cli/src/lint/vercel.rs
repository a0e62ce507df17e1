//! `vercel.json`: CORS headers set by the platform on top of the function's, and redirects
//! that preflights cannot follow.

use std::path::Path;

use super::{Level, Report};

/// Whether `cargo_toml` is a Vercel Rust project's: an `api/` folder with `.rs` files beside
/// it, and `vercel_runtime` (or the Vercel adapter) among its dependencies.
pub fn is_rust_project(cargo_toml: &Path) -> bool {
    let Some(dir) = cargo_toml.parent() else {
        return false;
    };
    let has_functions = std::fs::read_dir(dir.join("api")).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let path = e.path();
            path.extension().is_some_and(|x| x == "rs") || path.is_dir()
        })
    });
    has_functions
        && std::fs::read_to_string(cargo_toml).is_ok_and(|text| {
            text.contains("vercel_runtime") || text.contains("preflight-cors-vercel")
        })
}

/// Checks a Vercel Rust project (its `Cargo.toml`): without a `public/` folder, Vercel's
/// static builder publishes every other file of the project (what `vercel build` writes to
/// `.vercel/output/static`, checked by tests/test_vercel_build.py).
pub fn lint_project(cargo_toml: &Path, report: &mut Report<'_>) {
    let Some(dir) = cargo_toml.parent() else {
        return;
    };
    if !dir.join("public").is_dir() {
        report.add(
            1,
            Level::Error,
            "vercel-publishes-source",
            "a Vercel Rust project without a public/ folder: Vercel's static builder then publishes every other file of the project as a public URL (this Cargo.toml, src/, an .env that is not ignored)".into(),
            "add a public/ folder for the project's static files (it needs one file to be kept by git, e.g. public/robots.txt)",
        );
    }
}

/// Finds lines of quoted strings in order, so repeated keys get their own lines.
struct Lines<'t> {
    text: &'t str,
    from: usize,
}

impl Lines<'_> {
    /// The line of the next `"needle"` (case-insensitive) after the last one found.
    fn next(&mut self, needle: &str) -> usize {
        let quoted = format!("\"{}\"", needle.to_ascii_lowercase());
        let lower = self.text.to_ascii_lowercase();
        match lower[self.from..].find(&quoted) {
            Some(i) => {
                self.from += i + quoted.len();
                self.text[..self.from].matches('\n').count() + 1
            }
            None => 1,
        }
    }
}

/// Checks one `vercel.json`.
pub fn lint(text: &str, report: &mut Report<'_>) {
    let Some(doc) = super::json_or_report(text, report, "Vercel") else {
        return;
    };
    let mut lines = Lines { text, from: 0 };
    for rule in doc["headers"].as_array().into_iter().flatten() {
        let source = rule["source"].as_str().unwrap_or("?");
        lines.next("source");
        for header in rule["headers"].as_array().into_iter().flatten() {
            let key = header["key"].as_str().unwrap_or("");
            let value = header["value"].as_str().unwrap_or("");
            let line = lines.next(key);
            if !key.to_ascii_lowercase().starts_with("access-control-") {
                continue;
            }
            report.add(
                line,
                Level::Error,
                "platform-cors-headers",
                format!("`headers` sets {key}: {value} on {source}: Vercel adds it on top of the function's own CORS headers (browsers refuse two Access-Control-Allow-Origin values), on every response, for every origin, preflights included"),
                "remove the Access-Control-* entries from vercel.json and let the function answer CORS (#[preflight_vercel::cors] with CORS_ALLOWED_ORIGINS)",
            );
            if key.eq_ignore_ascii_case("access-control-allow-origin") && value.contains(',') {
                report.add(
                    line,
                    Level::Error,
                    "allow-origin-list",
                    format!("Access-Control-Allow-Origin holds a list ({value}); browsers accept exactly one origin"),
                    "a static header cannot pick the caller's origin; put the list in CORS_ALLOWED_ORIGINS",
                );
            }
        }
    }
    for rule in doc["redirects"].as_array().into_iter().flatten() {
        let source = rule["source"].as_str().unwrap_or("");
        let line = lines_of(text, source);
        if source.starts_with("/api") {
            report.add(
                line,
                Level::Error,
                "api-redirect",
                format!("a redirect from {source}: browsers never follow a redirect for a preflight, so cross-origin calls that need one fail"),
                "call the final URL from the page, or rewrite (`rewrites`) instead of redirecting API routes",
            );
        }
    }
    if let Some(value) = doc.get("trailingSlash") {
        report.add(
            lines_of(text, "trailingSlash"),
            Level::Warning,
            "trailing-slash-redirect",
            format!("trailingSlash is {value}: Vercel answers the other spelling of every path (with or without the final /) with a 308 redirect, which fails preflights"),
            "call API routes exactly in the canonical form, or remove trailingSlash",
        );
    }
}

fn lines_of(text: &str, needle: &str) -> usize {
    Lines { text, from: 0 }.next(needle)
}
