//! One `fetch()` call as the browser sees it, and what the browser sends for it.

use http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
use http::{HeaderMap, HeaderName, HeaderValue, Method, Request};

use crate::safelist::*;

/// What a script asked `fetch()` to do, as the browser sees it.
///
/// ```
/// use preflight_browser::Fetch;
/// let fetch = Fetch::new("https://app.example.com", "patch").header("X-Request-Id", "1").credentials(true);
/// assert_eq!(fetch.method, "patch"); // only the six standard methods are upper-cased
/// assert!(fetch.credentials);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetch {
    /// The page's serialized origin, e.g. `http://127.0.0.1:8080`, or `null`.
    pub origin: String,
    /// The method as the browser sends it (see [`Fetch::new`]).
    pub method: String,
    /// Author request headers `(name, value)` as the script set them.
    pub headers: Vec<(String, String)>,
    /// Credentials mode `include` (cookies, HTTP authentication).
    pub credentials: bool,
}

impl Fetch {
    /// A call from `origin` with `method`, normalized as browsers do (only `DELETE`, `GET`,
    /// `HEAD`, `OPTIONS`, `POST`, `PUT` are upper-cased), no headers, no credentials.
    ///
    /// ```
    /// use preflight_browser::Fetch;
    /// assert_eq!(Fetch::new("https://a.example", "delete").method, "DELETE");
    /// assert_eq!(Fetch::new("https://a.example", "patch").method, "patch");
    /// ```
    pub fn new(origin: impl Into<String>, method: impl Into<String>) -> Self {
        let method = method.into();
        let method = match NORMALIZED_METHODS
            .iter()
            .find(|m| m.eq_ignore_ascii_case(&method))
        {
            Some(m) => (*m).to_string(),
            None => method,
        };
        Fetch {
            origin: origin.into(),
            method,
            headers: Vec::new(),
            credentials: false,
        }
    }

    /// Adds an author request header.
    ///
    /// ```
    /// let fetch = preflight_browser::Fetch::new("https://a.example", "GET").header("Accept", "text/plain");
    /// assert_eq!(fetch.headers.len(), 1);
    /// ```
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets credentials mode `include` (`true`) or `same-origin` (`false`).
    ///
    /// ```
    /// assert!(preflight_browser::Fetch::new("https://a.example", "GET").credentials(true).credentials);
    /// ```
    pub fn credentials(mut self, include: bool) -> Self {
        self.credentials = include;
        self
    }

    /// The author headers the request carries: forbidden ones dropped, names lower-cased,
    /// the values of a repeated name combined with `, ` (as `Headers.append` does), in the
    /// order of first appearance.
    fn author_headers(&self) -> Vec<(String, String)> {
        let mut combined: Vec<(String, String)> = Vec::new();
        for (name, value) in &self.headers {
            let lower = name.to_ascii_lowercase();
            // Fetch normalizes a value by trimming HTTP whitespace.
            let value = value.trim_matches([' ', '\t', '\n', '\r']);
            if is_forbidden_request_header(&lower, value) {
                continue;
            }
            match combined.iter_mut().find(|(n, _)| *n == lower) {
                Some((_, all)) => {
                    all.push_str(", ");
                    all.push_str(value);
                }
                None => combined.push((lower, value.to_string())),
            }
        }
        combined
    }

    /// The author header names that are not CORS-safelisted: lower case, sorted, unique
    /// (Fetch "CORS-unsafe request-header names").
    pub(crate) fn unsafe_header_names(&self) -> Vec<String> {
        let mut names = Vec::new();
        let mut safelisted = Vec::new();
        let mut safelisted_size = 0;
        for (lower, value) in self.author_headers() {
            if is_safelisted_request_header(&lower, value.as_bytes()) {
                safelisted_size += value.len();
                safelisted.push(lower);
            } else {
                names.push(lower);
            }
        }
        if safelisted_size > 1024 {
            names.extend(safelisted);
        }
        names.sort();
        names.dedup();
        names
    }

    /// Whether the browser sends a CORS-preflight first: the method is not GET, HEAD or POST,
    /// or a header is not CORS-safelisted.
    ///
    /// ```
    /// use preflight_browser::Fetch;
    /// assert!(!Fetch::new("https://a.example", "POST").header("Content-Type", "text/plain;charset=UTF-8").needs_preflight());
    /// assert!(Fetch::new("https://a.example", "POST").header("Content-Type", "application/json").needs_preflight());
    /// assert!(Fetch::new("https://a.example", "GET").header("Range", "bytes=-5").needs_preflight());
    /// ```
    pub fn needs_preflight(&self) -> bool {
        !is_safelisted_method(&self.method) || !self.unsafe_header_names().is_empty()
    }

    /// The value of `Access-Control-Request-Headers`: the unsafe names joined by `,`.
    ///
    /// ```
    /// let fetch = preflight_browser::Fetch::new("https://a.example", "GET")
    ///     .header("X-B", "1").header("Authorization", "x").header("x-b", "2").header("Accept", "*/*");
    /// assert_eq!(fetch.request_headers_value().as_deref(), Some("authorization,x-b"));
    /// ```
    pub fn request_headers_value(&self) -> Option<String> {
        let names = self.unsafe_header_names();
        (!names.is_empty()).then(|| names.join(","))
    }

    /// The preflight the browser sends: `OPTIONS /` with `Origin`,
    /// `Access-Control-Request-Method` and, when needed, `Access-Control-Request-Headers`;
    /// never credentials or author headers.
    ///
    /// ```
    /// let request = preflight_browser::Fetch::new("https://a.example", "PUT").preflight_request();
    /// assert_eq!(request.method(), http::Method::OPTIONS);
    /// assert_eq!(request.headers()["access-control-request-method"], "PUT");
    /// ```
    pub fn preflight_request(&self) -> Request<()> {
        let mut request = Request::new(());
        *request.method_mut() = Method::OPTIONS;
        let headers = request.headers_mut();
        insert(headers, ORIGIN, &self.origin);
        insert(headers, ACCESS_CONTROL_REQUEST_METHOD, &self.method);
        if let Some(names) = self.request_headers_value() {
            insert(headers, ACCESS_CONTROL_REQUEST_HEADERS, &names);
        }
        request
    }

    /// The actual request's headers: `Origin` and the author headers (values the `http`
    /// crate cannot hold are left out).
    ///
    /// ```
    /// let headers = preflight_browser::Fetch::new("https://a.example", "GET").header("X-A", "1").request_headers();
    /// assert_eq!(headers["origin"], "https://a.example");
    /// assert_eq!(headers["x-a"], "1");
    /// ```
    pub fn request_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        insert(&mut headers, ORIGIN, &self.origin);
        for (name, value) in &self.author_headers() {
            if let (Ok(name), Ok(value)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                headers.append(name, value);
            }
        }
        headers
    }
}

pub(crate) fn insert(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    if let Ok(value) = HeaderValue::from_str(value) {
        headers.insert(name, value);
    }
}
