//! AWS SAM / CloudFormation templates: the two layers (API Gateway and the function) must
//! not both do CORS, the gateway must let preflights through to the function without an
//! authorizer, and the responses the gateway writes itself must carry CORS headers that
//! agree with the function's list. Plain CloudFormation resources (CDK's output, the SAM
//! transform's) are read into the same model by `cloudformation.rs`, so one set of rules
//! judges both.

use std::collections::BTreeMap;

use super::cloudformation;
use super::yaml::{self, Node};
use super::{Level, Report};

/// A function URL's own `Cors` (`what`: where it is set) in front of the library.
pub(super) fn function_url_cors(
    report: &mut Report<'_>,
    cors: &Node,
    function: &Function<'_>,
    what: &str,
) {
    if function.uses_library() {
        report.add(
            cors.line,
            Level::Error,
            "two-cors-layers",
            format!("function {}: the function URL's `Cors` ({what}) and the preflight library both do CORS: Lambda answers preflights itself and adds its headers to the function's, so browsers see the policy of one and duplicated headers", function.name),
            &format!("remove {what} and let the function's CORS_* variables decide"),
        );
    }
}

/// How the template declares a REST API's routes, for the wording of fixes.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    /// SAM events.
    #[default]
    Sam,
    /// `serverless.yml`'s `http` events, gateway responses under `resources`.
    Serverless,
    /// `AWS::ApiGateway::Resource` and `AWS::ApiGateway::Method` resources (CDK, by hand).
    Methods,
    /// An OpenAPI `Body` on `AWS::ApiGateway::RestApi` (the SAM transform's output).
    OpenApi,
}

/// The fixes of the routing findings, in the template's own terms.
struct Fixes {
    auth: &'static str,
    api_key: &'static str,
    /// `{}` is the path.
    no_options: &'static str,
    fail_open: &'static str,
}

fn fixes(dialect: Dialect) -> Fixes {
    match dialect {
        Dialect::Sam => Fixes {
            auth: "give the OPTIONS route `Auth: {Authorizer: NONE}` (an explicit `Method: OPTIONS` event on the same Path, which API Gateway prefers over ANY)",
            api_key: "give the OPTIONS event `Auth: {ApiKeyRequired: false}` (and allow X-Api-Key in CORS_ALLOWED_HEADERS for the actual calls)",
            no_options: "add an event with Path: {}, Method: OPTIONS, Auth: {Authorizer: NONE}",
            fail_open: "put the authorizer on the proxy (and the root), and open only OPTIONS and the public routes, each with its own event and `Auth: {Authorizer: NONE}`",
        },
        Dialect::Methods => Fixes {
            auth: "give the resource its own OPTIONS method (HttpMethod: OPTIONS, which API Gateway prefers over ANY) with AuthorizationType: NONE, integrated with the function",
            api_key: "set ApiKeyRequired: false on the OPTIONS method (and allow X-Api-Key in CORS_ALLOWED_HEADERS for the actual calls)",
            no_options: "add an AWS::ApiGateway::Method with HttpMethod: OPTIONS and AuthorizationType: NONE on the resource {}, integrated with the function",
            fail_open: "put the authorizer on the proxy's methods (and the root's), and open only OPTIONS and the public routes, each with its own method and AuthorizationType: NONE",
        },
        Dialect::Serverless => Fixes {
            auth: "give the path its own `http` event with method: options (which API Gateway prefers over any) and no `authorizer`",
            api_key: "set `private: false` on the OPTIONS event (and allow X-Api-Key in CORS_ALLOWED_HEADERS for the actual calls)",
            no_options: "add an `http` event with path: {}, method: options and no `authorizer`",
            fail_open: "put the authorizer on the proxy (and the root), and open only OPTIONS and the public routes, each with its own `http` event without `authorizer`",
        },
        Dialect::OpenApi => Fixes {
            auth: "give the path its own `options` operation (which API Gateway prefers over x-amazon-apigateway-any-method) with `security: []`, integrated with the function",
            api_key: "leave the API key scheme out of the `options` operation's `security` (and allow X-Api-Key in CORS_ALLOWED_HEADERS for the actual calls)",
            no_options: "add an `options` operation with `security: []` under the path {}, integrated with the function",
            fail_open: "put the authorizer on the proxy's operations (and the root's), and open only OPTIONS and the public routes, each with its own operation and `security: []`",
        },
    }
}

