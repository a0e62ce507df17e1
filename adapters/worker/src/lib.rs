//! # preflight-cors-worker
//!
//! CORS for Cloudflare Workers written with `worker` (workers-rs). Wrap the body of the
//! `#[event(fetch)]` handler in one call and set `CORS_ALLOWED_ORIGINS` in `[vars]`:
//!
//! ```no_run
//! use worker::{event, Context, Env, Request, Response, Result};
//!
//! #[event(fetch)]
//! async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
//!     preflight_worker::wrap(req, &env, |req| async move {
//!         Response::ok(format!("hello {}", req.path()))
//!     })
//!     .await
//! }
//! # fn main() {}
//! ```
//!
//! With the `http` handler style (`HttpRequest` in, `http::Response` out), call
//! [`wrap_http`] the same way.
//!
//! [`wrap`] hands the handler the Worker's own `Request` and sends the handler's own
//! `Response` (body, `encode_body`, every header line) with only its `Access-Control-*` and
//! `Vary` lines rewritten. With [`wrap_http`], a pre-compressed body (`Content-Encoding:
//! gzip` that Cloudflare must not compress again) needs `worker::EncodeBody::Manual` in the
//! response's extensions, which `worker` turns into `encodeBody: "manual"`:
//!
//! ```
//! let mut response = http::Response::new(worker::Body::empty());
//! response.headers_mut().insert("content-encoding", http::HeaderValue::from_static("gzip"));
//! response.extensions_mut().insert(worker::EncodeBody::Manual);
//! # let _ = response;
//! ```
//!
//! The policy is read from the Worker's bindings (`[vars]` in `wrangler.toml`, or secrets)
//! with the same `CORS_*` names and the same validation as everywhere else, once per isolate.
//! Preflights are answered before the handler runs; every other response, whatever its
//! status, gets the CORS headers; a handler that returns `Err` becomes a `500` with CORS
//! headers. A panic becomes one too when the Worker is built with `worker-build
//! --panic-unwind` (std rebuilt with `panic=unwind` on nightly); without it a panic aborts the
//! wasm instance and Cloudflare answers with its own error page, which has no CORS headers.
//! With an invalid configuration every request gets a `500` without CORS headers and the log
//! (`console.error`) lists every problem, never an open policy.
//!
//! For an axum `Router` (`worker`'s `http` and `axum` features), [`CorsLayer`] is the same
//! cycle as a tower layer: `router.layer(preflight_worker::CorsLayer::new(&env))`.
//!
//! The core's log lines (rejected preflights with the rule and the variable to change,
//! allowed ones, the policy at start-up) go to the Workers console through a small `tracing`
//! subscriber this crate installs on first use, unless the Worker installed its own.
//! All decisions live in the `preflight` core; this crate only converts `worker`'s types.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http::{Extensions, HeaderMap, HeaderValue};
use http_body::{Body as HttpBody, Frame, SizeHint};
use preflight::layer::{Around, Runtime};
use preflight::{handler, ConfigError, Policies, Policy};
use tower_layer::Layer;
use worker::{Env, HttpRequest, Request, Response};

mod console;

pub use preflight;

/// The request header in which Cloudflare names each request (the Ray ID); the `500`s this
/// crate writes itself carry it back as `x-request-id`, to find the failure in the logs.
const CF_RAY: &str = "cf-ray";

/// The body of the responses [`wrap_http`] returns: the handler's own body, or the short body
/// of a response the library wrote (an empty preflight answer, a `500`).
#[derive(Debug)]
pub struct CorsBody(Inner);

#[derive(Debug)]
enum Inner {
    Handler(worker::Body),
    Bytes(Option<Bytes>),
}

impl CorsBody {
    /// Wraps a handler's body.
    ///
    /// ```
    /// let body = preflight_worker::CorsBody::handler(worker::Body::empty());
    /// # let _ = body;
    /// ```
    pub fn handler(body: worker::Body) -> Self {
        CorsBody(Inner::Handler(body))
    }
}

impl Default for CorsBody {
    fn default() -> Self {
        CorsBody(Inner::Bytes(None))
    }
}

impl From<String> for CorsBody {
    fn from(text: String) -> Self {
        CorsBody(Inner::Bytes(Some(Bytes::from(text))))
    }
}

impl From<Vec<u8>> for CorsBody {
    fn from(bytes: Vec<u8>) -> Self {
        CorsBody(Inner::Bytes(Some(Bytes::from(bytes))))
    }
}

