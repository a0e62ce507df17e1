"""template.yaml: the validators AWS users run, then what API Gateway will really do.

The SAM template is transformed offline with aws-sam-translator (the code CloudFormation
runs for `Transform: AWS::Serverless-2016-10-31`), and the resulting REST API definition is
checked for the two-layer CORS rules no validator knows: preflights reach the function without
the authorizer, the gateway's own error responses carry a correct Access-Control-Allow-Origin,
and one parameter feeds both layers. Each rule is a function returning problems, and each is
also run on a broken copy of the template, so every check is shown able to fail.
"""

import copy
import os
import re
import shlex
import shutil
import subprocess

import pytest

from tools import ROOT, require, require_module

TEMPLATE = os.path.join(ROOT, "template.yaml")
ENV = dict(os.environ, SAM_CLI_TELEMETRY="0", AWS_DEFAULT_REGION="us-east-1")

GATEWAY_RESPONSES = [
    "DEFAULT_4XX",
    "DEFAULT_5XX",
    "UNAUTHORIZED",
    "ACCESS_DENIED",
    "MISSING_AUTHENTICATION_TOKEN",
    "THROTTLED",
]


def run(*command):
    done = subprocess.run(command, cwd=ROOT, env=ENV, capture_output=True, text=True)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def test_cfn_lint_passes():
    run(require("cfn-lint"), TEMPLATE)


def test_sam_validate_lint_passes():
    out = run(require("sam"), "validate", "--lint", "-t", TEMPLATE)
    assert "is a valid SAM Template" in out


def test_sam_validate_with_a_region_passes():
    # Only this one catches key typos inside CorsConfiguration/Cors blocks.
    out = run(require("sam"), "validate", "-t", TEMPLATE)
    assert "is a valid SAM Template" in out


# --- the transformed template ---------------------------------------------------------------


def source():
    yaml_helper = require_module("samtranslator.yaml_helper")
    with open(TEMPLATE) as f:
        return yaml_helper.yaml_parse(f.read())


def transform(template, allowed_origins, credentials="false"):
    """CloudFormation after the SAM transform, for the given AllowedOrigins."""
    require_module("samtranslator")
    from samtranslator.translator.transform import transform as sam_transform

    class NoManagedPolicies:  # the IAM look-up needs AWS; this template uses none
        def load(self):
            return {}

    template = copy.deepcopy(template)
    # The translator wants the packaged form (`sam package` uploads the code to S3).
    template["Resources"]["ItemsFunction"]["Properties"]["CodeUri"] = "s3://bucket/items-api.zip"
    old = os.environ.get("AWS_DEFAULT_REGION")
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    try:
        params = {"AllowedOrigins": allowed_origins, "AllowCredentials": credentials}
        return sam_transform(template, params, NoManagedPolicies())
    finally:
        if old is None:
            del os.environ["AWS_DEFAULT_REGION"]
        else:
            os.environ["AWS_DEFAULT_REGION"] = old


