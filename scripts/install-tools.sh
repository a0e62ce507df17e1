#!/usr/bin/env bash
# Installs the tools the demo and the end-to-end suite need, skipping each one already
# present at the right version. Run by `cargo xtask test`, `cargo xtask demo` and `.ci/run`
# (set PREFLIGHT_NO_INSTALL=1 to keep xtask from calling it). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LAMBDA_VERSION=1.9.2
PY=python3
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

say() { echo "install-tools: $*"; }

# Rust components (the toolchain itself comes with the machine).
for component in rustfmt clippy; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^${component}"; then
    say "rustup component add ${component}"
    rustup component add "${component}"
  fi
done

# Headless Chromium and its driver (Debian packages).
if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
  say "apt-get install chromium chromium-driver (about 60 s)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium chromium-driver
fi

# cargo-lambda: the binary alone is enough for `cargo lambda watch` (no zig needed).
if ! cargo lambda --version 2>/dev/null | grep -q "${CARGO_LAMBDA_VERSION}"; then
  say "pip install --no-deps cargo-lambda==${CARGO_LAMBDA_VERSION}"
  $PY -m pip install -q --no-deps "cargo-lambda==${CARGO_LAMBDA_VERSION}"
fi

# pytest, Selenium, SAM CLI (with cfn-lint and aws-sam-translator): tests/requirements.txt.
outdated=$($PY - <<'PY'
import importlib.metadata as meta
for line in open("tests/requirements.txt"):
    line = line.split("#")[0].strip()
    if line:
        name, version = line.split("==")
        try:
            if meta.version(name) != version:
                print(line)
        except meta.PackageNotFoundError:
            print(line)
PY
)
if [ -n "${outdated}" ] || ! command -v sam >/dev/null || ! command -v cfn-lint >/dev/null; then
  say "pip install -r tests/requirements.txt (about 50 s): ${outdated//$'\n'/ }"
  $PY -m pip install -q -r tests/requirements.txt
fi
command -v pyenv >/dev/null && pyenv rehash || true
say "all tools present"