/// One `Type: Api` or `Type: HttpApi` event of a function.
pub(super) struct Event<'n> {
    pub(super) node: &'n Node,
    pub(super) api: String,
    pub(super) path: String,
    pub(super) method: String,
    /// `Some("NONE")`, `Some(name)`, or `None` (the API's default applies).
    pub(super) authorizer: Option<String>,
    /// `Auth.ApiKeyRequired` of the event, when set.
    pub(super) api_key: Option<bool>,
}

/// One response API Gateway writes itself (`DEFAULT_4XX`, `UNAUTHORIZED`, ...).
pub(super) struct GatewayResponse<'n> {
    /// The response type; empty when the template does not say it literally.
    pub(super) kind: String,
    pub(super) node: &'n Node,
    /// Its `Access-Control-Allow-Origin` value.
    pub(super) origin: Option<&'n Node>,
}

/// What the template says about one API.
#[derive(Default)]
pub(super) struct Api<'n> {
    pub(super) node: Option<&'n Node>,
    pub(super) dialect: Dialect,
    pub(super) http_api: bool,
    pub(super) default_authorizer: Option<String>,
    /// The gateway's own CORS: SAM `Cors`, `CorsConfiguration`, or an `OPTIONS` method with a
    /// mock integration that sends Access-Control-Allow-Origin.
    pub(super) cors: Option<&'n Node>,
    /// The Access-Control-Allow-Origin values of the gateway's own preflight answers.
    pub(super) cors_origins: Vec<&'n Node>,
    pub(super) gateway_responses: Vec<GatewayResponse<'n>>,
    /// Where a missing `DEFAULT_4XX`/`5XX` is reported (else the API's line).
    pub(super) responses_line: Option<usize>,
    /// Responses may exist that the template does not show (`BodyS3Location`, an unresolved
    /// `RestApiId`): no finding for a missing one.
    pub(super) responses_unknown: bool,
    /// Routes may exist that the template does not show, or a route's path, verb or
    /// authorization is not literal: the routing is not modelled.
    pub(super) routes_unknown: bool,
    pub(super) add_authorizer_to_preflight: Option<bool>,
    /// `Auth.ApiKeyRequired` of the API: every method needs a key unless its event says no.
    pub(super) api_key_required: bool,
}

/// A value of a header or setting, as far as the template says without deploying.
#[derive(Debug)]
enum Leaf<'n> {
    Literal(&'n str),
    Ref(&'n str),
    Sub(&'n str, bool),
    Other,
}

/// The possible values of `node` (both branches of `!If`); `guarded` when under an `!If`.
fn leaves<'n>(node: &'n Node, guarded: bool, out: &mut Vec<(usize, Leaf<'n>)>) {
    match node.tag.as_deref() {
        Some("If") => {
            for branch in node.items().iter().skip(1) {
                leaves(branch, true, out);
            }
        }
        Some("Sub") => match node.text_any() {
            Some(s) => out.push((node.line, Leaf::Sub(s, guarded))),
            None => out.push((node.line, Leaf::Other)),
        },
        Some("Ref") => out.push((node.line, Leaf::Ref(node.text_any().unwrap_or("")))),
        Some(_) => out.push((node.line, Leaf::Other)),
        None => {
            if let Some(branches) = node.get("Fn::If") {
                for branch in branches.items().iter().skip(1) {
                    leaves(branch, true, out);
                }
            } else if let Some(name) = node.reference() {
                out.push((node.line, Leaf::Ref(name)));
            } else if let Some(s) = node.get("Fn::Sub").and_then(Node::text) {
                out.push((node.line, Leaf::Sub(s, guarded)));
            } else if let Some(s) = node.text() {
                out.push((node.line, Leaf::Literal(s)));
            } else {
                out.push((node.line, Leaf::Other));
            }
        }
    }
}

/// A function (SAM or `AWS::Lambda::Function`) and its `CORS_*` variables.
pub(super) struct Function<'n> {
    pub(super) name: &'n str,
    node: &'n Node,
    vars: Vec<(&'n str, &'n Node)>,
}

impl Function<'_> {
    pub(super) fn uses_library(&self) -> bool {
        !self.vars.is_empty()
    }
    fn origins(&self) -> Option<&Node> {
        self.vars
            .iter()
            .find(|(k, _)| *k == preflight::vars::ALLOWED_ORIGINS)
            .map(|(_, v)| *v)
    }
}