def evaluate(value, template, params):
    """Resolves the intrinsic functions this template uses, as CloudFormation would."""
    if isinstance(value, list):
        return [evaluate(v, template, params) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        return {k: evaluate(v, template, params) for k, v in value.items()}
    (fn, arg), = value.items()
    if fn == "Ref":
        return params[arg] if arg in params else {"Ref": arg}
    if fn == "Fn::Sub":
        return re.sub(r"\$\{([^}]+)\}", lambda m: str(params.get(m.group(1), m.group(0))), arg)
    if fn == "Fn::Join":
        sep, items = arg
        return sep.join(evaluate(items, template, params))
    if fn == "Fn::Split":
        sep, text = arg
        return evaluate(text, template, params).split(sep)
    if fn == "Fn::Equals":
        a, b = evaluate(arg, template, params)
        return a == b
    if fn == "Fn::And":
        return all(evaluate(arg, template, params))
    if fn == "Condition":
        return evaluate(template["Conditions"][arg], template, params)
    if fn == "Fn::If":
        condition, yes, no = arg
        holds = evaluate(template["Conditions"][condition], template, params)
        return evaluate(yes if holds else no, template, params)
    return {fn: evaluate(arg, template, params)}


def rest_api(cfn):
    (api,) = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::ApiGateway::RestApi"]
    return api["Properties"]["Body"]


def options_method(path_item):
    """The method API Gateway runs for OPTIONS on a resource: its own, or ANY."""
    return path_item.get("options") or path_item.get("x-amazon-apigateway-any-method")


def preflight_problems(cfn):
    """Every resource must send OPTIONS to the function, without an authorizer."""
    problems = []
    body = rest_api(cfn)
    for path, item in body["paths"].items():
        method = options_method(item)
        if method is None:
            problems.append(f"{path}: no OPTIONS method; the preflight gets a gateway 403")
            continue
        integration = method.get("x-amazon-apigateway-integration", {})
        if integration.get("type") != "aws_proxy" or "ItemsFunction" not in str(integration):
            problems.append(f"{path}: OPTIONS does not reach the function: {integration}")
        schemes = [name for s in method.get("security", []) for name in s]
        if any(name not in ("NONE", "api_key") for name in schemes):
            problems.append(f"{path}: an authorizer runs on OPTIONS: {schemes}")
        if "api_key" in schemes or method.get("x-amazon-apigateway-api-key-required"):
            problems.append(f"{path}: OPTIONS requires an API key")
    return problems


def authorizer_in_use(cfn):
    schemes = {
        name
        for item in rest_api(cfn)["paths"].values()
        for method in item.values()
        if isinstance(method, dict)
        for s in method.get("security", [])
        for name in s
    }
    return schemes - {"NONE"}


NO_VALUE = {"Ref": "AWS::NoValue"}


def gateway_response_headers(cfn, template, origins, credentials="false"):
    params = {"AllowedOrigins": origins, "AllowCredentials": credentials}
    responses = rest_api(cfn).get("x-amazon-apigateway-gateway-responses", {})
    headers = {}
    for kind, response in responses.items():
        values = {
            name.removeprefix("gatewayresponse.header."): evaluate(v, template, params)
            for name, v in response.get("responseParameters", {}).items()
        }
        headers[kind] = {name: v for name, v in values.items() if v != NO_VALUE}
    return headers


def gateway_response_problems(cfn, template, origins, credentials="false"):
    """What a browser reads on the gateway's own errors: the origin (exact, or `*` for a list
    or a pattern), `Access-Control-Allow-Credentials: true` exactly when credentials are on
    and the origin is exact (never with `*`), and `Vary: Origin`."""
    problems = []
    headers = gateway_response_headers(cfn, template, origins, credentials)
    entries = origins.split(",")
    exact = len(entries) == 1 and "*" not in origins
    expected = f"'{origins}'" if exact else "'*'"
    for kind in GATEWAY_RESPONSES:
        got = headers.get(kind, {})
        acao = got.get("Access-Control-Allow-Origin")
        if acao is None:
            problems.append(f"{kind}: no Access-Control-Allow-Origin")
        elif acao != expected:
            problems.append(f"{kind}: Access-Control-Allow-Origin {acao!r}, expected {expected!r}")
        acac = got.get("Access-Control-Allow-Credentials")
        if credentials == "true" and exact and acac != "'true'":
            problems.append(f"{kind}: credentialed pages cannot read it (Access-Control-Allow-Credentials {acac!r})")
        if acac is not None and not (credentials == "true" and exact):
            problems.append(f"{kind}: Access-Control-Allow-Credentials {acac!r} without credentials on one exact origin")
        if got.get("Vary") != "'Origin'":
            problems.append(f"{kind}: Vary {got.get('Vary')!r}, expected \"'Origin'\"")
    return problems


def function_env(cfn, template, origins, credentials="false"):
    variables = cfn["Resources"]["ItemsFunction"]["Properties"]["Environment"]["Variables"]
    return evaluate(variables, template, {"AllowedOrigins": origins, "AllowCredentials": credentials})


ORIGIN_CASES = [
    "https://app.example.com",
    "https://app.example.com,https://admin.example.com",
    "https://*.example.com",
]


@pytest.mark.parametrize("origins", ORIGIN_CASES)
def test_preflights_reach_the_function_without_the_authorizer(origins):
    cfn = transform(source(), origins)
    assert preflight_problems(cfn) == []
    assert authorizer_in_use(cfn) == {"CognitoAuthorizer"}, "the template must have a real authorizer"


@pytest.mark.parametrize("credentials", ["false", "true"])
@pytest.mark.parametrize("origins", ORIGIN_CASES)
def test_gateway_error_responses_carry_cors_headers(origins, credentials):
    template = source()
    cfn = transform(template, origins, credentials)
    assert gateway_response_problems(cfn, template, origins, credentials) == []
    # One parameter sets both layers.
    assert function_env(cfn, template, origins, credentials)["CORS_ALLOW_CREDENTIALS"] == credentials


def test_credentials_on_the_function_only_are_caught():
    # The first template: credentials on the function, none on the gateway's errors.
    broken = source()
    for response in broken["Resources"]["ItemsApi"]["Properties"]["GatewayResponses"].values():
        del response["ResponseParameters"]["Headers"]["Access-Control-Allow-Credentials"]
    origins = ORIGIN_CASES[0]
    problems = gateway_response_problems(transform(broken, origins, "true"), broken, origins, "true")
    assert "UNAUTHORIZED: credentialed pages cannot read it (Access-Control-Allow-Credentials None)" in problems, problems


@pytest.mark.parametrize("origins", ORIGIN_CASES)
def test_one_parameter_feeds_both_layers(origins):
    template = source()
    cfn = transform(template, origins)
    env = function_env(cfn, template, origins)
    assert env["CORS_ALLOWED_ORIGINS"] == origins
    assert env["AWS_LAMBDA_HTTP_IGNORE_STAGE_IN_PATH"] == "true"
    # The gateway answers nothing itself: no SAM `Cors` (a mock OPTIONS with one static origin).
    for item in rest_api(cfn)["paths"].values():
        for method in item.values():
            if isinstance(method, dict):
                assert method["x-amazon-apigateway-integration"]["type"] == "aws_proxy"


def test_one_stage_and_a_client_to_sign_in_with():
    cfn = transform(source(), ORIGIN_CASES[0])
    # A deployment with a StageName creates a second stage (SAM's `Stage`, without
    # OpenApiVersion): the only stage must be StageName's.
    stages = [r["Properties"].get("StageName") for r in cfn["Resources"].values()
              if r["Type"] in ("AWS::ApiGateway::Stage", "AWS::ApiGateway::Deployment")]
    assert [s for s in stages if s is not None] == [{"Ref": "StageName"}], stages
    clients = [r for r in cfn["Resources"].values() if r["Type"] == "AWS::Cognito::UserPoolClient"]
    assert len(clients) == 1 and "ALLOW_USER_PASSWORD_AUTH" in clients[0]["Properties"]["ExplicitAuthFlows"]


def test_the_function_is_built_as_the_issue_says():
    function = source()["Resources"]["ItemsFunction"]
    assert function["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert function["Metadata"]["BuildProperties"]["Binary"] == "items-api"
    assert function["Properties"]["Runtime"] == "provided.al2023"
    assert function["Properties"]["Architectures"] == ["arm64"]


# --- API Gateway's routing, modelled: which method answers each (path, verb) ----------------

VERBS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# Paths a browser or an attacker can send: the root, the public list, the item routes, deeper
# paths and paths the template never names.
PROBE_PATHS = ["/", "/items", "/items/1", "/items/1/anything", "/error", "/admin", "/a/b/c"]
# The routes the template declares public: everything else must be authorized.
PUBLIC = {("/items", "GET")}


def segment_kind(segment):
    if segment.endswith("+}"):
        return 2  # greedy {proxy+}
    if segment.startswith("{"):
        return 1  # one path parameter
    return 0  # a literal


def matches(resource, path):
    """Whether a resource path (`/items/{id}`, `/{proxy+}`, `/`) matches a request path."""
    want = [s for s in resource.split("/") if s]
    got = [s for s in path.split("/") if s]
    if not want:
        return not got  # the root matches only the root: {proxy+} needs a segment
    for i, segment in enumerate(want):
        kind = segment_kind(segment)
        if kind == 2:
            return len(got) > i  # one or more remaining segments
        if i >= len(got) or (kind == 0 and segment != got[i]):
            return False
    return len(got) == len(want)


def resolve(cfn, path, verb):
    """The (resource, method) API Gateway runs for `verb path`, or None (its own 403).

    The most specific resource first (literal segments before parameters before the greedy
    proxy, from the left); its own method for the verb, else its ANY; a verb the resource
    does not declare falls through to the next, less specific match (the greedy proxy)."""
    paths = rest_api(cfn)["paths"]
    candidates = sorted(
        (resource for resource in paths if matches(resource, path)),
        key=lambda r: [segment_kind(s) for s in r.split("/") if s],
    )
    for resource in candidates:
        item = paths[resource]
        method = item.get(verb.lower()) or item.get("x-amazon-apigateway-any-method")
        if method is not None:
            return resource, method
    return None


def routing_problems(cfn):
    """For every (path, verb) a browser or an attacker can send: preflights reach the
    function with no authorizer and no API key; every other call is authorized, but the
    declared public routes; nothing falls through to the gateway's own 403."""
    problems = []
    for path in PROBE_PATHS:
        for verb in VERBS:
            found = resolve(cfn, path, verb)
            if found is None:
                problems.append(f"{verb} {path}: no method; API Gateway answers 403 itself")
                continue
            resource, method = found
            integration = method.get("x-amazon-apigateway-integration", {})
            if integration.get("type") != "aws_proxy" or "ItemsFunction" not in str(integration):
                problems.append(f"{verb} {path} ({resource}): does not reach the function")
            # SAM writes an API key requirement as the security scheme `api_key`.
            names = {name for s in method.get("security", []) for name in s}
            api_key = "api_key" in names or method.get("x-amazon-apigateway-api-key-required")
            schemes = names - {"NONE", "api_key"}
            if verb == "OPTIONS":
                if schemes:
                    problems.append(f"{verb} {path} ({resource}): an authorizer runs on the preflight: {sorted(schemes)}")
                if api_key:
                    problems.append(f"{verb} {path} ({resource}): the preflight needs an API key")
            elif (path, verb) in PUBLIC:
                if schemes:
                    problems.append(f"{verb} {path} ({resource}): a public route is authorized")
            elif not schemes:
                problems.append(f"{verb} {path} ({resource}): reaches the function unauthenticated")
    return problems


def test_the_routing_model_follows_api_gateway():
    # The model itself, on the rules it encodes.
    assert matches("/", "/") and not matches("/{proxy+}", "/")
    assert matches("/{proxy+}", "/a/b") and matches("/items/{id}", "/items/1")
    assert not matches("/items/{id}", "/items/1/x") and not matches("/items", "/items/1")


def test_authorization_fails_closed_on_every_path_and_verb():
    assert routing_problems(transform(source(), ORIGIN_CASES[0])) == []


# The layout of the first template: a public /{proxy+} ANY, the authorizer only on
# /items/{id}, and no route for the root.
FAIL_OPEN_EVENTS = {
    "Public": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "ItemsApi"}, "Path": "/{proxy+}",
                                             "Method": "ANY", "Auth": {"Authorizer": "NONE"}}},
    "ItemWrites": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "ItemsApi"}, "Path": "/items/{id}",
                                                 "Method": "ANY"}},
    "ItemWritesPreflight": {"Type": "Api", "Properties": {"RestApiId": {"Ref": "ItemsApi"}, "Path": "/items/{id}",
                                                          "Method": "OPTIONS", "Auth": {"Authorizer": "NONE"}}},
}


