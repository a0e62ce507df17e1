//! AWS SAM / CloudFormation templates: the two layers (API Gateway and the function) must
//! not both do CORS, the gateway must let preflights through to the function without an
//! authorizer, and the responses the gateway writes itself must carry CORS headers that
//! agree with the function's list.

use std::collections::BTreeMap;

use super::yaml::{self, Node};
use super::{Level, Report};

const FIX_AUTH: &str = "give the OPTIONS route `Auth: {Authorizer: NONE}` (an explicit `Method: OPTIONS` event on the same Path, which API Gateway prefers over ANY)";

/// One `Type: Api` or `Type: HttpApi` event of a function.
struct Event<'n> {
    node: &'n Node,
    api: String,
    http_api: bool,
    path: String,
    method: String,
    /// `Some("NONE")`, `Some(name)`, or `None` (the API's default applies).
    authorizer: Option<String>,
}

/// What the template says about one API.
#[derive(Default)]
struct Api<'n> {
    node: Option<&'n Node>,
    http_api: bool,
    default_authorizer: Option<String>,
    cors: Option<&'n Node>,
    gateway_responses: Option<&'n Node>,
    add_authorizer_to_preflight: Option<bool>,
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

/// The function's `CORS_ALLOWED_ORIGINS`, when it uses the library.
struct Function<'n> {
    name: &'n str,
    node: &'n Node,
    vars: Vec<(&'n str, &'n Node)>,
}

impl Function<'_> {
    fn uses_library(&self) -> bool {
        !self.vars.is_empty()
    }
    fn origins(&self) -> Option<&Node> {
        self.vars
            .iter()
            .find(|(k, _)| *k == "CORS_ALLOWED_ORIGINS")
            .map(|(_, v)| *v)
    }
}

/// An API's settings: its own properties, else `Globals.Api` (REST APIs only).
fn api_from<'n>(props: Option<&'n Node>, globals: Option<&'n Node>, http: bool) -> Api<'n> {
    let pick = |path: &[&str]| {
        props.and_then(|p| p.at(path)).or_else(|| {
            if http {
                None
            } else {
                globals.and_then(|g| g.at(path))
            }
        })
    };
    Api {
        node: None,
        http_api: http,
        default_authorizer: text_of(pick(&["Auth", "DefaultAuthorizer"])).map(str::to_owned),
        cors: pick(&[if http { "CorsConfiguration" } else { "Cors" }]),
        gateway_responses: pick(&["GatewayResponses"]),
        add_authorizer_to_preflight: text_of(pick(&[
            "Auth",
            "AddDefaultAuthorizerToCorsPreflight",
        ]))
        .map(|v| v.eq_ignore_ascii_case("true")),
    }
}

fn text_of(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::text)
}

