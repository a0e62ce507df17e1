"""The browser model (browser/, the crate preflight-cors-browser) held to headless Chromium, row by row.

Every case of tests/browser_model.toml is made twice: with fetch() in a real headless Chromium
against a recording API server that answers with the case's scripted lines, and through the
model (the `browser_model` example, which reads the same calls as JSON). Chromium's behaviour
is the only expectation; for every case the two must agree on

- the verdict: fetch() resolved (allowed) or rejected (blocked) vs the model's `allowed`;
- the console: when blocked, some console line of Chromium contains the model's `message`;
- whether the server received a preflight vs `needs_preflight`;
- the Access-Control-Request-Headers the server received vs `request_headers`;
- the author headers the actual request carried (the names the case set, lower case, repeats
  combined, leaving out what Chromium sends on its own in a call without author headers) vs
  `sent_headers` (compared when the actual request was sent);
- for max-age cases, the cache class: how many preflights Chromium sent for fetches at 0, 0.5
  and 6.5 s (3: "none", 2: "default", 1: "cached") vs the model's `cache_seconds` (0: "none",
  1..=6: "default", >= 7: "cached").

One test per group; every mismatch of a group is reported at once, with Chromium's result and
console and the model's verdict.
"""

import http.server
import json
import os
import re
import subprocess
import threading
import time
import tomllib
import uuid

import pytest

from browser import Browser, PageServer, free_port
from tools import ROOT

TABLE = os.path.join(ROOT, "tests", "browser_model.toml")
MODEL = os.path.join(ROOT, "target", "debug", "examples", "browser_model")
FIELDS = ("host", "method", "headers", "credentials", "preflight", "actual", "kind")
REASONS = {200: "OK", 204: "No Content", 307: "Temporary Redirect", 403: "Forbidden", 500: "Internal Server Error"}

with open(TABLE, "rb") as f:
    GROUPS = tomllib.load(f)["group"]


def cases_of(group):
    """The group's cases, each with every field (the group's value unless the case has one)."""
    spec = GROUPS[group]
    defaults = {"headers": [], "credentials": False, "preflight": None, "kind": "call"}
    defaults.update({k: spec[k] for k in FIELDS if k in spec})
    return [{**defaults, **case, "group": group} for case in spec["case"]]


def fill(text, origin, host, port):
    text = re.sub(r"\{(.)\*(\d+)\}", lambda m: m.group(1) * int(m.group(2)), text)
    return text.replace("{origin}", origin).replace("{host}", host).replace("{port}", str(port))


def parsed(line):
    """A raw header line as an HTTP parser delivers it: (name, value without OWS around)."""
    name, _, value = line.partition(":")
    return [name, value.strip(" \t")]


class Api:
    """A recording server on 127.0.0.1: each registered path is answered with its case's
    scripted preflight (OPTIONS) or actual answer, raw lines written as they are; every request
    is recorded with its header lines in order, repeats kept."""

    def __init__(self):
        self.answers = {}
        self.requests = []
        self.lock = threading.Lock()
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                with api.lock:
                    api.requests.append(
                        {"method": self.command, "path": self.path, "headers": list(self.headers.items())}
                    )
                    script = api.answers.get(self.path)
                origin = self.headers.get("Origin", "*")
                if script is None:  # the baseline call, and anything unexpected
                    script = {"status": 200, "headers": [f"Access-Control-Allow-Origin: {origin}"]}
                elif self.command == "OPTIONS":
                    script = script["preflight"] or {"status": 404, "headers": []}
                else:
                    script = script["actual"]
                body = b"ok" if script["status"] not in (204, 304) else b""
                out = f"HTTP/1.1 {script['status']} {REASONS.get(script['status'], 'X')}\r\n".encode()
                for line in script["headers"]:
                    out += line.encode("latin-1") + b"\r\n"
                out += f"Content-Length: {len(body)}\r\n\r\n".encode() + body
                self.wfile.write(out)
                self.wfile.flush()

            do_GET = do_POST = do_PUT = do_OPTIONS = do_DELETE = do_PATCH = do_HEAD = answer

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def path(self, case, script):
        path = f"/{case['group']}/{uuid.uuid4().hex}"
        with self.lock:
            self.answers[path] = script
        return path

    def received(self, path):
        with self.lock:
            return [r for r in self.requests if r["path"] == path]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def model():
    subprocess.run(
        ["cargo", "build", "-q", "-j1", "-p", "preflight-cors-browser", "--example", "browser_model"], cwd=ROOT, check=True
    )
    return MODEL