def test_the_fail_open_layout_is_caught():
    broken = source()
    broken["Resources"]["ItemsFunction"]["Properties"]["Events"] = copy.deepcopy(FAIL_OPEN_EVENTS)
    problems = routing_problems(transform(broken, ORIGIN_CASES[0]))
    assert "POST /items (/{proxy+}): reaches the function unauthenticated" in problems, problems
    assert "GET /items/1/anything (/{proxy+}): reaches the function unauthenticated" in problems
    assert "OPTIONS /: no method; API Gateway answers 403 itself" in problems
    # The writes the old template did protect stay protected.
    assert not [p for p in problems if p.startswith(("PUT /items/1 ", "DELETE /items/1 "))], problems


def test_a_public_route_added_without_its_own_authorization_is_caught():
    # A user adds GET /admin with Authorizer NONE copied from the public route.
    broken = source()
    events = broken["Resources"]["ItemsFunction"]["Properties"]["Events"]
    events["Admin"] = copy.deepcopy(events["ListItems"])
    events["Admin"]["Properties"]["Path"] = "/admin"
    problems = routing_problems(transform(broken, ORIGIN_CASES[0]))
    assert "GET /admin (/admin): reaches the function unauthenticated" in problems, problems


def test_an_api_key_on_preflights_is_caught():
    broken = source()
    # API keys on the API, turned off for two preflights of three, as the template's comment
    # says: the third still asks browsers for a key they never send.
    broken["Resources"]["ItemsApi"]["Properties"]["Auth"]["ApiKeyRequired"] = True
    events = broken["Resources"]["ItemsFunction"]["Properties"]["Events"]
    for name in ["RootPreflight", "ListItemsPreflight"]:
        events[name]["Properties"]["Auth"]["ApiKeyRequired"] = False
    problems = routing_problems(transform(broken, ORIGIN_CASES[0]))
    assert "OPTIONS /items/1 (/{proxy+}): the preflight needs an API key" in problems, problems
    assert not [p for p in problems if p.startswith("OPTIONS /items ")], problems


