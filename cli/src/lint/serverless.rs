//! `serverless.yml` (the Serverless Framework, provider `aws`): the same rules as a SAM
//! template. `cors` on an `http` or `httpApi` event, or on `provider.httpApi`, next to the
//! library is two CORS layers; the REST API's routes (`http` events) go through the same
//! routing model; the gateway responses under `resources` must carry CORS headers; literal
//! `CORS_*` values must validate.

use super::cloudformation::gateway_response;
use super::sam::{
    check_gateway_responses, check_routing, parse_or_report, policies, Api, Dialect, Event,
};
use super::yaml::Node;
use super::{Level, Report};

/// The `CORS_*` entries of an `environment` block.
fn cors_vars(environment: Option<&Node>) -> Vec<(&str, &Node)> {
    environment
        .map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter(|(k, _)| preflight::vars::in_namespace(k))
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

/// Checks one `serverless.yml`.
pub fn lint(text: &str, report: &mut Report<'_>) {
    let Some(doc) = parse_or_report(text, report, "serverless") else {
        return;
    };
    let provider_vars = cors_vars(doc.at(&["provider", "environment"]));
    let mut events = Vec::new();
    let mut uses_library = !provider_vars.is_empty();
    let mut origins: Vec<&Node> = provider_vars
        .iter()
        .filter(|(k, _)| *k == preflight::vars::ALLOWED_ORIGINS)
        .map(|(_, v)| *v)
        .collect();
    for (name, function) in doc.get("functions").map(Node::entries).unwrap_or(&[]) {
        let mut vars = provider_vars.clone();
        for (k, v) in cors_vars(function.get("environment")) {
            vars.retain(|(old, _)| *old != k);
            vars.push((k, v));
        }
        uses_library |= !vars.is_empty();
        origins.extend(
            vars.iter()
                .filter(|(k, _)| *k == preflight::vars::ALLOWED_ORIGINS)
                .map(|(_, v)| *v),
        );
        let literal: Vec<(String, String, usize)> = vars
            .iter()
            .filter_map(|(k, v)| v.text().map(|t| (k.to_string(), t.to_owned(), v.line)))
            .collect();
        if !literal.is_empty() && literal.len() == vars.len() {
            super::validate(report, &format!("function {name}"), &literal, function.line);
        }
        for event in function.get("events").map(Node::items).unwrap_or(&[]) {
            for (kind, spec) in event.entries() {
                if kind != "http" && kind != "httpApi" {
                    continue;
                }
                if let Some(cors) = spec.get("cors") {
                    if cors.text().is_none_or(|t| t != "false") && !vars.is_empty() {
                        report.add(
                            cors.line,
                            Level::Error,
                            "two-cors-layers",
                            format!("function {name}: `cors` on this {kind} event and the preflight library both do CORS: the gateway answers OPTIONS itself with its own static headers, so the function's policy never sees preflights"),
                            "remove `cors` from the event and let the function's CORS_* variables decide",
                        );
                    }
                }
                if kind != "http" {
                    continue;
                }
                // `http: GET /items` or `http: {path, method, authorizer, private}`.
                let (method, path) = match spec.text() {
                    Some(short) => short.split_once(' ').unwrap_or(("ANY", short)),
                    None => (
                        spec.get("method").and_then(Node::text).unwrap_or("ANY"),
                        spec.get("path").and_then(Node::text).unwrap_or("/"),
                    ),
                };
                let authorizer = spec.get("authorizer").map(|a| {
                    a.text()
                        .or_else(|| a.get("name").and_then(Node::text))
                        .unwrap_or("authorizer")
                        .to_owned()
                });
                events.push(Event {
                    node: event,
                    api: "rest".into(),
                    path: format!("/{}", path.trim_start_matches('/')),
                    method: method.to_ascii_uppercase(),
                    authorizer: authorizer.or(Some("NONE".into())),
                    api_key: spec
                        .get("private")
                        .and_then(Node::text)
                        .map(|v| v.eq_ignore_ascii_case("true")),
                });
            }
        }
    }
    if let Some(cors) = doc.at(&["provider", "httpApi", "cors"]) {
        if uses_library && cors.text().is_none_or(|t| t != "false") {
            report.add(
                cors.line,
                Level::Error,
                "two-cors-layers",
                "provider.httpApi.cors and the preflight library both do CORS: the HTTP API answers preflights itself and replaces the function's CORS headers, so CORS_ALLOWED_ORIGINS is never used".into(),
                "remove provider.httpApi.cors and let the function's CORS_* variables decide",
            );
        }
    }
    if events.is_empty() {
        return;
    }
    let library_policies = policies(&origins);
    // The REST API's own error responses, declared under `resources` as CloudFormation.
    let api = Api {
        dialect: Dialect::Serverless,
        gateway_responses: doc
            .at(&["resources", "Resources"])
            .map(Node::entries)
            .unwrap_or(&[])
            .iter()
            .filter(|(_, r)| {
                r.get("Type").and_then(Node::text) == Some("AWS::ApiGateway::GatewayResponse")
            })
            .map(|(_, r)| gateway_response(r))
            .collect(),
        responses_line: doc.get("resources").map(|r| r.line),
        ..Api::default()
    };
    let line = doc.get("functions").map_or(1, |f| f.line);
    if uses_library {
        check_gateway_responses(
            report,
            "the REST API",
            line,
            &api,
            true,
            &origins,
            &library_policies,
        );
    }
    check_routing(
        report,
        "the REST API",
        line,
        &api,
        "rest",
        &events,
        uses_library,
    );
}
