//! # preflight-cors-lambda
//!
//! CORS for AWS Lambda functions written with `lambda_http`, behind API Gateway (REST and
//! HTTP APIs), function URLs or an ALB. Put one attribute on the handler and set
//! `CORS_ALLOWED_ORIGINS`:
//!
//! ```no_run
//! use lambda_http::{service_fn, Body, Error, Request, Response};
//!
//! #[preflight_lambda::cors]
//! async fn handler(req: Request) -> Result<Response<Body>, Error> {
//!     Ok(Response::new(Body::from(format!("hello {}", req.uri().path()))))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     preflight_lambda::run(service_fn(handler)).await
//! }
//! ```
//!
//! [`run`] is `lambda_http::run` that also lets the policy see every line of a repeated
//! `Origin` or `Access-Control-Request-*` header on API Gateway REST (payload 1.0) and ALB
//! events, where `lambda_http` keeps only the last one; with `lambda_http::run` everything
//! else works the same. What each event source shows of repeated lines:
//!
//! | event source | two `Origin` lines reach the policy as | verdict |
//! |---|---|---|
//! | REST API (payload 1.0), [`run`] | two lines | `403`, "more than one Origin" |
//! | REST API (payload 1.0), `lambda_http::run` | the last line only | judged on the last line |
//! | HTTP API (payload 2.0), function URL | one line, joined with commas | `403`, "more than one Origin" |
//! | ALB with multi-value headers on | two lines | `403`, "more than one Origin" |
//! | ALB without multi-value headers | the last line only (the ALB drops the others) | judged on the last line |
//!
//! The policy is read from the `CORS_*` variables once per cold start
//! ([`preflight::Policy::from_env_cached`]). Preflights are answered before the handler runs
//! (so authentication never sees them); every other response, whatever its status, gets the
//! CORS headers; a handler that returns `Err` or panics becomes a `500` with CORS headers
//! instead of a bare gateway `502` that the browser would report as a CORS error. With an
//! invalid configuration every request gets a `500` without CORS headers and the log lists
//! every problem. All of that lives in the `preflight` core; this crate only connects it to
//! `lambda_http`'s types.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt::Display;
use std::future::Future;
use std::task::{Context, Poll};

use lambda_http::http::header::HeaderName;
use lambda_http::http::{Extensions, HeaderMap, HeaderValue};
use lambda_http::lambda_runtime::{self, Diagnostic};
use lambda_http::request::LambdaRequest;
use lambda_http::tower::{Layer, Service};
use lambda_http::{Adapter, Body, Error, IntoResponse, LambdaEvent, Request, RequestExt, Response};
use preflight::handler;
use preflight::layer::{Around, Runtime};
use preflight::{ConfigError, Policy};

pub use preflight;

/// Wraps an `async fn(Request) -> Result<Response<Body>, E>` handler with CORS (see the crate
/// documentation). Same as calling [`wrap`] at the top of the handler; with an argument,
/// `#[cors(policy = "public")]`, the handler is served by the named policy `public` (the
/// `CORS_PUBLIC_*` variables, [`wrap_named`]):
///
/// ```no_run
/// use lambda_http::{Body, Error, Request, Response};
///
/// #[preflight_lambda::cors(policy = "public")]
/// async fn catalogue(_req: Request) -> Result<Response<Body>, Error> {
///     Ok(Response::new(Body::from("[]")))
/// }
/// ```
///
/// The name is checked when the handler compiles: it becomes part of variable names.
///
/// ```compile_fail
/// #[preflight_lambda::cors(policy = "public-api")] // `-` cannot be in a variable's name
/// async fn catalogue(_req: lambda_http::Request) -> Result<lambda_http::Response<lambda_http::Body>, lambda_http::Error> {
///     unimplemented!()
/// }
/// ```
pub use preflight_macros::lambda as cors;

