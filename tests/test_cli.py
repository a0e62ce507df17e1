"""`preflight check` against servers nobody here wrote (nginx, Express with `cors`, Flask with
`flask-cors`) and against our three examples: for every call the tool's verdict must agree with
headless Chromium making the same call, its predicted console message must be the one Chromium
prints, and its diagnosis must name the cause set up on purpose.
"""

import json
import re
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from browser import LambdaFunction, PageServer, WorkerFunction, free_port
from vercel import VercelFunction
from tools import ROOT, missing, require, require_module

PAGE = PageServer()
ORIGIN = f"http://app.test:{PAGE.port}"
EVIL = f"http://evil.test:{PAGE.port}"
SERVERS = os.path.join(ROOT, "tests", "servers")


@pytest.fixture(scope="module")
def cli():
    """The `preflight` binary, built from this checkout."""
    subprocess.run(["cargo", "build", "-q", "-p", "preflight-cors-cli"], cwd=ROOT, check=True)
    return os.path.join(ROOT, "target", "debug", "preflight")


def wait_for_port(port, process, log, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port} after {timeout} s:\n{log()}")


class Server:
    """A process serving on some ports; `ports` maps a setup's name to its port."""

    def __init__(self, command, cwd, ports):
        self.ports = ports
        self.log_path = tempfile.mktemp(prefix="preflight-server-", suffix=".log")
        self.log_file = open(self.log_path, "w")
        self.process = subprocess.Popen(
            command, cwd=cwd, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        for port in ports.values():
            wait_for_port(port, self.process, self.log)

    def log(self):
        self.log_file.flush()
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def url(self, setup, path):
        return f"http://127.0.0.1:{self.ports[setup]}{path}"

    def close(self):
        try:
            os.killpg(self.process.pid, 15)
            self.process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, 9)
        self.log_file.close()


def start_nginx():
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if nginx is None:
        missing("nginx", "apt-get install -y nginx")
    prefix = tempfile.mkdtemp(prefix="preflight-nginx-")
    os.chmod(prefix, 0o755)  # nginx's workers run as another user when started as root
    os.makedirs(os.path.join(prefix, "www"))
    with open(os.path.join(prefix, "www", "items.json"), "w") as f:
        f.write('{"items":[]}\n')
    ports = {"no_options": free_port(), "no_always": free_port(), "good": free_port()}
    with open(os.path.join(SERVERS, "nginx", "nginx.conf")) as f:
        conf = f.read()
    for key, value in {"prefix": prefix, "origin": ORIGIN, **{f"port_{k}": v for k, v in ports.items()}}.items():
        conf = conf.replace("{" + key + "}", str(value))
    with open(os.path.join(prefix, "nginx.conf"), "w") as f:
        f.write(conf)
    command = [nginx, "-p", prefix, "-e", os.path.join(prefix, "error.log"), "-c", os.path.join(prefix, "nginx.conf")]
    return Server(command, prefix, ports)


def start_express():
    node = shutil.which("node")
    if node is None:
        missing("node", "apt-get install -y nodejs npm")
    directory = os.path.join(SERVERS, "express")
    if not os.path.isdir(os.path.join(directory, "node_modules", "cors")):
        missing("express and cors (npm)", "cd tests/servers/express && npm ci")
    ports = {k: free_port() for k in ["auth_first", "star_credentials", "missing_header", "good"]}
    return Server([node, "server.js", ORIGIN, *map(str, ports.values())], directory, ports)


def start_flask():
    require_module("flask")
    require_module("flask_cors")
    ports = {"good": free_port(), "missing_method": free_port()}
    import sys

    return Server([sys.executable, "app.py", ORIGIN, *map(str, ports.values())], os.path.join(SERVERS, "flask"), ports)


