//! `preflight check`: one `fetch()` call played as Chromium plays it, over the network, judged
//! by the browser model (the crate `preflight-cors-browser`), each failure diagnosed.

use http::header::ACCESS_CONTROL_ALLOW_ORIGIN;
use http::{HeaderMap, Method, StatusCode, Uri};
use preflight_browser::{
    authorization_only_by_wildcard, can_read_header, check_preflight, check_response,
    is_safelisted_method, preflight_cache_seconds, Blocked, Fetch,
};

use crate::diagnose::{self, Diagnosis, Finding};
use crate::net::{Answer, Client};

/// What to check.
#[derive(Debug, Clone)]
pub struct Call {
    /// The URL as given.
    pub url: Uri,
    /// The call as the browser sees it.
    pub fetch: Fetch,
    /// The request body, if any.
    pub body: Option<String>,
    /// Whether extra side-effect-free preflights may be sent to pinpoint causes.
    pub probe: bool,
}

/// One request and its answer.
#[derive(Debug, Clone)]
pub struct Step {
    /// The request line and the headers sent.
    pub method: String,
    /// The headers sent.
    pub sent: HeaderMap,
    /// What came back.
    pub answer: Answer,
    /// Why the browser blocks, if it does.
    pub blocked: Option<Blocked>,
    /// The cause and fix, when blocked.
    pub diagnosis: Option<Diagnosis>,
}

/// The whole check.
#[derive(Debug, Clone)]
pub struct Report {
    /// The call.
    pub call: Call,
    /// Why a preflight is sent (empty when none is).
    pub preflight_because: Vec<String>,
    /// The preflight, when one was needed.
    pub preflight: Option<Step>,
    /// The actual request, unless the browser stopped at the preflight.
    pub actual: Option<Step>,
    /// Problems that do not block this call.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Browsers other than Chromium that block a call Chromium allows.
    pub fn blocked_elsewhere(&self) -> &'static [&'static str] {
        if self
            .findings
            .iter()
            .any(|f| f.code == "wildcard-authorization")
        {
            &["Firefox", "Safari"]
        } else {
            &[]
        }
    }

    /// Whether the call works in every browser modelled (the exit status).
    pub fn allowed_everywhere(&self) -> bool {
        self.allowed() && self.blocked_elsewhere().is_empty()
    }

    /// Whether Chromium lets the page read the response.
    pub fn allowed(&self) -> bool {
        self.preflight.as_ref().is_none_or(|s| s.blocked.is_none())
            && self.actual.as_ref().is_some_and(|s| s.blocked.is_none())
    }

    /// What Chromium prints in the console when the call is blocked.
    pub fn console_message(&self) -> Option<String> {
        let blocked = [&self.preflight, &self.actual]
            .into_iter()
            .flatten()
            .find_map(|s| s.blocked.as_ref())?;
        Some(format!(
            "Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: {blocked}",
            self.call.url, self.call.fetch.origin
        ))
    }
}

/// Why the browser sends a preflight for this call (empty: it does not).
pub fn preflight_reasons(fetch: &Fetch) -> Vec<String> {
    let mut reasons = Vec::new();
    if !is_safelisted_method(&fetch.method) {
        reasons.push(format!("{} is not GET, HEAD or POST", fetch.method));
    }
    if let Some(names) = fetch.request_headers_value() {
        reasons.push(format!("not CORS-safelisted: {names}"));
    }
    if !reasons.is_empty() && !fetch.needs_preflight() {
        reasons.clear();
    }
    reasons
}

/// Runs the check. `Err` is one line: no answer could be had (network, TLS, timeout).
pub fn run(client: &Client, call: Call) -> Result<Report, String> {
    let fetch = &call.fetch;
    let preflight_because = preflight_reasons(fetch);
    let mut findings = Vec::new();

    let preflight = if fetch.needs_preflight() {
        let request = fetch.preflight_request();
        let answer = client.send(&Method::OPTIONS, &call.url, request.headers(), None)?;
        let blocked = check_preflight(fetch, answer.status, &answer.headers).err();
        let mut step = Step {
            method: "OPTIONS".into(),
            sent: request.headers().clone(),
            answer,
            blocked,
            diagnosis: None,
        };
        if let Some(blocked) = &step.blocked {
            let probes = if call.probe {
                Some(pinpoint(client, &call, &step.answer)?)
            } else {
                None
            };
            step.diagnosis = Some(diagnose::preflight(
                fetch,
                blocked,
                &step.answer,
                probes.as_ref(),
            ));
        } else {
            findings.extend(diagnose::preflight_findings(fetch, &step.answer));
            if authorization_only_by_wildcard(fetch, &step.answer.headers) {
                findings.push(diagnose::authorization_by_wildcard());
            }
        }
        Some(step)
    } else {
        None
    };

    let actual = if preflight.as_ref().is_none_or(|s| s.blocked.is_none()) {
        let method = Method::from_bytes(fetch.method.as_bytes())
            .map_err(|_| format!("`{}` is not a method name", fetch.method))?;
        let sent = fetch.request_headers();
        let answer = client.send(&method, &call.url, &sent, call.body.as_deref())?;
        let blocked = check_response(fetch, &answer.headers).err();
        // An error without CORS headers: is the origin allowed at all?
        let origin_ok = match &blocked {
            Some(Blocked::NoAllowOrigin { .. }) if call.probe && answer.status.as_u16() >= 400 => {
                Some(origin_accepted(client, &call)?)
            }
            _ => None,
        };
        let diagnosis = blocked
            .as_ref()
            .map(|b| diagnose::actual(fetch, b, &answer, preflight.is_some(), origin_ok));
        if blocked.is_none() {
            findings.extend(diagnose::response_findings(fetch, &answer));
        }
        Some(Step {
            method: fetch.method.clone(),
            sent,
            answer,
            blocked,
            diagnosis,
        })
    } else {
        None
    };

    if call.probe {
        let answered_cors = [&preflight, &actual]
            .into_iter()
            .flatten()
            .any(|s| s.answer.headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN));
        if answered_cors {
            findings.extend(probe_trust(client, &call)?);
        }
    }

    Ok(Report {
        call,
        preflight_because,
        preflight,
        actual,
        findings,
    })
}