/// An API's settings: its own properties, else the template's `Globals.Api` (REST APIs) or
/// `Globals.HttpApi` (HTTP APIs), which `globals` is.
fn api_from<'n>(props: Option<&'n Node>, globals: Option<&'n Node>, http: bool) -> Api<'n> {
    let pick = |path: &[&str]| {
        props
            .and_then(|p| p.at(path))
            .or_else(|| globals.and_then(|g| g.at(path)))
    };
    let cors = pick(&[if http { "CorsConfiguration" } else { "Cors" }]);
    let responses = pick(&["GatewayResponses"]);
    Api {
        http_api: http,
        default_authorizer: text_of(pick(&["Auth", "DefaultAuthorizer"])).map(str::to_owned),
        cors,
        cors_origins: cors
            .filter(|_| !http)
            .and_then(|c| c.get("AllowOrigin").or(c.text().map(|_| c)))
            .into_iter()
            .collect(),
        gateway_responses: responses
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .map(|(kind, response)| {
                cloudformation::gateway_response_at(
                    Some(kind),
                    response,
                    Some(response),
                    &[
                        "ResponseParameters",
                        "Headers",
                        "Access-Control-Allow-Origin",
                    ],
                )
            })
            .collect(),
        responses_line: responses.map(|r| r.line),
        add_authorizer_to_preflight: text_of(pick(&[
            "Auth",
            "AddDefaultAuthorizerToCorsPreflight",
        ]))
        .map(|v| v.eq_ignore_ascii_case("true")),
        api_key_required: text_of(pick(&["Auth", "ApiKeyRequired"]))
            .is_some_and(|v| v.eq_ignore_ascii_case("true")),
        ..Api::default()
    }
}

fn text_of(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::text)
}

/// The functions' literal `CORS_ALLOWED_ORIGINS` lists as policies: the core decides which
/// origins they allow (case and default ports normalized).
pub(super) fn policies(origins: &[&Node]) -> Vec<preflight::Policy> {
    origins
        .iter()
        .filter_map(|n| n.text())
        .filter_map(|t| {
            // The variable's text, read as the function reads it (a comma-separated list).
            let settings = preflight::Settings {
                allowed_origins: Some(t.to_string()),
                ..Default::default()
            };
            settings.build().ok()
        })
        .collect()
}

/// The YAML document, or `None` with an `unreadable` finding naming `tool`, which refuses it
/// too.
pub(super) fn parse_or_report(text: &str, report: &mut Report<'_>, tool: &str) -> Option<Node> {
    match yaml::parse(text) {
        Ok(doc) => Some(doc),
        Err(e) => {
            report.add(
                1,
                Level::Error,
                "unreadable",
                format!("not valid YAML: {e}"),
                &format!("fix the syntax ({tool} refuses it too)"),
            );
            None
        }
    }
}

/// Checks one YAML template, SAM or plain CloudFormation.
pub fn lint(text: &str, report: &mut Report<'_>) {
    let tool = if text.contains("AWS::Serverless") {
        "sam validate"
    } else {
        "CloudFormation"
    };
    if let Some(doc) = parse_or_report(text, report, tool) {
        lint_doc(&doc, report);
    }
}

/// Checks one JSON template (`cdk synth`'s `*.template.json`, the SAM transform's output):
/// read as YAML, which JSON is, so that every node keeps its line.
pub fn lint_json(text: &str, report: &mut Report<'_>) {
    let Some(value) = super::json_or_report(text, report, "CloudFormation") else {
        return;
    };
    // Valid JSON holds no raw tab inside strings, and YAML refuses tabs as indentation.
    match yaml::parse(&text.replace('\t', " ")) {
        Ok(doc) => lint_doc(&doc, report),
        // JSON the YAML reader does not take (a key over 1024 characters): the same tree,
        // every finding on line 1.
        Err(_) => lint_doc(&Node::from_json(&value), report),
    }
}

