"""Facts about Chromium that the library's rules and documents rely on, each checked in the
real headless Chromium (not through our browser model):

- which `Origin` Chromium sends for pages on unusual hosts (what `CORS_ALLOWED_ORIGINS` can
  list exactly and what stays refused: README "Origins", core/src/origin.rs);
- that Chromium never sends `Access-Control-Request-Private-Network` any more: a public page
  calling a loopback service is stopped by Local Network Access before any request, whatever
  the server would answer (README `CORS_ALLOW_PRIVATE_NETWORK`, `preflight explain`).
"""

import uuid

import pytest

from browser import Browser, PageServer
from test_browser_model import Api


@pytest.fixture(scope="module")
def servers():
    page, api = PageServer(), Api()
    yield page, api
    api.close()
    page.close()


def call(browser, api, page_origin):
    """A PUT from `page_origin` to the recording server: (fetch result, console, requests)."""
    path = f"/facts/{uuid.uuid4().hex}"
    result, console = browser.call(page_origin, f"http://localhost:{api.port}{path}", {"method": "PUT"}, None)
    return result, console, api.received(path)


# host the page is served from -> the host Chromium puts in Origin (None: not an origin at all)
HOSTS = [
    ("my_service.test", "my_service.test"),  # `_` (Docker Compose names): sent as it is
    ("APP.test", "app.test"),  # lower-cased
    ("a!b.test", "a!b.test"),  # characters no DNS name holds, sent raw: stay refused
    ("a~b.test", "a~b.test"),
    ("a*b.test", "a%2Ab.test"),  # `*` escaped
    ("app.test.", "app.test."),  # the trailing dot kept: another origin
]


def test_origins_chromium_sends_for_unusual_hosts(servers):
    page, api = servers
    # Every name is this machine, odd ones included (`MAP *.test` does not cover them all).
    browser = Browser(host_rules="MAP * 127.0.0.1, EXCLUDE localhost")
    try:
        problems = []
        for host, expected in HOSTS:
            origin = f"http://{host}:{page.port}"
            result, console, requests = call(browser, api, origin)
            sent = {v for r in requests for k, v in r["headers"] if k.lower() == "origin"}
            want = {f"http://{expected}:{page.port}"}
            if sent != want:
                problems.append(f"{host}: Chromium sent Origin {sent}, expected {want} ({result}, {console})")
        assert problems == [], "\n".join(problems)
    finally:
        browser.close()


def test_chromium_sends_no_private_network_header_and_local_network_access_decides(servers):
    page, api = servers
    origin = f"http://app.test:{page.port}"
    # A page Chromium takes for public, calling this machine's loopback API.
    public = Browser(extra_flags=[f"--ip-address-space-overrides=127.0.0.1:{page.port}=public"])
    try:
        result, console, requests = call(public, api, origin)
    finally:
        public.close()
    assert result["outcome"] == "blocked", result
    assert requests == [], f"a request left the browser: {requests}"
    assert any("more-private address space" in line for line in console), console
    # The same call from a page on the same address space: an ordinary CORS preflight, still
    # without the private-network header.
    ordinary = Browser()
    try:
        result, console, requests = call(ordinary, api, origin)
    finally:
        ordinary.close()
    methods = [r["method"] for r in requests]
    assert "OPTIONS" in methods, (methods, result, console)
    sent = [k.lower() for r in requests for k, _ in r["headers"]]
    assert "access-control-request-private-network" not in sent, sent
