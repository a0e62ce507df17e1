"""Finding the tools the end-to-end suite and the demo need.

In CI (`CI=true`) a missing tool fails the test that needs it; elsewhere the test is skipped
with a loud message naming the tool and the one command that installs it. Outside pytest (the
demo) a missing tool ends the program with that message.
"""

import importlib
import os
import shutil
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# tool -> the one command that installs it on this kind of machine (Debian, pip, npm).
INSTALL = {
    "chromium": "apt-get install -y chromium chromium-driver",
    "chromedriver": "apt-get install -y chromium chromium-driver",
    "cargo-lambda": "pip install cargo-lambda==1.9.2",
    "sam": "pip install -r tests/requirements.txt",
    "cfn-lint": "pip install -r tests/requirements.txt",
    "wasm-bindgen": "cargo install wasm-bindgen-cli --version 0.2.130",
    "worker-build": "cargo install --locked worker-build --version 0.8.7",
    "npm": "apt-get install -y nodejs npm",
    "node": "apt-get install -y nodejs npm",
    "nginx": "apt-get install -y nginx",
}
# Every tool at once: scripts/install-tools.sh (what `cargo xtask test` runs first).


def missing(what, install):
    message = f"MISSING TOOL: {what} is not installed; install it with: {install}"
    if "PYTEST_CURRENT_TEST" not in os.environ:
        sys.exit(message)
    import pytest

    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    sys.stderr.write(f"\n*** {message} ***\n")
    pytest.skip(message)


def require(tool):
    """The path of `tool`, or fail (CI) / skip loudly (elsewhere)."""
    path = shutil.which(tool)
    if path is None:
        missing(tool, INSTALL[tool])
    return path


def require_module(module, install="pip install -r tests/requirements.txt"):
    """Imports a Python module, or fails (CI) / skips loudly (elsewhere)."""
    try:
        return importlib.import_module(module)
    except ImportError:
        missing(f"the Python module {module}", install)
