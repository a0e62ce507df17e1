"""Origins decided by a function, in headless Chromium under `cargo lambda watch`:
examples/lambda's `items-tenants` builds its policy with `Settings::build_with`, a function
over a tenant table (the `TENANT_HOSTS` variable here), and `CORS_ALLOWED_ORIGINS` for the
app's own origin. A tenant's page and the listed page may make a preflighted PUT; any other
origin is blocked. The function's log shows each preflight it answered, with the origin."""

import time

import pytest

from browser import LambdaTenantsFunction, PageServer, fetch_init

PAGE = PageServer()
LISTED = f"http://app.test:{PAGE.port}"
TENANT = f"http://acme.test:{PAGE.port}"
OTHER = f"http://evil.test:{PAGE.port}"
CALL = {"method": "PUT", "path": "/items/42", "body": '{"name": "kiwi"}',
        "headers": {"Authorization": "Bearer t", "Content-Type": "application/json"}}


@pytest.fixture(scope="module")
def function():
    function = LambdaTenantsFunction({"CORS_ALLOWED_ORIGINS": LISTED, "TENANT_HOSTS": "acme.test,globex.test"})
    yield function
    function.close()


def preflight_verdict(function, before, origin):
    deadline = time.time() + 5
    while time.time() < deadline:
        for line in function.log()[before:].splitlines():
            if "path=/items/42" in line and origin in line:
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
    url = f"{function.base_url}{CALL['path']}?case={expect}"
    result, console = browser.call(origin, url, fetch_init(CALL), None)
    assert result.get("outcome") == expect, (result, console)
    if expect == "allowed":
        assert result["status"] == 200, result
    else:
        assert any("has been blocked by CORS policy" in line for line in console), console
    verdict = preflight_verdict(function, before, origin)
    assert verdict == ("allowed" if expect == "allowed" else "rejected"), function.log()[before:][-2000:]
