//! What the policy decided about one request: answer a preflight now, or let the handler run
//! and decorate its response.
//!
//! ```
//! use http::{Method, Request, StatusCode};
//! use preflight::{Decision, Policy};
//!
//! let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
//! let request = Request::builder()
//!     .method(Method::OPTIONS)
//!     .header("Origin", "https://app.example.com")
//!     .header("Access-Control-Request-Method", "PUT")
//!     .body(())
//!     .unwrap();
//! match policy.decide(request.method(), request.headers()) {
//!     Decision::Preflight(preflight) => {
//!         let response = preflight.into_response(());
//!         assert_eq!(response.status(), StatusCode::NO_CONTENT);
//!         assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
//!     }
//!     Decision::Forward(_) | Decision::Refuse(_) => unreachable!("a preflight never reaches the handler"),
//! }
//! ```

use std::fmt;

use http::{HeaderMap, HeaderValue, Response, StatusCode};

use crate::answer::{AllowedPreflight, Answers};
use crate::origin::OriginRejection;

/// What to do with a request. Returned by [`Policy::decide`](crate::Policy::decide).
#[derive(Debug)]
pub enum Decision<'p> {
    /// A CORS preflight: answer it with [`Preflight::into_response`] (or [`Preflight::status`]
    /// and [`Preflight::write_headers`]) and do **not** call the handler, so that neither
    /// authentication nor routing ever sees it.
    Preflight(Preflight<'p>),
    /// Any other request: call the handler, then pass its response headers to
    /// [`Policy::apply`](crate::Policy::apply) with this value, whatever the status.
    Forward(Actual),
    /// A state-changing request that a browser sent from another site, from an origin that is
    /// not allowed, while `CORS_REFUSE_CROSS_SITE=true`: answer it with
    /// [`Refused::into_response`] (a `403`) and do **not** call the handler.
    Refuse(Refused),
}

/// A request refused by the cross-site guard (`CORS_REFUSE_CROSS_SITE=true`): `403`, no
/// `Access-Control-*` header, `Vary: Origin`.
///
/// ```
/// use http::{HeaderMap, Method, StatusCode};
/// use preflight::{CrossSite, Decision, Policy};
///
/// let policy = Policy::builder()
///     .allowed_origins(["https://app.example.com"])
///     .refuse_cross_site(true)
///     .build()
///     .unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
/// let Decision::Refuse(refused) = policy.decide(&Method::POST, &headers) else { panic!() };
/// assert_eq!(refused.reason(), CrossSite::OriginNotAllowed);
/// let response = refused.into_response(());
/// assert_eq!(response.status(), StatusCode::FORBIDDEN);
/// assert_eq!(response.headers()["vary"], "Origin");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refused {
    reason: CrossSite,
}

impl Refused {
    pub(crate) fn new(reason: CrossSite) -> Self {
        Refused { reason }
    }

    /// Why the request was refused.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{CrossSite, Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).refuse_cross_site(true).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
    /// let Decision::Refuse(refused) = policy.decide(&Method::DELETE, &headers) else { panic!() };
    /// assert_eq!(refused.reason(), CrossSite::NoOrigin);
    /// ```
    pub fn reason(&self) -> CrossSite {
        self.reason
    }

    /// Always `403 Forbidden`.
    ///
    /// ```
    /// # use http::{HeaderMap, Method, StatusCode};
    /// # use preflight::{Decision, Policy};
    /// # let policy = Policy::builder().allowed_origins(["https://app.example.com"]).refuse_cross_site(true).build().unwrap();
    /// # let mut headers = HeaderMap::new();
    /// # headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
    /// # let Decision::Refuse(refused) = policy.decide(&Method::DELETE, &headers) else { panic!() };
    /// assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    /// ```
    pub fn status(&self) -> StatusCode {
        StatusCode::FORBIDDEN
    }

    /// Writes the refusal's headers: `Vary: Origin` only (the answer depends on the origin;
    /// no `Access-Control-*` header, so the page cannot read it either).
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// # let policy = Policy::builder().allowed_origins(["https://app.example.com"]).refuse_cross_site(true).build().unwrap();
    /// # let mut headers = HeaderMap::new();
    /// # headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
    /// # let Decision::Refuse(refused) = policy.decide(&Method::DELETE, &headers) else { panic!() };
    /// let mut answer = HeaderMap::new();
    /// refused.write_headers(&mut answer);
    /// assert_eq!(answer.len(), 1);
    /// ```
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        crate::vary::add_origin(headers);
    }

    /// The whole answer with `body`.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// # let policy = Policy::builder().allowed_origins(["https://app.example.com"]).refuse_cross_site(true).build().unwrap();
    /// # let mut headers = HeaderMap::new();
    /// # headers.insert("sec-fetch-site", "cross-site".parse().unwrap());
    /// # let Decision::Refuse(refused) = policy.decide(&Method::DELETE, &headers) else { panic!() };
    /// let response: http::Response<String> = refused.into_response("refused".into());
    /// assert_eq!(response.status(), 403);
    /// ```
    pub fn into_response<B>(self, body: B) -> Response<B> {
        let mut response = Response::new(body);
        *response.status_mut() = self.status();
        self.write_headers(response.headers_mut());
        response
    }
}

