//! A tower [`Layer`] that applies a [`Policy`] around any service over
//! `http` types (lambda_http, vercel_runtime, axum, hyper). Enabled by the `tower` feature.
//!
//! Preflights (and, with `CORS_REFUSE_CROSS_SITE=true`, refused cross-site requests) are
//! answered by the layer without calling the inner service; every other response the inner
//! service returns, whatever its status, is finished by [`Policy::apply`]. Errors (`Err`) of the inner service pass through untouched: turning them
//! into responses is the platform adapter's job, which then decorates them too.
//!
//! ```
//! use std::sync::Arc;
//! use http::{Request, Response, StatusCode};
//! use preflight::{layer::CorsLayer, Policy};
//! use tower::{service_fn, Layer, ServiceExt};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let policy = Arc::new(Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap());
//! let handler = service_fn(|_req: Request<String>| async {
//!     Ok::<_, std::convert::Infallible>(Response::new("hello".to_string()))
//! });
//! let service = CorsLayer::new(policy).layer(handler);
//!
//! let preflight = Request::builder()
//!     .method("OPTIONS")
//!     .header("origin", "https://app.example.com")
//!     .header("access-control-request-method", "PUT")
//!     .body(String::new())
//!     .unwrap();
//! let response = service.oneshot(preflight).await.unwrap();
//! assert_eq!(response.status(), StatusCode::NO_CONTENT);
//! assert_eq!(response.body(), "");
//! # });
//! ```

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Extensions, HeaderMap, HeaderValue, Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::{handler, Actual, ConfigError, Decision, Policy};

/// Wraps services with [`Cors`].
///
/// ```
/// let policy = preflight::Policy::builder().allowed_origins(["*"]).build().unwrap();
/// let layer = preflight::layer::CorsLayer::new(policy);
/// # let _ = layer;
/// ```
#[derive(Debug, Clone)]
pub struct CorsLayer {
    policy: Arc<Policy>,
}

impl CorsLayer {
    /// A layer applying `policy` (a [`Policy`] or an `Arc<Policy>`).
    ///
    /// ```
    /// # use std::sync::Arc;
    /// let policy = Arc::new(preflight::Policy::builder().allowed_origins(["*"]).build().unwrap());
    /// let layer = preflight::layer::CorsLayer::new(policy.clone());
    /// assert!(Arc::ptr_eq(layer.policy(), &policy));
    /// ```
    pub fn new(policy: impl Into<Arc<Policy>>) -> Self {
        CorsLayer {
            policy: policy.into(),
        }
    }

    /// The policy this layer applies.
    ///
    /// ```
    /// let layer = preflight::layer::CorsLayer::new(preflight::Policy::builder().allowed_origins(["*"]).build().unwrap());
    /// assert!(layer.policy().allows_any_origin());
    /// ```
    pub fn policy(&self) -> &Arc<Policy> {
        &self.policy
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            policy: self.policy.clone(),
        }
    }
}

/// A service that answers preflights itself and decorates the inner service's responses.
///
/// ```
/// # use std::sync::Arc;
/// # use tower::Layer;
/// let layer = preflight::layer::CorsLayer::new(preflight::Policy::builder().allowed_origins(["*"]).build().unwrap());
/// let service = layer.layer(tower::service_fn(|_: http::Request<()>| async {
///     Ok::<_, std::convert::Infallible>(http::Response::new(()))
/// }));
/// # let _ = service;
/// ```
#[derive(Debug, Clone)]
pub struct Cors<S> {
    inner: S,
    policy: Arc<Policy>,
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let state = match self.policy.decide(request.method(), request.headers()) {
            Decision::Preflight(preflight) => State::Answered {
                response: Some(preflight.into_response(ResBody::default())),
            },
            Decision::Refuse(refused) => State::Answered {
                response: Some(refused.into_response(ResBody::default())),
            },
            Decision::Forward(actual) => State::Forwarded {
                future: self.inner.call(request),
                actual,
                policy: self.policy.clone(),
            },
        };
        ResponseFuture { state }
    }
}

pin_project! {
    /// The future of [`Cors`]: the preflight answer, or the inner response decorated.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Answered { response: Option<Response<B>> },
        Forwarded { #[pin] future: F, actual: Actual, policy: Arc<Policy> },
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            StateProj::Answered { response } => match response.take() {
                Some(response) => Poll::Ready(Ok(response)),
                None => panic!("preflight::layer::ResponseFuture polled after completion"),
            },
            StateProj::Forwarded {
                future,
                actual,
                policy,
            } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(result) => result?,
                    Poll::Pending => return Poll::Pending,
                };
                policy.apply(actual, response.headers_mut());
                Poll::Ready(Ok(response))
            }
        }
    }
}

