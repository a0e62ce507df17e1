"""examples/vercel built by Vercel's own CLI and served the way Vercel serves the build.

- `build()` runs `vercel build --standalone` (npm `vercel` with `@vercel/rust`, from
  tests/vercel-cli) in examples/vercel, once per test process, and returns the
  `.vercel/output` folder (Vercel's Build Output API v3).
- `output_problems()` says what in that output would be wrong to deploy: a project file
  published as a static file (the source, `Cargo.toml`, a `.env`), a function whose
  executable is outside the output, an environment baked into a function.
- `Router` routes a request by the output's `config.json`, phase by phase, as Vercel's edge
  does (`/api/items/7` becomes `/api/items/[id]?id=7`); a route feature it does not model
  stops the test rather than being ignored.
- `VercelFunction` starts every `functions/**/<name>.func/executable` as Vercel starts it:
  `VERCEL_IPC_PATH` names a Unix socket this harness listens on, the function announces its
  HTTP port there (`server-started`) and reports each request's end (`end`) with the
  invocation id the edge gave it in `x-vercel-internal-invocation-id`.
"""

import json
import os
import re
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid

from browser import Edge, Function, free_port, read_env_file
from tools import ROOT, missing, require

EXAMPLE = os.path.join(ROOT, "examples", "vercel")
CLI = os.path.join(ROOT, "tests", "vercel-cli", "node_modules", ".bin", "vercel")
_built = {}