/// Checks one parsed template.
fn lint_doc(doc: &Node, report: &mut Report<'_>) {
    let Some(resources) = doc.get("Resources") else {
        return;
    };
    let globals_api = doc.at(&["Globals", "Api"]);
    let globals_http = doc.at(&["Globals", "HttpApi"]);
    let globals_for = |http: bool| if http { globals_http } else { globals_api };
    let globals_fn_vars = doc.at(&["Globals", "Function", "Environment", "Variables"]);

    // APIs, explicit and implicit.
    let mut apis: BTreeMap<String, Api> = BTreeMap::new();
    let mut functions = Vec::new();
    for (name, resource) in resources.entries() {
        let kind = text_of(resource.get("Type")).unwrap_or("");
        let props = resource.get("Properties");
        match kind {
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                let http = kind.ends_with("HttpApi");
                let mut api = api_from(props, globals_for(http), http);
                api.node = Some(resource);
                apis.insert(name.clone(), api);
            }
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                let mut vars: Vec<(&str, &Node)> = Vec::new();
                let globals = globals_fn_vars.filter(|_| kind == "AWS::Serverless::Function");
                for source in [
                    globals,
                    props.and_then(|p| p.at(&["Environment", "Variables"])),
                ]
                .into_iter()
                .flatten()
                {
                    for (k, v) in source.entries() {
                        if preflight::vars::in_namespace(k) {
                            vars.retain(|(old, _)| old != k);
                            vars.push((k.as_str(), v));
                        }
                    }
                }
                functions.push(Function {
                    name,
                    node: resource,
                    vars,
                });
            }
            _ => {}
        }
    }

    let mut events = Vec::new();
    for function in &functions {
        let props = function.node.get("Properties");
        for (_, event) in props
            .and_then(|p| p.get("Events"))
            .map(Node::entries)
            .unwrap_or(&[])
        {
            let kind = text_of(event.get("Type")).unwrap_or("");
            if kind != "Api" && kind != "HttpApi" {
                continue;
            }
            let http_api = kind == "HttpApi";
            let p = event.get("Properties");
            let api = p
                .and_then(|p| p.get(if http_api { "ApiId" } else { "RestApiId" }))
                .and_then(Node::reference)
                .map(str::to_owned)
                .unwrap_or_else(|| {
                    if http_api {
                        "ServerlessHttpApi".into()
                    } else {
                        "ServerlessRestApi".into()
                    }
                });
            if !apis.contains_key(&api) {
                apis.insert(api.clone(), api_from(None, globals_for(http_api), http_api));
            }
            events.push(Event {
                node: event,
                api,
                path: text_of(p.and_then(|p| p.get("Path")))
                    .unwrap_or("/")
                    .to_owned(),
                method: text_of(p.and_then(|p| p.get("Method")))
                    .unwrap_or("ANY")
                    .to_ascii_uppercase(),
                authorizer: text_of(p.and_then(|p| p.at(&["Auth", "Authorizer"])))
                    .map(str::to_owned),
                api_key: text_of(p.and_then(|p| p.at(&["Auth", "ApiKeyRequired"])))
                    .map(|v| v.eq_ignore_ascii_case("true")),
            });
        }

        // The function's own CORS_* values, where literal, validated as the adapter will.
        let literal: Vec<(String, String, usize)> = function
            .vars
            .iter()
            .filter_map(|(k, v)| v.text().map(|t| (k.to_string(), t.to_owned(), v.line)))
            .collect();
        if !literal.is_empty() && literal.len() == function.vars.len() {
            super::validate(
                report,
                &format!("function {}", function.name),
                &literal,
                function.node.line,
            );
        }

        // A function URL with its own CORS in front of the library.
        if let Some(cors) = props.and_then(|p| p.at(&["FunctionUrlConfig", "Cors"])) {
            function_url_cors(report, cors, function, "FunctionUrlConfig.Cors");
        }
    }
    // The same resources as plain CloudFormation (CDK, the SAM transform's output, by hand).
    cloudformation::read(resources, &mut apis, &mut events);
    cloudformation::function_urls(report, resources, &functions);
    let uses_library = functions.iter().any(Function::uses_library);
    let library_origins: Vec<&Node> = functions.iter().filter_map(Function::origins).collect();
    let library_policies = policies(&library_origins);

    for (name, api) in &apis {
        let line = api.node.map_or(1, |n| n.line);
        let label = if api.node.is_some() {
            format!("API {name}")
        } else {
            format!("the implicit API {name}")
        };
        // Two layers both doing CORS.
        if let Some(cors) = api.cors {
            if uses_library {
                report.add(
                    cors.line,
                    Level::Error,
                    "two-cors-layers",
                    if api.http_api {
                        format!("{label}: `CorsConfiguration` and the preflight library both do CORS: the HTTP API answers preflights itself and replaces the function's CORS headers, so CORS_ALLOWED_ORIGINS is never used")
                    } else if api.dialect == Dialect::Sam {
                        format!("{label}: SAM `Cors` and the preflight library both do CORS: API Gateway answers OPTIONS with a mock integration and one static origin, so the function's policy never sees preflights")
                    } else {
                        format!("{label}: an OPTIONS method with a mock integration that sends Access-Control-Allow-Origin, and the preflight library, both do CORS: API Gateway answers those preflights with one static origin, so the function's policy never sees them")
                    },
                    if api.dialect == Dialect::Sam {
                        "remove the API's CORS setting and route OPTIONS to the function (with `Authorizer: NONE`)"
                    } else {
                        "remove the gateway's CORS (CDK: defaultCorsPreflightOptions) and integrate OPTIONS with the function, without an authorizer"
                    },
                );
            }
            if !api.http_api {
                let what = if api.dialect == Dialect::Sam {
                    "Cors AllowOrigin"
                } else {
                    "the mock OPTIONS integration"
                };
                for origin in &api.cors_origins {
                    check_origin_value(report, origin, what, &library_origins, &library_policies);
                }
                if api.default_authorizer.is_some()
                    && api.add_authorizer_to_preflight != Some(false)
                    && !uses_library
                {
                    report.add(
                        cors.line,
                        Level::Warning,
                        "authorizer-on-options",
                        format!("{label}: with a DefaultAuthorizer, SAM puts the authorizer on the OPTIONS methods `Cors` creates unless Auth.AddDefaultAuthorizerToCorsPreflight is false (it defaults to true); preflights carry no credentials and get 401"),
                        "set Auth: {AddDefaultAuthorizerToCorsPreflight: false}",
                    );
                }
            }
        }

        // Gateway-written errors without CORS headers (REST APIs).
        if !api.http_api && uses_library {
            // A plain API with no route here may be served (and answered) from elsewhere.
            let routed = api.dialect == Dialect::Sam || events.iter().any(|e| e.api == *name);
            check_gateway_responses(
                report,
                &label,
                line,
                api,
                routed,
                &library_origins,
                &library_policies,
            );
        }

        if (api.cors.is_some() && api.dialect == Dialect::Sam) || api.http_api || api.routes_unknown
        {
            // SAM `Cors`: the gateway answers OPTIONS itself (reported above when two
            // layers). HTTP API routes are matched otherwise. Routes the template does not
            // show literally are not guessed at. (Plain CloudFormation's mock OPTIONS
            // methods are methods like the others, so routing is modelled with them.)
            continue;
        }
        check_routing(report, &label, line, api, name, &events, uses_library);
    }
}