/// Checks one template.
pub fn lint(text: &str, report: &mut Report<'_>) {
    let doc = match yaml::parse(text) {
        Ok(doc) => doc,
        Err(e) => {
            report.add(
                1,
                Level::Error,
                "unreadable",
                format!("not valid YAML: {e}"),
                "fix the syntax (sam validate shows the same)",
            );
            return;
        }
    };
    let Some(resources) = doc.get("Resources") else {
        return;
    };
    let globals_api = doc.at(&["Globals", "Api"]);
    let globals_fn_vars = doc.at(&["Globals", "Function", "Environment", "Variables"]);

    // APIs, explicit and implicit.
    let mut apis: BTreeMap<String, Api> = BTreeMap::new();
    let mut functions = Vec::new();
    for (name, resource) in resources.entries() {
        let kind = text_of(resource.get("Type")).unwrap_or("");
        let props = resource.get("Properties");
        match kind {
            "AWS::Serverless::Api" | "AWS::Serverless::HttpApi" => {
                let mut api = api_from(props, globals_api, kind.ends_with("HttpApi"));
                api.node = Some(resource);
                apis.insert(name.clone(), api);
            }
            "AWS::Serverless::Function" => {
                let mut vars: Vec<(&str, &Node)> = Vec::new();
                for source in [
                    globals_fn_vars,
                    props.and_then(|p| p.at(&["Environment", "Variables"])),
                ]
                .into_iter()
                .flatten()
                {
                    for (k, v) in source.entries() {
                        if k.starts_with("CORS_") {
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
                apis.insert(api.clone(), api_from(None, globals_api, http_api));
            }
            events.push(Event {
                node: event,
                api,
                http_api,
                path: text_of(p.and_then(|p| p.get("Path")))
                    .unwrap_or("/")
                    .to_owned(),
                method: text_of(p.and_then(|p| p.get("Method")))
                    .unwrap_or("ANY")
                    .to_ascii_uppercase(),
                authorizer: text_of(p.and_then(|p| p.at(&["Auth", "Authorizer"])))
                    .map(str::to_owned),
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
            if function.uses_library() {
                report.add(
                    cors.line,
                    Level::Error,
                    "two-cors-layers",
                    format!("function {}: FunctionUrlConfig `Cors` and the preflight library both do CORS: Lambda answers preflights itself and adds its headers to the function's, so browsers see the policy of one and duplicated headers", function.name),
                    "remove FunctionUrlConfig.Cors and let the function's CORS_* variables decide",
                );
            }
        }
    }
    let uses_library = functions.iter().any(Function::uses_library);
    let library_origins: Vec<&Node> = functions.iter().filter_map(Function::origins).collect();

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
                    } else {
                        format!("{label}: SAM `Cors` and the preflight library both do CORS: API Gateway answers OPTIONS with a mock integration and one static origin, so the function's policy never sees preflights")
                    },
                    "remove the API's CORS setting and route OPTIONS to the function (with `Authorizer: NONE`)",
                );
            }
            if !api.http_api {
                if let Some(origin) = api.cors.and_then(|c| {
                    c.get("AllowOrigin")
                        .or(if c.text().is_some() { Some(c) } else { None })
                }) {
                    check_origin_value(report, origin, "Cors AllowOrigin", &library_origins);
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
            let responses = api.gateway_responses;
            for kind in ["DEFAULT_4XX", "DEFAULT_5XX"] {
                let origin = responses.and_then(|r| {
                    r.at(&[
                        kind,
                        "ResponseParameters",
                        "Headers",
                        "Access-Control-Allow-Origin",
                    ])
                });
                if origin.is_none() {
                    report.add(
                        responses.map_or(line, |r| r.line),
                        Level::Error,
                        "gateway-errors-without-cors",
                        format!("{label}: no {kind} gateway response with Access-Control-Allow-Origin: errors API Gateway writes itself (authorizer 401/403, unknown route, throttling, timeouts) reach the page as CORS errors instead of their status"),
                        &format!("add GatewayResponses: {{{kind}: {{ResponseParameters: {{Headers: {{Access-Control-Allow-Origin: \"'https://app.example.com'\"}}}}}}}} (quoted; the one origin, or '*' for a list)"),
                    );
                }
            }
            for (kind, response) in responses.map(Node::entries).unwrap_or(&[]) {
                if let Some(origin) = response.at(&[
                    "ResponseParameters",
                    "Headers",
                    "Access-Control-Allow-Origin",
                ]) {
                    check_origin_value(
                        report,
                        origin,
                        &format!("gateway response {kind}"),
                        &library_origins,
                    );
                }
            }
        }

        // Preflights must reach the function without an authorizer.
        let mut paths: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
        for event in events.iter().filter(|e| &e.api == name) {
            paths.entry(event.path.as_str()).or_default().push(event);
        }
        let effective = |e: &Event| -> Option<String> {
            match e.authorizer.as_deref() {
                Some("NONE") => None,
                Some(other) => Some(other.to_owned()),
                None => api.default_authorizer.clone(),
            }
        };
        if api.cors.is_some() {
            continue; // the gateway answers OPTIONS itself (reported above when two layers)
        }
        for (path, events) in paths {
            let options = events
                .iter()
                .find(|e| e.method == "OPTIONS")
                .or_else(|| events.iter().find(|e| e.method == "ANY"));
            match options {
                Some(e) => {
                    if let Some(authorizer) = effective(e) {
                        report.add(
                            e.node.line,
                            Level::Error,
                            "authorizer-on-options",
                            format!("{label}: OPTIONS {path} goes through the authorizer {authorizer} (method {}): preflights never carry credentials, so they get 401 and the browser reports a CORS error", e.method),
                            FIX_AUTH,
                        );
                    }
                }
                None if uses_library && !e_http(&events) => {
                    report.add(
                        events[0].node.line,
                        Level::Error,
                        "no-options-route",
                        format!("{label}: {path} has no OPTIONS (or ANY) method: API Gateway answers its preflights 403 Missing Authentication Token before the function runs (a specific path hides /{{proxy+}})"),
                        &format!("add an event with Path: {path}, Method: OPTIONS, Auth: {{Authorizer: NONE}}"),
                    );
                }
                None => {}
            }
        }
    }
}

fn e_http(events: &[&Event]) -> bool {
    events.iter().all(|e| e.http_api)
}

/// An `Access-Control-Allow-Origin` value in the template: quoted, one origin, and the same
/// list as the function's.
fn check_origin_value(
    report: &mut Report<'_>,
    value: &Node,
    what: &str,
    function_origins: &[&Node],
) {
    let mut found = Vec::new();
    leaves(value, false, &mut found);
    let function_refs: Vec<&str> = function_origins
        .iter()
        .filter_map(|n| n.reference())
        .collect();
    let function_lists: Vec<Vec<&str>> = function_origins
        .iter()
        .filter_map(|n| n.text())
        .map(|t| t.split(',').map(str::trim).collect())
        .collect();
    for (line, leaf) in found {
        match leaf {
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
                } else if inner != "*" {
                    let listed = function_lists.iter().all(|list| list.contains(&inner));
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