@pytest.fixture(scope="module")
def setup():
    page, api = PageServer(), Api()
    browser = Browser()
    yield page, api, browser
    browser.close()
    api.close()
    page.close()


def headers_of(request, name):
    return [v for k, v in request["headers"] if k.lower() == name]


def own_headers(browser, api, origin):
    """What Chromium sends on its own (name lower case, value) in a call without author headers."""
    path = f"/baseline/{uuid.uuid4().hex}"
    browser.call(origin, f"http://localhost:{api.port}{path}", {"method": "GET"}, None)
    (request,) = api.received(path)
    return {(k.lower(), v) for k, v in request["headers"]}


def author_headers(pairs, names, leave_out=frozenset()):
    """{name: values joined by ", "} for the given lower-case names, in the order they come."""
    out = {}
    for name, value in pairs:
        name = name.lower()
        if name in names and (name, value) not in leave_out:
            out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def cache_class(seconds):
    if seconds is None:
        return None
    return "none" if seconds == 0 else "default" if seconds <= 6 else "cached"


MAX_AGE = """
const [calls, done] = arguments;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const t0 = performance.now();
async function one([url, init]) {
  const out = [];
  for (const at of [0, 500, 6500]) {
    const wait = at - (performance.now() - t0);
    if (wait > 0) await sleep(wait);
    try { const r = await fetch(url, init); await r.text(); out.push({outcome: "allowed", status: r.status}); }
    catch (e) { out.push({outcome: "blocked", error: String(e)}); }
  }
  return out;
}
Promise.all(calls.map(one)).then(done);
"""


def run_chromium(cases, page, api, browser):
    """Makes every case in Chromium; returns one observation per case."""
    observations, own = [], {}
    max_age = []
    for case in cases:
        origin = f"http://{case['host']}:{page.port}"
        if origin not in own:
            own[origin] = own_headers(browser, api, origin)

        def fl(text, origin=origin, host=case["host"]):
            return fill(text, origin, host, page.port)

        script = {
            "preflight": case["preflight"]
            and {"status": case["preflight"]["status"], "headers": [fl(l) for l in case["preflight"]["headers"]]},
            "actual": {"status": case["actual"]["status"], "headers": [fl(l) for l in case["actual"]["headers"]]},
        }
        headers = [[fl(n), fl(v)] for n, v in case["headers"]]
        url = f"http://localhost:{api.port}{api.path(case, script)}"
        init = {"method": case["method"], "headers": headers, "credentials": "include" if case["credentials"] else "same-origin"}
        obs = {"case": case, "origin": origin, "url": url, "script": script, "headers": headers, "own": own[origin]}
        if case["kind"] == "max-age":
            max_age.append((obs, init))
        else:
            obs["results"], obs["console"] = [], []
            result, console = browser.call(origin, url, init, None)
            obs["results"].append(result)
            obs["console"] = console
        observations.append(obs)
    if max_age:
        origins = {obs["origin"] for obs, _ in max_age}
        assert len(origins) == 1, "max-age cases of one group share one page"
        browser.call(origins.pop(), f"http://localhost:{api.port}/baseline/{uuid.uuid4().hex}", {}, None)
        browser.driver.set_script_timeout(60)
        browser.driver.get_log("browser")
        results = browser.driver.execute_async_script(MAX_AGE, [[obs["url"], init] for obs, init in max_age])
        time.sleep(0.1)
        console = [entry["message"] for entry in browser.driver.get_log("browser")]
        for (obs, _), result in zip(max_age, results):
            obs["results"] = result
            obs["console"] = [line for line in console if obs["url"] in line]
    for obs in observations:
        obs["requests"] = api.received(obs["url"].split(str(api.port), 1)[1])
    return observations


