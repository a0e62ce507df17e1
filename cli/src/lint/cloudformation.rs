//! Plain CloudFormation: what `cdk synth` writes (`cdk.out/*.template.json`), what the SAM
//! transform produces, and templates written by hand. Their REST APIs (the
//! `AWS::ApiGateway::Resource` tree and its `AWS::ApiGateway::Method`s, or an OpenAPI
//! `Body`), gateway responses, HTTP APIs, functions and function URLs are read into the SAM
//! lint's model, so the same rules apply to them. A value this cannot resolve (`Fn::Join`,
//! `Fn::ImportValue`, a parameter where a literal is needed) makes what depends on it
//! unknown, and nothing is reported on a guess.

use std::collections::{BTreeMap, HashMap};

use super::sam::{function_url_cors, Api, Dialect, Event, Function, GatewayResponse};
use super::yaml::{Kind, Node};
use super::Report;

/// The most path segments followed from a method up to the API's root; a longer chain
/// (or a cycle of `ParentId`s) leaves the path unknown.
const MAX_DEPTH: usize = 64;

const ALLOW_ORIGIN_GATEWAY: &str = "gatewayresponse.header.Access-Control-Allow-Origin";
const ALLOW_ORIGIN_METHOD: &str = "method.response.header.Access-Control-Allow-Origin";

/// `{"Fn::GetAtt": [A, B]}`, `{"Fn::GetAtt": "A.B"}`, `!GetAtt A.B` or `!GetAtt [A, B]`.
fn get_att(node: &Node) -> Option<(&str, &str)> {
    let value = if node.tag.as_deref() == Some("GetAtt") {
        node
    } else {
        node.get("Fn::GetAtt")?
    };
    match (value.text_any(), value.items()) {
        (Some(s), _) => s.split_once('.'),
        (None, [resource, attribute]) => Some((resource.text()?, attribute.text()?)),
        _ => None,
    }
}

/// The value under `key`, the key compared without case (header names).
fn get_ci<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    node.entries()
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn is_map(node: &Node) -> bool {
    matches!(node.kind, Kind::Map(_))
}

/// The resources of one type, in order.
fn of_type<'n>(resources: &'n Node, kind: &'n str) -> impl Iterator<Item = (&'n str, &'n Node)> {
    resources
        .entries()
        .iter()
        .filter(move |(_, r)| r.get("Type").and_then(Node::text) == Some(kind))
        .map(|(name, r)| (name.as_str(), r))
}

/// A method's authorizer as the routing model takes it: `Some("NONE")`, `Some(name)`, or
/// `None` when the template does not say it literally.
fn authorization(props: &Node) -> Option<String> {
    let Some(kind) = props.get("AuthorizationType") else {
        // CloudFormation's default.
        return Some("NONE".into());
    };
    let kind = kind.text()?;
    if kind.eq_ignore_ascii_case("NONE") {
        return Some("NONE".into());
    }
    let named = props.get("AuthorizerId").and_then(Node::reference);
    Some(named.map_or_else(|| kind.to_owned(), |n| format!("{n} ({kind})")))
}

/// `Some(path)` of a method's `ResourceId`, following `ParentId`s up to `api`'s root.
fn path_of(resource: &Node, api: &str, tree: &HashMap<&str, &Node>) -> Option<String> {
    let mut parts = Vec::new();
    let mut at = resource;
    for _ in 0..=MAX_DEPTH {
        if let Some((owner, attribute)) = get_att(at) {
            if owner != api || attribute != "RootResourceId" {
                return None;
            }
            parts.reverse();
            return Some(format!("/{}", parts.join("/")));
        }
        let props = tree.get(at.reference()?)?;
        parts.push(props.get("PathPart")?.text()?);
        at = props.get("ParentId")?;
    }
    None
}

/// The Access-Control-Allow-Origin values an `OPTIONS` mock integration answers with (empty
/// for any other integration). `responses` holds the integration's responses, whose
/// parameters sit under `parameters`.
fn mock_origins<'n>(
    integration: Option<&'n Node>,
    kind_key: &str,
    responses: &[&'n Node],
    parameters: &str,
) -> Vec<&'n Node> {
    let mock = integration
        .and_then(|i| get_ci(i, kind_key))
        .and_then(Node::text)
        .is_some_and(|t| t.eq_ignore_ascii_case("mock"));
    if !mock {
        return Vec::new();
    }
    responses
        .iter()
        .filter_map(|r| r.get(parameters))
        .filter_map(|p| get_ci(p, ALLOW_ORIGIN_METHOD))
        .collect()
}

