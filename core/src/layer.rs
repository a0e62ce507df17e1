//! A tower [`Layer`] that applies a [`Policy`] around any service over
//! `http` types (lambda_http, vercel_runtime, axum, hyper). Enabled by the `tower` feature.
//!
//! Preflights are answered by the layer without calling the inner service; every other
//! response the inner service returns, whatever its status, is finished by
//! [`Policy::apply`]. Errors (`Err`) of the inner service pass through untouched: turning them
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

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

use crate::{Actual, Decision, Policy};

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
/// (`preflight_lambda::CorsLayer`, `preflight_vercel::CorsLayer`): an error from the inner
/// service's `poll_ready` is kept and handed to the next call, which answers it like a failed
/// handler (a `500` with CORS headers) instead of failing the whole service.
///
/// ```
/// use std::task::{Context, Poll};
/// use preflight::layer::Guarded;
///
/// let mut guarded = Guarded::new(tower::service_fn(|_: ()| async { Ok::<_, String>(()) }));
/// let mut cx = Context::from_waker(std::task::Waker::noop());
/// assert_eq!(guarded.poll_ready::<()>(&mut cx), Poll::Ready(()));
/// assert!(guarded.take().is_ok());
/// ```
#[derive(Debug, Clone)]
pub struct Guarded<S> {
    service: S,
    not_ready: Option<String>,
}

impl<S> Guarded<S> {
    /// Guards `service`.
    ///
    /// ```
    /// let guarded = preflight::layer::Guarded::new(tower::service_fn(|_: ()| async { Ok::<_, String>(()) }));
    /// # let _ = guarded;
    /// ```
    pub fn new(service: S) -> Self {
        Guarded {
            service,
            not_ready: None,
        }
    }

    /// Polls the inner service's readiness; an error is kept for [`Guarded::take`] and reported
    /// as ready.
    ///
    /// ```
    /// use std::task::{Context, Poll};
    /// use tower::Service;
    ///
    /// struct Broken;
    /// impl Service<()> for Broken {
    ///     type Response = ();
    ///     type Error = &'static str;
    ///     type Future = std::future::Ready<Result<(), &'static str>>;
    ///     fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
    ///         Poll::Ready(Err("pool exhausted"))
    ///     }
    ///     fn call(&mut self, _: ()) -> Self::Future { unreachable!() }
    /// }
    /// # impl Clone for Broken { fn clone(&self) -> Self { Broken } }
    /// let mut guarded = preflight::layer::Guarded::new(Broken);
    /// let mut cx = Context::from_waker(std::task::Waker::noop());
    /// assert_eq!(guarded.poll_ready::<()>(&mut cx), Poll::Ready(()));
    /// assert_eq!(guarded.take().err().as_deref(), Some("pool exhausted"));
    /// ```
    pub fn poll_ready<R>(&mut self, cx: &mut Context<'_>) -> Poll<()>
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
    ///
    /// ```
    /// let mut guarded = preflight::layer::Guarded::new(tower::service_fn(|_: ()| async { Ok::<_, String>(()) }));
    /// assert!(guarded.take().is_ok());
    /// ```
    pub fn take(&mut self) -> Result<S, String>
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