def run_model(model, observations):
    calls = [
        {
            "id": i,
            "origin": obs["origin"],
            "method": obs["case"]["method"],
            "headers": obs["headers"],
            "credentials": obs["case"]["credentials"],
            "preflight": obs["script"]["preflight"]
            and {"status": obs["script"]["preflight"]["status"], "headers": [parsed(l) for l in obs["script"]["preflight"]["headers"]]},
            "actual": {"status": obs["script"]["actual"]["status"], "headers": [parsed(l) for l in obs["script"]["actual"]["headers"]]},
        }
        for i, obs in enumerate(observations)
    ]
    done = subprocess.run([model], input=json.dumps(calls), capture_output=True, text=True, check=True)
    verdicts = {v["id"]: v for v in json.loads(done.stdout)}
    return [verdicts[i] for i in range(len(calls))]


def compare(obs, verdict):
    """The ways Chromium and the model disagree on one case (empty when they agree)."""
    case, requests = obs["case"], obs["requests"]
    preflights = [r for r in requests if r["method"] == "OPTIONS"]
    actuals = [r for r in requests if r["method"] != "OPTIONS"]
    assert requests, f"{case['group']} / {case['name']}: the API server received nothing from Chromium"
    problems = []
    outcomes = {r["outcome"] for r in obs["results"]}
    if outcomes != {"allowed" if verdict["allowed"] else "blocked"}:
        problems.append(f"verdict: Chromium {'/'.join(r['outcome'] for r in obs['results'])}, model {'allowed' if verdict['allowed'] else 'blocked'}")
    if "blocked" in outcomes and verdict["message"] and not any(verdict["message"] in line for line in obs["console"]):
        problems.append("console: no Chromium console line contains the model's message")
    if bool(preflights) != verdict["needs_preflight"]:
        problems.append(f"preflight: Chromium {'sent one' if preflights else 'sent none'}, model needs_preflight={verdict['needs_preflight']}")
    acrh = [", ".join(headers_of(r, "access-control-request-headers")) or None for r in preflights]
    chromium_acrh = acrh[0] if acrh else None
    if chromium_acrh != verdict["request_headers"]:
        problems.append(f"ACRH: Chromium {chromium_acrh!r}, model {verdict['request_headers']!r}")
    names = {n.lower() for n, _ in obs["headers"]}
    if actuals:
        chromium_sent = author_headers(actuals[0]["headers"], names, obs["own"])
        model_sent = author_headers(verdict["sent_headers"], names)
        if chromium_sent != model_sent:
            problems.append(f"sent headers: Chromium {chromium_sent}, model {model_sent}")
    if case["kind"] == "max-age":
        chromium_class = {3: "none", 2: "default", 1: "cached"}.get(len(preflights), f"{len(preflights)} preflights?")
        model_class = cache_class(verdict["cache_seconds"])
        if chromium_class != model_class:
            problems.append(
                f"cache: Chromium {chromium_class} ({len(preflights)} preflights for 3 fetches), "
                f"model {model_class} (cache_seconds={verdict['cache_seconds']})"
            )
    return problems


def report(obs, verdict, problems):
    case = obs["case"]
    lines = [f"--- {case['group']} / {case['name']}"]
    lines += [f"    MISMATCH {p}" for p in problems]
    lines.append(f"    call: {case['method']} headers={obs['headers']} credentials={case['credentials']} from {obs['origin']}")
    if obs["script"]["preflight"]:
        lines.append(f"    preflight answer: {obs['script']['preflight']['status']} {obs['script']['preflight']['headers']}")
    lines.append(f"    actual answer: {obs['script']['actual']['status']} {obs['script']['actual']['headers']}")
    lines.append(f"    Chromium: {obs['results']}; server saw {[r['method'] for r in obs['requests']]}")
    lines += [f"    Chromium console: {line}" for line in obs["console"] if "has been blocked by CORS policy" in line]
    lines.append(f"    model: {json.dumps({k: v for k, v in verdict.items() if k != 'id'})}")
    return "\n".join(lines)


@pytest.mark.parametrize("group", list(GROUPS))
def test_the_model_agrees_with_chromium(group, model, setup):
    page, api, browser = setup
    observations = run_chromium(cases_of(group), page, api, browser)
    verdicts = run_model(model, observations)
    failures = []
    for obs, verdict in zip(observations, verdicts):
        problems = compare(obs, verdict)
        if problems:
            failures.append(report(obs, verdict, problems))
    if failures:
        pytest.fail(
            f"{len(failures)} of {len(observations)} cases of {group!r} ({GROUPS[group]['about']}): "
            f"Chromium {browser.version} and the model disagree\n" + "\n".join(failures),
            pytrace=False,
        )
