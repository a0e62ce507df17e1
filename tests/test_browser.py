"""The conformance matrix (matrix.toml) in headless Chromium against every platform's
example, with the same expectations, plus an invalid configuration seen from the browser.

- lambda: examples/lambda under `cargo lambda watch --disable-cors`
- vercel: examples/vercel as `vercel build` outputs it, each function started as Vercel starts it,
  behind the routes of the build's config.json (tests/vercel.py)
- worker: examples/worker built to wasm by worker-build, under `wrangler dev --local` (workerd)
"""

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from browser import (LambdaAxumFunction, LambdaFunction, PageServer, WorkerAxumAbortFunction,
                     WorkerAxumFunction, WorkerFunction, fetch_init, load_matrix, run_case)
from vercel import VercelAxumFunction, VercelFunction

PLATFORMS = {"lambda": LambdaFunction, "vercel": VercelFunction, "worker": WorkerFunction,
             "lambda-axum": LambdaAxumFunction, "vercel-axum": VercelAxumFunction,
             "worker-axum": WorkerAxumFunction}
PAGE, OTHER = PageServer(), PageServer()
POLICIES, CASES = load_matrix(page=PAGE.port, other=OTHER.port)


@pytest.fixture(scope="module")
def functions():
    """One running function per (platform, policy), started on first use."""
    running = {}

    def get(platform, policy):
        if (platform, policy) not in running:
            running[platform, policy] = PLATFORMS[platform](POLICIES[policy])
        return running[platform, policy]

    yield get
    for function in running.values():
        function.close()


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("case", CASES, ids=[f"{c['id']:02}-{c['policy']}-{c['name']}" for c in CASES])
def test_matrix(platform, case, browser, functions):
    function = functions(platform, case["policy"])
    problems = run_case(function, browser, case)
    assert problems == [], f"{case['name']}: {problems}\n--- function log (tail) ---\n{function.log()[-3000:]}"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_an_invalid_configuration_serves_500_without_cors_headers(platform, browser):
    function = PLATFORMS[platform]({"CORS_ALLOWED_ORIGINS": "https://app.test/,null", "CORS_MAX_AGE": "1e5"})
    try:
        request = urllib.request.Request(
            function.base_url + function.path_prefix + "/items",
            headers={"Origin": f"http://app.test:{PAGE.port}"},
        )
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(request, timeout=10)
        assert answer.value.code == 500
        assert not [h for h in answer.value.headers if h.lower().startswith("access-control-")]
        case = {
            "id": 900, "name": "misconfigured", "policy": "-", "origin": f"http://app.test:{PAGE.port}",
            "method": "GET", "path": "/items", "expect": "blocked", "preflight": "none",
            "console": "No 'Access-Control-Allow-Origin' header is present on the requested resource",
        }
        assert run_case(function, browser, case) == []
        # Every problem, each naming its variable, in the cold-start log (which a busy machine
        # may write a moment after the answers).
        parts = ["CORS_ALLOWED_ORIGINS", "null", "trailing", "CORS_MAX_AGE", "1e5"]
        deadline = time.time() + 15
        while not all(part in function.log() for part in parts) and time.time() < deadline:
            time.sleep(0.2)
        log = function.log()
        for part in parts:
            assert part in log, f"the log lacks {part!r}:\n{log[-3000:]}"
    finally:
        function.close()


# --- invariants on the raw responses (what a browser cannot show: duplicates) ---------------

INVARIANT_CALLS = [
    ("GET", "/items", {}, 200),
    ("PUT", "/items/42", {"Content-Type": "application/json"}, 401),
    ("GET", "/items/42", {}, 404),
    ("GET", "/error", {}, 500),
    ("OPTIONS", "/items/42", {"Access-Control-Request-Method": "PUT"}, 204),
]


def raw(function, method, path, headers):
    """Status and every header line (repeats kept, names lower-cased) of one call."""
    url = urllib.parse.urlsplit(function.base_url + function.path_prefix + path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, url.path, body=b"{}" if method == "PUT" else None, headers=headers)
        answer = connection.getresponse()
        answer.read()
        return answer.status, [(k.lower(), v) for k, v in answer.getheaders()]
    finally:
        connection.close()


@pytest.mark.parametrize("platform", PLATFORMS)
def test_every_answer_to_an_allowed_origin_carries_the_cors_headers_exactly_once(platform, functions):
    function = functions(platform, "default")
    origin = f"http://app.test:{PAGE.port}"
    for method, path, headers, status in INVARIANT_CALLS:
        got, lines = raw(function, method, path, {"Origin": origin, **headers})
        names = [name for name, _ in lines]
        acao = [value for name, value in lines if name == "access-control-allow-origin"]
        vary = [value for name, value in lines if name == "vary"]
        where = f"{platform} {method} {path}: {lines}"
        assert got == status, where
        assert acao == [origin], where
        assert len(vary) == 1 and "Origin" in vary[0], where
        assert all(names.count(n) == 1 for n in names if n.startswith("access-control-")), where
        assert "access-control-allow-credentials" not in names, where