/// The responses a REST API's gateway writes itself must carry CORS headers (`DEFAULT_4XX`
/// and `DEFAULT_5XX`, and every customized type, which replaces them), with origins that
/// agree with the function's list. `routed`: the API routes to a function here.
pub(super) fn check_gateway_responses(
    report: &mut Report<'_>,
    label: &str,
    line: usize,
    api: &Api<'_>,
    routed: bool,
    library_origins: &[&Node],
    library_policies: &[preflight::Policy],
) {
    let responses = &api.gateway_responses;
    // A response whose type is not literal might be this one.
    let unknown = api.responses_unknown || !routed || responses.iter().any(|r| r.kind.is_empty());
    for kind in ["DEFAULT_4XX", "DEFAULT_5XX"] {
        let declared = responses
            .iter()
            .any(|r| r.kind == kind && r.origin.is_some());
        if !declared && !unknown {
            report.add(
                api.responses_line.unwrap_or(line),
                Level::Error,
                "gateway-errors-without-cors",
                format!("{label}: no {kind} gateway response with Access-Control-Allow-Origin: errors API Gateway writes itself (authorizer 401/403, unknown route, throttling, timeouts) reach the page as CORS errors instead of their status"),
                &match api.dialect {
                    Dialect::Sam => format!("add GatewayResponses: {{{kind}: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'https://app.example.com'\"}}}}}}}} (quoted; the one origin, or '*' for a list)"),
                    Dialect::Methods => format!("add an AWS::ApiGateway::GatewayResponse with ResponseType: {kind} and ResponseParameters: {{gatewayresponse.header.Access-Control-Allow-Origin: \"'https://app.example.com'\"}} (quoted; the one origin, or '*' for a list)"),
                    Dialect::Serverless => format!("add under resources.Resources an AWS::ApiGateway::GatewayResponse with ResponseType: {kind} and gatewayresponse.header.Access-Control-Allow-Origin: \"'https://app.example.com'\" (quoted; the one origin, or '*' for a list)"),
                    Dialect::OpenApi => format!("add x-amazon-apigateway-gateway-responses: {{{kind}: {{responseParameters: {{gatewayresponse.header.Access-Control-Allow-Origin: \"'https://app.example.com'\"}}}}}} to the body (quoted; the one origin, or '*' for a list)"),
                },
            );
        }
    }
    for response in responses {
        let kind = &response.kind;
        if let Some(origin) = response.origin {
            check_origin_value(
                report,
                origin,
                &format!("gateway response {kind}"),
                library_origins,
                library_policies,
            );
        } else if !kind.is_empty() && !kind.starts_with("DEFAULT_") {
            // A customized type replaces DEFAULT_4XX/5XX for its errors entirely.
            report.add(
                response.node.line,
                Level::Error,
                "gateway-errors-without-cors",
                format!("{label}: the customized gateway response {kind} has no Access-Control-Allow-Origin: it replaces DEFAULT_4XX/DEFAULT_5XX for these errors, headers included, so the page sees a CORS error instead of the status"),
                "give it the same Access-Control-Allow-Origin (and Vary) headers as DEFAULT_4XX",
            );
        }
    }
}