/// What extra preflights found about a refused one.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    /// A preflight for `GET` with no headers from the same origin passed.
    pub origin_ok: bool,
    /// The method alone passed (None: not probed, safelisted).
    pub method_ok: Option<bool>,
    /// The method in upper case passed, when the method alone did not and is not upper case.
    pub upper_ok: Option<bool>,
    /// Requested header names refused one at a time.
    pub refused_headers: Vec<String>,
    /// Preflights sent.
    pub sent: usize,
}

/// Most header names probed one at a time.
const MAX_HEADER_PROBES: usize = 16;

/// Finds which part of a refused preflight the server refuses, with preflights that
/// differ in one part each (side-effect free: servers do not run handlers for preflights).
fn pinpoint(client: &Client, call: &Call, answer: &Answer) -> Result<Probes, String> {
    let mut probes = Probes::default();
    // Only when the server answered without CORS headers is the cause hidden.
    if answer.headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN)
        || answer.status.is_redirection()
        || matches!(answer.status.as_u16(), 401 | 404 | 405 | 407)
        || answer.status.is_server_error()
    {
        return Ok(probes);
    }
    let origin = &call.fetch.origin;
    let mut passes = |fetch: Fetch| -> Result<bool, String> {
        let request = fetch.preflight_request();
        let answer = client.send(&Method::OPTIONS, &call.url, request.headers(), None)?;
        probes.sent += 1;
        Ok(check_preflight(&fetch, answer.status, &answer.headers).is_ok())
    };
    let origin_ok = passes(Fetch::new(origin.clone(), "GET"))?;
    let mut method_ok = None;
    let mut refused = Vec::new();
    if origin_ok {
        if !is_safelisted_method(&call.fetch.method) {
            method_ok = Some(passes(Fetch::new(
                origin.clone(),
                call.fetch.method.clone(),
            ))?);
            let upper = call.fetch.method.to_ascii_uppercase();
            if method_ok == Some(false) && upper != call.fetch.method {
                probes.upper_ok = Some(passes(Fetch::new(origin.clone(), upper))?);
            }
        }
        let names = call.fetch.request_headers_value().unwrap_or_default();
        for name in names
            .split(',')
            .filter(|n| !n.is_empty())
            .take(MAX_HEADER_PROBES)
        {
            let fetch = Fetch::new(origin.clone(), "GET")
                .header(name, "x")
                .credentials(call.fetch.credentials);
            if !passes(fetch)? {
                refused.push(name.to_owned());
            }
        }
    }
    probes.origin_ok = origin_ok;
    probes.method_ok = method_ok;
    probes.refused_headers = refused;
    Ok(probes)
}

/// Whether the server accepts a preflight for `GET` from the call's origin.
fn origin_accepted(client: &Client, call: &Call) -> Result<bool, String> {
    let fetch = Fetch::new(call.fetch.origin.clone(), "GET");
    let request = fetch.preflight_request();
    let answer = client.send(&Method::OPTIONS, &call.url, request.headers(), None)?;
    Ok(check_preflight(&fetch, answer.status, &answer.headers).is_ok())
}

/// Origins no server should trust: one that cannot exist, and `null`.
const UNTRUSTED: [&str; 2] = ["https://preflight-probe.invalid", "null"];

/// Whether the server trusts any origin (reflection) or `null`, asked with side-effect-free
/// preflights for `GET`.
fn probe_trust(client: &Client, call: &Call) -> Result<Vec<Finding>, String> {
    let mut findings = Vec::new();
    for origin in UNTRUSTED {
        let fetch = Fetch::new(origin, "GET");
        let request = fetch.preflight_request();
        let answer = client.send(&Method::OPTIONS, &call.url, request.headers(), None)?;
        let echoed = answer
            .headers
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_some_and(|v| v.as_bytes() == origin.as_bytes());
        if echoed {
            findings.push(diagnose::trusts(origin, &answer));
        }
    }
    Ok(findings)
}

/// The response headers a script can and cannot read.
pub fn readable(fetch: &Fetch, headers: &HeaderMap) -> (Vec<String>, Vec<String>) {
    let mut names: Vec<String> = headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| {
            !k.starts_with("access-control-")
                && !matches!(
                    k.as_str(),
                    "vary" | "connection" | "keep-alive" | "transfer-encoding"
                )
        })
        .collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .partition(|name| can_read_header(fetch, headers, name))
}

/// How long Chromium will cache this preflight answer, and what the server asked for.
pub fn cache_seconds(headers: &HeaderMap) -> (u64, Option<String>) {
    let asked = headers
        .get(http::header::ACCESS_CONTROL_MAX_AGE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (preflight_cache_seconds(headers), asked)
}

/// The status line's words.
pub fn status_text(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}
