//! Causes and fixes: from what the browser blocked on and what the server sent, the likely
//! cause in plain words, what to change on the server, proxy or gateway, and, for servers
//! built with the preflight SDK, the `CORS_*` variable to change. One place for every
//! diagnosis the check can give; each has a stable `code` for `--json`.

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, LOCATION,
};
use http::HeaderMap;
use preflight_browser::{Blocked, Fetch};

use crate::check::{cache_seconds, Probes};
use crate::net::Answer;
use preflight::varies_on_origin;
use preflight_browser::{
    DEFAULT_PREFLIGHT_CACHE_SECONDS as CHROMIUM_DEFAULT,
    MAX_PREFLIGHT_CACHE_SECONDS as CHROMIUM_CAP,
};

/// Why a step is blocked and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnosis {
    /// A stable name for the cause.
    pub code: &'static str,
    /// The cause, in plain words.
    pub cause: String,
    /// What to change on the server, proxy or gateway.
    pub fix: String,
    /// The `CORS_*` change, when the server uses the preflight SDK.
    pub sdk: Option<String>,
}

/// A problem that does not block this call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// A stable name.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// What to change.
    pub fix: String,
}

fn header(headers: &HeaderMap, name: &http::HeaderName) -> String {
    headers
        .get_all(name)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who answered, when the response says: a gateway's error marker or the server's name.
fn answered_by(headers: &HeaderMap) -> String {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(kind) = get("x-amzn-errortype") {
        return format!(" (answered by API Gateway itself: x-amzn-errortype: {kind})");
    }
    if let Some(kind) = get("x-vercel-error") {
        return format!(" (answered by Vercel's edge: x-vercel-error: {kind})");
    }
    match (get("server"), get("x-powered-by")) {
        (_, Some(app)) => format!(" (answered by {app})"),
        (Some(server), None) => format!(" (answered by {server})"),
        _ => String::new(),
    }
}

fn diagnosis(code: &'static str, cause: String, fix: &str, sdk: Option<String>) -> Diagnosis {
    Diagnosis {
        code,
        cause,
        fix: fix.to_owned(),
        sdk,
    }
}

/// The diagnosis for a status that is not 200-299 on a preflight.
fn preflight_status(fetch: &Fetch, answer: &Answer) -> Option<Diagnosis> {
    let status = answer.status.as_u16();
    let by = answered_by(&answer.headers);
    let origin = &fetch.origin;
    Some(match status {
        300..=399 => diagnosis(
            "preflight-redirect",
            format!(
                "the preflight was answered {status} (Location: {}){by}; a browser never follows a redirect for a preflight",
                header(&answer.headers, &LOCATION)
            ),
            "call the final URL directly (trailing slash, http to https, www, a login page) and do not redirect OPTIONS requests",
            None,
        ),
        401 | 407 => diagnosis(
            "auth-before-cors",
            format!("the preflight was answered {status}{by}: an authentication layer runs before CORS and refuses the OPTIONS request, which never carries credentials"),
            "let OPTIONS through unauthenticated, before authentication: API Gateway `Authorizer: NONE` on OPTIONS; Express `app.use(cors())` before the auth middleware; Vercel Deployment Protection bypass for previews",
            Some("the SDK answers preflights before the handler; this 401 comes from a layer in front of it (gateway authorizer, protection)".into()),
        ),
        403 => diagnosis(
            "preflight-forbidden",
            format!("the preflight was answered 403{by}: the server refuses this preflight (origin, method or header not allowed), or a firewall or authorizer refuses OPTIONS"),
            "allow this origin, method and headers in the server's CORS settings; if a firewall or authorizer answers, let OPTIONS through",
            Some(format!("the function log line `CORS preflight rejected` names the rule; most often {origin} is missing from CORS_ALLOWED_ORIGINS")),
        ),
        404 => diagnosis(
            "preflight-not-routed",
            format!("the preflight was answered 404{by}: nothing answers OPTIONS on this path (a router without an OPTIONS route, an API Gateway resource without an OPTIONS method, or a wrong path)"),
            "route OPTIONS for this path to the CORS layer (API Gateway: an OPTIONS method or ANY on the resource, without authorizer)",
            Some("wrap every function with the SDK; the SDK answers OPTIONS for any path it receives".into()),
        ),
        405 => diagnosis(
            "options-not-handled",
            format!("the preflight was answered 405{by}: the web server or router does not handle OPTIONS here and refuses it before any CORS code runs"),
            "answer OPTIONS in front of routing (nginx: `if ($request_method = OPTIONS) { ... return 204; }` with the CORS headers; frameworks: the CORS middleware before the router)",
            Some("the SDK answers OPTIONS itself; a 405 means the request never reached it (a proxy or router in front)".into()),
        ),
        500..=599 => diagnosis(
            if matches!(status, 502..=504) { "preflight-gateway-error" } else { "preflight-server-error" },
            format!("the preflight was answered {status}{by}: the server failed while answering OPTIONS (the handler ran for the preflight and failed, or the gateway could not reach the function)"),
            "answer preflights before the handler runs; check the function's logs and the integration",
            Some("if the log says the CORS configuration is invalid, fix the variables it names (`preflight explain` shows them)".into()),
        ),
        _ if !answer.status.is_success() => diagnosis(
            "preflight-status",
            format!("the preflight was answered {status}{by}; browsers need 200-299"),
            "answer preflights with 204 (or 200)",
            None,
        ),
        _ => return None,
    })
}

/// Diagnoses a blocked preflight. `probes` are what extra preflights found, when sent.
pub fn preflight(
    fetch: &Fetch,
    blocked: &Blocked,
    answer: &Answer,
    probes: Option<&Probes>,
) -> Diagnosis {
    let headers = &answer.headers;
    let origin = &fetch.origin;
    let by = answered_by(headers);
    match blocked {
        Blocked::PreflightRedirect | Blocked::PreflightStatus { .. } => {
            preflight_status(fetch, answer).expect("a failing status")
        }
        Blocked::NoAllowOrigin { .. } => {
            if let Some(found) = probes.and_then(|p| pinpointed(fetch, p)) {
                return found;
            }
            if let Some(status) = preflight_status(fetch, answer) {
                return status;
            }
            diagnosis(
                "preflight-without-cors",
                format!("the preflight was answered {} without CORS headers{by}: the server does not allow {origin}, or OPTIONS is answered by something other than the CORS layer (a default OPTIONS handler, a static server, a proxy)", answer.status.as_u16()),
                "allow the origin in the server's CORS settings and make sure its CORS layer answers OPTIONS",
                Some(format!("add {origin} to CORS_ALLOWED_ORIGINS")),
            )
        }
        _ => shared(fetch, blocked, headers, "preflight"),
    }
}

/// The page itself sets a CORS header (`Access-Control-Allow-Origin`, say) on its request.
fn sends_cors_header(name: &str) -> Diagnosis {
    diagnosis(
        "sends-cors-header",
        format!("the page sets `{name}` on its request: a CORS header, which the server answers (or the browser sends), never a script; the preflight then asks permission for it like any other header"),
        "remove the header from the headers of the fetch() call (tutorials that add it there are mistaken); the server's CORS settings are not the place to fix this",
        Some(format!("remove {name} from the fetch() call; CORS_ALLOWED_HEADERS refuses it")),
    )
}

/// What the probes say, when they pinpoint a cause.
fn pinpointed(fetch: &Fetch, probes: &Probes) -> Option<Diagnosis> {
    let origin = &fetch.origin;
    let sent = probes.sent;
    if probes.sent == 0 {
        return None;
    }
    if !probes.origin_ok {
        return Some(diagnosis(
            "origin-not-allowed",
            format!("the server answers no preflight from {origin}, not even for GET without headers ({sent} extra preflight sent): the origin is not allowed"),
            "add the origin, exactly as the browser sends it (scheme, host, port), to the server's allowed origins",
            Some(format!("add {origin} to CORS_ALLOWED_ORIGINS")),
        ));
    }
    if probes.upper_ok == Some(true) {
        let method = &fetch.method;
        let upper = method.to_ascii_uppercase();
        return Some(diagnosis(
            "method-case",
            format!("the server allows {upper} but refuses `{method}` ({sent} extra preflights sent): methods compare case-sensitively, and fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT, so `{method}` is sent as written"),
            "write the method in upper case in the script",
            Some(format!("write {upper} in the script; CORS_ALLOWED_METHODS already has it")),
        ));
    }
    if probes.method_ok == Some(false) {
        let method = &fetch.method;
        return Some(diagnosis(
            "method-not-allowed",
            format!("the server accepts preflights from {origin} but refuses the method {method} ({sent} extra preflights sent)"),
            "add the method to the server's allowed methods",
            Some(format!("add {method} to CORS_ALLOWED_METHODS (case matters)")),
        ));
    }
    if let Some(name) = probes
        .refused_headers
        .iter()
        .find(|n| preflight::is_cors_header_name(n.as_bytes()))
    {
        return Some(sends_cors_header(name));
    }
    if !probes.refused_headers.is_empty() {
        let names = probes.refused_headers.join(", ");
        return Some(diagnosis(
            "header-not-allowed",
            format!("the server accepts preflights from {origin} but refuses the request header(s) {names} ({sent} extra preflights sent)"),
            "add the header names to the server's allowed headers",
            Some(format!("add {names} to CORS_ALLOWED_HEADERS")),
        ));
    }
    None
}

/// Diagnoses a blocked actual response. `preflighted`: a preflight passed before it.
/// `origin_ok`: whether a preflight from the origin is accepted (probed for errors).
pub fn actual(
    fetch: &Fetch,
    blocked: &Blocked,
    answer: &Answer,
    preflighted: bool,
    origin_ok: Option<bool>,
) -> Diagnosis {
    let headers = &answer.headers;
    let origin = &fetch.origin;
    let status = answer.status.as_u16();
    let by = answered_by(headers);
    match blocked {
        Blocked::NoAllowOrigin { .. } if status >= 400 && origin_ok != Some(false) => diagnosis(
            "error-without-cors",
            format!("the response is a {status} without CORS headers{by}, so the page sees a CORS error instead of the {status}: the error path skips the CORS headers"),
            "add the CORS headers to error responses too (nginx: `add_header ... always`; API Gateway: gateway responses DEFAULT_4XX/DEFAULT_5XX with Access-Control-Allow-Origin; frameworks: the CORS middleware outside the error handler)",
            Some("the SDK decorates every response its handler returns, errors and panics included; this one came from a layer in front of it (gateway, proxy)".into()),
        ),
        Blocked::NoAllowOrigin { .. } if preflighted => diagnosis(
            "actual-without-cors",
            format!("the preflight passed, but the actual {status} response carries no Access-Control-Allow-Origin{by}: CORS headers are added to OPTIONS answers only"),
            "add Access-Control-Allow-Origin (and Access-Control-Allow-Credentials when used) to every response, not only to preflights",
            None,
        ),
        Blocked::NoAllowOrigin { .. } => diagnosis(
            "no-allow-origin",
            if origin_ok == Some(false) {
                format!("the {status} response carries no Access-Control-Allow-Origin{by}, and a preflight from {origin} is refused too (1 extra preflight sent): the server does not allow {origin}")
            } else {
                format!("the {status} response carries no Access-Control-Allow-Origin{by}: the server does not allow {origin}, or does no CORS at all")
            },
            "allow the origin in the server's CORS settings",
            Some(format!("add {origin} to CORS_ALLOWED_ORIGINS")),
        ),
        _ => shared(fetch, blocked, headers, "response"),
    }
}

/// Causes that read the same on the preflight and the actual response.
fn shared(fetch: &Fetch, blocked: &Blocked, headers: &HeaderMap, what: &str) -> Diagnosis {
    let origin = &fetch.origin;
    let by = answered_by(headers);
    match blocked {
        Blocked::MultipleAllowOrigin { value, .. } => {
            let lines = headers.get_all(ACCESS_CONTROL_ALLOW_ORIGIN).iter().count();
            if lines > 1 {
                diagnosis(
                    "duplicate-allow-origin",
                    format!("the {what} carries Access-Control-Allow-Origin {lines} times ({value}){by}: two layers both add CORS headers (gateway and function, vercel.json `headers` and function, function URL `Cors` and function, proxy and app)"),
                    "let exactly one layer add CORS headers; remove the CORS settings of the other",
                    Some("the SDK removes CORS headers its handler sets; remove the gateway's or platform's CORS settings (`preflight lint` finds them)".into()),
                )
            } else {
                diagnosis(
                    "allow-origin-list",
                    format!("Access-Control-Allow-Origin holds a list ({value}): it takes exactly one origin"),
                    "send only the request's origin when it is in the list",
                    Some("CORS_ALLOWED_ORIGINS takes the list; the SDK answers with the one matching origin".into()),
                )
            }
        }
        Blocked::InvalidAllowOrigin { value, .. } => diagnosis(
            "invalid-allow-origin",
            format!("Access-Control-Allow-Origin is `{value}`, which is not an origin"),
            "send the origin with its scheme (https://app.example.com), or `*`",
            None,
        ),
        Blocked::AllowOriginMismatch { value, .. } => diagnosis(
            "allow-origin-mismatch",
            format!("Access-Control-Allow-Origin is {value}, another origin than the page's {origin}: a fixed origin configured for another site, a scheme, port or trailing-slash difference, or a cached answer given to another origin (missing `Vary: Origin`)"),
            "answer with the request's origin when it is allowed, byte for byte, and send `Vary: Origin`",
            Some(format!("add {origin} to CORS_ALLOWED_ORIGINS")),
        ),
        Blocked::WildcardWithCredentials { .. } => diagnosis(
            "wildcard-with-credentials",
            "Access-Control-Allow-Origin is `*` and the request includes credentials: browsers refuse `*` for credentialed requests".into(),
            "answer with the request's origin taken from an allowlist (never reflect every origin), or send the request without credentials",
            Some(format!("list the origins in CORS_ALLOWED_ORIGINS (not `*`) and set CORS_ALLOW_CREDENTIALS=true; {origin} among them")),
        ),
        Blocked::AllowCredentials { value, .. } => diagnosis(
            "credentials-not-allowed",
            if value.is_empty() {
                format!("the request includes credentials and the {what} has no Access-Control-Allow-Credentials")
            } else {
                format!("the request includes credentials and Access-Control-Allow-Credentials is `{value}`; it must be exactly `true`")
            },
            "send `Access-Control-Allow-Credentials: true` (with an exact origin), or call without credentials",
            Some("set CORS_ALLOW_CREDENTIALS=true".into()),
        ),
        Blocked::InvalidAllowMethods => diagnosis(
            "invalid-allow-methods",
            format!("Access-Control-Allow-Methods `{}` is not a list of method names", header(headers, &ACCESS_CONTROL_ALLOW_METHODS)),
            "send a comma-separated list of methods",
            None,
        ),
        Blocked::InvalidAllowHeaders => diagnosis(
            "invalid-allow-headers",
            format!("Access-Control-Allow-Headers `{}` is not a list of header names", header(headers, &ACCESS_CONTROL_ALLOW_HEADERS)),
            "send a comma-separated list of header names",
            None,
        ),
        Blocked::MethodNotAllowed { method } => {
            let listed = header(headers, &ACCESS_CONTROL_ALLOW_METHODS);
            let case = listed
                .split(',')
                .any(|m| m.trim().eq_ignore_ascii_case(method) && m.trim() != method);
            diagnosis(
                "method-not-allowed",
                if listed.trim().is_empty() {
                    format!("the preflight answer has no Access-Control-Allow-Methods, which allows only GET, HEAD and POST; not {method}")
                } else if case {
                    format!("the preflight allows `{listed}`, which has {method} only in another case; methods compare case-sensitively and fetch() sends `{method}` as written")
                } else if fetch.credentials && listed.trim() == "*" {
                    format!("the preflight allows methods `*`, which means the literal method `*` for credentialed requests; {method} is not listed")
                } else {
                    format!("the preflight allows the methods `{listed}`, not {method}")
                },
                "add the method to the server's allowed methods (or write it in upper case in the script)",
                Some(format!("add {method} to CORS_ALLOWED_METHODS")),
            )
        }
        Blocked::HeaderNotAllowed { name } if preflight::is_cors_header_name(name.as_bytes()) => {
            sends_cors_header(name)
        }
        Blocked::HeaderNotAllowed { name } => {
            let listed = header(headers, &ACCESS_CONTROL_ALLOW_HEADERS);
            let star = listed.split(',').any(|h| h.trim() == "*");
            diagnosis(
                "header-not-allowed",
                if star {
                    format!("the preflight allows headers `*`, which credentialed requests read as the literal name `*`; {name} is not listed")
                } else {
                    format!("the preflight allows the headers `{listed}`, not {name}")
                },
                "add the header name to the server's allowed headers",
                Some(format!("add {name} to CORS_ALLOWED_HEADERS")),
            )
        }
        other => diagnosis(
            "blocked",
            other.to_string(),
            "see the message",
            None,
        ),
    }
}

/// Problems of an allowed preflight answer.
pub fn preflight_findings(fetch: &Fetch, answer: &Answer) -> Vec<Finding> {
    let mut findings = vary_finding(fetch, &answer.headers, "preflight answer");
    let (seconds, asked) = cache_seconds(&answer.headers);
    match asked {
        None => findings.push(Finding {
            code: "max-age-missing",
            message: format!("no Access-Control-Max-Age: Chromium caches this preflight for {CHROMIUM_DEFAULT} seconds, so nearly every call pays a preflight round trip (and, on serverless, an invocation)"),
            fix: format!("send Access-Control-Max-Age: {CHROMIUM_CAP} (Chromium's cap); the SDK's CORS_MAX_AGE defaults to {}", preflight::DEFAULT_MAX_AGE),
        }),
        Some(value) if seconds == CHROMIUM_CAP && value.trim().parse::<u64>().is_ok_and(|v| v > CHROMIUM_CAP) => {
            findings.push(Finding {
                code: "max-age-over-cap",
                message: format!("Access-Control-Max-Age is {value}; Chromium caches preflights for {CHROMIUM_CAP} seconds at most (Firefox {})", preflight::MAX_MAX_AGE),
                fix: format!("send {CHROMIUM_CAP} or less, or accept Chromium's cap"),
            })
        }
        Some(_) => {}
    }
    findings
}

/// Problems of an allowed actual response.
pub fn response_findings(fetch: &Fetch, answer: &Answer) -> Vec<Finding> {
    vary_finding(fetch, &answer.headers, "response")
}

fn vary_finding(fetch: &Fetch, headers: &HeaderMap, what: &str) -> Vec<Finding> {
    let specific = headers
        .get(ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_some_and(|v| v.as_bytes() != b"*");
    if specific && !varies_on_origin(headers) {
        vec![Finding {
            code: "missing-vary-origin",
            message: format!("the {what} names the origin {} in Access-Control-Allow-Origin without `Vary: Origin`: a browser or shared cache may hand it to a page of another origin, which the browser then blocks", fetch.origin),
            fix: "add `Vary: Origin` to every response whose CORS headers depend on the request's origin (the SDK always does)".into(),
        }]
    } else {
        Vec::new()
    }
}

/// `Authorization` allowed only by `Access-Control-Allow-Headers: *`.
pub fn authorization_by_wildcard() -> Finding {
    Finding {
        code: "wildcard-authorization",
        message: "Authorization is allowed only by `Access-Control-Allow-Headers: *`: Chromium still accepts that (with a deprecation warning), but the Fetch Standard, Firefox and Safari do not, so the call fails there".into(),
        fix: "name Authorization in Access-Control-Allow-Headers (the SDK's CORS_ALLOWED_HEADERS=* echoes the requested names, so it always does)".into(),
    }
}

/// The server trusted `origin`, which it never should.
pub fn trusts(origin: &str, answer: &Answer) -> Finding {
    let credentials = answer
        .headers
        .get(ACCESS_CONTROL_ALLOW_CREDENTIALS)
        .is_some_and(|v| v.as_bytes() == b"true");
    let with = if credentials {
        " WITH credentials: any site can read your users' data with their cookies"
    } else {
        ""
    };
    if origin == "null" {
        Finding {
            code: "trusts-null",
            message: format!("the server allows the origin `null`{with}; any page can send `null` (sandboxed iframes, data: URLs)"),
            fix: "never allow `null` (the SDK refuses it)".into(),
        }
    } else {
        Finding {
            code: "reflects-any-origin",
            message: format!("the server allowed {origin}, an origin that cannot exist: it reflects every origin{with}"),
            fix: "check the origin against an allowlist (exact origins, anchored subdomain patterns) before echoing it".into(),
        }
    }
}
