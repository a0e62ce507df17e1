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
            "preflight-cors-worker",
            "-p",
            "preflight-example-worker",
            "-p",
            "preflight-example-worker-axum",
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
        args: &["test", "-p", "preflight-cors", "--no-default-features", "--lib"],
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
        name: "each crate that declares its own rust-version builds with that toolchain (MSRV)",
        program: "cargo",
        args: &["xtask", "msrv"],
        envs: &[],
        requires: Some((
            &["cargo", "xtask", "msrv", "--installed"],
            "bash scripts/install-tools.sh",
        )),
    },
    Step {
        name: "every published crate packages as it would be published and builds from its package",
        program: "cargo",
        args: &["xtask", "package"],
        envs: &[],
        requires: None,
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
        Some("msrv") => msrv(&args[1..]),
        Some("package") => package(),
        _ => {
            eprintln!(
                "usage:\n  cargo xtask test   run every check and test (what CI runs)\n  cargo xtask demo   run the Lambda example and call it from a real browser\n  cargo xtask bench  run the benchmarks and write BENCHMARKS.md\n  cargo xtask fuzz [SECONDS]  run every fuzz target (default 600 s each)\n  cargo xtask msrv [--list|--installed]  check each crate with the toolchain of its rust-version\n  cargo xtask package  `cargo package` every published crate, each built from its package"
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
    install(&[]);
}

/// Runs scripts/install-tools.sh with `args` (`--demo`: only what the demo needs).
fn install(args: &[&str]) {
    if env::var("PREFLIGHT_NO_INSTALL").is_ok_and(|v| v == "1") {
        return;
    }
    let ok = Command::new("bash")
        .arg("scripts/install-tools.sh")
        .args(args)
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
    install(&["--demo"]);
    script("python3", "tests/demo.py", args)
}

/// Runs a script of the repository with `interpreter`, passing `args` on.
fn script(interpreter: &str, path: &str, args: &[String]) -> ExitCode {
    match Command::new(interpreter).arg(path).args(args).status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// The workspace members that would be published: those whose Cargo.toml does not say
/// `publish = false`.
fn published_packages() -> Result<Vec<String>, String> {
    let root = read("Cargo.toml")?;
    let mut names = Vec::new();
    for dir in workspace_members(&root)? {
        let manifest = read(&format!("{dir}/Cargo.toml"))?;
        let mut section = String::new();
        let (mut name, mut publish) = (None, true);
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.trim_matches(|c| c == '[' || c == ']').to_string();
                continue;
            }
            match (section.as_str(), line.split_once('=')) {
                ("package", Some((key, value))) if key.trim() == "name" => name = quoted(value),
                ("package", Some((key, value))) if key.trim() == "publish" => {
                    publish = value.trim() != "false"
                }
                _ => {}
            }
        }
        if let (Some(name), true) = (name, publish) {
            names.push(name);
        }
    }
    Ok(names)
}

/// `cargo xtask package`: `cargo package --locked` of every published crate in one run, so
/// that crates depending on each other resolve through cargo's local registry, and each is
/// built from its own package (the files it would publish, path dependencies replaced by
/// versions): a file outside the package, a path dependency without a version or missing
/// metadata fails here, not on publishing. The CLI's binary is built from its package too,
/// as `cargo install` would build it.
fn package() -> ExitCode {
    let names = match published_packages() {
        Ok(names) => names,
        Err(err) => {
            eprintln!("xtask package: {err}");
            return ExitCode::FAILURE;
        }
    };
    // Cargo takes a registry crate for immutable, so the packages of an earlier run would be
    // used again as the same version with their old sources and builds: the packages and
    // their temporary registry (in VERIFY_DIR/package), their sources unpacked from it into
    // $CARGO_HOME/registry/src/<that registry>/, and their builds. Start from none of them;
    // the other dependencies stay built in VERIFY_DIR, a target dir of the verification's own.
    const VERIFY_DIR: &str = "target/package-verify";
    let _ = std::fs::remove_dir_all(format!("{VERIFY_DIR}/package"));
    let cargo_home = env::var("CARGO_HOME")
        .unwrap_or_else(|_| format!("{}/.cargo", env::var("HOME").unwrap_or_default()));
    if let Ok(registries) = std::fs::read_dir(format!("{cargo_home}/registry/src")) {
        for registry in registries.flatten() {
            // The registries cargo downloads from are named after their index; the
            // temporary one is not.
            if registry.file_name().to_string_lossy().starts_with("index.") {
                continue;
            }
            for name in &names {
                let unpacked = registry
                    .path()
                    .join(format!("{name}-{}", workspace_version()));
                let _ = std::fs::remove_dir_all(unpacked);
            }
        }
    }
    for profile in ["debug"] {
        for sub in [".fingerprint", "deps", "build"] {
            let dir = format!("{VERIFY_DIR}/{profile}/{sub}");
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let file = entry.file_name().to_string_lossy().into_owned();
                let ours = ["preflight", "libpreflight"]
                    .iter()
                    .any(|prefix| file.starts_with(prefix));
                if ours {
                    let _ = std::fs::remove_dir_all(entry.path());
                    let _ = std::fs::remove_file(entry.path());
                }
            }
        }
    }
    let mut command = Command::new("cargo");
    command.args(["package", "--locked", "--target-dir", VERIFY_DIR]);
    if env::var("PREFLIGHT_PACKAGE_ALLOW_DIRTY").is_ok() {
        command.arg("--allow-dirty");
    }
    for name in &names {
        command.args(["-p", name]);
    }
    eprintln!("xtask package: {}", names.join(", "));
    match command.status() {
        Ok(s) if s.success() => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// The workspace's `version` (`[workspace.package]`), which every published crate uses.
fn workspace_version() -> String {
    read("Cargo.toml")
        .ok()
        .and_then(|root| {
            let section = &root[root.find("[workspace.package]")?..];
            let line = section
                .lines()
                .find(|l| l.trim_start().starts_with("version"))?;
            quoted(line.split_once('=')?.1)
        })
        .unwrap_or_default()
}

/// The crates whose MSRV is checked, grouped by toolchain: every workspace member whose
/// Cargo.toml sets its own `rust-version = "..."` (members that inherit the workspace's are
/// not checked). The numbers live only in those Cargo.toml files. A crate may name the target
/// the check builds for in `[package.metadata.msrv] target = "..."` (the Workers adapter:
/// wasm32-unknown-unknown).
struct MsrvGroup {
    toolchain: String,
    target: Option<String>,
    packages: Vec<String>,
}

fn msrv_groups() -> Result<Vec<MsrvGroup>, String> {
    let root = read("Cargo.toml")?;
    let mut groups: Vec<MsrvGroup> = Vec::new();
    for dir in workspace_members(&root)? {
        let manifest = read(&format!("{dir}/Cargo.toml"))?;
        let (mut name, mut version, mut target) = (None, None, None);
        let mut section = String::new();
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                section = line.trim_matches(|c| c == '[' || c == ']').to_string();
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = quoted(value);
            match (section.as_str(), key.trim()) {
                ("package", "name") => name = value,
                ("package", "rust-version") => version = value,
                ("package.metadata.msrv", "target") => target = value,
                _ => {}
            }
        }
        let (Some(name), Some(version)) = (name, version) else {
            continue;
        };
        match groups
            .iter_mut()
            .find(|g| g.toolchain == version && g.target == target)
        {
            Some(group) => group.packages.push(name),
            None => groups.push(MsrvGroup {
                toolchain: version,
                target,
                packages: vec![name],
            }),
        }
    }
    if groups.is_empty() {
        return Err("no workspace member sets its own rust-version".into());
    }
    groups.sort_by_key(|g| version_key(&g.toolchain));
    Ok(groups)
}

fn read(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("cannot read {path}: {err}"))
}