/// Runs `handler` for `request` under the policy from the `CORS_*` variables: what the
/// [`cors`] attribute expands to. Never returns `Err`: failures become `500` responses.
///
/// ```
/// use lambda_http::{Body, Request, Response};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
/// let request: Request = lambda_http::http::Request::builder()
///     .method("OPTIONS")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .body(Body::Empty)
///     .unwrap();
/// let response = preflight_lambda::wrap(request, |_req| async {
///     Err::<Response<Body>, _>("never called for a preflight")
/// })
/// .await
/// .unwrap();
/// assert_eq!(response.status(), 204);
/// # });
/// ```
pub async fn wrap<F, Fut, E>(request: Request, handler: F) -> Result<Response<Body>, Error>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: Display,
{
    serve(Lambda::default(), request, handler).await
}

/// Runs `handler` under the named policy `policy` (`CORS_<POLICY>_*`, see
/// [`preflight::Policies`]): what `#[cors(policy = "...")]` expands to. A name the
/// environment does not configure answers `500` without CORS headers, and the log says what
/// to set.
///
/// ```
/// use lambda_http::{Body, Request, Response};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_PUBLIC_ALLOWED_ORIGINS", "*");
/// let request: Request = lambda_http::http::Request::builder()
///     .header("origin", "https://anyone.example")
///     .body(Body::Empty)
///     .unwrap();
/// let response = preflight_lambda::wrap_named("public", request, |_req| async {
///     Ok::<_, std::convert::Infallible>(Response::new(Body::from("[]")))
/// })
/// .await
/// .unwrap();
/// assert_eq!(response.headers()["access-control-allow-origin"], "*");
/// # });
/// ```
pub async fn wrap_named<F, Fut, E>(
    policy: &'static str,
    request: Request,
    handler: F,
) -> Result<Response<Body>, Error>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: Display,
{
    serve(Lambda::named(policy), request, handler).await
}

/// The request cycle on Lambda, with `platform`'s policy and the Lambda request id.
async fn serve<F, Fut, E>(
    platform: Lambda,
    request: Request,
    handler: F,
) -> Result<Response<Body>, Error>
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Result<Response<Body>, E>>,
    E: Display,
{
    let request_id = platform.request_id(request.headers(), request.extensions());
    Ok(handler::serve(platform.policy(), request_id, request, handler).await)
}

/// The same as the [`cors`] attribute, as a tower [`Layer`], for services composed with
/// `tower::ServiceBuilder` before `lambda_http::run`. The inner service's errors become `500`s
/// with CORS headers, so the wrapped service never fails.
///
/// ```no_run
/// use lambda_http::tower::ServiceBuilder;
/// use lambda_http::{service_fn, Body, Error, Request, Response};
///
/// async fn handler(_req: Request) -> Result<Response<Body>, Error> {
///     Ok(Response::new(Body::from("hello")))
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Error> {
///     let service = ServiceBuilder::new()
///         .layer(preflight_lambda::CorsLayer::new())
///         .service(service_fn(handler));
///     lambda_http::run(service).await
/// }
/// ```
///
/// On an axum `Router`, add it last (the outermost layer, so that preflights are answered
/// before any route or other layer runs); the same service streams with
/// `lambda_http::run_with_streaming_response` and runs under the concurrent runners:
///
/// ```no_run
/// use axum::{routing::get, Router};
///
/// #[tokio::main]
/// async fn main() -> Result<(), lambda_http::Error> {
///     let router = Router::new()
///         .route("/items", get(|| async { "[]" }))
///         .layer(preflight_lambda::CorsLayer::new());
///     preflight_lambda::run(router).await
/// }
/// ```
///
/// One layer per nested router gives each part of the API its own policy
/// ([`CorsLayer::named`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CorsLayer {
    platform: Lambda,
}

impl CorsLayer {
    /// The layer with the unnamed policy (`CORS_*`).
    ///
    /// ```
    /// let layer = preflight_lambda::CorsLayer::new();
    /// # let _ = layer;
    /// ```
    pub const fn new() -> Self {
        CorsLayer {
            platform: Lambda { policy: None },
        }
    }