class Scripted:
    """A server answering each path with one classic mistake (what proxies, gateways and
    hand-written handlers get wrong), for the causes the real servers above do not show."""

    # path -> (preflight status, preflight headers, actual status, actual headers); ORIGIN is
    # filled in. Header lists keep repeats (two Access-Control-Allow-Origin lines).
    MISTAKES = {
        "/duplicate": (204, [("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Origin", "{o}"),
                             ("Access-Control-Allow-Methods", "PUT")], 200, []),
        "/star-authorization": (204, [("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Methods", "PUT"),
                                      ("Access-Control-Allow-Headers", "*"), ("Access-Control-Max-Age", "600"),
                                      ("Vary", "Origin")],
                                200, [("Access-Control-Allow-Origin", "{o}"), ("Vary", "Origin")]),
        "/redirect": (307, [("Location", "/redirect/"), ("Access-Control-Allow-Origin", "{o}")], 200, []),
        "/gateway": (502, [("x-amzn-errortype", "InternalServerErrorException")], 502, []),
        "/credentials-case": (204, [("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Methods", "PUT"),
                                    ("Access-Control-Allow-Credentials", "TRUE")], 200, []),
        "/other-origin": (204, [], 200, [("Access-Control-Allow-Origin", "https://app.example.com")]),
        "/long-cache": (204, [("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Methods", "PUT"),
                              ("Access-Control-Allow-Headers", "Content-Type"),
                              ("Access-Control-Max-Age", "86400"), ("Vary", "Origin")],
                        200, [("Access-Control-Allow-Origin", "{o}"), ("Vary", "Origin")]),
        "/preflight-only": (204, [("Access-Control-Allow-Origin", "{o}"), ("Access-Control-Allow-Methods", "PUT"),
                                  ("Access-Control-Allow-Headers", "Content-Type"),
                                  ("Access-Control-Max-Age", "600"), ("Vary", "Origin")], 200, []),
    }

    def __init__(self):
        import http.server
        import threading

        mistakes = self.MISTAKES

        class Handler(http.server.BaseHTTPRequestHandler):
            def answer(self, preflight):
                path = self.path.split("?")[0]
                pre_status, pre_headers, status, headers = mistakes[path]
                status, headers = (pre_status, pre_headers) if preflight else (status, headers)
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value.replace("{o}", ORIGIN))  # one fixed origin
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_OPTIONS(self):
                self.answer("Access-Control-Request-Method" in self.headers)

            def do_GET(self):
                self.answer(False)

            do_PUT = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, setup, path):
        return f"http://127.0.0.1:{self.server.server_port}{setup}{path}"

    def close(self):
        self.server.shutdown()


class Example:
    """One of our examples (tests/browser.py starts it), seen as a server."""

    def __init__(self, kind):
        self.function = kind({"CORS_ALLOWED_ORIGINS": ORIGIN, "CORS_ALLOWED_HEADERS": "Authorization,Content-Type"})

    def url(self, setup, path):
        return self.function.base_url + self.function.path_prefix + path

    def log(self):
        return self.function.log()

    def close(self):
        self.function.close()


STARTERS = {
    "nginx": start_nginx,
    "express": start_express,
    "flask": start_flask,
    "scripted": Scripted,
    "lambda": lambda: Example(LambdaFunction),
    "vercel": lambda: Example(VercelFunction),
    "worker": lambda: Example(WorkerFunction),
}


@pytest.fixture(scope="module")
def servers():
    running = {}

    def get(name):
        if name not in running:
            running[name] = STARTERS[name]()
        return running[name]

    yield get
    for server in running.values():
        server.close()


JSON = {"Content-Type": "application/json"}
AUTH = {"Authorization": "Bearer token", **JSON}