/// The string in `"..."`, if `value` is one (not `{ workspace = true }` or a table).
fn quoted(value: &str) -> Option<String> {
    let value = value.trim();
    let inner = value.strip_prefix('"')?;
    Some(inner[..inner.find('"')?].to_string())
}

fn version_key(version: &str) -> Vec<u32> {
    version.split('.').filter_map(|n| n.parse().ok()).collect()
}

/// The member directories of `[workspace] members` (a `dir/*` entry: each subdirectory with a
/// Cargo.toml).
fn workspace_members(root: &str) -> Result<Vec<String>, String> {
    let start = root
        .find("\nmembers")
        .ok_or("no `members` in the workspace Cargo.toml")?;
    let list = &root[start..];
    let list = &list[list.find('[').ok_or("bad members")?..list.find(']').ok_or("bad members")?];
    let mut dirs = Vec::new();
    for entry in list.split('"').skip(1).step_by(2) {
        match entry.strip_suffix("/*") {
            Some(parent) => {
                let mut found: Vec<String> = std::fs::read_dir(parent)
                    .map_err(|err| format!("cannot list {parent}: {err}"))?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.join("Cargo.toml").is_file())
                    .map(|p| p.to_string_lossy().into_owned())
                    .collect();
                found.sort();
                dirs.extend(found);
            }
            None => dirs.push(entry.to_string()),
        }
    }
    Ok(dirs)
}