impl From<Bytes> for CorsBody {
    fn from(bytes: Bytes) -> Self {
        CorsBody(Inner::Bytes(Some(bytes)))
    }
}

impl From<worker::Body> for CorsBody {
    fn from(body: worker::Body) -> Self {
        CorsBody::handler(body)
    }
}

impl HttpBody for CorsBody {
    type Data = Bytes;
    type Error = worker::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, worker::Error>>> {
        match &mut self.get_mut().0 {
            Inner::Handler(body) => Pin::new(body).poll_frame(cx),
            Inner::Bytes(bytes) => Poll::Ready(bytes.take().map(|b| Ok(Frame::data(b)))),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.0 {
            Inner::Handler(body) => body.is_end_stream(),
            Inner::Bytes(bytes) => bytes.as_ref().is_none_or(Bytes::is_empty),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.0 {
            Inner::Handler(body) => body.size_hint(),
            Inner::Bytes(bytes) => {
                SizeHint::with_exact(bytes.as_ref().map_or(0, |b| b.len() as u64))
            }
        }
    }
}

/// Every policy of the Worker's `CORS_*` bindings (the unnamed one and the named ones,
/// `CORS_<NAME>_*`: [`Policies`]), compiled on the first request of the isolate and kept for
/// the next ones. The first call logs every policy, its warnings, or every problem of an
/// invalid configuration.
pub fn policies(env: &Env) -> &'static Policies {
    Policies::cached(|| {
        console::install();
        Policies::from_vars(console::cors_bindings(env))
    })
}

/// The unnamed policy's settings from the Worker's `CORS_*` bindings, read as [`policy`]
/// reads them (TOML lists joined with commas, numbers and booleans written out, typos kept
/// for their warnings): for a policy built in code from the bindings, such as one whose
/// origins a function decides (`preflight_worker::settings(&env).build_with(..)`, served with
/// [`CorsLayer::with_policy`] or [`respond`]).
pub fn settings(env: &Env) -> preflight::Settings {
    preflight::Settings::from_vars(console::cors_bindings(env))
}

/// The unnamed policy of the Worker's bindings (`CORS_*`, see [`policies`]), or the policy
/// built in code with [`Policy::cached`] when that has been called.
pub fn policy(env: &Env) -> Result<&'static Policy, &'static ConfigError> {
    Policy::serving(None, || policies(env))
}

/// The named policy `name` of the Worker's bindings (`CORS_<NAME>_*`, see [`policies`]), or
/// the error that says it is not configured; serve a route with it through [`respond`] or
/// [`CorsLayer::named`].
pub fn policy_named(env: &Env, name: &str) -> Result<&'static Policy, &'static ConfigError> {
    Policy::serving(Some(name), || policies(env))
}

/// The policy as a tower [`Layer`], for an axum `Router` (with `worker`'s `http` feature):
/// the Worker's bindings read once per isolate, Cloudflare's `cf-ray` as the request id of
/// the `500`s the library writes. Add it last, so that it is the outermost layer and answers
/// preflights before any authentication layer:
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use tower_service::Service;
/// use worker::{event, Context, Env, HttpRequest, Result};
///
/// #[event(fetch)]
/// async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<axum::response::Response> {
///     let mut router = Router::new()
///         .route("/items", get(|| async { "[]" }))
///         .layer(preflight_worker::CorsLayer::new(&env));
///     Ok(router.call(req).await?)
/// }
/// # fn main() {}
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CorsLayer {
    platform: Cloudflare,
}

impl CorsLayer {
    /// The layer with the unnamed policy of `env`'s `CORS_*` bindings ([`policy`]).
    pub fn new(env: &Env) -> Self {
        CorsLayer::with_policy(policy(env))
    }

    /// The layer with the named policy `name` of `env`'s bindings (`CORS_<NAME>_*`,
    /// [`policy_named`]), for one nested router:
    ///
    /// ```no_run
    /// use axum::{routing::get, Router};
    /// use tower_service::Service;
    /// use worker::{event, Context, Env, HttpRequest, Result};
    ///
    /// #[event(fetch)]
    /// async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<axum::response::Response> {
    ///     let public = Router::new()
    ///         .route("/items", get(|| async { "[]" }))
    ///         .layer(preflight_worker::CorsLayer::named(&env, "public"));
    ///     let api = Router::new()
    ///         .route("/me", get(|| async { "{}" }))
    ///         .layer(preflight_worker::CorsLayer::named(&env, "api"));
    ///     let mut router = Router::new().nest("/public", public).nest("/api", api);
    ///     Ok(router.call(req).await?)
    /// }
    /// # fn main() {}
    /// ```
    pub fn named(env: &Env, name: &str) -> Self {
        CorsLayer::with_policy(policy_named(env, name))
    }

