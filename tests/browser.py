"""The end-to-end harness, written once for every platform.

A platform (`Function` subclass) starts one example locally with a chosen `CORS_*`
environment and exposes its base URL and log. `PageServer` serves a blank page that plays
every origin; `Browser` is a real headless Chromium driven by Selenium; `run_matrix` makes
each call of `matrix.toml` with `fetch()` in the page and checks the browser's verdict, its
console message and the function's log (which proves the preflight reached our code, not the
local runner).
"""

import http.client
import http.server
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
import uuid

from tools import ROOT, missing, require, require_module

MATRIX = os.path.join(ROOT, "tests", "matrix.toml")
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_matrix(**ports):
    """The matrix with {page}/{other} filled in: (policies, cases)."""
    with open(MATRIX, "rb") as f:
        matrix = tomllib.load(f)

    def fill(value):
        if isinstance(value, str):
            for name, port in ports.items():
                value = value.replace("{" + name + "}", str(port))
            return value
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        return value

    policies = {name: fill(env) for name, env in matrix["policy"].items()}
    cases = [dict(fill(case), id=i) for i, case in enumerate(matrix["case"], start=1)]
    return policies, cases


class PageServer:
    """A blank HTML page on 127.0.0.1:port, whatever the Host (every *.test origin)."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b"<!doctype html><title>preflight e2e</title><p>cross-origin caller</p>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    def __init__(self):
        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), self.Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


FETCH = """
const [url, init, read, done] = arguments;
fetch(url, init).then(async (r) => {
  const body = await r.text();
  done({outcome: "allowed", status: r.status, body, header: read ? r.headers.get(read) : null});
}).catch((e) => done({outcome: "blocked", error: String(e)}));
"""


class Browser:
    """Headless Chromium (the Debian package) through chromedriver."""

    # Every *.test name is this machine; nothing else is looked up.
    HOST_RULES = "MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"

    def __init__(self, extra_flags=(), host_rules=HOST_RULES):
        chromium = require("chromium")
        chromedriver = require("chromedriver")
        webdriver = require_module("selenium.webdriver")
        self.profile = tempfile.mkdtemp(prefix="preflight-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = chromium
        for flag in [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            f"--user-data-dir={self.profile}",
            f"--host-resolver-rules={host_rules}",
            *extra_flags,
        ]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        service = webdriver.ChromeService(executable_path=chromedriver)
        self.driver = webdriver.Chrome(options=options, service=service)
        self.driver.set_script_timeout(30)
        self.page = None
        self.version = self.driver.capabilities.get("browserVersion", "?")

    def call(self, page, url, init, read):
        """Runs fetch(url, init) in a page of origin `page`; returns (result, console lines)."""
        return self.run(page, FETCH, url, init, read)

    def run(self, page, script, *args):
        """Runs an asynchronous `script` (its last argument is the callback) in a page of
        origin `page`; returns (what it passed to the callback, console lines)."""
        if self.page != page:
            self.driver.get(page + "/")
            self.page = page
        self.driver.get_log("browser")  # drop what came before this call
        result = self.driver.execute_async_script(script, *args)
        time.sleep(0.05)  # console messages of a failed fetch arrive with the rejection
        console = [entry["message"] for entry in self.driver.get_log("browser")]
        return result, console

    def close(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)


class Function:
    """One example running locally. Subclasses set `name`, `path_prefix` and `command`."""

    name = "?"
    path_prefix = ""
    ready_timeout = 900  # the first request may wait for a cold build

    def __init__(self, env):
        self.port = free_port()
        self.log_path = tempfile.mktemp(prefix=f"preflight-{self.name}-", suffix=".log")
        self.log_file = open(self.log_path, "w")
        command, cwd, extra_env = self.command(env)
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env={**os.environ, **extra_env},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.wait_ready()

    @property
    def base_url(self):
        raise NotImplementedError

    def command(self, env):
        raise NotImplementedError

    def wait_ready(self):
        deadline = time.time() + self.ready_timeout
        url = self.base_url + self.path_prefix + "/items"
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(url, timeout=5):
                    return
            except urllib.error.HTTPError:
                return  # it answered (a misconfigured policy answers 500): running
            except OSError:
                time.sleep(1)
        raise AssertionError(f"{self.name} not ready after {self.ready_timeout} s:\n{self.log()}")

    def seen_path(self, path):
        """The path the function sees (and logs) for a request to `path` on the platform's
        edge: the same, unless the edge rewrites it (Vercel's `[id]` routes)."""
        return path

    def log(self):
        self.log_file.flush()
        with open(self.log_path, errors="replace") as f:
            return ANSI.sub("", f.read())

    def close(self):
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log_file.close()


class LambdaFunction(Function):
    """examples/lambda under `cargo lambda watch --disable-cors`: the `items-api` binary (a
    `lambda_http` handler with `#[preflight_lambda::cors]`)."""

    name = "lambda"
    bin = "items-api"

    @property
    def base_url(self):
        return f"http://localhost:{self.port}/lambda-url/{self.bin}"

    def command(self, env):
        cargo_lambda = require("cargo-lambda")
        # An env file, not --env-var: cargo-lambda splits --env-var values at commas.
        self.env_file = self.log_path.replace(".log", ".env")
        with open(self.env_file, "w") as f:
            f.writelines(f'{key}="{value}"\n' for key, value in env.items())
        command = [cargo_lambda, "lambda", "watch", "--disable-cors", "-P", str(self.port)]
        command += ["--env-file", self.env_file]
        return command, os.path.join(ROOT, "examples", "lambda"), {
            "CARGO_TARGET_DIR": os.path.join(ROOT, "target"),
            "NO_COLOR": "1",
        }


class LambdaAxumFunction(LambdaFunction):
    """examples/lambda's `items-axum` binary: the API as an axum Router
    (examples/axum) with `.layer(preflight_lambda::CorsLayer)`, under `cargo lambda watch`."""

    name = "lambda-axum"
    bin = "items-axum"


class LambdaTenantsFunction(LambdaFunction):
    """examples/lambda's `items-tenants` binary: origins decided by a function over a tenant
    table (`TENANT_HOSTS`), the `CORS_*` variables for the rest."""

    name = "lambda-tenants"
    bin = "items-tenants"


class LambdaStreamFunction(LambdaFunction):
    """examples/lambda's `items-stream` binary: streamed responses
    (`run_with_streaming_response_concurrent`) from an axum Router with the CORS layer."""

    name = "lambda-stream"
    bin = "items-stream"


def read_env_file(path):
    """KEY=VALUE lines of a dotenv file (comments and blank lines skipped)."""
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key.strip()] = value.strip().strip('"')
    return env