# --- every check above can fail: the mistakes users make, applied to a copy -----------------


def test_an_authorizer_on_options_is_caught():
    broken = source()
    del broken["Resources"]["ItemsFunction"]["Properties"]["Events"]["ProxyPreflight"]["Properties"]["Auth"]
    problems = preflight_problems(transform(broken, ORIGIN_CASES[0]))
    assert problems == ["/{proxy+}: an authorizer runs on OPTIONS: ['CognitoAuthorizer']"]


def test_a_resource_without_its_own_options_is_caught():
    broken = source()
    del broken["Resources"]["ItemsFunction"]["Properties"]["Events"]["ListItemsPreflight"]
    problems = preflight_problems(transform(broken, ORIGIN_CASES[0]))
    assert problems == ["/items: no OPTIONS method; the preflight gets a gateway 403"]


def test_a_gateway_response_without_cors_headers_is_caught():
    broken = source()
    del broken["Resources"]["ItemsApi"]["Properties"]["GatewayResponses"]["THROTTLED"]
    problems = gateway_response_problems(transform(broken, ORIGIN_CASES[0]), broken, ORIGIN_CASES[0])
    assert problems == ["THROTTLED: no Access-Control-Allow-Origin", "THROTTLED: Vary None, expected \"'Origin'\""]


