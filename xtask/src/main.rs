//! The project's task runner: `cargo xtask test` runs every check and test, `cargo xtask demo`
//! runs the demo. Plain Rust, no extra tools: it only starts other commands.
//!
//! Both first run `scripts/install-tools.sh`, which installs what is missing (Chromium,
//! cargo-lambda, the Python test tools) and skips what is there; `PREFLIGHT_NO_INSTALL=1`
//! turns that off. In CI (`CI=true`) a missing tool is a failure. Elsewhere a step whose tool
//! is missing is skipped with a loud message naming the one command that installs it.

use std::env;
use std::process::{Command, ExitCode};
use std::time::Instant;

/// One step of `cargo xtask test`.
struct Step {
    name: &'static str,
    program: &'static str,
    args: &'static [&'static str],
    envs: &'static [(&'static str, &'static str)],
    /// A command whose success shows the tool is installed, and how to install it.
    requires: Option<(&'static [&'static str], &'static str)>,
}

const STEPS: &[Step] = &[
    Step {
        name: "format",
        program: "cargo",
        args: &["fmt", "--all", "--check"],
        envs: &[],
        requires: Some((
            &["cargo", "fmt", "--version"],
            "rustup component add rustfmt",
        )),
    },
    Step {
        name: "lint",
        program: "cargo",
        args: &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--all-features",
            "--",
            "-D",
            "warnings",
        ],
        envs: &[],
        requires: Some((
            &["cargo", "clippy", "--version"],
            "rustup component add clippy",
        )),
    },
    Step {
        name: "lint the Workers crates for wasm32",
        program: "cargo",
        args: &[
            "clippy",
            "--target",
            "wasm32-unknown-unknown",
            "-p",
            "preflight-worker",
            "-p",
            "preflight-example-worker",
            "--",
            "-D",
            "warnings",
        ],
        envs: &[],
        requires: Some((
            &[
                "sh",
                "-c",
                "rustup target list --installed | grep -qx wasm32-unknown-unknown",
            ],
            "rustup target add wasm32-unknown-unknown",
        )),
    },
    Step {
        name: "core without optional features",
        program: "cargo",
        args: &["test", "-p", "preflight", "--no-default-features", "--lib"],
        envs: &[],
        requires: None,
    },
    Step {
        name: "unit, integration, property and doc tests",
        program: "cargo",
        args: &["test", "--workspace", "--all-features"],
        envs: &[],
        requires: None,
    },
    Step {
        name: "end-to-end: headless Chromium against the examples, `preflight check` against real servers, SAM template checks",
        program: "python3",
        args: &[
            "-m",
            "pytest",
            "tests",
            "-q",
            "-rs",
            "-p",
            "no:cacheprovider",
        ],
        envs: &[],
        requires: Some((
            &["python3", "-c", "import pytest, selenium, samtranslator"],
            "pip install -r tests/requirements.txt",
        )),
    },
    Step {
        name: "fuzz every target for 10 seconds",
        program: "bash",
        args: &["scripts/fuzz.sh", "10"],
        envs: &[],
        requires: Some((
            &["cargo", "+nightly", "fuzz", "--version"],
            "rustup toolchain install nightly && cargo install --locked cargo-fuzz --version 0.13.2",
        )),
    },
    Step {
        name: "benchmarks compile and run once (smoke)",
        program: "cargo",
        args: &[
            "bench",
            "-p",
            "preflight-bench",
            "--bench",
            "cors",
            "--bench",
            "allocations",
            "--",
            "--test",
        ],
        envs: &[],
        requires: None,
    },
    Step {
        name: "docs build without warnings",
        program: "cargo",
        args: &["doc", "--workspace", "--all-features", "--no-deps"],
        envs: &[("RUSTDOCFLAGS", "-D warnings")],
        requires: None,
    },
];

fn main() -> ExitCode {
    let args: Vec<String> = env::args().skip(1).collect();
    // Every command runs from the workspace root, wherever it was typed.
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    if let Err(err) = env::set_current_dir(root) {
        eprintln!("xtask: cannot enter the workspace root {root}: {err}");
        return ExitCode::FAILURE;
    }
    match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("demo") => demo(&args[1..]),
        Some("bench") => bench(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        _ => {
            eprintln!(
                "usage:\n  cargo xtask test   run every check and test (what CI runs)\n  cargo xtask demo   run the Lambda example and call it from a real browser\n  cargo xtask bench  run the benchmarks and write BENCHMARKS.md\n  cargo xtask fuzz [SECONDS]  run every fuzz target (default 600 s each)"
            );
            ExitCode::from(2)
        }
    }
}

fn in_ci() -> bool {
    env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

fn available(check: &[&str]) -> bool {
    Command::new(check[0])
        .args(&check[1..])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Runs `scripts/install-tools.sh` unless `PREFLIGHT_NO_INSTALL=1`. A failed install is not
/// fatal here: the steps that need the tool then fail (CI) or skip loudly.
fn install_tools() {
    if env::var("PREFLIGHT_NO_INSTALL").is_ok_and(|v| v == "1") {
        return;
    }
    let ok = Command::new("bash")
        .arg("scripts/install-tools.sh")
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        eprintln!(
            "!!! xtask: scripts/install-tools.sh failed; steps needing a missing tool will say so"
        );
    }
}

fn test() -> ExitCode {
    install_tools();
    let started = Instant::now();
    let mut failed = Vec::new();
    let mut skipped = Vec::new();
    for step in STEPS {
        if let Some((check, install)) = step.requires {
            if !available(check) {
                if in_ci() {
                    eprintln!(
                        "xtask: step '{}' needs `{}`, which is missing. Install it with: {install}",
                        step.name,
                        check.join(" ")
                    );
                    failed.push(step.name);
                    continue;
                }
                eprintln!(
                    "\n!!! xtask: SKIPPING '{}': `{}` is missing. Install it with: {install}\n",
                    step.name,
                    check.join(" ")
                );
                skipped.push(step.name);
                continue;
            }
        }
        eprintln!(
            "\n==> xtask: {}: {} {}",
            step.name,
            step.program,
            step.args.join(" ")
        );
        let step_started = Instant::now();
        let status = Command::new(step.program)
            .args(step.args)
            .envs(step.envs.iter().copied())
            .status();
        let ok = status.is_ok_and(|s| s.success());
        eprintln!(
            "==> xtask: {} {} in {:.1} s",
            step.name,
            if ok { "passed" } else { "FAILED" },
            step_started.elapsed().as_secs_f64()
        );
        if !ok {
            failed.push(step.name);
        }
    }
    eprintln!(
        "\nxtask test: {} steps, {} failed, {} skipped, {:.0} s",
        STEPS.len(),
        failed.len(),
        skipped.len(),
        started.elapsed().as_secs_f64()
    );
    for name in &failed {
        eprintln!("  failed: {name}");
    }
    for name in &skipped {
        eprintln!("  SKIPPED (tool missing): {name}");
    }
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn bench(args: &[String]) -> ExitCode {
    install_tools();
    script("python3", "scripts/benchmarks.py", args)
}

fn fuzz(args: &[String]) -> ExitCode {
    install_tools();
    script("bash", "scripts/fuzz.sh", args)
}

fn demo(args: &[String]) -> ExitCode {
    install_tools();
    script("python3", "tests/demo.py", args)
}

/// Runs a script of the repository with `interpreter`, passing `args` on.
fn script(interpreter: &str, path: &str, args: &[String]) -> ExitCode {
    match Command::new(interpreter).arg(path).args(args).status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}
