//! Sending one request the way a browser's network stack would for `fetch()`: no redirect
//! followed (the check reports it), any status returned as an answer, one clear line for
//! every failure to get an answer.

use std::time::Duration;

use http::{HeaderMap, Method, Request, StatusCode, Uri};

/// What came back.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// Every header, repeated lines kept.
    pub headers: HeaderMap,
    /// The first bytes of the body, for the report.
    pub body: String,
}

/// Sends requests with one configuration.
pub struct Client {
    agent: ureq::Agent,
    timeout: Duration,
}

/// How much of a body is read; a diagnosis never needs more.
const BODY_LIMIT: u64 = 64 * 1024;

impl Client {
    /// A client giving up after `timeout` per request.
    pub fn new(timeout: Duration) -> Client {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .allow_non_standard_methods(true)
            .user_agent(concat!("preflight-check/", env!("CARGO_PKG_VERSION")))
            .accept("*/*")
            .build()
            .new_agent();
        Client { agent, timeout }
    }

    /// Sends `method url` with `headers` (and `body`); `Err` is one line saying why no
    /// answer came.
    pub fn send(
        &self,
        method: &Method,
        url: &Uri,
        headers: &HeaderMap,
        body: Option<&str>,
    ) -> Result<Answer, String> {
        let mut request = Request::builder().method(method.clone()).uri(url.clone());
        if let Some(map) = request.headers_mut() {
            map.extend(headers.clone());
        }
        let result = match body {
            Some(body) => request
                .body(body.to_owned())
                .map_err(|e| e.to_string())
                .and_then(|r| self.agent.run(r).map_err(|e| self.explain(e, url))),
            None => request
                .body(())
                .map_err(|e| e.to_string())
                .and_then(|r| self.agent.run(r).map_err(|e| self.explain(e, url))),
        };
        let mut response = result?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    fn explain(&self, error: ureq::Error, url: &Uri) -> String {
        let host = url.authority().map_or("?", |a| a.as_str());
        match error {
            ureq::Error::Timeout(_) => format!(
                "no answer from {host} within {} s (use --timeout to wait longer)",
                self.timeout.as_secs_f64()
            ),
            ureq::Error::HostNotFound => format!("the host name in {host} does not resolve"),
            ureq::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!("nothing listens on {host} (connection refused)")
            }
            // rustls reports handshake failures through the socket as invalid data.
            ureq::Error::Io(e)
                if url.scheme_str() == Some("https")
                    && e.kind() == std::io::ErrorKind::InvalidData =>
            {
                format!("the TLS handshake with {host} failed: {e} (is it really https?)")
            }
            ureq::Error::Io(e) => format!("the connection to {host} failed: {e}"),
            ureq::Error::Rustls(e) => format!("the TLS handshake with {host} failed: {e}"),
            ureq::Error::Tls(e) => format!("the TLS handshake with {host} failed: {e}"),
            ureq::Error::BadUri(e) => format!("bad URL: {e}"),
            ureq::Error::ConnectionFailed => format!("the connection to {host} failed"),
            other => format!("the request to {host} failed: {other}"),
        }
    }
}