/// What kind of path segment: a literal, one `{param}`, or the greedy `{proxy+}`.
fn segment_kind(segment: &str) -> u8 {
    if segment.ends_with("+}") {
        2
    } else if segment.starts_with('{') {
        1
    } else {
        0
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.split('/').filter(|s| !s.is_empty()).collect()
}

/// Whether the resource path's segments (`/items/{id}`, `/{proxy+}`, `/`) match a request
/// path's, as API Gateway matches them: the root only the root (`{proxy+}` needs a segment).
fn matches(want: &[&str], got: &[&str]) -> bool {
    if want.is_empty() {
        return got.is_empty();
    }
    for (i, segment) in want.iter().enumerate() {
        match segment_kind(segment) {
            2 => return got.len() > i,
            kind => {
                if i >= got.len() || (kind == 0 && *segment != got[i]) {
                    return false;
                }
            }
        }
    }
    got.len() == want.len()
}

/// One resource of the API: its path, split once, and its events in template order.
struct Resource<'a, 'n> {
    segments: Vec<&'a str>,
    /// Literal segments before parameters before the greedy proxy, from the left.
    specificity: Vec<u8>,
    events: Vec<&'a Event<'n>>,
}

/// The API's resources, each path once, in the order the template first names them.
fn resources<'a, 'n>(events: &[&'a Event<'n>]) -> Vec<Resource<'a, 'n>> {
    let mut out: Vec<Resource> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for &event in events {
        let i = *index.entry(event.path.as_str()).or_insert_with(|| {
            let segments = segments(&event.path);
            out.push(Resource {
                specificity: segments.iter().map(|s| segment_kind(s)).collect(),
                segments,
                events: Vec::new(),
            });
            out.len() - 1
        });
        out[i].events.push(event);
    }
    out
}

/// The resources matching a request path, most specific first.
fn matching<'r, 'a, 'n>(
    resources: &'r [Resource<'a, 'n>],
    path: &str,
) -> Vec<&'r Resource<'a, 'n>> {
    let got = segments(path);
    let mut found: Vec<&Resource> = resources
        .iter()
        .filter(|r| matches(&r.segments, &got))
        .collect();
    found.sort_by(|a, b| a.specificity.cmp(&b.specificity));
    found
}

/// The event API Gateway runs for `verb` on a path whose resources are `matched`: the most
/// specific resource first, its method for the verb, else its `ANY`; a verb a resource does
/// not declare falls through to the next match. `None`: API Gateway answers 403 itself.
fn resolve<'a, 'n>(matched: &[&Resource<'a, 'n>], verb: &str) -> Option<&'a Event<'n>> {
    matched.iter().find_map(|resource| {
        let on = |method: &str| resource.events.iter().copied().find(|e| e.method == method);
        on(verb).or_else(|| on("ANY"))
    })
}

/// Request paths to try: the root, each declared path with its parameters filled in, one
/// segment deeper, and a path no event names.
fn probe_paths(events: &[&Event]) -> Vec<String> {
    let mut paths = vec!["/".to_string(), "/preflight-lint-unlisted".to_string()];
    for event in events {
        let concrete: Vec<&str> = event
            .path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match segment_kind(s) {
                0 => s,
                1 => "x",
                _ => "x/y",
            })
            .collect();
        let concrete = format!("/{}", concrete.join("/"));
        paths.push(format!("{}/deeper", concrete.trim_end_matches('/')));
        paths.push(concrete);
    }
    paths.sort();
    paths.dedup();
    paths
}

const VERBS: [&str; 6] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"];

