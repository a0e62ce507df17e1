"""Streamed responses in headless Chromium, on both platforms that stream:
- lambda: examples/lambda's `items-stream` (the routes of examples/axum's `stream` module with
  `.layer(preflight_lambda::CorsLayer)`, run by `lambda_http::run_with_streaming_response_concurrent`)
  under `cargo lambda watch`, which streams like a function URL in RESPONSE_STREAM mode;
- vercel: the same routes at /axum/stream in examples/vercel's `api/axum.rs` (under
  `vercel_runtime`'s `VercelLayer`), as `vercel build` outputs it, behind the test edge, which
  passes a chunked answer on chunk by chunk.
The page reads the body chunk by chunk (`fetch` + `ReadableStream`) and as server-sent events
(`EventSource` with credentials); the events are 300 ms apart on the server, so a buffered
response would deliver them together."""

import time

import pytest

from browser import LambdaStreamFunction, PageServer
from vercel import VercelAxumFunction

PAGE = PageServer()
ORIGIN = f"http://localhost:{PAGE.port}"
POLICY = {
    "CORS_ALLOWED_ORIGINS": ORIGIN,
    "CORS_ALLOW_CREDENTIALS": "true",
    "CORS_ALLOWED_HEADERS": "X-Client-Version",
}
EVENTS = 5
GAP_MS = 300

READ_STREAM = """
const [url, init, done] = arguments;
const start = performance.now();
fetch(url, init).then(async (r) => {
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  const chunks = [];
  for (;;) {
    const {value, done: end} = await reader.read();
    if (end) break;
    chunks.push({at: performance.now() - start, text: decoder.decode(value, {stream: true})});
  }
  done({outcome: "allowed", status: r.status, chunks});
}).catch((e) => done({outcome: "blocked", error: String(e)}));
"""

EVENT_SOURCE = """
const [url, count, done] = arguments;
const start = performance.now();
const events = [];
const source = new EventSource(url, {withCredentials: true});
source.onmessage = (e) => {
  events.push({at: performance.now() - start, data: e.data});
  if (events.length === count) { source.close(); done({outcome: "allowed", events}); }
};
source.onerror = () => { source.close(); done({outcome: "error", events}); };
"""


class VercelStream(VercelAxumFunction):
    name = "vercel-stream"
    path_prefix = "/axum/stream"


PLATFORMS = {"lambda": LambdaStreamFunction, "vercel": VercelStream}


@pytest.fixture(scope="module", params=PLATFORMS)
def function(request):
    function = PLATFORMS[request.param](POLICY)
    yield function
    function.close()


def url(function, path):
    return f"{function.base_url}{function.path_prefix}{path}"


def spread(times):
    return times[-1] - times[0]


def preflight_lines(function, before, path):
    return [line for line in function.log()[before:].splitlines()
            if "CORS preflight allowed" in line and f"path={path}" in line]


def test_a_preflighted_streamed_response_arrives_chunk_by_chunk(browser, function):
    before = len(function.log())
    init = {"credentials": "include", "headers": {"X-Client-Version": "1"}}
    result, console = browser.run(ORIGIN, READ_STREAM, url(function, "/events"), init)
    assert result["outcome"] == "allowed", (result, console)
    # Allowed: Chromium accepted the CORS headers that came before the first byte.
    assert result["status"] == 200, result
    text = "".join(chunk["text"] for chunk in result["chunks"])
    assert [f"data: event {n}" in text for n in range(EVENTS)] == [True] * EVENTS, text
    # Streamed: the first event was readable long before the last one was sent.
    assert len(result["chunks"]) >= EVENTS, result["chunks"]
    assert spread([c["at"] for c in result["chunks"]]) >= (EVENTS - 2) * GAP_MS, result["chunks"]
    # The custom header made Chromium send a preflight, which the function answered itself.
    deadline = time.time() + 5
    seen = function.seen_path(function.path_prefix + "/events")
    while not preflight_lines(function, before, seen) and time.time() < deadline:
        time.sleep(0.1)
    assert preflight_lines(function, before, seen), function.log()[before:][-2000:]


def test_server_sent_events_with_credentials(browser, function):
    result, console = browser.run(ORIGIN, EVENT_SOURCE, url(function, "/events"), EVENTS)
    assert result["outcome"] == "allowed", (result, console)
    assert [e["data"] for e in result["events"]] == [f"event {n}" for n in range(EVENTS)], result
    assert spread([e["at"] for e in result["events"]]) >= (EVENTS - 2) * GAP_MS, result["events"]


def test_event_source_from_an_origin_not_listed_is_blocked(browser, function):
    other = f"http://app.test:{PAGE.port}"
    result, console = browser.run(other, EVENT_SOURCE, url(function, "/events"), EVENTS)
    assert result["outcome"] == "error" and result["events"] == [], result
    assert any("has been blocked by CORS policy" in line for line in console), console


def test_a_handler_failing_before_its_first_byte_is_a_readable_500(browser, function):
    init = {"credentials": "include"}
    result, console = browser.run(ORIGIN, READ_STREAM, url(function, "/fail"), init)
    assert result["outcome"] == "allowed", (result, console)
    assert result["status"] == 500, result
    assert "internal server error" in "".join(c["text"] for c in result["chunks"]), result