def test_an_unquoted_or_listed_gateway_origin_is_caught():
    broken = source()
    responses = broken["Resources"]["ItemsApi"]["Properties"]["GatewayResponses"]
    headers = responses["UNAUTHORIZED"]["ResponseParameters"]["Headers"]
    headers["Access-Control-Allow-Origin"] = {"Ref": "AllowedOrigins"}  # unquoted: a mapping
    origins = ORIGIN_CASES[1]
    problems = gateway_response_problems(transform(broken, origins), broken, origins)
    assert problems == [f"UNAUTHORIZED: Access-Control-Allow-Origin {origins!r}, expected \"'*'\""]


# --- the deploy commands of the README, run as written --------------------------------------


def readme_deploy_commands():
    """The commands of the README's `template.yaml` deploy block, comments dropped."""
    with open(os.path.join(ROOT, "README.md")) as f:
        readme = f.read()
    section = readme[readme.index("### Deploying behind API Gateway"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line.split("#", 1)[0]) for line in block.splitlines() if line.split("#", 1)[0].strip()]


def test_the_readme_deploy_commands_build_the_arm64_function():
    commands = readme_deploy_commands()
    assert [c[:2] for c in commands] == [["pip", "install"], ["sam", "build"], ["sam", "deploy"]], commands
    # The full cargo-lambda (with Zig, which cross-compiles for arm64), not `--no-deps`.
    assert commands[0][2].startswith("cargo-lambda") and "--no-deps" not in commands[0], commands[0]
    require_module("ziglang", "pip install cargo-lambda==1.9.2")
    require("cargo-lambda")
    build_dir = os.path.join(ROOT, ".aws-sam", "build")
    shutil.rmtree(build_dir, ignore_errors=True)
    run(require("sam"), *commands[1][1:])  # `sam build` as written, in the repository's root
    bootstrap = os.path.join(build_dir, "ItemsFunction", "bootstrap")
    with open(bootstrap, "rb") as f:
        binary = f.read()
    # An ELF executable for AArch64 (e_machine 183), as `Architectures: [arm64]` needs.
    assert binary[:4] == b"\x7fELF" and int.from_bytes(binary[18:20], "little") == 183
    assert os.access(bootstrap, os.X_OK)
    # The example with the library inside: the core's variable names are in the binary.
    assert b"CORS_ALLOWED_ORIGINS" in binary and b"CORS_ALLOW_CREDENTIALS" in binary
    yaml_helper = require_module("samtranslator.yaml_helper")
    with open(os.path.join(build_dir, "template.yaml")) as f:
        built = yaml_helper.yaml_parse(f.read())
    assert built["Resources"]["ItemsFunction"]["Properties"]["CodeUri"] == "ItemsFunction"
    # `sam deploy` cannot run offline: its parameter overrides must be the template's.
    overrides = commands[2][commands[2].index("--parameter-overrides") + 1:]
    names = {o.split("=", 1)[0] for o in overrides if "=" in o}
    assert names and names <= set(source()["Parameters"]), (names, sorted(source()["Parameters"]))
