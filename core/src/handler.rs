//! The whole request cycle around an async handler, shared by every platform adapter:
//! preflights answered without the handler, the handler's response decorated whatever its
//! status, and a failing or panicking handler turned into a `500` that still carries the CORS
//! headers (so the browser shows the real status, not a CORS error).
//!
//! ```
//! use http::{Request, Response, StatusCode};
//! use preflight::{handler, Policy};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
//! let request = Request::builder()
//!     .uri("/error")
//!     .header("origin", "https://app.example.com")
//!     .body(())
//!     .unwrap();
//! let response: Response<String> = handler::handle(&policy, request, |_req| async {
//!     Err::<Response<String>, _>("the database is down")
//! })
//! .await;
//! assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//! # });
//! ```

use std::any::Any;
use std::fmt::Display;
use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::{HeaderName, CONTENT_TYPE};
use http::{HeaderValue, Request, Response, StatusCode};

use crate::{ConfigError, Decision, Policy};

/// The body of the `500` sent when the handler fails or panics.
pub const INTERNAL_ERROR_BODY: &str = r#"{"error":"internal server error"}"#;

/// The body of the `403` sent when the cross-site guard refuses a request.
pub const CROSS_SITE_BODY: &str = r#"{"error":"cross-site request refused"}"#;

/// Why a response was written by the library rather than by the handler. [`handle`] and
/// [`misconfigured`] put it in the extensions of each `500` they make, so an adapter or a
/// middleware can tell those apart from the handler's own `500`s (for example to stamp the
/// platform's request id on them).
///
/// ```
/// use preflight::handler::{self, Generated};
/// let err = preflight::Policy::builder().build().unwrap_err();
/// let response: http::Response<String> = handler::misconfigured(&err);
/// assert_eq!(response.extensions().get::<Generated>(), Some(&Generated::Misconfigured));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Generated {
    /// The handler returned `Err`.
    HandlerFailed,
    /// The handler panicked.
    HandlerPanicked,
    /// The CORS configuration is invalid, so nothing is served.
    Misconfigured,
    /// The cross-site guard refused the request (`CORS_REFUSE_CROSS_SITE=true`).
    CrossSiteRefused,
}

/// The header [`serve`] puts the platform's request id in, on the `500`s the library writes.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Puts the platform's request id (the Lambda request id, Vercel's `x-vercel-id`) in
/// [`REQUEST_ID`] on a response the library wrote itself (one carrying [`Generated`]), so the
/// failure a browser shows can be found in the function's log. Leaves the handler's own
/// responses, and a header already set, alone.
fn tag_request_id<B>(response: &mut Response<B>, request_id: Option<HeaderValue>) {
    if let Some(request_id) = request_id {
        if response.extensions().get::<Generated>().is_some() {
            response
                .headers_mut()
                .entry(REQUEST_ID)
                .or_insert(request_id);
        }
    }
}

/// Runs `handler` for `request` under `policy`: a preflight is answered without calling it;
/// any other request runs it, and its response (or a `500` when it returns `Err` or panics,
/// with the error logged at `error`) is finished by [`Policy::apply`].
///
/// Never panics itself; a panic inside the handler is caught and logged.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// use http::{Request, Response, StatusCode};
/// let policy = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
/// let request = Request::builder().header("origin", "https://app.example.com").body(()).unwrap();
/// let response: Response<String> = preflight::handler::handle(&policy, request, |_req| async {
///     panic!("a bug");
///     #[allow(unreachable_code)]
///     Ok::<_, std::convert::Infallible>(Response::new(String::new()))
/// })
/// .await;
/// assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
/// assert!(response.headers().contains_key("access-control-allow-origin"));
/// # });
/// ```
pub async fn handle<ReqBody, ResBody, E, F, Fut>(
    policy: &Policy,
    request: Request<ReqBody>,
    handler: F,
) -> Response<ResBody>
where
    F: FnOnce(Request<ReqBody>) -> Fut,
    Fut: Future<Output = Result<Response<ResBody>, E>>,
    E: Display,
    ResBody: Default + From<String>,
{
    // The policy's log lines (rejections at `warn`, allowed preflights at `debug`) name the
    // request they are about by method and path only: the query string often carries
    // secrets (`?token=`, signed URLs), and so do the headers, which are never logged.
    let span = tracing::debug_span!(
        "cors",
        method = %request.method(),
        path = %crate::log::Shown(request.uri().path().as_bytes())
    );
    let decision = span.in_scope(|| policy.decide(request.method(), request.headers()));
    let actual = match decision {
        Decision::Preflight(preflight) => return preflight.into_response(ResBody::default()),
        Decision::Refuse(refused) => {
            let mut response = refused.into_response(ResBody::from(CROSS_SITE_BODY.to_string()));
            response
                .extensions_mut()
                .insert(Generated::CrossSiteRefused);
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            return response;
        }
        Decision::Forward(actual) => actual,
    };
    let outcome = match catch_unwind(AssertUnwindSafe(|| handler(request))) {
        Ok(future) => CatchUnwind { future }.await,
        Err(panic) => Err(panic),
    };
    let mut response = match outcome {
        Ok(Ok(response)) => response,
        Ok(Err(error)) => {
            tracing::error!(error = %error, "handler failed; answering 500 with CORS headers");
            internal_error(Generated::HandlerFailed)
        }
        Err(panic) => {
            tracing::error!(
                panic = panic_message(&*panic),
                "handler panicked; answering 500 with CORS headers"
            );
            internal_error(Generated::HandlerPanicked)
        }
    };
    policy.apply(&actual, response.headers_mut());
    response
}

