"""App and extension origins, for real: headless Chromium loads the unpacked extension in
tests/extension (its manifest's public key fixes its id), and the extension's own page calls
each platform's example with fetch(). Chromium sends `Origin: chrome-extension://<id>`; with
that exact origin in CORS_ALLOWED_ORIGINS the preflighted PUT is allowed (and the function's
log shows the preflight it answered, with that origin); without it Chromium blocks the call.
The extension has no host_permissions, so its fetch() is an ordinary CORS request."""

import base64
import hashlib
import json
import os
import time

import pytest

from browser import Browser, LambdaFunction, WorkerFunction, fetch_init
from tools import ROOT
from vercel import VercelFunction

EXTENSION = os.path.join(ROOT, "tests", "extension")
PLATFORMS = {"lambda": LambdaFunction, "vercel": VercelFunction, "worker": WorkerFunction}


def extension_origin():
    """chrome-extension://<id>, the id derived from the manifest's key as Chromium does: the
    first 32 hex digits of the SHA-256 of the key's DER bytes, each digit 0-f written a-p."""
    with open(os.path.join(EXTENSION, "manifest.json")) as f:
        key = base64.b64decode(json.load(f)["key"])
    digest = hashlib.sha256(key).hexdigest()[:32]
    return "chrome-extension://" + "".join(chr(ord("a") + int(c, 16)) for c in digest)


ORIGIN = extension_origin()
CALL = {"method": "PUT", "path": "/items/42", "body": '{"name": "kiwi"}',
        "headers": {"Authorization": "Bearer t", "Content-Type": "application/json"}}


@pytest.fixture(scope="module")
def browser():
    browser = Browser(extra_flags=[f"--load-extension={EXTENSION}",
                                   f"--disable-extensions-except={EXTENSION}"])
    yield browser
    browser.close()


@pytest.fixture(scope="module", params=PLATFORMS)
def function(request):
    function = PLATFORMS[request.param]({"CORS_ALLOWED_ORIGINS": f"{ORIGIN},http://app.test:1"})
    yield function
    function.close()


def call_from_extension(browser, function):
    """fetch() from the extension's own page (loaded here: `Browser.call` loads origins)."""
    url = f"{function.base_url}{function.path_prefix}{CALL['path']}?case=extension"
    browser.driver.get(ORIGIN + "/page.html")
    browser.page = ORIGIN
    return browser.call(ORIGIN, url, fetch_init(CALL), None)


def test_the_extension_page_has_that_origin(browser):
    browser.driver.get(ORIGIN + "/page.html")
    browser.page = None
    assert browser.driver.execute_script("return location.origin") == ORIGIN


def test_a_listed_extension_origin_is_allowed(browser, function):
    before = len(function.log())
    result, console = call_from_extension(browser, function)
    assert result.get("outcome") == "allowed" and result["status"] == 200, (result, console)
    assert json.loads(result["body"])["item"] == {"name": "kiwi"}
    seen = function.seen_path(function.path_prefix + CALL["path"])
    deadline = time.time() + 5
    lines = []
    while not lines and time.time() < deadline:
        lines = [line for line in function.log()[before:].splitlines()
                 if "CORS preflight allowed" in line and seen in line]
        time.sleep(0.1)
    assert lines and ORIGIN in lines[0], function.log()[before:][-2000:]


def test_an_extension_origin_that_is_not_listed_is_blocked(browser):
    function = LambdaFunction({"CORS_ALLOWED_ORIGINS": "http://app.test:1"})
    try:
        result, console = call_from_extension(browser, function)
        assert result.get("outcome") == "blocked", result
        assert any("has been blocked by CORS policy" in line for line in console), console
    finally:
        function.close()