# (server, setup, method, path, headers, credentials, origin, allowed, where, code)
#   where: the step that fails ("preflight" / "actual"), or None when allowed
#   code:  the diagnosis code for a blocked call; for an allowed one, the warnings expected
CASES = [
    # nginx
    ("nginx", "no_options", "PUT", "/items/1", AUTH, False, ORIGIN, False, "preflight", "options-not-handled"),
    ("nginx", "no_always", "PUT", "/items/1", JSON, False, ORIGIN, False, "actual", "error-without-cors"),
    ("nginx", "no_always", "PUT", "/items/1", AUTH, False, ORIGIN, True, None, []),
    ("nginx", "good", "PUT", "/items/1", JSON, False, ORIGIN, True, None, []),
    ("nginx", "good", "GET", "/items", {}, False, EVIL, False, "actual", "no-allow-origin"),
    # Express + cors
    ("express", "auth_first", "PUT", "/items/1", AUTH, False, ORIGIN, False, "preflight", "auth-before-cors"),
    ("express", "star_credentials", "GET", "/items", {}, True, ORIGIN, False, "actual", "wildcard-with-credentials"),
    ("express", "star_credentials", "GET", "/items", {}, False, ORIGIN, True, None, []),
    ("express", "missing_header", "PUT", "/items/1", {**AUTH, "X-Request-Id": "1"}, False, ORIGIN, False, "preflight", "header-not-allowed"),
    ("express", "good", "PUT", "/items/1", {**AUTH, "X-Request-Id": "1"}, True, ORIGIN, True, None, []),
    # The page sends a response header as a request header (a mistaken tutorial).
    ("express", "good", "PUT", "/items/1", {**AUTH, "Access-Control-Allow-Origin": "*"}, False, ORIGIN, False, "preflight", "sends-cors-header"),
    # Flask + flask-cors
    ("flask", "good", "PUT", "/items/1", AUTH, False, ORIGIN, True, None, ["missing-vary-origin"] * 2),
    ("flask", "missing_method", "PUT", "/items/1", AUTH, False, ORIGIN, False, "preflight", "method-not-allowed"),
]
# Scripted mistakes (the setup is the path; the case's path is appended).
CASES += [
    ("scripted", "/duplicate", "PUT", "", JSON, False, ORIGIN, False, "preflight", "duplicate-allow-origin"),
    # Chromium allows it; Firefox and Safari do not: a warning, and exit status 1.
    ("scripted", "/star-authorization", "PUT", "", AUTH, False, ORIGIN, True, None, ["wildcard-authorization"]),
    ("scripted", "/redirect", "PUT", "", JSON, False, ORIGIN, False, "preflight", "preflight-redirect"),
    ("scripted", "/gateway", "PUT", "", JSON, False, ORIGIN, False, "preflight", "preflight-gateway-error"),
    ("scripted", "/credentials-case", "PUT", "", JSON, True, ORIGIN, False, "preflight", "credentials-not-allowed"),
    ("scripted", "/other-origin", "GET", "", {}, False, ORIGIN, False, "actual", "allow-origin-mismatch"),
    ("scripted", "/long-cache", "PUT", "", JSON, False, ORIGIN, True, None, ["max-age-over-cap"]),
    ("scripted", "/preflight-only", "PUT", "", JSON, False, ORIGIN, False, "actual", "actual-without-cors"),
]
for platform in ["lambda", "vercel", "worker"]:
    CASES += [
        (platform, None, "PUT", "/items/1", AUTH, False, ORIGIN, True, None, []),
        (platform, None, "PUT", "/items/1", JSON, False, ORIGIN, True, None, []),  # a readable 401
        (platform, None, "GET", "/error", {}, False, ORIGIN, True, None, []),  # a readable 500
        (platform, None, "GET", "/items", {}, False, EVIL, False, "actual", "no-allow-origin"),
        (platform, None, "PUT", "/items/1", AUTH, False, EVIL, False, "preflight", "origin-not-allowed"),
        (platform, None, "PUT", "/items/1", {**AUTH, "X-Custom": "1"}, False, ORIGIN, False, "preflight", "header-not-allowed"),
        (platform, None, "patch", "/items/1", AUTH, False, ORIGIN, False, "preflight", "method-case"),
        (platform, None, "PUT", "/items/1", {**AUTH, "Access-Control-Allow-Origin": "*"}, False, ORIGIN, False, "preflight", "sends-cors-header"),
    ]


def case_id(case):
    server, setup, method, path, headers, credentials, origin, allowed, where, code = case
    extra = "+".join(h.lower() for h in headers if h.lower() != "content-type")
    who = "evil" if origin == EVIL else "listed"
    return f"{server}-{(setup or 'example').strip('/')}-{method}-{path.strip('/').replace('/', '_')}-{extra or 'plain'}{'-cred' if credentials else ''}-{who}"


def run_cli(cli, url, method, headers, credentials, origin):
    command = [cli, "check", url, "--origin", origin, "-X", method, "--json", "--timeout", "20"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if credentials:
        command.append("--credentials")
    body = '{"name":"x"}' if method.upper() in ("PUT", "PATCH", "POST") else None
    if body:
        command += ["--data", body]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), f"exit {done.returncode}: {done.stderr}"
    report = json.loads(done.stdout)
    assert (done.returncode == 0) == (report["allowed"] and not report["blocked_elsewhere"]), report
    return report