@pytest.mark.parametrize("platform", PLATFORMS)
def test_a_disallowed_origin_never_gets_a_cors_header(platform, functions):
    function = functions(platform, "default")
    for method, path, headers, _ in INVARIANT_CALLS:
        status, lines = raw(function, method, path, {"Origin": "http://app.test.evil.test", **headers})
        where = f"{platform} {method} {path}: {status} {lines}"
        assert not [n for n, _ in lines if n.startswith("access-control-")], where
        vary = [value for name, value in lines if name == "vary"]
        assert len(vary) == 1 and "Origin" in vary[0], where


def raw_lines(function, method, path, lines):
    """Like `raw`, sending `lines` as they are: repeated names stay separate lines."""
    url = urllib.parse.urlsplit(function.base_url + function.path_prefix + path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.putrequest(method, url.path)
        for name, value in lines:
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        answer.read()
        return answer.status, [(k.lower(), v) for k, v in answer.getheaders()]
    finally:
        connection.close()


# `cargo lambda watch` hands the function only the first line of a repeated request header
# (a deployed function URL joins them with commas): Lambda's event sources are covered by
# adapters/lambda/tests/events.rs with AWS-shaped events instead.
@pytest.mark.parametrize("platform", [p for p in PLATFORMS if not p.startswith("lambda")])
def test_a_second_origin_line_is_refused_for_that_reason_on_every_platform(platform, functions):
    # Vercel passes the two lines on, workerd joins them with commas: the verdict and the
    # logged reason are the same.
    function = functions(platform, "default")
    origin = f"http://app.test:{PAGE.port}"
    path = f"/items/{platform}-two-origins"
    seen = function.seen_path(function.path_prefix + path)
    before = len(function.log())
    status, lines = raw_lines(function, "OPTIONS", path, [
        ("Origin", "http://evil.test"), ("Origin", origin), ("Access-Control-Request-Method", "PUT"),
    ])
    assert status == 403, (platform, lines)
    assert not [n for n, _ in lines if n.startswith("access-control-")], lines
    deadline = time.time() + 5
    while time.time() < deadline:
        rejected = [line for line in function.log()[before:].splitlines()
                    if "CORS preflight rejected" in line and seen in line]
        if rejected:
            break
        time.sleep(0.1)
    assert rejected and all("more than one Origin header" in line for line in rejected), (
        platform, function.log()[before:][-2000:])


# The axum examples' `/error` handler panics (the plain examples' returns `Err`): the layer on
# the router catches the panic (on Workers, because the Worker is built with
# `worker-build --panic-unwind`) and answers 500 with the CORS headers and the request id.
@pytest.mark.parametrize("platform", [p for p in PLATFORMS if p.endswith("-axum")])
def test_a_panicking_axum_handler_is_a_500_with_cors_headers(platform, functions):
    function = functions(platform, "default")
    origin = f"http://app.test:{PAGE.port}"
    before = len(function.log())
    status, lines = raw(function, "GET", "/error", {"Origin": origin})
    headers = dict(lines)
    assert status == 500, (platform, lines)
    assert headers.get("access-control-allow-origin") == origin, lines
    assert headers.get("x-request-id"), lines
    deadline = time.time() + 5
    while "handler panicked" not in function.log()[before:] and time.time() < deadline:
        time.sleep(0.1)
    log = function.log()[before:]
    assert "handler panicked" in log and "the example fails on purpose" in log, log[-2000:]


def test_without_panic_unwind_a_worker_panic_reaches_the_browser_as_a_cors_error(browser):
    """The control for the test above: the same Worker built without `--panic-unwind`. Its
    panic aborts the wasm instance, workerd answers without CORS headers, and Chromium
    reports a CORS error where the page should have read a 500 (what the README says)."""
    function = WorkerAxumAbortFunction(POLICIES["default"])
    try:
        case = next(c for c in CASES if c["path"] == "/error" and c["policy"] == "default")
        url = f"{function.base_url}/error?case=abort"
        before = len(function.log())
        result, console = browser.call(case["origin"], url, fetch_init(case), None)
        assert result["outcome"] == "blocked", result
        assert any("No 'Access-Control-Allow-Origin' header" in line for line in console), console
        status, lines = raw(function, "GET", "/error", {"Origin": case["origin"]})
        assert status >= 500 and not [n for n, _ in lines if n.startswith("access-control-")], lines
        deadline = time.time() + 15  # workerd's log lines may land a while after the answer
        while "the example fails on purpose" not in function.log()[before:] and time.time() < deadline:
            time.sleep(0.2)
        log = function.log()[before:]
        assert "the example fails on purpose" in log, log[-2000:]  # it reached our handler
    finally:
        function.close()