/// Why the cross-site guard refused a request.
///
/// ```
/// assert_eq!(preflight::CrossSite::OriginNotAllowed.variable(), "CORS_ALLOWED_ORIGINS");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CrossSite {
    /// The browser sent the request from another origin (its `Sec-Fetch-Site` is not
    /// `same-origin`, or without `Sec-Fetch-Site` its `Origin` is not the request's `Host`),
    /// and that origin is not allowed (or the `Origin` is malformed or repeated).
    OriginNotAllowed,
    /// `Sec-Fetch-Site` says another site sent it, and there is no `Origin` to allow.
    NoOrigin,
}

impl CrossSite {
    /// The variable to change when the refused request should have passed: the origin to
    /// list, or the guard itself.
    ///
    /// ```
    /// assert_eq!(preflight::CrossSite::NoOrigin.variable(), "CORS_REFUSE_CROSS_SITE");
    /// ```
    pub fn variable(self) -> &'static str {
        match self {
            CrossSite::OriginNotAllowed => crate::vars::ALLOWED_ORIGINS,
            CrossSite::NoOrigin => crate::vars::REFUSE_CROSS_SITE,
        }
    }
}

impl fmt::Display for CrossSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CrossSite::OriginNotAllowed => "a state-changing request from another origin that is not in CORS_ALLOWED_ORIGINS (CORS_REFUSE_CROSS_SITE=true refuses it before the handler runs)",
            CrossSite::NoOrigin => "a state-changing request another site sent without an Origin header (CORS_REFUSE_CROSS_SITE=true refuses it before the handler runs)",
        })
    }
}

/// The answer to a preflight: allowed (`204`, the CORS headers) or rejected (`403`, no
/// `Access-Control-*` header at all).
///
/// ```
/// use http::{HeaderMap, Method, StatusCode};
/// use preflight::{Decision, Policy, Rejection};
///
/// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("origin", "https://evil.example".parse().unwrap());
/// headers.insert("access-control-request-method", "GET".parse().unwrap());
/// let Decision::Preflight(preflight) = policy.decide(&Method::OPTIONS, &headers) else { panic!() };
/// assert_eq!(preflight.rejection(), Some(Rejection::OriginNotAllowed));
/// assert_eq!(preflight.status(), StatusCode::FORBIDDEN);
/// ```
#[derive(Debug)]
pub struct Preflight<'p> {
    /// The policy's ready answers, which the outcome is written from.
    answers: &'p Answers,
    outcome: Result<AllowedPreflight, Rejection>,
}

impl<'p> Preflight<'p> {
    pub(crate) fn new(answers: &'p Answers, outcome: Result<AllowedPreflight, Rejection>) -> Self {
        Preflight { answers, outcome }
    }

    /// Whether the browser will be allowed to send the actual request.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["*"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://any.example".parse().unwrap());
    /// headers.insert("access-control-request-method", "DELETE".parse().unwrap());
    /// let Decision::Preflight(p) = policy.decide(&Method::OPTIONS, &headers) else { panic!() };
    /// assert!(p.is_allowed());
    /// ```
    pub fn is_allowed(&self) -> bool {
        self.outcome.is_ok()
    }

    /// Why the preflight was rejected, or `None` when it is allowed.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy, Rejection};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://app.example.com".parse().unwrap());
    /// headers.insert("access-control-request-method", "patch".parse().unwrap());
    /// let Decision::Preflight(p) = policy.decide(&Method::OPTIONS, &headers) else { panic!() };
    /// assert_eq!(p.rejection(), Some(Rejection::MethodCase));
    /// ```
    pub fn rejection(&self) -> Option<Rejection> {
        self.outcome.as_ref().err().copied()
    }

    /// `204 No Content` when allowed, `403 Forbidden` when rejected.
    ///
    /// ```
    /// # use http::{HeaderMap, Method, StatusCode};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "null".parse().unwrap());
    /// headers.insert("access-control-request-method", "GET".parse().unwrap());
    /// let Decision::Preflight(p) = policy.decide(&Method::OPTIONS, &headers) else { panic!() };
    /// assert_eq!(p.status(), StatusCode::FORBIDDEN);
    /// ```
    pub fn status(&self) -> StatusCode {
        if self.outcome.is_ok() {
            StatusCode::NO_CONTENT
        } else {
            StatusCode::FORBIDDEN
        }
    }