    /// The layer with the named policy `policy` (`CORS_<POLICY>_*`, see
    /// [`preflight::Policies`]), for one nested router: a public API open to every origin
    /// beside a credentialed one, in one function.
    ///
    /// ```no_run
    /// use axum::{routing::get, Router};
    ///
    /// // CORS_PUBLIC_ALLOWED_ORIGINS=*
    /// // CORS_API_ALLOWED_ORIGINS=https://app.example.com  CORS_API_ALLOW_CREDENTIALS=true
    /// #[tokio::main]
    /// async fn main() -> Result<(), lambda_http::Error> {
    ///     let public = Router::new()
    ///         .route("/items", get(|| async { "[]" }))
    ///         .layer(preflight_lambda::CorsLayer::named("public"));
    ///     let api = Router::new()
    ///         .route("/me", get(|| async { "{}" }))
    ///         .layer(preflight_lambda::CorsLayer::named("api"));
    ///     let router = Router::new().nest("/public", public).nest("/api", api);
    ///     preflight_lambda::run(router).await
    /// }
    /// ```
    pub const fn named(policy: &'static str) -> Self {
        CorsLayer {
            platform: Lambda::named(policy),
        }
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = CorsService<S>;

    fn layer(&self, inner: S) -> CorsService<S> {
        Around::new(inner, self.platform)
    }
}

/// The service [`CorsLayer`] makes: [`wrap`] around every call of the inner service.
///
/// ```
/// use lambda_http::tower::{Layer, ServiceExt};
/// use lambda_http::{service_fn, Body, Error, Request, Response};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
/// let service = preflight_lambda::CorsLayer::new().layer(service_fn(|_req: Request| async {
///     Err::<Response<Body>, Error>("the database is down".into())
/// }));
/// let request: Request = lambda_http::http::Request::builder()
///     .header("origin", "https://app.example.com")
///     .body(Body::Empty)
///     .unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// # });
/// ```
pub type CorsService<S> = Around<S, Lambda>;

/// Lambda as the core's adapter service ([`Around`]) sees it: the policy from the `CORS_*`
/// variables, once per cold start, and the Lambda request id (which names the function's log
/// lines) on the `500`s the library writes. As a [`Runtime`] it serves any
/// `http::Request<B>` → `http::Response<RB>` service: a `lambda_http` handler, or an axum
/// `Router` from outside (`CorsLayer.layer(router)`) or inside (`router.layer(CorsLayer)`).
///
/// ```
/// use preflight::layer::Runtime;
/// let id = preflight_lambda::Lambda::default().request_id(&Default::default(), &Default::default());
/// assert_eq!(id, None); // no Lambda context outside the runtime
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Lambda {
    policy: Option<&'static str>,
}

impl Lambda {
    /// Lambda serving the named policy `policy` (`CORS_<POLICY>_*`) instead of the unnamed
    /// one.
    ///
    /// ```
    /// use preflight::layer::Runtime;
    /// # std::env::set_var("CORS_ADMIN_ALLOWED_ORIGINS", "https://admin.example.com");
    /// let policy = preflight_lambda::Lambda::named("admin").policy().unwrap();
    /// assert!(policy.allows_origin("https://admin.example.com"));
    /// ```
    pub const fn named(policy: &'static str) -> Self {
        Lambda {
            policy: Some(policy),
        }
    }
}

impl Runtime for Lambda {
    fn policy(&self) -> Result<&'static Policy, &'static ConfigError> {
        Policy::from_env_cached_named(self.policy)
    }

