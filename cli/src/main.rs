//! `preflight`: diagnose any endpoint's CORS as a browser would (`check`), explain a
//! `CORS_*` policy (`explain`), lint a serverless project's deployment files (`lint`).
//!
//! Exit status: 0 when browsers would allow the call (check: Chromium, and Firefox and Safari
//! where they differ), the policy is valid (explain) or nothing was found (lint); 1 otherwise;
//! 2 for a usage error or when no answer could be had (network, TLS, timeout).
#![forbid(unsafe_code)]
// The doc comments of the arguments are the command's `--help` text, where URLs stay plain.
#![allow(rustdoc::bare_urls)]

mod check;
mod diagnose;
mod explain;
mod lint;
mod net;
mod render;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use http::Uri;
use preflight_browser::Fetch;

#[derive(Parser)]
#[command(
    name = "preflight",
    version,
    about = "CORS as browsers check it: diagnose an endpoint, explain a policy, lint a deployment"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Make the call a page would make (preflight, then the actual request) and judge both
    /// answers as Chromium does; exit 0 when the browser would allow it.
    Check {
        /// The endpoint, e.g. https://api.example.com/items/1
        url: String,
        /// The calling page's origin, e.g. https://app.example.com
        #[arg(long)]
        origin: String,
        /// The method the script uses (fetch upper-cases only DELETE, GET, HEAD, OPTIONS, POST, PUT)
        #[arg(long, short = 'X', default_value = "GET")]
        method: String,
        /// A request header the script sets, `Name: value` (or `Name` for an empty value); repeat for more
        #[arg(long = "header", short = 'H', value_name = "NAME[: VALUE]")]
        headers: Vec<String>,
        /// The script sends credentials (`credentials: 'include'`)
        #[arg(long)]
        credentials: bool,
        /// The request body
        #[arg(long, short = 'd')]
        data: Option<String>,
        /// Seconds to wait for each answer
        #[arg(long, default_value_t = 10.0)]
        timeout: f64,
        /// Send no extra preflights (they pinpoint which part of a refused preflight the
        /// server refuses, and whether it trusts any origin or `null`)
        #[arg(long)]
        no_probe: bool,
        /// Print the report as JSON
        #[arg(long)]
        json: bool,
    },
    /// Print the policy the CORS_* variables (or an env file) describe, in plain words, with
    /// every error and warning the adapters would log; exit 1 when it is invalid.
    Explain {
        /// Read KEY=VALUE lines from this file instead of the environment
        #[arg(long)]
        env_file: Option<PathBuf>,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
    /// Check a project's deployment files (template.yaml, vercel.json, wrangler.toml) for
    /// two-layer CORS mistakes; exit 1 when something is found.
    Lint {
        /// The project directory or one file
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Print as JSON
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check {
            url,
            origin,
            method,
            headers,
            credentials,
            data,
            timeout,
            no_probe,
            json,
        } => run_check(
            &url,
            &origin,
            &method,
            &headers,
            credentials,
            data,
            timeout,
            !no_probe,
            json,
        ),
        Command::Explain { env_file, json } => explain::run(env_file.as_deref(), json),
        Command::Lint { path, json } => lint::run(&path, json),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(line) => {
            eprintln!("preflight: error: {line}");
            ExitCode::from(2)
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn run_check(
    url: &str,
    origin: &str,
    method: &str,
    headers: &[String],
    credentials: bool,
    body: Option<String>,
    timeout: f64,
    probe: bool,
    json: bool,
) -> Result<bool, String> {
    let uri = parse_url(url)?;
    if origin != "null" && preflight::Origin::parse(origin.as_bytes()).is_err() {
        return Err(format!(
            "--origin `{origin}` is not an origin as browsers send it: scheme, lower-case host and optional port, no path or trailing slash (e.g. https://app.example.com)"
        ));
    }
    if !(timeout.is_finite() && timeout > 0.0 && timeout <= 3600.0) {
        return Err(format!(
            "--timeout {timeout}: give seconds between 0 and 3600"
        ));
    }
    let mut fetch = Fetch::new(origin, method).credentials(credentials);
    for header in headers {
        let (name, value) = header.split_once(':').unwrap_or((header, ""));
        let name = name.trim();
        if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
            return Err(format!(
                "--header `{header}`: `{name}` is not a header name (write `Name: value`)"
            ));
        }
        fetch = fetch.header(name, value.trim());
    }
    let client = net::Client::new(Duration::from_secs_f64(timeout));
    let report = check::run(
        &client,
        check::Call {
            url: uri,
            fetch,
            body,
            probe,
        },
    )?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&render::json(&report)).expect("JSON")
        );
    } else {
        print!("{}", render::text(&report));
    }
    Ok(report.allowed_everywhere())
}

fn parse_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|e| format!("bad URL `{url}`: {e}"))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(host)) if !host.is_empty() => Ok(uri),
        _ => Err(format!(
            "bad URL `{url}`: give an absolute http:// or https:// URL, e.g. https://api.example.com/items"
        )),
    }
}