/// The gateway answers some preflights itself with these origins (`at`: the method).
fn gateway_preflight<'n>(api: &mut Api<'n>, at: &'n Node, origins: Vec<&'n Node>) {
    if !origins.is_empty() {
        api.cors.get_or_insert(at);
        api.cors_origins.extend(origins);
    }
}

/// The routes of an OpenAPI `Body` (Swagger 2.0 or OpenAPI 3), with their `security`, and its
/// `x-amazon-apigateway-gateway-responses`.
fn openapi<'n>(name: &str, body: &'n Node, api: &mut Api<'n>, events: &mut Vec<Event<'n>>) {
    let Some(paths) = body.get("paths").filter(|p| is_map(p)) else {
        // `Fn::Transform` (an included file) or anything else not literal.
        api.routes_unknown = true;
        api.responses_unknown = true;
        return;
    };
    let schemes = body
        .get("securityDefinitions")
        .or_else(|| body.at(&["components", "securitySchemes"]));
    for (path, item) in paths.entries() {
        // `$ref`, `Fn::If`, `Fn::Transform`: operations not shown literally.
        let hidden = |node: &Node| {
            !is_map(node)
                || node
                    .entries()
                    .iter()
                    .any(|(k, _)| k.starts_with("Fn::") || k == "$ref")
        };
        if path.starts_with("Fn::") || hidden(item) {
            api.routes_unknown = true;
            continue;
        }
        for (verb, operation) in item.entries() {
            let method = match verb.as_str() {
                "x-amazon-apigateway-any-method" => "ANY".to_owned(),
                "get" | "put" | "post" | "delete" | "options" | "head" | "patch" => {
                    verb.to_ascii_uppercase()
                }
                _ => continue,
            };
            // A document-level `security` is OpenAPI's default for every operation, but API
            // Gateway's import has been reported to ignore it: which one holds is not guessed.
            let security = operation.get("security");
            if security.is_none() && body.get("security").is_some() {
                api.routes_unknown = true;
                continue;
            }
            let Some((mut authorizer, api_key)) = requirements(security, schemes) else {
                api.routes_unknown = true;
                continue;
            };
            // IAM authorization set on the operation itself.
            if let Some(auth) = operation.get("x-amazon-apigateway-auth") {
                match auth.get("type").and_then(Node::text) {
                    Some(t) if t.eq_ignore_ascii_case("NONE") => {}
                    Some(t) => authorizer = t.to_ascii_uppercase(),
                    None => {
                        api.routes_unknown = true;
                        continue;
                    }
                }
            }
            if method == "OPTIONS" {
                let integration = operation.get("x-amazon-apigateway-integration");
                let responses: Vec<&Node> = integration
                    .and_then(|i| i.get("responses"))
                    .map(|r| r.entries().iter().map(|(_, v)| v).collect())
                    .unwrap_or_default();
                let origins = mock_origins(integration, "type", &responses, "responseParameters");
                gateway_preflight(api, operation, origins);
            }
            events.push(Event {
                node: operation,
                api: name.to_owned(),
                path: path.clone(),
                method,
                authorizer: Some(authorizer),
                api_key: Some(api_key),
            });
        }
    }
    if let Some(responses) = body.get("x-amazon-apigateway-gateway-responses") {
        if !is_map(responses) {
            api.responses_unknown = true;
        }
        api.responses_line = Some(responses.line);
        for (kind, response) in responses.entries() {
            api.gateway_responses.push(gateway_response_at(
                Some(kind),
                response,
                Some(response),
                &["responseParameters", ALLOW_ORIGIN_GATEWAY],
            ));
        }
    }
}

/// An operation's `security` read as API Gateway reads it: the authorizer (`"NONE"` for
/// none) and whether an API key is needed; `None` when it is not literal. Schemes API
/// Gateway does not know (the SAM transform's `NONE`) mean nothing.
fn requirements(security: Option<&Node>, schemes: Option<&Node>) -> Option<(String, bool)> {
    let Some(security) = security else {
        return Some(("NONE".into(), false));
    };
    if !matches!(security.kind, Kind::Seq(_)) {
        return None;
    }
    let (mut authorizer, mut api_key) = (None, false);
    for requirement in security.items() {
        if !is_map(requirement) {
            return None;
        }
        for (scheme_name, _) in requirement.entries() {
            let Some(scheme) = schemes.and_then(|s| s.get(scheme_name)) else {
                continue;
            };
            if scheme.get("x-amazon-apigateway-authtype").is_some()
                || scheme.get("x-amazon-apigateway-authorizer").is_some()
            {
                authorizer.get_or_insert_with(|| scheme_name.clone());
            } else if scheme.get("type").and_then(Node::text) == Some("apiKey")
                && scheme
                    .get("name")
                    .and_then(Node::text)
                    .is_some_and(|n| n.eq_ignore_ascii_case("x-api-key"))
            {
                api_key = true;
            }
        }
    }
    Some((authorizer.unwrap_or_else(|| "NONE".into()), api_key))
}