class Edge(http.server.ThreadingHTTPServer):
    """The two things a platform's edge does in front of the code that the local runners do
    not: routing by path to the right function and naming each request in a header (Vercel's
    `x-vercel-id`, Cloudflare's `cf-ray`). `resolve(target)` takes the request target (path
    and query) and gives `(port, target, extra headers)` to forward it, or `(None, (status,
    headers, body), [])` for an answer of the edge's own. Requests and responses pass through unchanged
    otherwise: OPTIONS included, repeated request and response headers kept."""

    HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "host", "content-length"}

    def __init__(self, resolve, request_id_header):
        self.resolve = resolve
        self.request_id_header = request_id_header
        super().__init__(("127.0.0.1", 0), self.Handler)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def forward(self):
            port, target, extra = self.server.resolve(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            if port is None:
                status, headers, payload = target
            else:
                headers = [(k, v) for k, v in self.headers.items() if k.lower() not in Edge.HOP]
                headers.append((self.server.request_id_header, f"local-{uuid.uuid4().hex[:16]}"))
                headers += extra
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                # Line by line: repeated request headers stay separate, as Vercel's edge
                # passes them on (a dict would keep only the last).
                connection.putrequest(self.command, target, skip_accept_encoding=True)
                for key, value in headers:
                    connection.putheader(key, value)
                if body is not None:
                    connection.putheader("Content-Length", str(len(body)))
                connection.endheaders(body)
                answer = connection.getresponse()
                headers = [(k, v) for k, v in answer.getheaders() if k.lower() not in Edge.HOP]
                if answer.chunked:
                    return self.relay(answer, headers, connection)
                status, payload = answer.status, answer.read()
                connection.close()
            self.send_response_only(status)
            for key, value in headers:
                self.send_header(key, value)
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if status not in (204, 304):
                self.wfile.write(payload)

        def relay(self, answer, headers, connection):
            """A streamed (chunked) answer, passed on chunk by chunk as it arrives, the way
            the platforms' edges pass a streamed response on."""
            self.send_response_only(answer.status)
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            while chunk := answer.read1(65536):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
            connection.close()

        do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = forward
        do_PROPFIND = forward

        def log_message(self, *args):
            pass


class WorkerFunction(Function):
    """examples/worker built to wasm by `worker-build --release` (through wrangler.toml's
    `[build]`) and run by `wrangler dev --local` (workerd), the policy given as `--var`
    bindings over the example's `[vars]`."""

    name = "worker"
    example = "worker"
    config = "wrangler.toml"
    ready_timeout = 900

    def __init__(self, env):
        super().__init__(env)  # wrangler dev on self.port
        self.edge = Edge(lambda target: (self.port, target, []), "cf-ray")
        threading.Thread(target=self.edge.serve_forever, daemon=True).start()

    @property
    def base_url(self):
        """Cloudflare's edge (which adds `cf-ray`) in front of wrangler dev, once started."""
        edge = getattr(self, "edge", None)
        port = edge.server_address[1] if edge else self.port
        return f"http://localhost:{port}"

    def close(self):
        self.edge.shutdown()
        self.edge.server_close()
        super().close()

    def command(self, env):
        example = os.path.join(ROOT, "examples", self.example)
        require("worker-build")
        wasm_bindgen = require("wasm-bindgen")
        # wrangler, wasm-opt and esbuild: the npm tools of examples/worker, for both Workers.
        bin_dir = os.path.join(ROOT, "examples", "worker", "node_modules", ".bin")
        if require("npm") and not os.path.exists(os.path.join(bin_dir, "wrangler")):
            missing("wrangler (npm)", "cd examples/worker && npm ci")
        command = [os.path.join(bin_dir, "wrangler"), "dev", "--local", "--ip", "127.0.0.1",
                   "--port", str(self.port), "--inspector-port", str(free_port()),
                   "--config", self.config]
        for key, value in env.items():
            command += ["--var", f"{key}:{value}"]
        return command, example, worker_build_env(wasm_bindgen, bin_dir)


class WorkerAxumFunction(WorkerFunction):
    """examples/worker-axum: the API as an axum Router with
    `.layer(preflight_worker::CorsLayer::new(&env))`, built by `worker-build --release
    --panic-unwind` (nightly, std rebuilt with panic=unwind), under `wrangler dev --local`."""

    name = "worker-axum"
    example = "worker-axum"

    def command(self, env):
        installed = subprocess.run(["rustup", "+nightly", "component", "list", "--installed"],
                                   capture_output=True, text=True).stdout.split()
        if "rust-src" not in installed or "rust-std-wasm32-unknown-unknown" not in installed:
            missing("nightly Rust with rust-src and the wasm32 target (worker-build --panic-unwind)",
                    "rustup component add rust-src --toolchain nightly && "
                    "rustup target add wasm32-unknown-unknown --toolchain nightly")
        return super().command(env)


class WorkerAxumAbortFunction(WorkerFunction):
    """examples/worker-axum built WITHOUT `--panic-unwind` (wrangler.abort.toml): a panic
    aborts the wasm instance."""

    name = "worker-axum-abort"
    example = "worker-axum"
    config = "wrangler.abort.toml"


def worker_build_env(wasm_bindgen, bin_dir):
    """What worker-build needs to run offline: installed tools instead of downloads."""
    return {
        "WASM_BINDGEN_BIN": wasm_bindgen,
        "WASM_OPT_BIN": os.path.join(bin_dir, "wasm-opt"),
        "ESBUILD_BIN": os.path.join(bin_dir, "esbuild"),
        "CARGO_TARGET_DIR": os.path.join(ROOT, "target"),
        "WRANGLER_SEND_METRICS": "false",
        "NO_COLOR": "1",
        "CI": os.environ.get("CI", "false"),
    }


def fetch_init(case):
    init = {"method": case["method"], "mode": "cors", "cache": "no-store"}
    if case.get("headers"):
        init["headers"] = case["headers"]
    if case.get("body") is not None:
        init["body"] = case["body"]
    init["credentials"] = case.get("credentials", "same-origin")
    return init


def check_case(case, result, console, log, path=None):
    """Every way this case's outcome differs from the matrix, as sentences."""
    problems = []
    if result.get("outcome") != case["expect"]:
        problems.append(f"browser said {result.get('outcome')} ({result}), expected {case['expect']}")
    elif case["expect"] == "allowed":
        if result["status"] != case["status"]:
            problems.append(f"status {result['status']}, expected {case['status']}")
        if "read" in case:
            readable = result["header"] is not None
            if readable != case["readable"]:
                problems.append(f"{case['read']} readable={readable} ({result['header']!r})")
        if "body_contains" in case and case["body_contains"] not in result["body"]:
            problems.append(f"body {result['body']!r} lacks {case['body_contains']!r}")
    else:
        if not any(case["console"] in line for line in console):
            problems.append(f"console lacks {case['console']!r}: {console}")
    # The function's log names each request it answered a preflight for, by method and path
    # (never the query, which may carry secrets); `log` holds only what this call added.
    marker = re.compile(rf"path=\S*{re.escape(path or case['path'])}(?=[\s}}])")
    lines = [line for line in log.splitlines() if marker.search(line)]
    allowed = any("CORS preflight allowed" in line for line in lines)
    rejected = any("CORS preflight rejected" in line for line in lines)
    seen = "allowed" if allowed else "rejected" if rejected else "none"
    if seen != case["preflight"] or (allowed and rejected):
        problems.append(f"function log shows preflight {seen}, expected {case['preflight']}: {lines}")
    return problems


def run_case(function, browser, case):
    """Makes one matrix call from the browser; returns its problems (empty when it conforms)."""
    url = f"{function.base_url}{function.path_prefix}{case['path']}?case={case['id']}"
    before = len(function.log())  # calls run one after another: what follows is this call's
    result, console = browser.call(case["origin"], url, fetch_init(case), case.get("read"))
    deadline = time.time() + 2
    while True:  # the function's log line may land a moment after the response
        seen = function.seen_path(function.path_prefix + case["path"])
        problems = check_case(case, result, console, function.log()[before:], seen)
        if not problems or time.time() > deadline:
            return problems
        time.sleep(0.1)


__all__ = [
    "Browser",
    "Function",
    "LambdaAxumFunction",
    "LambdaFunction",
    "LambdaStreamFunction",
    "LambdaTenantsFunction",
    "PageServer",
    "WorkerAxumAbortFunction",
    "WorkerAxumFunction",
    "WorkerFunction",
    "load_matrix",
    "missing",
    "run_case",
]
