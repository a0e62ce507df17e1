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


def transform(template, allowed_origins):
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
        return sam_transform(template, {"AllowedOrigins": allowed_origins}, NoManagedPolicies())
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
        if any(name != "NONE" for name in schemes):
            problems.append(f"{path}: an authorizer runs on OPTIONS: {schemes}")
        if method.get("x-amazon-apigateway-api-key-required"):
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


def gateway_response_headers(cfn, template, origins):
    responses = rest_api(cfn).get("x-amazon-apigateway-gateway-responses", {})
    return {
        kind: {
            name.removeprefix("gatewayresponse.header."): evaluate(v, template, {"AllowedOrigins": origins})
            for name, v in response.get("responseParameters", {}).items()
        }
        for kind, response in responses.items()
    }


def gateway_response_problems(cfn, template, origins):
    problems = []
    headers = gateway_response_headers(cfn, template, origins)
    entries = origins.split(",")
    exact = len(entries) == 1 and "*" not in origins
    expected = f"'{origins}'" if exact else "'*'"
    for kind in GATEWAY_RESPONSES:
        acao = headers.get(kind, {}).get("Access-Control-Allow-Origin")
        if acao is None:
            problems.append(f"{kind}: no Access-Control-Allow-Origin")
        elif acao != expected:
            problems.append(f"{kind}: Access-Control-Allow-Origin {acao!r}, expected {expected!r}")
        if "Access-Control-Allow-Credentials" in headers.get(kind, {}):
            problems.append(f"{kind}: Access-Control-Allow-Credentials on an unchecked origin")
    return problems


def function_env(cfn, template, origins):
    variables = cfn["Resources"]["ItemsFunction"]["Properties"]["Environment"]["Variables"]
    return evaluate(variables, template, {"AllowedOrigins": origins})


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


@pytest.mark.parametrize("origins", ORIGIN_CASES)
def test_gateway_error_responses_carry_cors_headers(origins):
    template = source()
    cfn = transform(template, origins)
    assert gateway_response_problems(cfn, template, origins) == []


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


def test_the_function_is_built_as_the_issue_says():
    function = source()["Resources"]["ItemsFunction"]
    assert function["Metadata"]["BuildMethod"] == "rust-cargolambda"
    assert function["Metadata"]["BuildProperties"]["Binary"] == "items-api"
    assert function["Properties"]["Runtime"] == "provided.al2023"
    assert function["Properties"]["Architectures"] == ["arm64"]


# --- every check above can fail: the mistakes users make, applied to a copy -----------------


def test_an_authorizer_on_options_is_caught():
    broken = source()
    del broken["Resources"]["ItemsFunction"]["Properties"]["Events"]["ItemWritesPreflight"]["Properties"]["Auth"]
    problems = preflight_problems(transform(broken, ORIGIN_CASES[0]))
    assert problems == ["/items/{id}: an authorizer runs on OPTIONS: ['CognitoAuthorizer']"]


def test_a_resource_without_its_own_options_is_caught():
    broken = source()
    del broken["Resources"]["ItemsFunction"]["Properties"]["Events"]["ItemWritesPreflight"]
    problems = preflight_problems(transform(broken, ORIGIN_CASES[0]))
    assert problems == ["/items/{id}: an authorizer runs on OPTIONS: ['CognitoAuthorizer']"]


def test_a_gateway_response_without_cors_headers_is_caught():
    broken = source()
    del broken["Resources"]["ItemsApi"]["Properties"]["GatewayResponses"]["THROTTLED"]
    problems = gateway_response_problems(transform(broken, ORIGIN_CASES[0]), broken, ORIGIN_CASES[0])
    assert problems == ["THROTTLED: no Access-Control-Allow-Origin"]


def test_an_unquoted_or_listed_gateway_origin_is_caught():
    broken = source()
    responses = broken["Resources"]["ItemsApi"]["Properties"]["GatewayResponses"]
    headers = responses["UNAUTHORIZED"]["ResponseParameters"]["Headers"]
    headers["Access-Control-Allow-Origin"] = {"Ref": "AllowedOrigins"}  # unquoted: a mapping
    origins = ORIGIN_CASES[1]
    problems = gateway_response_problems(transform(broken, origins), broken, origins)
    assert problems == [f"UNAUTHORIZED: Access-Control-Allow-Origin {origins!r}, expected \"'*'\""]