/// Reads the template's plain API Gateway resources into `apis` and `events`.
pub(super) fn read<'n>(
    resources: &'n Node,
    apis: &mut BTreeMap<String, Api<'n>>,
    events: &mut Vec<Event<'n>>,
) {
    for (name, resource) in of_type(resources, "AWS::ApiGateway::RestApi") {
        let props = resource.get("Properties");
        let mut api = Api {
            node: Some(resource),
            dialect: Dialect::Methods,
            ..Api::default()
        };
        if props.and_then(|p| p.get("BodyS3Location")).is_some() {
            api.routes_unknown = true;
            api.responses_unknown = true;
        }
        if let Some(body) = props.and_then(|p| p.get("Body")) {
            api.dialect = Dialect::OpenApi;
            openapi(name, body, &mut api, events);
        }
        apis.insert(name.to_owned(), api);
    }
    for (name, resource) in of_type(resources, "AWS::ApiGatewayV2::Api") {
        let props = resource.get("Properties");
        let protocol = props
            .and_then(|p| p.get("ProtocolType"))
            .and_then(Node::text);
        if protocol.is_some_and(|p| p.eq_ignore_ascii_case("WEBSOCKET")) {
            continue;
        }
        let cors = props.and_then(|p| {
            p.get("CorsConfiguration")
                .or_else(|| p.at(&["Body", "x-amazon-apigateway-cors"]))
        });
        apis.insert(
            name.to_owned(),
            Api {
                node: Some(resource),
                http_api: true,
                cors,
                ..Api::default()
            },
        );
    }

    let tree: HashMap<&str, &Node> = of_type(resources, "AWS::ApiGateway::Resource")
        .filter_map(|(name, r)| Some((name, r.get("Properties")?)))
        .collect();
    // Created or not depending on a `Condition`: what it changes is unknown.
    let conditional = |r: &Node| r.get("Condition").is_some();
    let conditional_resources: Vec<&str> = of_type(resources, "AWS::ApiGateway::Resource")
        .filter(|(_, r)| conditional(r))
        .filter_map(|(_, r)| r.at(&["Properties", "RestApiId"])?.reference())
        .collect();
    for name in conditional_resources {
        if let Some(api) = apis.get_mut(name) {
            api.routes_unknown = true;
        }
    }
    // A method or response whose API is not literal might belong to any of them.
    let (mut stray_method, mut stray_response) = (false, false);
    for (_, method) in of_type(resources, "AWS::ApiGateway::Method") {
        let Some(props) = method.get("Properties") else {
            continue;
        };
        let Some(api_name) = props.get("RestApiId").and_then(Node::reference) else {
            stray_method = true;
            continue;
        };
        // Not an API of this template (a parameter: another stack's).
        let Some(api) = apis.get_mut(api_name).filter(|a| !a.http_api) else {
            continue;
        };
        if conditional(method) {
            api.routes_unknown = true;
            continue;
        }
        let path = props
            .get("ResourceId")
            .and_then(|r| path_of(r, api_name, &tree));
        let verb = props.get("HttpMethod").and_then(Node::text);
        let authorizer = authorization(props);
        let api_key = match props.get("ApiKeyRequired") {
            None => Some(false),
            Some(v) => v.text().map(|t| t.eq_ignore_ascii_case("true")),
        };
        let (Some(path), Some(verb), Some(authorizer), Some(api_key)) =
            (path, verb, authorizer, api_key)
        else {
            api.routes_unknown = true;
            continue;
        };
        let method_name = verb.to_ascii_uppercase();
        if method_name == "OPTIONS" {
            let integration = props.get("Integration");
            let responses: Vec<&Node> = integration
                .and_then(|i| i.get("IntegrationResponses"))
                .map(|r| r.items().iter().collect())
                .unwrap_or_default();
            let origins = mock_origins(integration, "Type", &responses, "ResponseParameters");
            gateway_preflight(api, method, origins);
        }
        events.push(Event {
            node: method,
            api: api_name.to_owned(),
            path,
            method: method_name,
            authorizer: Some(authorizer),
            api_key: Some(api_key),
        });
    }
    for (_, response) in of_type(resources, "AWS::ApiGateway::GatewayResponse") {
        let props = response.get("Properties");
        let Some(api_name) = props
            .and_then(|p| p.get("RestApiId"))
            .and_then(Node::reference)
        else {
            stray_response = true;
            continue;
        };
        let Some(api) = apis.get_mut(api_name).filter(|a| !a.http_api) else {
            continue;
        };
        // Its own values are checked all the same; whether it exists is not known.
        api.responses_unknown |= conditional(response);
        api.gateway_responses.push(gateway_response(response));
    }
    for api in apis.values_mut().filter(|a| !a.http_api) {
        api.routes_unknown |= stray_method;
        api.responses_unknown |= stray_response;
    }
}