def build():
    """`vercel build` of examples/vercel (once per process); the `.vercel/output` path."""
    if "output" in _built:
        return _built["output"]
    require("npm")
    if not os.path.exists(CLI):
        missing("the Vercel CLI (npm vercel 64.0.2)", "cd tests/vercel-cli && npm ci")
    # `vercel build` needs a linked project; offline, a local link with no settings does.
    project = os.path.join(EXAMPLE, ".vercel", "project.json")
    os.makedirs(os.path.dirname(project), exist_ok=True)
    if not os.path.exists(project):
        with open(project, "w") as f:
            json.dump({"projectId": "local", "orgId": "local", "settings": {}}, f)
    run = subprocess.run(
        [CLI, "build", "--yes", "--standalone"],
        cwd=EXAMPLE,
        env={
            **os.environ,
            # Vercel's build image: @vercel/rust runs `cargo build --release` there, as here
            # (elsewhere it cross-compiles with `cargo zigbuild`).
            "VERCEL_BUILD_IMAGE": "1",
            "VERCEL_TELEMETRY_DISABLED": "1",
            "NO_COLOR": "1",
            "CARGO_TARGET_DIR": os.path.join(ROOT, "target"),
        },
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, f"vercel build failed:\n{run.stdout}\n{run.stderr}"
    _built["output"] = os.path.join(EXAMPLE, ".vercel", "output")
    _built["log"] = run.stdout + run.stderr
    return _built["output"]


def files_under(folder):
    """Every file below `folder`, as paths relative to it."""
    found = []
    for directory, _, names in os.walk(folder):
        found += [os.path.relpath(os.path.join(directory, n), folder) for n in names]
    return sorted(found)


def functions(output):
    """{route path: .func folder} of a build output (`/api/items/[id]` -> ...[id].func)."""
    root = os.path.join(output, "functions")
    found = {}
    for directory, subdirs, _ in os.walk(root):
        for sub in [s for s in subdirs if s.endswith(".func")]:
            found["/" + os.path.relpath(os.path.join(directory, sub), root)[: -len(".func")]] = (
                os.path.join(directory, sub)
            )
    return found


def output_problems(output, public):
    """What in the build `output` should not be deployed, as sentences (empty: none).
    `public` is the project's public/ folder, the only files that may be served as static."""
    problems = []
    static = files_under(os.path.join(output, "static"))
    allowed = files_under(public) if os.path.isdir(public) else []
    for path in static:
        if path not in allowed:
            problems.append(f"static/{path} is published but is not in public/ (project source or secrets)")
    found = functions(output)
    if not found:
        problems.append("no functions in the output")
    for route, folder in found.items():
        with open(os.path.join(folder, ".vc-config.json")) as f:
            config = json.load(f)
        handler = config.get("handler")
        for name, target in config.get("filePathMap", {}).items():
            problems.append(f"{route}: {name} is a path outside the output ({target})")
        executable = os.path.join(folder, handler or "?")
        if not os.path.isfile(executable):
            problems.append(f"{route}: the handler {handler!r} is not inside {folder}")
        elif not os.stat(executable).st_mode & stat.S_IXUSR:
            problems.append(f"{route}: {handler} is not executable")
        extra = [p for p in files_under(folder) if p not in (".vc-config.json", handler)]
        if extra:
            problems.append(f"{route}: files beside the executable: {extra}")
        if config.get("environment"):
            problems.append(f"{route}: an environment baked into the function: {sorted(config['environment'])}")
    return problems


class Router:
    """Vercel's routing of one request by the build's `config.json` (Build Output API v3):
    the routes before `handle: filesystem`, the file system (static files and functions), the
    routes after it, `miss` routes when a `check: true` destination is not a file, and
    `error` routes for an error status. Raises on any route feature it does not model."""

    KNOWN = {"src", "dest", "status", "check"}
    PHASES = {None, "filesystem", "miss", "error"}

    def __init__(self, output):
        with open(os.path.join(output, "config.json")) as f:
            config = json.load(f)
        assert config.get("version") == 3, f"config.json version {config.get('version')}"
        self.phases = {phase: [] for phase in self.PHASES}
        phase = None
        for route in config.get("routes", []):
            if "handle" in route:
                phase = route["handle"]
                assert phase in self.PHASES and len(route) == 1, f"unmodelled route {route}"
                continue
            assert set(route) <= self.KNOWN, f"unmodelled route keys in {route}"
            self.phases[phase].append((re.compile(route["src"]), route))
        self.functions = set(functions(output))
        self.static = {"/" + p for p in files_under(os.path.join(output, "static"))}

    def is_file(self, path):
        return path in self.functions or path in self.static

    @staticmethod
    def rewrite(match, route, query):
        dest = match.expand(route["dest"].replace("$", "\\"))
        path, _, dest_query = dest.partition("?")
        # The destination's query first, then the request's own.
        return path, "&".join(q for q in (dest_query, query) if q)

    def resolve(self, path, query=""):
        """(status, path, query): 200 with the file or function that answers, or an error
        status with the file of the error page (None: Vercel's own)."""
        status = None
        for pattern, route in self.phases[None]:
            if match := pattern.fullmatch(path):
                path, query, status = self.apply(match, route, path, query)
                if status:
                    break
        if status is None and self.is_file(path):
            return 200, path, query
        if status is None:
            status = 404
            for pattern, route in self.phases["filesystem"]:
                if not (match := pattern.fullmatch(path)):
                    continue
                if "dest" not in route:
                    status = route["status"]
                    break
                path, query = self.rewrite(match, route, query)
                if self.is_file(path):
                    return route.get("status", 200), path, query
                if route.get("check"):
                    for miss_pattern, miss in self.phases["miss"]:
                        if (hit := miss_pattern.fullmatch(path)) and "dest" in miss:
                            miss_path, miss_query = self.rewrite(hit, miss, query)
                            if self.is_file(miss_path):
                                return 200, miss_path, miss_query
                break
        for pattern, route in self.phases["error"]:
            if route.get("status") == status and pattern.fullmatch(path):
                page = route.get("dest")
                return status, page if page in self.static else None, ""
        return status, None, ""

    def apply(self, match, route, path, query):
        if "dest" in route:
            path, query = self.rewrite(match, route, query)
        return path, query, route.get("status")


class VercelFunction(Function):
    """examples/vercel as `vercel build` outputs it, each function's executable started the
    way Vercel starts it (IPC socket, `server-started`, `end`), behind an edge that routes by
    the output's `config.json` and names each request (`x-vercel-id`, the internal invocation
    and request ids). The environment is the example's `.env.example` plus the policy's."""

    name = "vercel"
    path_prefix = "/api"

    def __init__(self, env):
        self.output = output = build()
        self.router = Router(output)
        self.env = {**read_env_file(os.path.join(EXAMPLE, ".env.example")), **env}
        self.log_path = tempfile.mktemp(prefix="preflight-vercel-", suffix=".log")
        self.log_file = open(self.log_path, "w")
        self.socket_dir = tempfile.mkdtemp(prefix="preflight-vercel-ipc-")
        self.ports, self.processes, self.messages, self.listeners = {}, [], [], []
        self.lock = threading.Condition()
        for route, folder in functions(output).items():
            self.start(route, folder)
        self.edge = Edge(self.forward, "x-vercel-id")
        self.port = self.edge.server_address[1]
        threading.Thread(target=self.edge.serve_forever, daemon=True).start()
        self.process = self.processes[0]

    def start(self, route, folder):
        path = os.path.join(self.socket_dir, f"{len(self.processes)}.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        listener.listen(1)
        self.listeners.append(listener)
        process = subprocess.Popen(
            [os.path.join(folder, "executable")],
            cwd=folder,
            env={**os.environ, **self.env, "VERCEL_IPC_PATH": path,
                 "VERCEL_DEV_PORT": str(free_port()), "NO_COLOR": "1"},
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        threading.Thread(target=self.listen, args=(route, listener), daemon=True).start()
        deadline = time.time() + 60
        with self.lock:
            while route not in self.ports:
                if process.poll() is not None:
                    raise AssertionError(f"the Vercel function {route} exited early:\n{self.log()}")
                if time.time() > deadline:
                    raise AssertionError(f"the Vercel function {route} sent no server-started:\n{self.log()}")
                self.lock.wait(0.2)

    def listen(self, route, listener):
        """Reads the function's NUL-terminated JSON messages from its IPC socket."""
        try:
            connection, _ = listener.accept()
        except OSError:
            return
        buffer = b""
        while chunk := connection.recv(65536):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            with self.lock:
                for raw in messages:
                    message = json.loads(raw)
                    self.messages.append((route, message))
                    if message.get("type") == "server-started":
                        self.ports[route] = message["payload"]["httpPort"]
                self.lock.notify_all()

    def ended(self, invocation_id, timeout=5):
        """Whether the function reported the end of this invocation over IPC."""
        deadline = time.time() + timeout
        with self.lock:
            while True:
                if any(m.get("type") == "end" and m["payload"]["context"]["invocationId"] == invocation_id
                       for _, m in self.messages):
                    return True
                if time.time() > deadline:
                    return False
                self.lock.wait(0.1)

    def forward(self, target):
        """Edge's resolver: the port, path and headers of the function that answers
        `target` (path and query), or an answer of the edge's own."""
        path, _, query = target.partition("?")
        status, routed, routed_query = self.router.resolve(path, query)
        if routed in self.router.static:
            with open(os.path.join(self.output, "static", routed.lstrip("/")), "rb") as f:
                return None, (status, [("Content-Type", "text/plain")], f.read()), []
        if routed not in self.ports:
            return None, (status, [("Content-Type", "text/plain")], b"NOT_FOUND"), []
        invocation = uuid.uuid4().hex
        self.last_invocation = invocation
        headers = [("x-vercel-internal-invocation-id", invocation),
                   ("x-vercel-internal-request-id", str(len(self.messages)))]
        return self.ports[routed], routed + ("?" + routed_query if routed_query else ""), headers

    def seen_path(self, path):
        """The path the function sees for a request to `path`: the routed one."""
        return self.router.resolve(path)[1] or path

    @property
    def base_url(self):
        return f"http://localhost:{self.port}"

    def close(self):
        self.edge.shutdown()
        self.edge.server_close()
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for listener in self.listeners:
            listener.close()
        self.log_file.close()


class VercelAxumFunction(VercelFunction):
    """The same build, called at `/axum/...`: vercel.json rewrites it to the `api/axum.rs`
    function (the API as an axum Router with `.layer(preflight_vercel::CorsLayer)`), which
    puts the path back before its router, so its log names the path the browser asked for."""

    name = "vercel-axum"
    path_prefix = "/axum"

    def seen_path(self, path):
        routed = self.router.resolve(path)[1]
        assert routed == "/api/axum", f"{path} is routed to {routed}, not to the axum function"
        return path


__all__ = ["Router", "VercelAxumFunction", "VercelFunction", "build", "functions", "output_problems"]
