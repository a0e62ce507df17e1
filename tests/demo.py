"""`cargo xtask demo`: starts the Lambda example under `cargo lambda watch --disable-cors`,
makes typical cross-origin calls from a real headless Chromium, and prints what the browser
concluded next to what the function logged. With a terminal attached, the example keeps
running afterwards so you can call it yourself.

Set CORS_ALLOWED_ORIGINS (and any CORS_* variable) to try your own policy:
    CORS_ALLOWED_ORIGINS='https://app.example.com/,null' cargo xtask demo
"""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from browser import Browser, LambdaFunction, PageServer, fetch_init  # noqa: E402

CALLS = [
    ("GET /items", "GET", "/items", {}, None),
    ("PUT /items/1 with JSON and a token", "PUT", "/items/1",
     {"Content-Type": "application/json", "Authorization": "Bearer demo"}, '{"name":"plum"}'),
    ("PUT /items/1 without a token", "PUT", "/items/1", {"Content-Type": "application/json"}, "{}"),
    ("DELETE /items/1", "DELETE", "/items/1", {}, None),
    ("GET /error (the handler fails)", "GET", "/error", {}, None),
    ("GET /items with X-Debug (not allowed)", "GET", "/items", {"X-Debug": "1"}, None),
]


def main():
    page = PageServer()
    origin = f"http://app.test:{page.port}"
    env = {k: v for k, v in os.environ.items() if k.startswith("CORS_")}
    env.setdefault("CORS_ALLOWED_ORIGINS", origin)
    print(f"policy: {env}")
    print("starting examples/lambda: cargo lambda watch --disable-cors (the first build takes a few minutes)")
    function = LambdaFunction(env)
    browser = Browser()
    print(f"function: {function.base_url}   page origin: {origin}   Chromium {browser.version}\n")
    lines = function.log().splitlines()
    report = [i for i, line in enumerate(lines) if "invalid CORS configuration" in line]
    invalid = bool(report)
    if invalid:
        start = report[0]
        print("The function refuses to serve this configuration; its log says:")
        print(re.sub(r"^.*?preflight::\w+: ", "  ", lines[start]))
        for line in lines[start + 1 :]:
            if not line.startswith("  - "):
                break
            print("  " + line)
        print("\nEvery request now gets a 500 without CORS headers, so the browser blocks everything:\n")
    try:
        for i, (title, method, path, headers, body) in enumerate(CALLS, start=1):
            case = {"method": method, "headers": headers, "body": body}
            url = f"{function.base_url}{path}?call={i}"
            before = len(function.log())  # calls run one after another: what follows is this call's
            result, console = browser.call(origin, url, fetch_init(case), "X-Request-Id")
            time.sleep(0.2)
            if result["outcome"] == "allowed":
                verdict = f"allowed: script reads {result['status']}, X-Request-Id {result['header']}"
            else:
                reason = next((c.split("CORS policy: ", 1)[-1] for c in console if "CORS policy" in c), "")
                verdict = f"BLOCKED: {reason[:150]}"
            request_id = result.get("header")
            # The core's log lines never show the query (it may carry secrets), so this call's
            # lines are the ones written since it started.
            logged = [
                re.sub(r"^.*?preflight::\w+: ", "", line)[:200]
                for line in function.log()[before:].splitlines()
                if "preflight::" in line
            ]
            print(f"{i}. {title}\n   browser:  {verdict}")
            if invalid:
                logged = ["500 without CORS headers (invalid configuration)"]
            for line in logged or ["(no preflight: a simple request goes straight to the handler)"]:
                print(f"   function: {line}")
            print()
        if sys.stdin.isatty():
            print(f"The example keeps running: curl -i {function.base_url}/items -H 'Origin: {origin}'")
            print("Ctrl-C stops it.")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        browser.close()
        function.close()
        page.close()


if __name__ == "__main__":
    main()