    /// Writes the answer's headers into `headers` (meant for an empty map).
    ///
    /// Allowed:
    /// ```text
    /// Access-Control-Allow-Origin: https://app.example.com   (or * when any origin is allowed)
    /// Access-Control-Allow-Methods: PUT                      (the requested method)
    /// Access-Control-Allow-Headers: authorization, content-type  (CORS_ALLOWED_HEADERS; with `*`, the requested names)
    /// Access-Control-Allow-Credentials: true                 (when enabled)
    /// Access-Control-Max-Age: 7200
    /// Access-Control-Allow-Private-Network: true             (only when asked and enabled)
    /// Vary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
    /// ```
    /// No `Content-Length`: RFC 9110 forbids it in a `204`. Rejected (`403`): only `Vary`.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).max_age(600).build().unwrap();
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", "https://app.example.com".parse().unwrap());
    /// request.insert("access-control-request-method", "PUT".parse().unwrap());
    /// request.insert("access-control-request-headers", "authorization".parse().unwrap());
    /// let Decision::Preflight(p) = policy.decide(&Method::OPTIONS, &request) else { panic!() };
    /// let mut answer = HeaderMap::new();
    /// p.write_headers(&mut answer);
    /// assert_eq!(answer["access-control-allow-origin"], "https://app.example.com");
    /// assert_eq!(answer["access-control-allow-headers"], "authorization, content-type");
    /// assert_eq!(answer["access-control-max-age"], "600");
    /// ```
    pub fn write_headers(&self, headers: &mut HeaderMap) {
        match &self.outcome {
            Ok(allowed) => self.answers.write_allowed(allowed.clone(), headers),
            Err(_) => self.answers.write_rejected(headers),
        }
    }

    /// The whole answer with `body` (an empty body of the platform's type).
    ///
    /// ```
    /// # use http::{HeaderMap, Method, StatusCode};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", "https://app.example.com".parse().unwrap());
    /// request.insert("access-control-request-method", "DELETE".parse().unwrap());
    /// let Decision::Preflight(p) = policy.decide(&Method::OPTIONS, &request) else { panic!() };
    /// let response: http::Response<String> = p.into_response(String::new());
    /// assert_eq!(response.status(), StatusCode::NO_CONTENT);
    /// assert!(response.headers().get("content-length").is_none()); // forbidden in a 204
    /// ```
    pub fn into_response<B>(self, body: B) -> Response<B> {
        let status = self.status();
        let mut response = Response::new(body);
        *response.status_mut() = status;
        // The outcome moves into the answer: its values are not cloned.
        match self.outcome {
            Ok(allowed) => self.answers.write_allowed(allowed, response.headers_mut()),
            Err(_) => self.answers.write_rejected(response.headers_mut()),
        }
        response
    }
}

/// A request that goes to the handler; its response is finished by [`Policy::apply`](crate::Policy::apply).
///
/// ```
/// use http::{HeaderMap, Method};
/// use preflight::{Decision, Policy};
///
/// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
/// let mut request = HeaderMap::new();
/// request.insert("origin", "https://app.example.com".parse().unwrap());
/// let Decision::Forward(actual) = policy.decide(&Method::GET, &request) else { panic!() };
/// assert!(actual.is_cors() && actual.is_allowed());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    pub(crate) kind: ActualKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ActualKind {
    /// No `Origin`: not a CORS request.
    NotCors,
    /// Allowed; the value is the request's origin, echoed in `Access-Control-Allow-Origin`.
    Allowed(HeaderValue),
    /// Allowed by `*`.
    AllowedAny,
    /// From an origin that is not allowed (or a malformed or repeated `Origin`), and why.
    Disallowed(Rejection),
}

impl Actual {
    /// Whether the request carried an `Origin` (and so is a CORS request).
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let Decision::Forward(actual) = policy.decide(&Method::GET, &HeaderMap::new()) else { panic!() };
    /// assert!(!actual.is_cors());
    /// ```
    pub fn is_cors(&self) -> bool {
        !matches!(self.kind, ActualKind::NotCors)
    }

    /// Whether the response will let the calling page read it.
    ///
    /// ```
    /// # use http::{HeaderMap, Method};
    /// # use preflight::{Decision, Policy};
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", "https://app.example.com.evil.net".parse().unwrap());
    /// let Decision::Forward(actual) = policy.decide(&Method::GET, &request) else { panic!() };
    /// assert!(!actual.is_allowed());
    /// ```
    pub fn is_allowed(&self) -> bool {
        matches!(self.kind, ActualKind::Allowed(_) | ActualKind::AllowedAny)
    }
}