    /// The layer with `policy` given (or the configuration error to answer with): for tests,
    /// and Workers that build their policy in code.
    ///
    /// ```
    /// use tower_layer::Layer;
    /// let policy = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let layer = preflight_worker::CorsLayer::with_policy(Ok(Box::leak(Box::new(policy))));
    /// let service = layer.layer(tower::service_fn(|_req: http::Request<()>| async {
    ///     Ok::<_, std::convert::Infallible>(http::Response::new(String::new()))
    /// }));
    /// # let _ = service;
    /// ```
    pub fn with_policy(policy: Result<&'static Policy, &'static ConfigError>) -> Self {
        CorsLayer {
            platform: Cloudflare { policy },
        }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Around<S, Cloudflare>;

    fn layer(&self, inner: S) -> Around<S, Cloudflare> {
        Around::new(inner, self.platform)
    }
}

/// Workers as the core's adapter service ([`Around`]) sees it (what [`CorsLayer`] makes):
/// the isolate's policy and `cf-ray`.
///
/// ```
/// use preflight::layer::Runtime;
/// let policy = preflight::Policy::builder().allowed_origins(["*"]).build().unwrap();
/// let platform = preflight_worker::Cloudflare::new(Ok(Box::leak(Box::new(policy))));
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cf-ray", http::HeaderValue::from_static("8f1c-FRA"));
/// assert_eq!(platform.request_id(&headers, &Default::default()).unwrap(), "8f1c-FRA");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Cloudflare {
    policy: Result<&'static Policy, &'static ConfigError>,
}

impl Cloudflare {
    /// The platform serving with `policy` (or answering its configuration error).
    pub fn new(policy: Result<&'static Policy, &'static ConfigError>) -> Self {
        Cloudflare { policy }
    }
}

impl Runtime for Cloudflare {
    fn policy(&self) -> Result<&'static Policy, &'static ConfigError> {
        self.policy
    }

