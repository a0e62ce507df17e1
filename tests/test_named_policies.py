"""Named policies in headless Chromium, on every platform: one deployment serves a public,
read-only catalogue under the policy `public` (`CORS_PUBLIC_ALLOWED_ORIGINS=*`, GET only) and
the signed-in user's API under the policy `api` (the app's origin, with credentials).

- Lambda (`items-scoped` under `cargo lambda watch`) and Workers (`examples/worker-axum` under
  `wrangler dev`): one axum Router, one `CorsLayer::named(...)` per nested router.
- Vercel (the built output, each function started as Vercel starts it): one function per
  policy, chosen by the attribute's argument (`#[cors(policy = "public")]`).

Each allowed answer names the handler that wrote it (so the request reached it); each
preflight's verdict is read from the function's log, where the policy that decided names its
own variable (`fix="CORS_PUBLIC_ALLOWED_METHODS"`); the cold-start log lists both policies."""

import json
import time

import pytest

from browser import LambdaFunction, PageServer, WorkerAxumFunction, fetch_init
from vercel import VercelFunction


class LambdaScopedFunction(LambdaFunction):
    """examples/lambda's `items-scoped` binary: two nested routers, a named policy each."""

    name = "lambda-scoped"
    bin = "items-scoped"


# The paths of the two APIs on each platform.
PLATFORMS = {
    "lambda": (LambdaScopedFunction, "/public/items", "/api/me"),
    "vercel": (VercelFunction, "/api/catalogue", "/api/me"),
    "worker": (WorkerAxumFunction, "/public/items", "/api/me"),
}
PAGE = PageServer()
# With credentials an http:// origin must be localhost (any other can be impersonated).
APP = f"http://localhost:{PAGE.port}"
OTHER = f"http://evil.test:{PAGE.port}"
POLICIES = {
    "CORS_PUBLIC_ALLOWED_ORIGINS": "*",
    "CORS_PUBLIC_ALLOWED_METHODS": "GET",
    "CORS_API_ALLOWED_ORIGINS": APP,
    "CORS_API_ALLOW_CREDENTIALS": "true",
    "CORS_API_ALLOWED_HEADERS": "Content-Type",
}
BLOCKED = "has been blocked by CORS policy"


@pytest.fixture(scope="module", params=PLATFORMS)
def deployment(request):
    kind, public, api = PLATFORMS[request.param]
    function = kind(POLICIES)
    yield function, public, api
    function.close()


def call(browser, function, page, path, case, **extra):
    url = f"{function.base_url}{path}?case={case}"
    init = fetch_init({"method": "GET", **extra})
    return browser.call(page, url, init, None)


def handler_of(result):
    return json.loads(result["body"]).get("handler")


def preflight_lines(function, before, path, timeout=10):
    """The function's log lines about preflights for `path` since `before`. A layer on a
    nested axum router sees (and logs) the path without the router's prefix (`/me` for
    `/api/me`): axum strips it before the nested router runs."""
    seen = function.seen_path(path)
    paths = (f"path={seen}", f"path=/{seen.split('/', 2)[2]}")
    deadline = time.time() + timeout
    while time.time() < deadline:
        lines = [line for line in function.log()[before:].splitlines()
                 if any(p in line for p in paths) and "CORS preflight" in line]
        if lines:
            return lines
        time.sleep(0.1)
    return []


def test_the_public_api_is_readable_from_any_page_without_credentials(browser, deployment):
    function, public, _ = deployment
    result, console = call(browser, function, OTHER, public, "public-any")
    assert result["outcome"] == "allowed", (result, console)
    assert handler_of(result) == "public", result


def test_the_public_api_refuses_credentials_because_its_policy_has_none(browser, deployment):
    function, public, _ = deployment
    result, console = call(browser, function, APP, public, "public-credentials", credentials="include")
    assert result["outcome"] == "blocked", (result, console)
    assert any(BLOCKED in line and "'*'" in line for line in console), console


def test_the_user_api_answers_the_app_with_credentials(browser, deployment):
    function, _, api = deployment
    result, console = call(browser, function, APP, api, "api-app", credentials="include")
    assert result["outcome"] == "allowed", (result, console)
    assert handler_of(result) == "api", result


def test_the_user_api_is_closed_to_other_pages(browser, deployment):
    function, _, api = deployment
    result, console = call(browser, function, OTHER, api, "api-other", credentials="include")
    assert result["outcome"] == "blocked", (result, console)
    assert any(BLOCKED in line for line in console), console


def test_a_put_is_preflighted_by_the_policy_of_its_route(browser, deployment):
    function, public, api = deployment
    put = {"method": "PUT", "body": '{"name": "kiwi"}', "headers": {"Content-Type": "application/json"},
           "credentials": "include"}
    before = len(function.log())
    result, console = browser.call(APP, f"{function.base_url}{api}?case=api-put", fetch_init(put), None)
    assert result["outcome"] == "allowed", (result, console)
    assert json.loads(result["body"]) == {"handler": "api", "saved": True}, result
    lines = preflight_lines(function, before, api)
    assert any("CORS preflight allowed" in line for line in lines), function.log()[before:][-3000:]

    before = len(function.log())
    result, console = browser.call(APP, f"{function.base_url}{public}?case=public-put", fetch_init(put), None)
    assert result["outcome"] == "blocked", (result, console)
    lines = preflight_lines(function, before, public)
    rejected = [line for line in lines if "CORS preflight rejected" in line]
    assert rejected, function.log()[before:][-3000:]
    assert 'fix="CORS_PUBLIC_ALLOWED_METHODS"' in rejected[0], rejected[0]


def test_both_policies_are_validated_and_logged_at_cold_start(deployment):
    function, _, _ = deployment
    log = function.log()
    assert "CORS policy PUBLIC: origins *" in log, log[-3000:]
    assert f"CORS policy API: origins {APP}" in log, log[-3000:]
