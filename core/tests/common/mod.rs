//! Helpers shared by the integration tests: building policies from variables, sending
//! preflights and actual requests through `Policy::decide`/`apply`, and capturing logs.
#![allow(dead_code)]

use std::io::Write;

use http::{HeaderMap, HeaderName, HeaderValue, Method, Response, StatusCode};
use preflight::{Decision, Policy, Settings};

/// A policy from `CORS_*` pairs; panics with the full report when invalid.
pub fn policy(vars: &[(&str, &str)]) -> Policy {
    Settings::from_vars(vars.iter().copied())
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// A policy allowing these origins, other settings default.
pub fn origins(list: &str) -> Policy {
    policy(&[("CORS_ALLOWED_ORIGINS", list)])
}

pub fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    map
}

/// What happened to a request: the handler ran (and what its response became), or a
/// preflight answer was sent without it.
#[derive(Debug)]
pub struct Outcome {
    pub handler_ran: bool,
    pub response: Response<()>,
}

impl Outcome {
    pub fn status(&self) -> StatusCode {
        self.response.status()
    }
    pub fn get(&self, name: &str) -> Option<&str> {
        self.response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }
    pub fn cors_headers(&self) -> Vec<String> {
        self.response
            .headers()
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .map(|k| k.to_string())
            .collect()
    }
}

/// Sends a request through the policy around a handler that answers `status` with
/// `response_headers`, as an adapter does.
pub fn send(
    policy: &Policy,
    method: &str,
    request_headers: &[(&str, &str)],
    status: u16,
    response_headers: &[(&str, &str)],
) -> Outcome {
    let method = Method::from_bytes(method.as_bytes()).unwrap();
    let request = headers(request_headers);
    match policy.decide(&method, &request) {
        Decision::Preflight(preflight) => Outcome {
            handler_ran: false,
            response: preflight.into_response(()),
        },
        Decision::Refuse(refused) => Outcome {
            handler_ran: false,
            response: refused.into_response(()),
        },
        Decision::Forward(actual) => {
            let mut response = Response::new(());
            *response.status_mut() = StatusCode::from_u16(status).unwrap();
            *response.headers_mut() = headers(response_headers);
            policy.apply(&actual, response.headers_mut());
            Outcome {
                handler_ran: true,
                response,
            }
        }
    }
}

/// A preflight for `method` (and `request_headers` names, if any) from `origin`.
pub fn preflight(
    policy: &Policy,
    origin: &str,
    method: &str,
    request_headers: Option<&str>,
) -> Outcome {
    let mut h = vec![
        ("origin", origin),
        ("access-control-request-method", method),
    ];
    if let Some(names) = request_headers {
        h.push(("access-control-request-headers", names));
    }
    send(policy, "OPTIONS", &h, 200, &[])
}

/// An actual GET from `origin` answered 200 by the handler.
pub fn get(policy: &Policy, origin: &str) -> Outcome {
    send(policy, "GET", &[("origin", origin)], 200, &[])
}

/// Captures what `tracing` logs on this thread while `f` runs.
///
/// One global subscriber (installed on first use) writes into a per-thread buffer, so tests
/// running in parallel never see each other's lines, and no scoped dispatcher can leave a
/// callsite's interest cached as "never".
pub fn capture_logs<T>(f: impl FnOnce() -> T) -> (T, String) {
    use std::cell::RefCell;
    use std::sync::Once;

    thread_local! {
        static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    struct ThreadBuffer;
    impl Write for ThreadBuffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            BUFFER.with(|buf| buf.borrow_mut().extend_from_slice(b));
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(|| ThreadBuffer)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other global subscriber");
    });
    BUFFER.with(|buf| buf.borrow_mut().clear());
    let value = f();
    let text = BUFFER.with(|buf| String::from_utf8_lossy(&buf.borrow()).into_owned());
    (value, text)
}
