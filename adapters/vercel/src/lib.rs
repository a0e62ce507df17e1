//! # preflight-cors-vercel
//!
//! CORS for Vercel Rust functions written with `vercel_runtime` 2.x. Put one attribute on the
//! handler and set `CORS_ALLOWED_ORIGINS` in the project's environment variables:
//!
//! ```no_run
//! use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};
//!
//! #[preflight_vercel::cors]
//! async fn handler(_req: Request) -> Result<Response<ResponseBody>, Error> {
//!     Ok(Response::new(ResponseBody::from("hello")))
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), Error> {
//!     run(service_fn(handler)).await
//! }
//! ```
//!
//! The policy is read from the `CORS_*` variables once per cold start
//! ([`preflight::Policy::from_env_cached`]). Preflights are answered before the handler runs
//! (so authentication never sees them); every other response, whatever its status, gets the
//! CORS headers; a handler that returns `Err` or panics becomes a `500` with CORS headers
//! (`vercel_runtime` alone would answer `Err` with a `500` that has none, and with the error
//! message in the body). With an invalid configuration every request gets a `500` without CORS
//! headers and the log lists every problem. All of that lives in the `preflight` core; this
//! crate only connects it to `vercel_runtime`'s types.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt::Display;
use std::future::Future;
use std::pin::Pin;

use http::{Extensions, HeaderMap, HeaderValue, Request as HttpRequest, Response};
use preflight::layer::{Around, Inner, Platform, Runtime};
use preflight::{handler, ConfigError, Policy};
use tower_layer::Layer;
use tower_service::Service;
use vercel_runtime::{AppState, Error, ResponseBody};

pub use preflight;

/// Wraps an `async fn(Request) -> Result<Response<ResponseBody>, E>` handler with CORS (see
/// the crate documentation). Same as calling [`wrap`] at the top of the handler.
pub use preflight_macros::vercel as cors;

/// The request header in which Vercel's edge sends the request id; the `500`s this crate
/// writes itself carry it back as `x-request-id`, to find the failure in the logs.
const VERCEL_ID: &str = "x-vercel-id";

/// `ResponseBody` with what the core's request cycle needs (an empty body, a body from text).
struct Body(ResponseBody);

impl Default for Body {
    fn default() -> Self {
        Body(ResponseBody::from(()))
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body(ResponseBody::from(text))
    }
}

/// Runs `handler` for `request` under the policy from the `CORS_*` variables: what the
/// [`cors`] attribute expands to. Never returns `Err`: failures become `500` responses.
/// Generic over the request body, so it also serves `http::Request`s built by hand.
///
/// ```
/// use vercel_runtime::{Response, ResponseBody};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_ALLOWED_ORIGINS", "https://app.example.com");
/// let request = http::Request::builder()
///     .method("OPTIONS")
///     .header("origin", "https://app.example.com")
///     .header("access-control-request-method", "PUT")
///     .body(())
///     .unwrap();
/// let response = preflight_vercel::wrap(request, |_req| async {
///     Err::<Response<ResponseBody>, _>("never called for a preflight")
/// })
/// .await
/// .unwrap();
/// assert_eq!(response.status(), 204);
/// # });
/// ```
pub async fn wrap<B, F, Fut, E>(
    request: HttpRequest<B>,
    handler: F,
) -> Result<Response<ResponseBody>, Error>
where
    F: FnOnce(HttpRequest<B>) -> Fut,
    Fut: Future<Output = Result<Response<ResponseBody>, E>>,
    E: Display,
{
    serve(Vercel::default(), request, handler).await
}

/// Runs `handler` under the named policy `policy` (`CORS_<POLICY>_*`, see
/// [`preflight::Policies`]): what `#[cors(policy = "...")]` expands to. A name the
/// environment does not configure answers `500` without CORS headers, and the log says what
/// to set.
///
/// ```
/// use vercel_runtime::{Response, ResponseBody};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// # std::env::set_var("CORS_PUBLIC_ALLOWED_ORIGINS", "*");
/// let request = http::Request::builder()
///     .header("origin", "https://anyone.example")
///     .body(())
///     .unwrap();
/// let response = preflight_vercel::wrap_named("public", request, |_req| async {
///     Ok::<_, std::convert::Infallible>(Response::new(ResponseBody::from("[]")))
/// })
/// .await
/// .unwrap();
/// assert_eq!(response.headers()["access-control-allow-origin"], "*");
/// # });
/// ```
pub async fn wrap_named<B, F, Fut, E>(
    policy: &'static str,
    request: HttpRequest<B>,
    handler: F,
) -> Result<Response<ResponseBody>, Error>
where
    F: FnOnce(HttpRequest<B>) -> Fut,
    Fut: Future<Output = Result<Response<ResponseBody>, E>>,
    E: Display,
{
    serve(Vercel::named(policy), request, handler).await
}

/// The request cycle on Vercel, with `platform`'s policy and `x-vercel-id`.
async fn serve<B, F, Fut, E>(
    platform: Vercel,
    request: HttpRequest<B>,
    handler: F,
) -> Result<Response<ResponseBody>, Error>
where
    F: FnOnce(HttpRequest<B>) -> Fut,
    Fut: Future<Output = Result<Response<ResponseBody>, E>>,
    E: Display,
{
    let request_id = platform.request_id(request.headers(), request.extensions());
    let response: Response<Body> = handler::serve(
        platform.policy(),
        request_id,
        request,
        |request| async move { handler(request).await.map(|response| response.map(Body)) },
    )
    .await;
    Ok(response.map(|body| body.0))
}

/// The same as the [`cors`] attribute, as a tower [`Layer`] over the
/// `Service<(AppState, Request)>` that `vercel_runtime::run` takes. The inner service's errors
/// become `500`s with CORS headers, so the wrapped service never fails.
///
/// ```no_run
/// use tower::ServiceBuilder;
/// use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};
///
/// async fn handler(_req: Request) -> Result<Response<ResponseBody>, Error> {
///     Ok(Response::new(ResponseBody::from("hello")))
/// }
///
/// #[tokio::main]
/// async fn main() -> Result<(), Error> {
///     let service = ServiceBuilder::new()
///         .layer(preflight_vercel::CorsLayer::new())
///         .service(service_fn(handler));
///     run(service).await
/// }
/// ```
///
/// On an axum `Router` (`vercel_runtime`'s `axum` feature), add it last, under `VercelLayer`:
///
/// ```no_run
/// use axum::{routing::get, Router};
/// use tower::ServiceBuilder;
/// use vercel_runtime::axum::VercelLayer;
///
/// #[tokio::main]
/// async fn main() -> Result<(), vercel_runtime::Error> {
///     let router = Router::new()
///         .route("/api/items", get(|| async { "[]" }))
///         .layer(preflight_vercel::CorsLayer::new());
///     vercel_runtime::run(ServiceBuilder::new().layer(VercelLayer::new()).service(router)).await
/// }
/// ```
///
/// One layer per nested router gives each part of the API its own policy
/// ([`CorsLayer::named`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct CorsLayer {
    platform: Vercel,
}