/// The most routes of one API whose routing is modelled (the model's cost grows with their
/// square; CloudFormation allows 500 resources in a stack).
const MAX_ROUTES: usize = 2000;

/// API Gateway's routing of one REST API, modelled over every path and verb a browser or an
/// attacker can send: preflights must reach the function without an authorizer or an API
/// key, and no verb may fall through to an open greedy proxy while other routes are
/// authorized.
pub(super) fn check_routing(
    report: &mut Report<'_>,
    label: &str,
    api_line: usize,
    api: &Api<'_>,
    name: &str,
    events: &[Event<'_>],
    uses_library: bool,
) {
    let events: Vec<&Event> = events.iter().filter(|e| e.api == name).collect();
    if events.is_empty() {
        return;
    }
    if events.len() > MAX_ROUTES {
        report.add(
            api_line,
            Level::Warning,
            "routing-not-modelled",
            format!("{label}: {} routes, more than the {MAX_ROUTES} whose routing lint models; preflights and authorization were not checked", events.len()),
            "lint the API's routes in smaller stacks, or check them with `preflight check` against the deployed API",
        );
        return;
    }
    let fix = fixes(api.dialect);
    let effective = |e: &Event| -> Option<String> {
        match e.authorizer.as_deref() {
            Some("NONE") => None,
            Some(other) => Some(other.to_owned()),
            None => api.default_authorizer.clone(),
        }
    };
    let authorized_somewhere = events.iter().any(|e| effective(e).is_some());
    let mut reported: Vec<(usize, &str)> = Vec::new();
    let mut once = |line: usize, code: &'static str| {
        let new = !reported.contains(&(line, code));
        if new {
            reported.push((line, code));
        }
        new
    };
    let top_proxy = events
        .iter()
        .any(|e| e.path.starts_with("/{") && e.path.ends_with("+}"));
    let resources = resources(&events);
    for path in probe_paths(&events) {
        let matched = matching(&resources, &path);
        // A preflight that matches nothing is a mistake where the actual call would reach
        // the function, and at the root next to a `/{proxy+}` (which does not cover it).
        let served =
            VERBS.iter().any(|v| resolve(&matched, v).is_some()) || (path == "/" && top_proxy);
        match resolve(&matched, "OPTIONS") {
            None if uses_library && served && once(api_line, "no-options-route") => {
                report.add(
                        api_line,
                        Level::Error,
                        "no-options-route",
                        if path == "/" {
                            format!("{label}: a preflight to the API's own URL (/) matches no method: /{{proxy+}} does not cover the root, so API Gateway answers 403 Missing Authentication Token before the function runs")
                        } else {
                            format!("{label}: a preflight to {path} matches no method: API Gateway answers 403 Missing Authentication Token before the function runs")
                        },
                        &fix.no_options.replace("{}", if path == "/" { "/" } else { "/{proxy+}" }),
                    );
            }
            None => {}
            Some(e) => {
                if let Some(authorizer) = effective(e) {
                    if once(e.node.line, "authorizer-on-options") {
                        report.add(
                            e.node.line,
                            Level::Error,
                            "authorizer-on-options",
                            format!("{label}: OPTIONS {} goes through the authorizer {authorizer} (method {} {}): preflights never carry credentials, so they get 401 and the browser reports a CORS error", e.path, e.method, e.path),
                            fix.auth,
                        );
                    }
                }
                if e.api_key.unwrap_or(api.api_key_required)
                    && once(e.node.line, "api-key-on-options")
                {
                    report.add(
                        e.node.line,
                        Level::Error,
                        "api-key-on-options",
                        format!("{label}: OPTIONS {} needs an API key (method {} {}): browsers never send one on a preflight, so it gets 403", e.path, e.method, e.path),
                        fix.api_key,
                    );
                }
            }
        }
        if !authorized_somewhere {
            continue;
        }
        for verb in VERBS {
            let Some(e) = resolve(&matched, verb) else {
                continue;
            };
            let open_fallback = e.path.contains("+}") || (e.path == "/" && e.method == "ANY");
            if open_fallback && effective(e).is_none() && once(e.node.line, "fail-open-proxy") {
                report.add(
                    e.node.line,
                    Level::Warning,
                    "fail-open-proxy",
                    format!("{label}: {verb} {path} reaches the function without authorization through {} {} (no authorizer) while other routes are authorized: every path and verb no route declares falls through to it, routes added later included", e.method, e.path),
                    fix.fail_open,
                );
            }
        }
    }
}