    fn request_id(&self, headers: &HeaderMap, _extensions: &Extensions) -> Option<HeaderValue> {
        ray_id(headers)
    }
}

/// The request id of a Worker's request: Cloudflare's Ray ID.
fn ray_id(headers: &HeaderMap) -> Option<HeaderValue> {
    headers.get(CF_RAY).cloned()
}

/// Runs an `http`-style handler for `request` under the policy from `env`'s bindings.
/// Never returns `Err`: failures become `500` responses.
///
/// ```no_run
/// use worker::{event, Context, Env, HttpRequest, Result};
///
/// #[event(fetch)]
/// async fn fetch(req: HttpRequest, env: Env, _ctx: Context) -> Result<http::Response<preflight_worker::CorsBody>> {
///     preflight_worker::wrap_http(req, &env, |_req| async {
///         Ok::<_, worker::Error>(http::Response::new(worker::Body::empty()))
///     })
///     .await
/// }
/// # fn main() {}
/// ```
pub async fn wrap_http<F, Fut, RB, E>(
    request: HttpRequest,
    env: &Env,
    handler: F,
) -> worker::Result<http::Response<CorsBody>>
where
    F: FnOnce(HttpRequest) -> Fut,
    Fut: Future<Output = Result<http::Response<RB>, E>>,
    RB: Into<CorsBody>,
    E: Display,
{
    Ok(respond(policy(env), request, handler).await)
}

/// [`wrap_http`] with the policy given: the whole request cycle, free of JavaScript, so it
/// runs (and is tested) natively too.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let policy = preflight::Settings::from_vars([("CORS_ALLOWED_ORIGINS", "https://app.example.com")]).build();
/// let request = http::Request::builder()
///     .header("origin", "https://app.example.com")
///     .body(worker::Body::empty())
///     .unwrap();
/// let response = preflight_worker::respond(policy.as_ref(), request, |_req| async {
///     Err::<worker::HttpResponse, _>("the database is down")
/// })
/// .await;
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// # });
/// ```
pub async fn respond<B, F, Fut, RB, E>(
    policy: Result<&Policy, &ConfigError>,
    request: http::Request<B>,
    handler: F,
) -> http::Response<CorsBody>
where
    F: FnOnce(http::Request<B>) -> Fut,
    Fut: Future<Output = Result<http::Response<RB>, E>>,
    RB: Into<CorsBody>,
    E: Display,
{
    let request_id = ray_id(request.headers());
    handler::serve(policy, request_id, request, |request| async move {
        handler(request)
            .await
            .map(|response| response.map(Into::into))
    })
    .await
}

/// Runs a `worker::Request` handler for `request` under the policy from `env`'s bindings:
/// the one call around a `#[event(fetch)]` handler's body. Never returns `Err` for the
/// handler's errors: they become `500` responses with CORS headers.
///
/// The handler gets the Worker's own request and its response is sent as it is (body,
/// `encode_body`, status, every header line) with only its `Access-Control-*` and `Vary`
/// lines rewritten: a pre-compressed body with `EncodeBody::Manual` stays untouched, and
/// repeated lines such as two `Set-Cookie` stay two lines.
///
/// ```no_run
/// use worker::{event, Context, Env, Request, Response, Result};
///
/// #[event(fetch)]
/// async fn fetch(req: Request, env: Env, _ctx: Context) -> Result<Response> {
///     preflight_worker::wrap(req, &env, |_req| async { Response::error("not found", 404) }).await
/// }
/// # fn main() {}
/// ```
pub async fn wrap<F, Fut, E>(request: Request, env: &Env, handler: F) -> worker::Result<Response>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response, E>>,
    E: Display,
{
    let probe = probe(&request)?;
    let request_id = ray_id(probe.headers());
    // The handler's own response stays here, with the copy of its header lines the core
    // got; the core edits that copy.
    let own = RefCell::new(None);
    let slot = &own;
    let view: http::Response<String> =
        handler::serve(policy(env), request_id, probe, |_probe| async move {
            let response = handler(request).await.map_err(Failure::Handler)?;
            let view = header_lines(response.headers())?;
            *slot.borrow_mut() = Some((response, view.headers().clone()));
            Ok::<_, Failure<E>>(view)
        })
        .await;
    match own.into_inner() {
        Some((response, before)) => decorate(response, &before, view.headers()),
        None => generated(view),
    }
}

/// The error type of the closure [`wrap`] gives the core: the handler's error, or a header
/// of its response that is not a valid HTTP header (which becomes a `500` too).
enum Failure<E> {
    Handler(E),
    Header(String),
}

impl<E: Display> Display for Failure<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Handler(error) => error.fmt(f),
            Failure::Header(error) => write!(f, "the handler's response has {error}"),
        }
    }
}

/// Method, path and the request lines the policy reads (and `cf-ray`), nothing else: the
/// handler keeps the Worker's own request. Repeated lines arrive joined with `", "`.
fn probe(request: &Request) -> worker::Result<http::Request<()>> {
    // The JavaScript method, not `Request::method()`, which maps unknown methods to GET.
    let method = http::Method::from_bytes(request.inner().method().as_bytes())
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    let uri = http::Uri::try_from(request.path()).unwrap_or_default();
    let mut probe = http::Request::builder()
        .method(method)
        .uri(uri)
        .body(())
        .map_err(|e| worker::Error::RustError(e.to_string()))?;
    let request_id = http::HeaderName::from_static(CF_RAY);
    for name in preflight::CORS_REQUEST_HEADERS
        .into_iter()
        .chain([request_id])
    {
        let value = request.headers().get(name.as_str())?;
        if let Some(value) = value.and_then(|v| header_value(&v)) {
            probe.headers_mut().insert(name, value);
        }
    }
    Ok(probe)
}

/// A copy of the handler's header lines (as JavaScript lists them: repeats joined, except
/// `Set-Cookie`) for the core's `Policy::apply` to edit.
fn header_lines<E>(headers: &worker::Headers) -> Result<http::Response<String>, Failure<E>> {
    let mut view = http::Response::new(String::new());
    for (name, value) in headers.entries() {
        let value = header_value(&value)
            .ok_or_else(|| Failure::Header(format!("an invalid {name} value")))?;
        let name = http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| Failure::Header(format!("an invalid header name {name:?}")))?;
        view.headers_mut().append(name, value);
    }
    Ok(view)
}

