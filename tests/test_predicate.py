"""Origins decided by a function, in headless Chromium on every platform: the policy is built
in code with `Settings::build_with`, a function over a tenant table (the `TENANT_HOSTS`
variable or binding here), and `CORS_ALLOWED_ORIGINS` for the app's own origin.

- Lambda: examples/lambda's `items-tenants` under `cargo lambda watch` (`Policy::cached` in
  `main`, served by `#[cors]`), the items API's `PUT /items/42`.
- Vercel: examples/vercel's `api/tenants.rs` as Vercel runs the built output (the same way).
- Workers: examples/worker-axum's `/tenants/items/42` under `wrangler dev`
  (`preflight_worker::settings(&env).build_with(..)`, given to `CorsLayer::with_policy`).

A tenant's page and the listed page may make a preflighted PUT; any other origin is blocked.
The function's log shows each preflight it answered, with the origin; the answer the page
reads is the handler's."""

import json
import time

import pytest

from browser import LambdaTenantsFunction, PageServer, WorkerAxumFunction, fetch_init
from vercel import VercelFunction

PAGE = PageServer()
LISTED = f"http://app.test:{PAGE.port}"
TENANT = f"http://acme.test:{PAGE.port}"
OTHER = f"http://evil.test:{PAGE.port}"
CALL = {"method": "PUT", "body": '{"name": "kiwi"}',
        "headers": {"Authorization": "Bearer t", "Content-Type": "application/json"}}
# The path of the tenants' API on each platform, and how its handler's answer looks.
PLATFORMS = {
    "lambda": (LambdaTenantsFunction, "/items/42", lambda body: json.loads(body) == {"id": "42", "item": {"name": "kiwi"}}),
    "vercel": (VercelFunction, "/api/tenants", lambda body: json.loads(body) == {"handler": "tenants"}),
    "worker": (WorkerAxumFunction, "/tenants/items/42", lambda body: json.loads(body) == {"handler": "tenants"}),
}


@pytest.fixture(scope="module", params=PLATFORMS)
def function(request):
    kind, path, handled = PLATFORMS[request.param]
    function = kind({"CORS_ALLOWED_ORIGINS": LISTED, "TENANT_HOSTS": "acme.test,globex.test"})
    function.tenants_path, function.handled = path, handled
    yield function
    function.close()


def preflight_verdict(function, before, origin):
    deadline = time.time() + 10
    while time.time() < deadline:
        for line in function.log()[before:].splitlines():
            if f"path={function.tenants_path}" in line and origin in line:
                if "CORS preflight allowed" in line:
                    return "allowed"
                if "CORS preflight rejected" in line:
                    return "rejected"
        time.sleep(0.1)
    return "none"


@pytest.mark.parametrize("origin, expect", [(TENANT, "allowed"), (LISTED, "allowed"), (OTHER, "blocked")],
                         ids=["a tenant's page", "the listed page", "another page"])
def test_the_function_decides_the_origins_the_list_does_not_name(browser, function, origin, expect):
    before = len(function.log())
    url = f"{function.base_url}{function.tenants_path}?case={expect}"
    result, console = browser.call(origin, url, fetch_init(CALL), None)
    assert result.get("outcome") == expect, (result, console)
    if expect == "allowed":
        assert result["status"] == 200, result
        assert function.handled(result["body"]), result
    else:
        assert any("has been blocked by CORS policy" in line for line in console), console
    verdict = preflight_verdict(function, before, origin)
    assert verdict == ("allowed" if expect == "allowed" else "rejected"), function.log()[before:][-2000:]