/// An `Access-Control-Allow-Origin` value in the template: quoted, one origin, and the same
/// list as the function's.
pub(super) fn check_origin_value(
    report: &mut Report<'_>,
    value: &Node,
    what: &str,
    function_origins: &[&Node],
    function_policies: &[preflight::Policy],
) {
    let mut found = Vec::new();
    leaves(value, false, &mut found);
    let function_refs: Vec<&str> = function_origins
        .iter()
        .filter_map(|n| n.reference())
        .collect();
    for (line, leaf) in found {
        match leaf {
            Leaf::Literal(s) if s.to_ascii_lowercase().contains("method.request.header.") => report.add(
                line,
                Level::Error,
                "reflects-any-origin",
                format!("{what}: Access-Control-Allow-Origin is the mapping expression `{s}`, which echoes whatever the request sends: every website is allowed"),
                "name the one origin in single quotes (\"'https://app.example.com'\"), or \"'*'\" for responses that never need credentials",
            ),
            Leaf::Ref(name) => report.add(
                line,
                Level::Error,
                "unquoted-allow-origin",
                format!("{what}: Access-Control-Allow-Origin is !Ref {name} without quotes: API Gateway reads an unquoted value as a mapping expression and the deployment fails or sends nothing"),
                &format!("write !Sub \"'${{{name}}}'\""),
            ),
            Leaf::Literal(s) | Leaf::Sub(s, _) if !(s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'')) => report.add(
                line,
                Level::Error,
                "unquoted-allow-origin",
                format!("{what}: Access-Control-Allow-Origin `{s}` is not in single quotes: API Gateway reads it as a mapping expression"),
                &format!("write \"'{}'\"", s.trim_matches('\'')),
            ),
            Leaf::Literal(s) => {
                let inner = s.trim_matches('\'');
                if inner.contains(',') || inner.contains(' ') {
                    report.add(
                        line,
                        Level::Error,
                        "allow-origin-list",
                        format!("{what}: Access-Control-Allow-Origin holds a list ({inner}); browsers accept exactly one origin"),
                        "name one origin, or '*' for responses that never need credentials (the function answers everything else from CORS_ALLOWED_ORIGINS)",
                    );
                } else if inner != "*" && preflight::Origin::parse(inner.as_bytes()).is_err() {
                    report.add(
                        line,
                        Level::Error,
                        "allow-origin-not-serialized",
                        format!("{what}: Access-Control-Allow-Origin `{inner}` is not an origin as browsers send it (lower case, no default port, no trailing `/`), and browsers compare it byte for byte"),
                        "write the origin exactly as the page's `location.origin` shows it, e.g. 'https://app.example.com'",
                    );
                } else if inner != "*" {
                    // The core decides which origins the function's list allows (case and
                    // default ports normalized).
                    let listed = function_policies.iter().all(|p| p.allows_origin(inner));
                    if !listed {
                        report.add(
                            line,
                            Level::Error,
                            "allowlists-differ",
                            format!("{what}: the gateway names {inner}, which is not in the function's CORS_ALLOWED_ORIGINS"),
                            "feed both from one parameter (!Sub \"'${AllowedOrigins}'\" here, !Ref AllowedOrigins in the function)",
                        );
                    } else if !function_refs.is_empty() {
                        report.add(
                            line,
                            Level::Warning,
                            "allowlists-differ",
                            format!("{what}: the gateway names {inner} while the function's list comes from the parameter {}: the two can drift apart", function_refs[0]),
                            "feed both from one parameter",
                        );
                    }
                }
            }
            Leaf::Sub(s, guarded) => {
                let param = s.split("${").nth(1).and_then(|r| r.split('}').next());
                if let Some(param) = param {
                    if function_refs.contains(&param) && !guarded {
                        report.add(
                            line,
                            Level::Warning,
                            "allow-origin-list",
                            format!("{what}: Access-Control-Allow-Origin is the whole parameter {param}, which breaks (a list in one header) as soon as it holds more than one origin"),
                            "use a condition: !If [OneExactOrigin, !Sub \"'${AllowedOrigins}'\", \"'*'\"] (see preflight's template.yaml)",
                        );
                    } else if !function_refs.is_empty() && !function_refs.contains(&param) {
                        report.add(
                            line,
                            Level::Warning,
                            "allowlists-differ",
                            format!("{what}: the gateway's origin comes from {param}, the function's from {}", function_refs[0]),
                            "feed both from one parameter",
                        );
                    }
                }
            }
            Leaf::Other => {}
        }
    }
}