/// Why a preflight was rejected. Carries no data, so rejecting never allocates; the request's
/// values are in the `warn` log line written when it happens.
///
/// ```
/// use preflight::Rejection;
/// assert!(Rejection::MethodCase.to_string().contains("as written"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rejection {
    /// The `Origin` value cannot be an allowed origin (empty, `null`, malformed, too long).
    Origin(OriginRejection),
    /// More than one `Origin` line, or one value holding several origins (the form repeated
    /// lines take on platforms that join them with commas).
    DuplicateOrigin,
    /// The origin is not in `CORS_ALLOWED_ORIGINS`.
    OriginNotAllowed,
    /// More than one `Access-Control-Request-Method` line, or one value holding several
    /// (joined with commas).
    DuplicateMethod,
    /// `Access-Control-Request-Method` is not a method name, or is too long.
    MethodInvalid,
    /// The method is allowed only in another case (`patch` for `PATCH`).
    MethodCase,
    /// The method is not in `CORS_ALLOWED_METHODS`.
    MethodNotAllowed,
    /// `Access-Control-Request-Headers` is longer than any browser sends.
    HeadersTooLong,
    /// More names in `Access-Control-Request-Headers` than the cap.
    HeadersTooMany,
    /// A name in `Access-Control-Request-Headers` is longer than the cap.
    HeaderNameTooLong,
    /// An empty item or an invalid name in `Access-Control-Request-Headers`.
    HeadersMalformed,
    /// A requested header is not in `CORS_ALLOWED_HEADERS`.
    HeaderNotAllowed,
    /// A requested header is a CORS protocol header (`Access-Control-Allow-Origin` and the
    /// like): the page sets, on its request, what the server answers (or what only the
    /// browser sends). The fix is in the page's `fetch()` call, not in the configuration.
    CorsHeaderRequested,
}

impl Rejection {
    /// The variable to change when the rejected request should have been allowed.
    ///
    /// ```
    /// assert_eq!(preflight::Rejection::HeaderNotAllowed.variable(), Some("CORS_ALLOWED_HEADERS"));
    /// assert_eq!(preflight::Rejection::DuplicateOrigin.variable(), None);
    /// ```
    pub fn variable(self) -> Option<&'static str> {
        use crate::vars;
        match self {
            Rejection::OriginNotAllowed => Some(vars::ALLOWED_ORIGINS),
            Rejection::MethodCase | Rejection::MethodNotAllowed => Some(vars::ALLOWED_METHODS),
            Rejection::HeaderNotAllowed => Some(vars::ALLOWED_HEADERS),
            _ => None,
        }
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Origin(why) => write!(f, "{why}"),
            Rejection::DuplicateOrigin => f.write_str("the request has more than one Origin header"),
            Rejection::OriginNotAllowed => f.write_str("the origin is not in CORS_ALLOWED_ORIGINS"),
            Rejection::DuplicateMethod => {
                f.write_str("the request has more than one Access-Control-Request-Method header")
            }
            Rejection::MethodInvalid => {
                f.write_str("Access-Control-Request-Method is not a valid method name")
            }
            Rejection::MethodCase => f.write_str(
                "the method is in CORS_ALLOWED_METHODS only in another case; methods compare case-sensitively and fetch() sends methods other than DELETE, GET, HEAD, OPTIONS, POST and PUT as written (`patch` stays `patch`): write the method in upper case in the script",
            ),
            Rejection::MethodNotAllowed => f.write_str("the method is not in CORS_ALLOWED_METHODS"),
            Rejection::HeadersTooLong => {
                f.write_str("Access-Control-Request-Headers is longer than any browser sends")
            }
            Rejection::HeadersTooMany => write!(
                f,
                "Access-Control-Request-Headers names more than {} headers",
                crate::headers::MAX_REQUEST_HEADER_NAMES
            ),
            Rejection::HeaderNameTooLong => write!(
                f,
                "Access-Control-Request-Headers has a name longer than {} bytes",
                crate::headers::MAX_HEADER_NAME_LEN
            ),
            Rejection::HeadersMalformed => f.write_str(
                "Access-Control-Request-Headers has an empty item or an invalid header name",
            ),
            Rejection::HeaderNotAllowed => {
                f.write_str("a requested header is not in CORS_ALLOWED_HEADERS")
            }
            Rejection::CorsHeaderRequested => f.write_str(
                "the page sets a CORS header (Access-Control-*) on its request; the server answers those and the browser sends its own, a script never does: remove it from the headers of the fetch() call",
            ),
        }
    }
}