/// Whether rustup has `toolchain` (and its `target`) installed, without installing anything.
fn toolchain_installed(group: &MsrvGroup) -> bool {
    let listed = |args: &[&str]| {
        Command::new("rustup")
            .args(args)
            .env("RUSTUP_AUTO_INSTALL", "0")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default()
    };
    let prefix = format!("{}-", group.toolchain);
    if !listed(&["toolchain", "list"])
        .lines()
        .any(|l| l.starts_with(&prefix))
    {
        return false;
    }
    group.target.as_deref().is_none_or(|target| {
        let toolchain = format!("+{}", group.toolchain);
        listed(&[&toolchain, "target", "list", "--installed"])
            .lines()
            .any(|l| l.trim() == target)
    })
}

/// `cargo xtask msrv`: `cargo +<rust-version> check --locked --all-features -p <crate>...`
/// once per distinct rust-version, in target/msrv (the main build stays as it is).
/// `--list` prints `<toolchain> [<target>]` per group (scripts/install-tools.sh installs
/// these); `--installed` succeeds when every one of them is installed.
fn msrv(args: &[String]) -> ExitCode {
    let groups = match msrv_groups() {
        Ok(groups) => groups,
        Err(err) => {
            eprintln!("xtask msrv: {err}");
            return ExitCode::FAILURE;
        }
    };
    match args.first().map(String::as_str) {
        Some("--list") => {
            for group in &groups {
                println!(
                    "{} {}",
                    group.toolchain,
                    group.target.as_deref().unwrap_or("")
                );
            }
            return ExitCode::SUCCESS;
        }
        Some("--installed") => {
            let missing: Vec<&MsrvGroup> =
                groups.iter().filter(|g| !toolchain_installed(g)).collect();
            for group in &missing {
                eprintln!(
                    "xtask msrv: toolchain {} {}is not installed",
                    group.toolchain,
                    group
                        .target
                        .as_deref()
                        .map(|t| format!("with target {t} "))
                        .unwrap_or_default()
                );
            }
            return if missing.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            };
        }
        Some(other) => {
            eprintln!("xtask msrv: unknown argument {other}");
            return ExitCode::from(2);
        }
        None => {}
    }
    let mut ok = true;
    for group in &groups {
        let mut args = vec![
            format!("+{}", group.toolchain),
            "check".into(),
            "--locked".into(),
            "--all-features".into(),
        ];
        for package in &group.packages {
            args.extend(["-p".into(), package.clone()]);
        }
        if let Some(target) = &group.target {
            args.extend(["--target".into(), target.clone()]);
        }
        eprintln!("--> xtask msrv: cargo {}", args.join(" "));
        let started = Instant::now();
        let passed = Command::new("cargo")
            .args(&args)
            .env("CARGO_TARGET_DIR", "target/msrv")
            .env("RUSTUP_AUTO_INSTALL", "0")
            .status()
            .is_ok_and(|s| s.success());
        eprintln!(
            "--> xtask msrv: {} on {} {} in {:.1} s",
            group.packages.join(", "),
            group.toolchain,
            if passed { "passed" } else { "FAILED" },
            started.elapsed().as_secs_f64()
        );
        ok &= passed;
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