    fn request_id(&self, _headers: &HeaderMap, extensions: &Extensions) -> Option<HeaderValue> {
        extensions
            .lambda_context_ref()
            .and_then(|context| HeaderValue::from_str(&context.request_id).ok())
    }
}

/// `lambda_http::run`, with every line of the headers a preflight is judged on kept on API
/// Gateway REST (payload 1.0) and ALB events ([`KeepRepeatedLines`]), so that a request with
/// two `Origin` lines is refused for that reason on every event source.
///
/// ```no_run
/// use lambda_http::{service_fn, Body, Error, Request, Response};
///
/// #[preflight_lambda::cors]
/// async fn handler(_req: Request) -> Result<Response<Body>, Error> {
///     Ok(Response::new(Body::from("hello")))
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Error> {
///     preflight_lambda::run(service_fn(handler)).await
/// }
/// ```
pub async fn run<'a, R, S, E>(handler: S) -> Result<(), Error>
where
    S: Service<Request, Response = R, Error = E>,
    S::Future: Send + 'a,
    R: IntoResponse,
    E: std::fmt::Debug + Into<Diagnostic>,
{
    lambda_runtime::run(KeepRepeatedLines.layer(Adapter::from(handler))).await
}

/// The request headers a preflight is judged on; their repeats must reach the policy.
const JUDGED: [HeaderName; 6] = preflight::CORS_REQUEST_HEADERS;

/// A layer over `lambda_http`'s event service (what [`run`] puts in front of
/// `lambda_http::Adapter`): on payload 1.0 and ALB events, which carry both `headers` (the
/// last line of each name) and `multiValueHeaders` (every line), it drops the `headers` entry
/// of `Origin` and `Access-Control-Request-*` when `multiValueHeaders` has them, because
/// `lambda_http` lets the single value replace all the lines. Other headers and other event
/// sources are left as they are.
///
/// ```
/// use lambda_http::request::LambdaRequest;
/// use lambda_http::tower::{Layer, ServiceExt};
/// use lambda_http::{service_fn, Context, LambdaEvent};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let seen = service_fn(|event: LambdaEvent<LambdaRequest>| async move {
///     let LambdaRequest::ApiGatewayV1(event) = event.payload else { unreachable!() };
///     let request: lambda_http::Request = LambdaRequest::ApiGatewayV1(event).into();
///     Ok::<_, lambda_http::Error>(request.headers().get_all("origin").iter().count())
/// });
/// let event: LambdaRequest = serde_json::from_value(serde_json::json!({
///     "httpMethod": "OPTIONS", "path": "/", "resource": "/",
///     "headers": {"origin": "https://b.example"},
///     "multiValueHeaders": {"origin": ["https://a.example", "https://b.example"]},
///     "requestContext": {"httpMethod": "OPTIONS", "path": "/", "stage": "prod"}
/// })).unwrap();
/// let lines = preflight_lambda::KeepRepeatedLines.layer(seen)
///     .oneshot(LambdaEvent::new(event, Context::default())).await.unwrap();
/// assert_eq!(lines, 2); // lambda_http alone: 1
/// # });
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct KeepRepeatedLines;

impl<S> Layer<S> for KeepRepeatedLines {
    type Service = KeepRepeatedLinesService<S>;

    fn layer(&self, inner: S) -> KeepRepeatedLinesService<S> {
        KeepRepeatedLinesService { inner }
    }
}

/// The service [`KeepRepeatedLines`] makes.
///
/// ```
/// use lambda_http::tower::Layer;
/// let service = preflight_lambda::KeepRepeatedLines.layer(lambda_http::service_fn(
///     |_event: lambda_http::LambdaEvent<lambda_http::request::LambdaRequest>| async {
///         Ok::<_, lambda_http::Error>(())
///     },
/// ));
/// # let _ = service;
/// ```
#[derive(Debug, Clone)]
pub struct KeepRepeatedLinesService<S> {
    inner: S,
}

impl<S> Service<LambdaEvent<LambdaRequest>> for KeepRepeatedLinesService<S>
where
    S: Service<LambdaEvent<LambdaRequest>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut event: LambdaEvent<LambdaRequest>) -> S::Future {
        match &mut event.payload {
            LambdaRequest::ApiGatewayV1(e) => keep_lines(&mut e.headers, &e.multi_value_headers),
            LambdaRequest::Alb(e) => keep_lines(&mut e.headers, &e.multi_value_headers),
            // Payload 2.0 and function URLs join repeats with commas, which the policy reads
            // as repeats; the other sources keep every line already.
            _ => {}
        }
        self.inner.call(event)
    }
}

/// `lambda_http` builds the request's headers as `multi.extend(single)`, which replaces every
/// line of a name by its single value: drop the single value where the lines exist.
fn keep_lines(single: &mut HeaderMap, multi: &HeaderMap) {
    for name in &JUDGED {
        if multi.contains_key(name) {
            single.remove(name);
        }
    }
}
