"""The demo (`cargo xtask demo`, tests/demo.py) shows, for each call, what Chromium concluded
and what the function logged: its preflight lines must be the ones of that call (the core
never logs the query string, so they are found by their place in the log, not by `?call=`)."""

import os
import subprocess
import sys

from tools import ROOT


def test_the_demo_shows_each_call_with_the_preflight_the_function_answered():
    run = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "demo.py")], cwd=ROOT,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900)
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    calls = out.split("\n\n")
    def call(title):
        return next(block for block in calls if title in block)
    assert "(no preflight" in call("1. GET /items")
    assert "CORS preflight allowed (204)" in call("2. PUT /items/1 with JSON and a token")
    assert "method=DELETE" in call("4. DELETE /items/1")
    assert "handler failed; answering 500 with CORS headers" in call("5. GET /error")
    blocked = call("6. GET /items with X-Debug")
    assert "BLOCKED" in blocked and "CORS preflight rejected" in blocked and "headers=x-debug" in blocked
