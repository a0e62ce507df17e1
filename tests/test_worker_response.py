"""The Worker adapter's response round trip under the real `wrangler dev --local` (workerd):
`preflight_worker::wrap` must send the handler's own `worker::Response` as it is, with only
its Access-Control-* and Vary lines rewritten.

examples/worker's `/gzip` answers a body the handler gzipped itself (`Content-Encoding: gzip`,
`encode_body` manual): it must arrive byte for byte, encoded once. `/multi` answers two
`Set-Cookie` and two `X-Multi` lines and a stale `Access-Control-Allow-Origin: *`: the repeats
must stay separate lines and the stale line must be replaced (or removed for an origin that
is not allowed). Calls go through the same `Edge` as the browser matrix (it adds `cf-ray`
and keeps repeated lines), read with http.client, which neither joins lines nor decodes.
"""

import gzip
import http.client
import os
import re
import time
import urllib.parse

import pytest

from browser import Browser, PageServer, WorkerFunction
from tools import ROOT

PAGE = PageServer()
ORIGIN = f"http://app.test:{PAGE.port}"
EXAMPLE = os.path.join(ROOT, "examples", "worker", "src", "lib.rs")


def rust_constant(name):
    """A byte constant of examples/worker/src/lib.rs: the handler's side of the comparison."""
    with open(EXAMPLE) as f:
        source = f.read()
    if name == "GZIP_BODY":
        numbers = re.search(r"pub const GZIP_BODY: \[u8; \d+\] = \[([^\]]*)\]", source).group(1)
        return bytes(int(n) for n in re.findall(r"\d+", numbers))
    text = re.search(r'pub const GZIP_TEXT: &\[u8\] = b"((?:[^"\\]|\\.)*)"', source, re.S).group(1)
    return re.sub(r"\\\n\s*", "", text).replace("\\n", "\n").encode()


GZIP_BODY = rust_constant("GZIP_BODY")
GZIP_TEXT = rust_constant("GZIP_TEXT")


@pytest.fixture(scope="module")
def worker():
    function = WorkerFunction({"CORS_ALLOWED_ORIGINS": ORIGIN})
    yield function
    function.close()


def call(function, method, path, headers):
    """Status, every header line (repeats kept, names lower-cased) and the raw body."""
    url = urllib.parse.urlsplit(function.base_url + path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, url.path, headers=headers)
        answer = connection.getresponse()
        body = answer.read()
        return answer.status, [(k.lower(), v) for k, v in answer.getheaders()], body
    finally:
        connection.close()


def values(lines, name):
    return [value for key, value in lines if key == name]


def vary_names(lines):
    return [v.strip().lower() for line in values(lines, "vary") for v in line.split(",")]


def test_the_constants_are_what_the_handler_sends():
    assert gzip.decompress(GZIP_BODY) == GZIP_TEXT
    assert GZIP_TEXT.count(b"\n") == 4


def test_a_pre_compressed_body_arrives_byte_for_byte_and_encoded_once(worker):
    status, lines, body = call(worker, "GET", "/gzip", {"Origin": ORIGIN, "Accept-Encoding": "gzip"})
    where = f"{status} {lines} {body!r}"
    assert status == 200, where
    assert values(lines, "content-encoding") == ["gzip"], where
    assert body == GZIP_BODY, where  # workerd did not gzip the gzip again
    assert gzip.decompress(body) == GZIP_TEXT, where
    # The CORS headers from the policy, the handler's Vary merged into one line.
    assert values(lines, "access-control-allow-origin") == [ORIGIN], where
    assert values(lines, "access-control-expose-headers") == ["X-Request-Id"], where
    assert len(values(lines, "vary")) == 1, where
    assert {"accept-encoding", "origin"} <= set(vary_names(lines)), where


def test_repeated_lines_stay_separate_and_a_stale_cors_line_is_replaced(worker):
    status, lines, body = call(worker, "GET", "/multi", {"Origin": ORIGIN})
    where = f"{status} {lines} {body!r}"
    assert status == 200 and body == b"multi", where
    assert values(lines, "set-cookie") == ["a=1; Path=/", "b=2; Path=/"], where
    assert values(lines, "x-multi") == ["a", "b"], where
    # The handler's `Access-Control-Allow-Origin: *` is gone; the policy's origin is there once.
    assert values(lines, "access-control-allow-origin") == [ORIGIN], where
    assert len(values(lines, "vary")) == 1, where
    assert {"accept-language", "origin"} <= set(vary_names(lines)), where


def test_a_disallowed_origin_gets_no_cors_line_not_even_the_handlers(worker):
    status, lines, _ = call(worker, "GET", "/multi", {"Origin": "http://evil.test"})
    where = f"{status} {lines}"
    assert status == 200, where
    assert not [k for k, _ in lines if k.startswith("access-control-")], where
    assert values(lines, "x-multi") == ["a", "b"], where
    assert {"accept-language", "origin"} <= set(vary_names(lines)), where


def test_the_preflight_is_answered_by_the_library(worker):
    before = len(worker.log())
    status, lines, body = call(worker, "OPTIONS", "/gzip", {
        "Origin": ORIGIN, "Access-Control-Request-Method": "GET",
    })
    where = f"{status} {lines} {body!r}"
    assert status == 204 and body == b"", where
    assert values(lines, "access-control-allow-origin") == [ORIGIN], where
    assert "content-encoding" not in dict(lines), where  # not the handler's response
    # The core logged it: the request reached our code, not a runner's CORS.
    deadline = time.time() + 3
    while "CORS preflight allowed" not in worker.log()[before:] and time.time() < deadline:
        time.sleep(0.1)
    assert re.search(r"CORS preflight allowed.*path=/gzip|path=/gzip.*CORS preflight allowed",
                     worker.log()[before:]), worker.log()[before:][-2000:]


FETCH_BYTES = """
const [url, done] = arguments;
fetch(url, {mode: "cors", cache: "no-store"}).then(async (r) => {
  done({status: r.status, text: await r.text(), vary: r.headers.get("vary")});
}).catch((e) => done({error: String(e)}));
"""


def test_chromium_reads_the_pre_compressed_body_decoded_once(worker):
    browser = Browser()
    try:
        browser.driver.get(ORIGIN + "/")
        result = browser.driver.execute_async_script(FETCH_BYTES, worker.base_url + "/gzip")
    finally:
        browser.close()
    assert result.get("status") == 200, result
    assert result["text"] == GZIP_TEXT.decode(), result