/// The inner service of a layer that must never fail, as the platform adapters' layers are
/// ([`Around`]): an error from the inner service's `poll_ready` is kept and handed to the
/// next call, which answers it like a failed handler (a `500` with CORS headers) instead of
/// failing the whole service.
#[derive(Debug, Clone)]
struct Guarded<S> {
    service: S,
    not_ready: Option<String>,
}

impl<S> Guarded<S> {
    /// Guards `service`.
    fn new(service: S) -> Self {
        Guarded {
            service,
            not_ready: None,
        }
    }

    /// Polls the inner service's readiness; an error is kept for [`Guarded::take`] and reported
    /// as ready.
    fn poll_ready<R>(&mut self, cx: &mut Context<'_>) -> Poll<()>
    where
        S: Service<R>,
        S::Error: std::fmt::Display,
    {
        match self.service.poll_ready(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(())) => Poll::Ready(()),
            Poll::Ready(Err(error)) => {
                self.not_ready = Some(error.to_string());
                Poll::Ready(())
            }
        }
    }

    /// For a call after [`Guarded::poll_ready`]: the ready service (a fresh clone takes its
    /// place, tower's usual pattern), or the readiness error to answer with.
    fn take(&mut self) -> Result<S, String>
    where
        S: Clone,
    {
        match self.not_ready.take() {
            Some(error) => Err(error),
            None => {
                let clone = self.service.clone();
                Ok(std::mem::replace(&mut self.service, clone))
            }
        }
    }
}

/// The tower service of a platform adapter (`preflight_lambda::CorsService`,
/// `preflight_vercel::CorsService`): the platform's whole request cycle ([`Platform::around`],
/// which ends in [`handler::serve`]) around every call of the inner
/// service. A `poll_ready` error of the inner service is answered by the next call as a
/// failed handler, a `500` with CORS headers: the service itself never fails.
///
/// ```
/// use std::convert::Infallible;
/// use std::future::Future;
/// use std::pin::Pin;
/// use http::{Request, Response};
/// use preflight::layer::{Around, Inner, Platform};
/// use tower::{service_fn, Service, ServiceExt};
///
/// /// A platform whose requests are `http::Request<()>` and bodies `String`.
/// #[derive(Clone)]
/// struct Plain;
///
/// impl<S> Platform<S, Request<()>> for Plain
/// where
///     S: Service<Request<()>, Response = Response<String>> + Send + 'static,
///     S::Future: Send,
///     S::Error: std::fmt::Display,
/// {
///     type Response = Response<String>;
///     type Error = Infallible;
///     type Future = Pin<Box<dyn Future<Output = Result<Response<String>, Infallible>> + Send>>;
///
///     fn around(&self, request: Request<()>, inner: Inner<S>) -> Self::Future {
///         let policy = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build();
///         Box::pin(async move {
///             Ok(preflight::handler::serve(policy.as_ref(), None, request, |r| inner.call(r)).await)
///         })
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let inner = service_fn(|_req: Request<()>| async { Err::<Response<String>, _>("down") });
/// let service = Around::new(inner, Plain);
/// let request = Request::builder().header("origin", "https://app.example.com").body(()).unwrap();
/// let response = service.oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// # });
/// ```
#[derive(Debug, Clone)]
pub struct Around<S, P> {
    inner: Guarded<S>,
    platform: P,
}

impl<S, P> Around<S, P> {
    /// `platform`'s request cycle around every call of `inner`.
    pub fn new(inner: S, platform: P) -> Self {
        Around {
            inner: Guarded::new(inner),
            platform,
        }
    }
}

/// A platform's request cycle, as [`Around`] runs it for each request.
pub trait Platform<S, Request> {
    /// What the platform's runtime takes back.
    type Response;
    /// The service's error; the cycle answers every failure itself, so it is never produced.
    type Error;
    /// The future of one request.
    type Future: Future<Output = Result<Self::Response, Self::Error>>;

    /// Runs the cycle for `request`; the handler is `inner` (see [`Inner::call`]).
    fn around(&self, request: Request, inner: Inner<S>) -> Self::Future;
}

/// The inner service for one request, or the error its readiness reported.
#[derive(Debug)]
pub struct Inner<S>(Result<S, String>);

impl<S> Inner<S> {
    /// Calls the inner service, or fails with the readiness error: the handler the request
    /// cycle runs (its error becomes a `500` with CORS headers).
    pub fn call<R>(self, request: R) -> InnerFuture<S::Future>
    where
        S: Service<R>,
    {
        let state = match self.0 {
            Ok(mut service) => InnerState::Running {
                future: service.call(request),
            },
            Err(error) => InnerState::NotReady { error: Some(error) },
        };
        InnerFuture { state }
    }
}

pin_project! {
    /// The inner service's future, from [`Inner::call`].
    #[derive(Debug)]
    pub struct InnerFuture<F> {
        #[pin]
        state: InnerState<F>,
    }
}