@pytest.mark.parametrize("case", CASES, ids=[f"{i:02}-{case_id(c)}" for i, c in enumerate(CASES)])
def test_check_agrees_with_chromium(case, cli, browser, servers):
    server_name, setup, method, path, headers, credentials, origin, allowed, where, code = case
    server = servers(server_name)
    # A fresh query per call: Chromium caches preflight answers per URL.
    url = server.url(setup, f"{path}?case={CASES.index(case)}-{time.time_ns()}")
    # Calls run one after another: what the function logs from here on is this call's.
    before = len(server.log()) if isinstance(server, Example) else 0
    report = run_cli(cli, url, method, headers, credentials, origin)

    init = {"method": method, "mode": "cors", "cache": "no-store", "headers": headers,
            "credentials": "include" if credentials else "same-origin"}
    if method.upper() in ("PUT", "PATCH", "POST"):
        init["body"] = '{"name":"x"}'
    result, console = browser.call(origin, url, init, None)
    chromium_allowed = result.get("outcome") == "allowed"

    where_ = f"{case_id(case)}\nchromium: {result} {console}\ncli: {json.dumps(report, indent=1)[:4000]}"
    assert report["allowed"] == chromium_allowed, "the tool and Chromium disagree: " + where_
    assert report["allowed"] == allowed, "the setup did not behave as intended: " + where_
    if allowed:
        assert report["actual"]["status"] == result["status"], where_
        assert sorted(f["code"] for f in report["findings"]) == sorted(code), where_
    else:
        assert report["console"] and any(report["console"] in line for line in console), (
            "the predicted console message is not Chromium's: " + where_
        )
        step = report[where]
        assert step is not None and not step["pass"], where_
        assert step["diagnosis"]["code"] == code, where_
        assert (report["actual"] is None) == (where == "preflight"), where_
    if isinstance(server, Example) and report["preflight"] is not None:
        # The request reached our code: the function's log, from this call on, has its
        # preflight (the span names the path, never the query), rejected or allowed as the
        # tool said.
        seen = server.function.seen_path(server.function.path_prefix + path)
        marker = re.compile(rf"path=\S*{re.escape(seen)}(?=[\s}}])")
        expect = "CORS preflight allowed" if report["preflight"]["pass"] else "CORS preflight rejected"
        other = "CORS preflight rejected" if report["preflight"]["pass"] else "CORS preflight allowed"

        def lines():
            return [line for line in server.log()[before:].splitlines() if marker.search(line)]

        deadline = time.time() + 5
        while not any(expect in line for line in lines()) and time.time() < deadline:
            time.sleep(0.1)
        assert any(expect in line for line in lines()), (expect, lines(), server.log()[-2000:])
        if report["preflight"]["pass"]:
            # Only the tool's trust probes (an impossible origin, `null`) were refused.
            refused = [line for line in lines() if other in line]
            assert all("preflight-probe.invalid" in line or "origin=null" in line for line in refused), refused


def test_sdk_fix_names_the_variable(cli, servers):
    """Against our SDK the probes pinpoint the refused part and name the CORS_* variable."""
    server = servers("lambda")
    cases = [
        ({**AUTH, "X-Custom": "1"}, "PUT", ORIGIN, "add x-custom to CORS_ALLOWED_HEADERS"),
        (AUTH, "PUT", EVIL, f"add {EVIL} to CORS_ALLOWED_ORIGINS"),
        (AUTH, "patch", ORIGIN, "write PATCH in the script"),
    ]
    for headers, method, origin, fix in cases:
        url = server.url(None, f"/items/1?fix={time.time_ns()}")
        report = run_cli(cli, url, method, headers, False, origin)
        sdk = report["preflight"]["diagnosis"]["sdk"]
        assert sdk.startswith(fix), (fix, report["preflight"]["diagnosis"])


def test_no_probe_sends_one_preflight(cli, servers):
    """`--no-probe` sends only what the browser sends: the diagnosis stays generic."""
    server = servers("lambda")
    url = server.url(None, f"/items/1?noprobe={time.time_ns()}")
    before = server.log().count("CORS preflight rejected")
    done = subprocess.run(
        [cli, "check", url, "--origin", EVIL, "-X", "PUT", "-H", "Authorization: x", "--json", "--no-probe"],
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1, done.stderr
    report = json.loads(done.stdout)
    assert report["preflight"]["diagnosis"]["code"] == "preflight-forbidden"
    time.sleep(0.5)
    assert server.log().count("CORS preflight rejected") == before + 1


def test_reflecting_servers_are_reported(cli):
    """A server that echoes every origin (with credentials) is caught by the trust probe."""
    import http.server
    import threading

    class Reflect(http.server.BaseHTTPRequestHandler):
        def answer(self, status):
            self.send_response(status)
            self.send_header("Access-Control-Allow-Origin", self.headers.get("Origin", ""))
            self.send_header("Access-Control-Allow-Credentials", "true")
            self.send_header("Access-Control-Allow-Methods", "PUT")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_OPTIONS(self):
            self.answer(204)

        def do_GET(self):
            self.answer(200)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Reflect)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/items"
        report = run_cli(cli, url, "GET", {}, True, ORIGIN)
        codes = [f["code"] for f in report["findings"]]
        assert report["allowed"] and "reflects-any-origin" in codes and "trusts-null" in codes, report
        assert "WITH credentials" in report["findings"][codes.index("reflects-any-origin")]["message"]
    finally:
        server.shutdown()