/// The handler's own response with the core's edits of its header lines (`before` the
/// copy the core got, `after` what the core made of it): every name whose lines the core
/// changed, added or removed is rewritten; every other line, repeats included, stays as the
/// handler wrote it. Headers of a response from `fetch()` or the cache are immutable: those
/// are copied first.
fn decorate(
    mut response: Response,
    before: &http::HeaderMap,
    after: &http::HeaderMap,
) -> worker::Result<Response> {
    let changed = changed_names(before, after);
    if changed.is_empty() {
        return Ok(response);
    }
    if rewrite(response.headers(), &changed, after).is_err() {
        let copy = response.headers().clone();
        rewrite(&copy, &changed, after)?;
        response = response.with_headers(copy);
    }
    Ok(response)
}

/// The names whose lines differ between `before` and `after`, each once.
fn changed_names<'a>(
    before: &'a http::HeaderMap,
    after: &'a http::HeaderMap,
) -> Vec<&'a http::HeaderName> {
    // `keys()` lists a name once, whatever its number of lines.
    let added = after.keys().filter(|name| !before.contains_key(*name));
    before
        .keys()
        .filter(|name| !before.get_all(*name).iter().eq(after.get_all(*name).iter()))
        .chain(added)
        .collect()
}

fn rewrite(
    headers: &worker::Headers,
    names: &[&http::HeaderName],
    after: &http::HeaderMap,
) -> worker::Result<()> {
    for name in names {
        headers.delete(name.as_str())?;
    }
    for name in names {
        for value in after.get_all(*name) {
            headers.append(name.as_str(), &js_string(value.as_bytes()))?;
        }
    }
    Ok(())
}

/// A response the library wrote (a preflight answer, a `500`) as a `worker::Response`.
fn generated(response: http::Response<String>) -> worker::Result<Response> {
    let headers = worker::Headers::new();
    for (name, value) in response.headers() {
        headers.append(name.as_str(), &js_string(value.as_bytes()))?;
    }
    let builder = worker::ResponseBuilder::new()
        .with_status(response.status().as_u16())
        .with_headers(headers);
    let body = response.into_body();
    // A 204 must have a null body, not an empty one.
    Ok(if body.is_empty() {
        builder.empty()
    } else {
        builder.fixed(body.into_bytes())
    })
}

/// A JavaScript header string (a ByteString: one char per byte, U+0000 to U+00FF) as an
/// HTTP header value, byte for byte.
fn header_value(js: &str) -> Option<http::HeaderValue> {
    if js.is_ascii() {
        return http::HeaderValue::from_str(js).ok();
    }
    let bytes: Option<Vec<u8>> = js.chars().map(|c| u8::try_from(c).ok()).collect();
    http::HeaderValue::from_bytes(&bytes?).ok()
}

/// Header bytes as a JavaScript ByteString (each byte one char), the inverse of
/// [`header_value`].
fn js_string(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if text.is_ascii() => Cow::Borrowed(text),
        _ => Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_strings_round_trip_byte_for_byte() {
        // JavaScript hands header bytes over as chars U+0000..U+00FF.
        let js = "caf\u{e9}, ok";
        let value = header_value(js).unwrap();
        assert_eq!(value.as_bytes(), b"caf\xe9, ok");
        assert_eq!(js_string(value.as_bytes()), js);
        assert!(matches!(js_string(b"Origin"), Cow::Borrowed("Origin")));
        assert!(header_value("\u{100}").is_none());
    }

    #[test]
    fn only_the_names_the_core_changed_are_rewritten() {
        let policy =
            preflight::Settings::from_vars([("CORS_ALLOWED_ORIGINS", "https://app.example.com")])
                .build()
                .unwrap();
        let mut before = http::HeaderMap::new();
        for (name, value) in [
            ("set-cookie", "a=1"),
            ("set-cookie", "b=2"),
            ("x-multi", "a, b"),
            ("vary", "Accept-Encoding"),
            ("access-control-allow-origin", "*"),
            ("access-control-max-age", "600"),
        ] {
            before.append(name, http::HeaderValue::from_static(value));
        }
        let request = http::Request::builder()
            .header("origin", "https://app.example.com")
            .body(())
            .unwrap();
        let preflight::Decision::Forward(actual) =
            policy.decide(request.method(), request.headers())
        else {
            panic!("not a preflight");
        };
        let mut after = before.clone();
        policy.apply(&actual, &mut after);
        let mut names: Vec<&str> = changed_names(&before, &after)
            .iter()
            .map(|n| n.as_str())
            .collect();
        names.sort_unstable();
        assert_eq!(
            names,
            [
                "access-control-allow-origin",
                "access-control-max-age",
                "vary"
            ]
        );
        assert!(changed_names(&before, &before).is_empty());
    }
}
