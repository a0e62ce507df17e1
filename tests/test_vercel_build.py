"""examples/vercel built by Vercel's own CLI (`vercel build`, tests/vercel.py): what the
output would deploy, the routes it declares, and its functions run the way Vercel runs
them. The browser matrix (test_browser.py) and `preflight check` (test_cli.py) run against
this same output."""

import http.client
import json
import os
import shutil

import pytest

from vercel import EXAMPLE, Router, VercelFunction, build, functions, output_problems

PUBLIC = os.path.join(EXAMPLE, "public")
ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
def output():
    return build()


def test_the_output_publishes_only_public_and_holds_every_executable(output):
    assert output_problems(output, PUBLIC) == []
    # The three functions of api/, and public/ as the only static files.
    assert sorted(functions(output)) == ["/api/axum", "/api/catalogue", "/api/error", "/api/items", "/api/items/[id]", "/api/me", "/api/tenants"]
    assert sorted(os.listdir(os.path.join(output, "static"))) == sorted(os.listdir(PUBLIC))


def test_the_output_check_catches_what_vercel_build_did_before_public_and_standalone(output, tmp_path):
    """The layout `vercel build` gives without public/ and without --standalone: the source
    published, the executable left in the workspace's target/."""
    bad = tmp_path / "output"
    shutil.copytree(output, bad)
    (bad / "static" / "src").mkdir()
    (bad / "static" / "src" / "lib.rs").write_text("// source")
    (bad / "static" / ".env.local").write_text("SECRET=1")
    folder = bad / "functions" / "api" / "items.func"
    (folder / "executable").unlink()
    config = json.loads((folder / ".vc-config.json").read_text())
    config["filePathMap"] = {"executable": "../../target/release/items"}
    config["environment"] = {"DATABASE_URL": "postgres://"}
    (folder / ".vc-config.json").write_text(json.dumps(config))
    problems = output_problems(str(bad), PUBLIC)
    assert any("static/src/lib.rs is published" in p for p in problems), problems
    assert any("static/.env.local is published" in p for p in problems), problems
    assert any("/api/items: executable is a path outside the output" in p for p in problems), problems
    assert any("/api/items: the handler 'executable' is not inside" in p for p in problems), problems
    assert any("/api/items: an environment baked into the function: ['DATABASE_URL']" in p for p in problems)


def test_the_routes_the_output_declares(output):
    with open(os.path.join(output, "config.json")) as f:
        routes = json.load(f)["routes"]
    # Vercel routes a dynamic segment by a rewrite to the file's own name plus a query.
    assert {"src": "^/api/items/([^/]+)$", "dest": "/api/items/[id]?id=$1", "check": True} in routes
    router = Router(output)
    assert router.resolve("/api/items") == (200, "/api/items", "")
    assert router.resolve("/api/items/7", "case=3") == (200, "/api/items/[id]", "id=7&case=3")
    assert router.resolve("/api/error") == (200, "/api/error", "")
    # vercel.json's rewrite of the axum function: the path travels in the query.
    assert router.resolve("/axum/items/42", "case=3") == (200, "/api/axum", "path=items/42&case=3")
    assert router.resolve("/axum/stream/events") == (200, "/api/axum", "path=stream/events")
    assert router.resolve("/robots.txt") == (200, "/robots.txt", "")
    assert router.resolve("/api/nothing/here")[0] == 404
    assert router.resolve("/Cargo.toml")[0] == 404
    assert router.resolve("/src/lib.rs")[0] == 404


def test_the_router_refuses_a_route_feature_it_does_not_model(output, tmp_path):
    bad = tmp_path / "output"
    shutil.copytree(output, bad)
    config = json.loads((bad / "config.json").read_text())
    config["routes"].insert(0, {"src": "^/(.*)$", "headers": {"Access-Control-Allow-Origin": "*"}, "continue": True})
    (bad / "config.json").write_text(json.dumps(config))
    with pytest.raises(AssertionError, match="unmodelled route keys"):
        Router(str(bad))


def call(function, method, path, headers, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", function.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, [(k.lower(), v) for k, v in answer.getheaders()], answer.read()
    finally:
        connection.close()


def test_the_built_functions_answer_through_vercel_routes_and_ipc(output):
    function = VercelFunction({"CORS_ALLOWED_ORIGINS": ORIGIN, "CORS_ALLOWED_HEADERS": "Authorization,Content-Type"})
    try:
        before = len(function.log())
        status, lines, _ = call(function, "OPTIONS", "/api/items/7?case=ipc", {
            "Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        })
        assert status == 204, lines
        assert ("access-control-allow-origin", ORIGIN) in lines, lines
        # The function's runtime reported the end of exactly this invocation over IPC.
        assert function.ended(function.last_invocation), function.messages
        log = function.log()[before:]
        assert "CORS preflight allowed" in log and "path=/api/items/[id]" in log, log
        # The rewritten request still reaches item 7 (the example reads [id] from ?id=).
        status, lines, body = call(function, "PUT", "/api/items/7", {
            "Origin": ORIGIN, "Authorization": "Bearer t", "Content-Type": "application/json",
        }, b'{"name":"plum"}')
        assert status == 200 and json.loads(body)["id"] == "7", (status, body)
        assert ("access-control-allow-origin", ORIGIN) in lines, lines
        assert function.ended(function.last_invocation), function.messages
        # What is not a route is Vercel's 404, never a function.
        before = len(function.log())
        status, lines, _ = call(function, "OPTIONS", "/api/nothing/here", {
            "Origin": ORIGIN, "Access-Control-Request-Method": "PUT",
        })
        assert status == 404 and not [n for n, _ in lines if n.startswith("access-control-")], lines
        assert "CORS preflight" not in function.log()[before:]
    finally:
        function.close()
