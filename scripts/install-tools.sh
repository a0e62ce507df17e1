#!/usr/bin/env bash
# Installs the tools the demo, the end-to-end suite and the fuzz targets need, skipping each one already
# present at the right version. Run by `cargo xtask test` and `.ci/run` (everything) and by
# `cargo xtask demo` with `--demo` (only what the demo needs: Chromium, chromedriver, the
# cargo-lambda binary and Selenium). Set PREFLIGHT_NO_INSTALL=1 to keep xtask from calling it.
# Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LAMBDA_VERSION=1.9.2
PY=python3
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

say() { echo "install-tools: $*"; }
DEMO=0
if [ "${1:-}" = "--demo" ]; then DEMO=1; fi

# Rust components (the toolchain itself comes with the machine).
[ "${DEMO}" = 1 ] || for component in rustfmt clippy; do
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

# The demo: the cargo-lambda binary (all `cargo lambda watch` needs) and Selenium, then done.
if [ "${DEMO}" = 1 ]; then
  if ! cargo lambda --version 2>/dev/null | grep -q "${CARGO_LAMBDA_VERSION}"; then
    say "pip install --no-deps cargo-lambda==${CARGO_LAMBDA_VERSION}"
    $PY -m pip install -q --no-deps "cargo-lambda==${CARGO_LAMBDA_VERSION}"
  fi
  SELENIUM=$(grep '^selenium==' tests/requirements.txt)
  if ! $PY -c "import importlib.metadata as m, sys; sys.exit(m.version('selenium') != '${SELENIUM#selenium==}')" 2>/dev/null; then
    say "pip install ${SELENIUM}"
    $PY -m pip install -q "${SELENIUM}"
  fi
  command -v pyenv >/dev/null && pyenv rehash || true
  say "the demo's tools are present"
  exit 0
fi

# cargo-lambda, the full install: `cargo lambda watch` needs only its binary, but `sam build`
# of template.yaml (tests/test_template.py) cross-compiles for arm64 with the Zig it brings.
if ! cargo lambda --version 2>/dev/null | grep -q "${CARGO_LAMBDA_VERSION}" || ! $PY -c "import ziglang" 2>/dev/null; then
  say "pip install cargo-lambda==${CARGO_LAMBDA_VERSION} (with ziglang; about 30 s)"
  $PY -m pip install -q "cargo-lambda==${CARGO_LAMBDA_VERSION}"