pin_project! {
    #[project = InnerStateProjection]
    #[derive(Debug)]
    enum InnerState<F> {
        Running { #[pin] future: F },
        NotReady { error: Option<String> },
    }
}

impl<F, T, E> Future for InnerFuture<F>
where
    F: Future<Output = Result<T, E>>,
{
    type Output = Result<T, InnerError<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            InnerStateProjection::Running { future } => future.poll(cx).map_err(InnerError::Failed),
            InnerStateProjection::NotReady { error } => {
                Poll::Ready(Err(InnerError::NotReady(error.take().unwrap_or_default())))
            }
        }
    }
}

/// Why the inner service gave no response.
#[derive(Debug)]
pub enum InnerError<E> {
    /// Its call returned this error.
    Failed(E),
    /// Its `poll_ready` failed with this error (shown as it is).
    NotReady(String),
}

impl<E: std::fmt::Display> std::fmt::Display for InnerError<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InnerError::Failed(error) => error.fmt(f),
            InnerError::NotReady(error) => f.write_str(error),
        }
    }
}

impl<S, P, R> Service<R> for Around<S, P>
where
    S: Service<R> + Clone,
    S::Error: std::fmt::Display,
    P: Platform<S, R>,
{
    type Response = P::Response;
    type Error = P::Error;
    type Future = P::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready::<R>(cx).map(Ok)
    }

    fn call(&mut self, request: R) -> Self::Future {
        self.platform.around(request, Inner(self.inner.take()))
    }
}

/// A platform whose requests are `http::Request`s (a `lambda_http` service, an axum
/// `Router`, a Worker's `HttpRequest`), as the request cycle needs it: where the policy comes
/// from and which request id names a request. Every `Runtime` is a [`Platform`] for any
/// `http::Request<B>` → `http::Response<RB>` service, whatever its bodies, so [`Around`] of
/// it works outside a router (`layer.layer(router)`) and inside one (axum's
/// `Router::layer`): it never fails (`Error = Infallible`, what `Router::layer` asks), answers
/// preflights before the inner service, and turns the inner service's `Err` or panic into a
/// `500` with CORS headers ([`handler::serve`]).
///
/// ```
/// use std::convert::Infallible;
/// use http::{Extensions, HeaderMap, HeaderValue, Request, Response};
/// use preflight::layer::{Around, Runtime};
/// use preflight::{ConfigError, Policy};
/// use tower::{service_fn, ServiceExt};
///
/// /// A platform that names its requests in `x-trace` and reads one fixed policy.
/// #[derive(Clone, Copy)]
/// struct Fixed(&'static Policy);
///
/// impl Runtime for Fixed {
///     fn policy(&self) -> Result<&'static Policy, &'static ConfigError> {
///         Ok(self.0)
///     }
///     fn request_id(&self, headers: &HeaderMap, _: &Extensions) -> Option<HeaderValue> {
///         headers.get("x-trace").cloned()
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
/// let platform = Fixed(Box::leak(Box::new(policy)));
/// let inner = service_fn(|_req: Request<()>| async {
///     panic!("a bug");
///     #[allow(unreachable_code)]
///     Ok::<_, Infallible>(Response::new(String::new()))
/// });
/// let request = Request::builder()
///     .header("origin", "https://app.example.com")
///     .header("x-trace", "t-1")
///     .body(())
///     .unwrap();
/// let response = Around::new(inner, platform).oneshot(request).await.unwrap();
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
/// assert_eq!(response.headers()["x-request-id"], "t-1");
/// # });
/// ```
pub trait Runtime {
    /// The policy to serve this request with, or the configuration error to answer with (a
    /// `500` without CORS headers): [`Policy::from_env_cached`] on Lambda and Vercel, the
    /// isolate's bindings on Workers.
    fn policy(&self) -> Result<&'static Policy, &'static ConfigError>;

    /// The id the platform gives this request, put in `x-request-id` on the `500`s the
    /// library writes.
    fn request_id(&self, headers: &HeaderMap, extensions: &Extensions) -> Option<HeaderValue>;
}

impl<S, P, ReqBody, ResBody> Platform<S, Request<ReqBody>> for P
where
    P: Runtime,
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Send + 'static,
    S::Future: Send,
    S::Error: std::fmt::Display,
    ReqBody: Send + 'static,
    ResBody: Default + From<String> + Send + 'static,
{
    type Response = Response<ResBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<ResBody>, Infallible>> + Send>>;

    fn around(&self, request: Request<ReqBody>, inner: Inner<S>) -> Self::Future {
        let policy = self.policy();
        let request_id = self.request_id(request.headers(), request.extensions());
        Box::pin(async move {
            Ok(handler::serve(policy, request_id, request, |request| inner.call(request)).await)
        })
    }
}