/// One request, as every platform adapter runs it: under `policy` ([`handle`]) or, while the
/// configuration is invalid, [`misconfigured`]; the `500`s written here carry the platform's
/// `request_id` (in `x-request-id`, so the failure a browser shows can be found in the log). An adapter's own code only converts its platform's
/// types around this call.
///
/// ```
/// use http::{HeaderValue, Request, Response};
/// use preflight::{handler, Policy};
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build();
/// let request = Request::builder().header("origin", "https://app.example.com").body(()).unwrap();
/// let id = Some(HeaderValue::from_static("req-7"));
/// let response: Response<String> = handler::serve(policy.as_ref(), id, request, |_req| async {
///     Err::<Response<String>, _>("the database is down")
/// })
/// .await;
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["x-request-id"], "req-7");
/// assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
///
/// // While the configuration is invalid: a 500 without CORS headers, tagged too.
/// let invalid = Policy::builder().build();
/// let request = Request::builder().body(()).unwrap();
/// let id = Some(HeaderValue::from_static("req-8"));
/// let response: Response<String> = handler::serve(invalid.as_ref(), id, request, |_req| async {
///     Ok::<_, String>(Response::new(String::new()))
/// })
/// .await;
/// assert_eq!(response.status(), 500);
/// assert_eq!(response.headers()["x-request-id"], "req-8");
/// # });
/// ```
pub async fn serve<ReqBody, ResBody, E, F, Fut>(
    policy: Result<&Policy, &ConfigError>,
    request_id: Option<HeaderValue>,
    request: Request<ReqBody>,
    handler: F,
) -> Response<ResBody>
where
    F: FnOnce(Request<ReqBody>) -> Fut,
    Fut: Future<Output = Result<Response<ResBody>, E>>,
    E: Display,
    ResBody: Default + From<String>,
{
    let mut response = match policy {
        Ok(policy) => handle(policy, request, handler).await,
        Err(error) => misconfigured(error),
    };
    tag_request_id(&mut response, request_id);
    response
}

/// The answer to every request while the configuration is invalid: `500`, no CORS headers
/// (never an open policy), and a body saying where the details are. The problems themselves
/// go to the log once, at cold start ([`Policy::from_env_cached`]).
///
/// ```
/// let err = preflight::Policy::builder().build().unwrap_err();
/// let response: http::Response<String> = preflight::handler::misconfigured(&err);
/// assert_eq!(response.status(), 500);
/// assert!(response.headers().keys().all(|k| !k.as_str().starts_with("access-control-")));
/// ```
pub fn misconfigured<ResBody: From<String>>(error: &ConfigError) -> Response<ResBody> {
    let count = error.errors().count();
    let body = format!(
        r#"{{"error":"invalid CORS configuration: {count} problem{} (see the function's log)"}}"#,
        if count == 1 { "" } else { "s" }
    );
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        body,
        Generated::Misconfigured,
    )
}

/// The `500` sent for a failing or panicking handler.
fn internal_error<ResBody: From<String>>(why: Generated) -> Response<ResBody> {
    json(
        StatusCode::INTERNAL_SERVER_ERROR,
        INTERNAL_ERROR_BODY.to_string(),
        why,
    )
}

fn json<ResBody: From<String>>(
    status: StatusCode,
    body: String,
    why: Generated,
) -> Response<ResBody> {
    let mut response = Response::new(ResBody::from(body));
    *response.status_mut() = status;
    response.extensions_mut().insert(why);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn panic_message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

pin_project_lite::pin_project! {
    /// Polls a future, turning a panic into an `Err` with the panic's payload.
    struct CatchUnwind<F> {
        #[pin]
        future: F,
    }
}

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, Box<dyn Any + Send>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.project().future;
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
