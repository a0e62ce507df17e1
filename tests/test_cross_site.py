"""The cross-site request guard (`CORS_REFUSE_CROSS_SITE=true`) in headless Chromium, on every
platform's example: a form POST from a page of another site, which CORS alone lets through to
the handler, is refused with a 403 before the handler (the function's log says so); the same
form from an allowed origin reaches the handler; a same-origin call (a page served by the API
itself) and a call from outside a browser pass. The handler's answer to `POST /items` is the
items API's 404 (it has no such route), which proves the request reached it."""

import json
import time
import urllib.error
import urllib.request

import pytest

from browser import LambdaFunction, PageServer, WorkerFunction
from vercel import VercelFunction

PLATFORMS = {"lambda": LambdaFunction, "vercel": VercelFunction, "worker": WorkerFunction}
PAGE = PageServer()
ALLOWED = f"http://app.test:{PAGE.port}"
OTHER = f"http://evil.test:{PAGE.port}"
POLICY = {"CORS_ALLOWED_ORIGINS": ALLOWED, "CORS_REFUSE_CROSS_SITE": "true"}
REFUSED = "cross-site request refused"

# Builds a form on the page and submits it: a navigation, not a fetch(), so CORS never
# applies and the browser shows whatever the server answers.
SUBMIT_FORM = """
const [url, done] = arguments;
const form = document.createElement("form");
form.method = "POST";
form.action = url;
const field = document.createElement("input");
field.name = "amount";
field.value = "1000";
form.appendChild(field);
document.body.appendChild(form);
form.submit();
done(true);
"""

SAME_ORIGIN_FETCH = """
const [url, done] = arguments;
fetch(url, {method: "POST", body: "amount=1000"})
  .then(async (r) => done({status: r.status, body: await r.text()}))
  .catch((e) => done({error: String(e)}));
"""


@pytest.fixture(scope="module", params=PLATFORMS)
def function(request):
    function = PLATFORMS[request.param](POLICY)
    yield function
    function.close()


def url(function, path):
    return f"{function.base_url}{function.path_prefix}{path}"


def post_form(browser, page, target):
    """Submits a POST form from a page of origin `page` to `target`; the page it lands on."""
    browser.driver.get(page + "/")
    browser.page = None  # the next call must load its page again
    browser.driver.execute_async_script(SUBMIT_FORM, target)
    deadline = time.time() + 30
    while not browser.driver.current_url.startswith(target) and time.time() < deadline:
        time.sleep(0.1)
    time.sleep(0.2)
    return browser.driver.find_element("tag name", "body").text


def log_after(function, before):
    deadline = time.time() + 3
    while time.time() < deadline:
        log = function.log()[before:]
        if "POST" in log or REFUSED in log:
            break
        time.sleep(0.1)
    return function.log()[before:]


def test_a_form_posted_from_another_site_is_refused_before_the_handler(browser, function):
    before = len(function.log())
    body = post_form(browser, OTHER, url(function, "/items?case=form-other"))
    assert REFUSED in body, body
    log = log_after(function, before)
    refusals = [line for line in log.splitlines() if REFUSED in line]
    assert refusals and f"origin={OTHER}" in refusals[0] and "sec_fetch_site=cross-site" in refusals[0], log


def test_the_same_form_from_an_allowed_origin_reaches_the_handler(browser, function):
    before = len(function.log())
    body = post_form(browser, ALLOWED, url(function, "/items?case=form-allowed"))
    assert json.loads(body) == {"error": "not found"}, body  # the items API's own answer
    assert REFUSED not in function.log()[before:]


def test_a_same_origin_call_passes(browser, function):
    # A page served by the API itself (its 404 page at /items) posts to the API.
    page = url(function, "/items")
    browser.driver.get(page)
    browser.page = None
    result = browser.driver.execute_async_script(SAME_ORIGIN_FETCH, url(function, "/items?case=same-origin"))
    assert result.get("status") == 404 and json.loads(result["body"]) == {"error": "not found"}, result


def test_a_call_from_outside_a_browser_passes(function):
    request = urllib.request.Request(url(function, "/items?case=curl"), data=b"amount=1000", method="POST")
    try:
        urllib.request.urlopen(request, timeout=30)
        raise AssertionError("the items API has no POST /items: expected its 404")
    except urllib.error.HTTPError as answer:
        assert answer.code == 404 and json.loads(answer.read()) == {"error": "not found"}