/// An `AWS::ApiGateway::GatewayResponse` resource.
pub(super) fn gateway_response(resource: &Node) -> GatewayResponse<'_> {
    let props = resource.get("Properties");
    let kind = props
        .and_then(|p| p.get("ResponseType"))
        .and_then(Node::text);
    gateway_response_at(
        kind,
        resource,
        props,
        &["ResponseParameters", ALLOW_ORIGIN_GATEWAY],
    )
}

/// A mapping written out literally, not `!If`, `Fn::If` or another function.
fn plain(node: &Node) -> bool {
    is_map(node) && node.tag.is_none() && !node.entries().iter().any(|(k, _)| k.starts_with("Fn::"))
}

/// A gateway response of type `kind` (`node`: where it is declared) whose
/// Access-Control-Allow-Origin is at `path` under `start`, the header name compared without
/// case. A type, or a mapping on the way, that is not literal leaves the type unknown
/// (empty): nothing is reported about the response, nor about a missing one.
pub(super) fn gateway_response_at<'n>(
    kind: Option<&str>,
    node: &'n Node,
    start: Option<&'n Node>,
    path: &[&str],
) -> GatewayResponse<'n> {
    let mut literal = true;
    let mut at = start;
    if let Some((header, keys)) = path.split_last() {
        for key in keys {
            match at {
                Some(n) if plain(n) => at = n.get(key),
                Some(_) => literal = false,
                None => {}
            }
            if !literal {
                break;
            }
        }
        at = match at {
            Some(n) if literal && plain(n) => get_ci(n, header),
            Some(_) => {
                literal = false;
                None
            }
            None => None,
        };
    }
    GatewayResponse {
        kind: kind
            .filter(|k| literal && !k.starts_with("Fn::"))
            .unwrap_or("")
            .to_owned(),
        node,
        origin: at,
    }
}

/// `AWS::Lambda::Url` with its own `Cors` in front of a function that uses the library.
pub(super) fn function_urls(report: &mut Report<'_>, resources: &Node, functions: &[Function]) {
    for (_, url) in of_type(resources, "AWS::Lambda::Url") {
        let Some(cors) = url.at(&["Properties", "Cors"]) else {
            continue;
        };
        let target = url.at(&["Properties", "TargetFunctionArn"]);
        let name = target.and_then(|t| {
            t.reference()
                .or_else(|| get_att(t).filter(|(_, a)| *a == "Arn").map(|(n, _)| n))
        });
        if let Some(function) = functions.iter().find(|f| Some(f.name) == name) {
            function_url_cors(report, cors, function, "AWS::Lambda::Url Cors");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::yaml::parse;

    #[test]
    fn get_att_in_every_spelling() {
        let doc = parse(
            "a: !GetAtt Api.RootResourceId\nb: !GetAtt [Api, RootResourceId]\nc: {Fn::GetAtt: [Api, RootResourceId]}\nd: {Fn::GetAtt: Api.RootResourceId}\ne: {Fn::GetAtt: [Api]}\nf: !Ref Api\n",
        )
        .unwrap();
        for key in ["a", "b", "c", "d"] {
            assert_eq!(
                get_att(doc.get(key).unwrap()),
                Some(("Api", "RootResourceId")),
                "{key}"
            );
        }
        assert_eq!(get_att(doc.get("e").unwrap()), None);
        assert_eq!(get_att(doc.get("f").unwrap()), None);
    }

    #[test]
    fn security_as_api_gateway_reads_it() {
        let doc = parse(
            "schemes:\n  Cognito: {type: apiKey, name: Authorization, in: header, x-amazon-apigateway-authtype: cognito_user_pools}\n  api_key: {type: apiKey, name: x-api-key, in: header}\nnone: [{NONE: []}]\nempty: []\nboth: [{Cognito: [], api_key: []}]\nkey: [{api_key: []}]\nodd: {Fn::If: [c, [], []]}\n",
        )
        .unwrap();
        let schemes = doc.get("schemes");
        let read = |key: &str| requirements(doc.get(key), schemes);
        assert_eq!(read("none"), Some(("NONE".into(), false)));
        assert_eq!(read("empty"), Some(("NONE".into(), false)));
        assert_eq!(read("absent"), Some(("NONE".into(), false)));
        assert_eq!(read("both"), Some(("Cognito".into(), true)));
        assert_eq!(read("key"), Some(("NONE".into(), true)));
        assert_eq!(read("odd"), None);
    }
}