impl CorsLayer {
    /// The layer with the unnamed policy (`CORS_*`).
    ///
    /// ```
    /// let layer = preflight_vercel::CorsLayer::new();
    /// # let _ = layer;
    /// ```
    pub const fn new() -> Self {
        CorsLayer {
            platform: Vercel { policy: None },
        }
    }

    /// The layer with the named policy `policy` (`CORS_<POLICY>_*`, see
    /// [`preflight::Policies`]), for one nested router:
    ///
    /// ```no_run
    /// use axum::{routing::get, Router};
    /// use tower::ServiceBuilder;
    /// use vercel_runtime::axum::VercelLayer;
    ///
    /// // CORS_PUBLIC_ALLOWED_ORIGINS=*
    /// // CORS_API_ALLOWED_ORIGINS=https://app.example.com  CORS_API_ALLOW_CREDENTIALS=true
    /// #[tokio::main]
    /// async fn main() -> Result<(), vercel_runtime::Error> {
    ///     let public = Router::new()
    ///         .route("/items", get(|| async { "[]" }))
    ///         .layer(preflight_vercel::CorsLayer::named("public"));
    ///     let api = Router::new()
    ///         .route("/me", get(|| async { "{}" }))
    ///         .layer(preflight_vercel::CorsLayer::named("api"));
    ///     let router = Router::new().nest("/public", public).nest("/api", api);
    ///     vercel_runtime::run(ServiceBuilder::new().layer(VercelLayer::new()).service(router)).await
    /// }
    /// ```
    pub const fn named(policy: &'static str) -> Self {
        CorsLayer {
            platform: Vercel::named(policy),
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
/// use tower::Layer;
/// use vercel_runtime::{service_fn, Error, Request, Response, ResponseBody};
///
/// async fn handler(_req: Request) -> Result<Response<ResponseBody>, Error> {
///     Err("the database is down".into())
/// }
/// let service = preflight_vercel::CorsLayer::new().layer(service_fn(handler));
/// # let _ = service;
/// ```
pub type CorsService<S> = Around<S, Vercel>;

/// Vercel as the core's adapter service ([`Around`]) sees it: the policy from the `CORS_*`
/// variables, once per cold start, and Vercel's `x-vercel-id` on the `500`s the library
/// writes. For `vercel_runtime` services (`(AppState, Request)`) it is [`wrap`] around the
/// inner service, which gets the `AppState` back with the request; as a [`Runtime`] it serves
/// any `http::Request<B>` → `http::Response<RB>` service too, such as an axum `Router`
/// (`router.layer(preflight_vercel::CorsLayer::new())` under `vercel_runtime`'s `VercelLayer`).
///
/// ```
/// use preflight::layer::Runtime;
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-vercel-id", http::HeaderValue::from_static("fra1::abc"));
/// let id = preflight_vercel::Vercel::default().request_id(&headers, &Default::default());
/// assert_eq!(id.unwrap(), "fra1::abc");
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Vercel {
    policy: Option<&'static str>,
}

impl Vercel {
    /// Vercel serving the named policy `policy` (`CORS_<POLICY>_*`) instead of the unnamed
    /// one.
    ///
    /// ```
    /// use preflight::layer::Runtime;
    /// # std::env::set_var("CORS_ADMIN_ALLOWED_ORIGINS", "https://admin.example.com");
    /// let policy = preflight_vercel::Vercel::named("admin").policy().unwrap();
    /// assert!(policy.allows_origin("https://admin.example.com"));
    /// ```
    pub const fn named(policy: &'static str) -> Self {
        Vercel {
            policy: Some(policy),
        }
    }
}

impl Runtime for Vercel {
    fn policy(&self) -> Result<&'static Policy, &'static ConfigError> {
        Policy::from_env_cached_named(self.policy)
    }

    fn request_id(&self, headers: &HeaderMap, _extensions: &Extensions) -> Option<HeaderValue> {
        headers.get(VERCEL_ID).cloned()
    }
}

impl<S, B> Platform<S, (AppState, HttpRequest<B>)> for Vercel
where
    S: Service<(AppState, HttpRequest<B>), Response = Response<ResponseBody>> + Send + 'static,
    S::Future: Send,
    S::Error: Display,
    B: Send + 'static,
{
    type Response = Response<ResponseBody>;
    type Error = Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResponseBody>, Error>> + Send>>;

    fn around(
        &self,
        (state, request): (AppState, HttpRequest<B>),
        inner: Inner<S>,
    ) -> Self::Future {
        Box::pin(serve(*self, request, move |request| {
            inner.call((state, request))
        }))
    }
}