fi
if ! rustup target list --installed 2>/dev/null | grep -qx aarch64-unknown-linux-gnu; then
  say "rustup target add aarch64-unknown-linux-gnu (the arm64 Lambda build)"
  rustup target add aarch64-unknown-linux-gnu
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
# Cloudflare Workers: the wasm target, wasm-bindgen-cli at exactly the version in Cargo.lock,
# worker-build, and the npm tools of examples/worker (wrangler with workerd, binaryen's
# wasm-opt, esbuild). worker-build would download wasm-bindgen and wasm-opt; the tests point
# it at these instead.
if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ {getline; gsub(/[^0-9.]/, ""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WASM_BINDGEN_VERSION}\b"; then
  say "cargo install wasm-bindgen-cli --version ${WASM_BINDGEN_VERSION} (about 6 min)"
  cargo install --force wasm-bindgen-cli --version "${WASM_BINDGEN_VERSION}"
fi
WORKER_BUILD_VERSION=0.8.7
if ! worker-build --version 2>/dev/null | grep -q "${WORKER_BUILD_VERSION}"; then
  say "cargo install --locked worker-build --version ${WORKER_BUILD_VERSION} (about 12 min)"
  cargo install --force --locked worker-build --version "${WORKER_BUILD_VERSION}"
fi
if ! command -v npm >/dev/null; then
  say "apt-get install nodejs npm (wrangler needs Node.js 20.3 or later)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nodejs npm
fi
# A copy of the lock file in node_modules records what was installed.
if ! cmp -s examples/worker/package-lock.json examples/worker/node_modules/.installed-lock.json; then
  say "npm ci in examples/worker (wrangler, binaryen; about 10 s)"
  (cd examples/worker && npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.installed-lock.json)
fi

# Vercel's own CLI (with @vercel/rust), for `vercel build` of examples/vercel in the tests.
if ! cmp -s tests/vercel-cli/package-lock.json tests/vercel-cli/node_modules/.installed-lock.json; then
  # Not `npm ci`: vercel 64.0.2 names optional packages @vercel/vc-native-<platform> that
  # are published for linux-x64 only (the others are 404), so the lock file cannot list them
  # and `npm ci` refuses it as out of sync. `npm install` takes the locked versions; the lock
  # file is then compared with the committed one, so the install is exactly as pinned.
  say "npm install in tests/vercel-cli, as locked (vercel with @vercel/rust; about 50 s)"
  (cd tests/vercel-cli && cp package-lock.json /tmp/preflight-vercel-cli.lock \
    && npm install --no-audit --no-fund --loglevel=error \
    && if ! cmp -s package-lock.json /tmp/preflight-vercel-cli.lock; then
         echo "install-tools: npm install changed tests/vercel-cli/package-lock.json;" \
           "the install is not the pinned one (git diff tests/vercel-cli shows how)" >&2
         exit 1
       fi \
    && cp package-lock.json node_modules/.installed-lock.json)
fi

# Servers that `preflight check` is tested against (tests/test_cli.py): nginx from Debian, and
# Express with the cors package from npm (Flask and flask-cors come with tests/requirements.txt).
if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
  say "apt-get install nginx"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq nginx
fi
if ! cmp -s tests/servers/express/package-lock.json tests/servers/express/node_modules/.installed-lock.json; then
  say "npm ci in tests/servers/express (express, cors; about 5 s)"
  (cd tests/servers/express && npm ci --no-audit --no-fund --loglevel=error \
    && cp package-lock.json node_modules/.installed-lock.json)
fi

# The toolchains of the MSRV check (`cargo xtask msrv`): one per distinct rust-version that a
# crate sets in its own Cargo.toml (the versions are read from there), with the target a crate
# names for the check; minimal profile, about 20 s each.
msrv_toolchains=$(cargo xtask msrv --list)
while read -r toolchain target; do
  if ! rustup toolchain list | grep -q "^${toolchain}-"; then
    say "rustup toolchain install ${toolchain} --profile minimal"
    rustup toolchain install "${toolchain}" --profile minimal </dev/null
  fi
  if [ -n "${target}" ] && ! rustup "+${toolchain}" target list --installed | grep -qx "${target}"; then
    say "rustup +${toolchain} target add ${target}"
    rustup "+${toolchain}" target add "${target}" </dev/null
  fi
done <<<"${msrv_toolchains}"

# examples/worker-axum is built by `worker-build --panic-unwind`, which rebuilds std with
# panic=unwind on the nightly toolchain: it needs nightly's rust-src and wasm32 target.
if ! rustup toolchain list | grep -q "^nightly-"; then
  say "rustup toolchain install nightly --profile minimal"
  rustup toolchain install nightly --profile minimal </dev/null
fi
nightly_installed=$(rustup +nightly component list --installed 2>/dev/null)
if ! grep -qx "rust-src" <<<"${nightly_installed}"; then
  say "rustup component add rust-src --toolchain nightly (worker-build --panic-unwind)"
  rustup component add rust-src --toolchain nightly </dev/null
fi
if ! grep -qx "rust-std-wasm32-unknown-unknown" <<<"${nightly_installed}"; then
  say "rustup target add wasm32-unknown-unknown --toolchain nightly (worker-build --panic-unwind)"
  rustup target add wasm32-unknown-unknown --toolchain nightly </dev/null
fi

# cargo-fuzz (the fuzz targets build with the machine's nightly toolchain).
if ! cargo fuzz --version 2>/dev/null | grep -q "0.13.2"; then
  say "cargo install --locked cargo-fuzz --version 0.13.2 (about 1 min)"
  cargo install --force --locked cargo-fuzz --version 0.13.2
fi

command -v pyenv >/dev/null && pyenv rehash || true
say "all tools present"
