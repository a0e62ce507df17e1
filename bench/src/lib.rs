//! What the benchmarks share: the same policy for `preflight` and for tower-http, the
//! requests of each case, and a way to call a tower service without an async runtime (the
//! trivial handler's future is ready at once, so one poll with a no-op waker answers).

use std::convert::Infallible;
use std::future::{ready, Future, Ready};
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use http::header::{AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderName, HeaderValue, Method, Request, Response};
use tower::{Layer, Service};

/// The allowed origin of the cases.
pub const ALLOWED: &str = "https://app.example.com";
/// An origin no policy allows.
pub const OTHER: &str = "https://evil.example.net";

/// The handler behind every layer: an empty `200` with one header.
pub fn handler() -> impl Service<
    Request<()>,
    Response = Response<()>,
    Error = Infallible,
    Future = Ready<Result<Response<()>, Infallible>>,
> + Clone {
    tower::service_fn(|_req: Request<()>| {
        let mut response = Response::new(());
        response
            .headers_mut()
            .insert("x-request-id", HeaderValue::from_static("r-1"));
        ready(Ok::<_, Infallible>(response))
    })
}

/// `exact` origins (`https://app.example.com` first, then `https://o{i}.example.com`) and
/// `patterns` subdomain patterns (`https://*.p{i}.example.org`).
pub fn origins(exact: usize, patterns: usize) -> Vec<String> {
    let mut list = vec![ALLOWED.to_string()];
    list.extend((1..exact).map(|i| format!("https://o{i}.example.com")));
    list.extend((0..patterns).map(|i| format!("https://*.p{i}.example.org")));
    list
}

/// The policy of the cases for `preflight`: the origins, the default methods,
/// `Authorization` and `Content-Type`, exposing `X-Request-Id`, max-age 7200.
pub fn preflight_policy(origins: &[String]) -> Arc<preflight::Policy> {
    Arc::new(
        preflight::Settings::from_vars([
            ("CORS_ALLOWED_ORIGINS", origins.join(",")),
            (
                "CORS_ALLOWED_HEADERS",
                "Authorization,Content-Type".to_string(),
            ),
            ("CORS_EXPOSE_HEADERS", "X-Request-Id".to_string()),
            ("CORS_MAX_AGE", "7200".to_string()),
        ])
        .build()
        .expect("the benchmark policy is valid"),
    )
}

/// The same policy for tower-http's `CorsLayer`: exact origins as `AllowOrigin::list`,
/// subdomain patterns (if any) through `AllowOrigin::predicate` (an exact look-up in the list,
/// then a suffix test per pattern, the way such predicates are written).
pub fn tower_http_layer(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let exact: Vec<HeaderValue> = origins
        .iter()
        .filter(|o| !o.contains('*'))
        .map(|o| HeaderValue::from_str(o).unwrap())
        .collect();
    let suffixes: Vec<String> = origins
        .iter()
        .filter_map(|o| o.strip_prefix("https://*"))
        .map(str::to_string)
        .collect();
    let allow_origin = if suffixes.is_empty() {
        AllowOrigin::list(exact)
    } else {
        AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            exact.contains(origin)
                || origin.to_str().is_ok_and(|o| {
                    o.strip_prefix("https://").is_some_and(|host| {
                        suffixes
                            .iter()
                            .any(|s| host.ends_with(s.as_str()) && host.len() > s.len())
                    })
                })
        })
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([AUTHORIZATION, CONTENT_TYPE])
        .expose_headers([HeaderName::from_static("x-request-id")])
        .max_age(Duration::from_secs(7200))
}

/// Which CORS layer runs around the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stack {
    /// No CORS at all: the cost of the handler and of building the response.
    Bare,
    /// `preflight::layer::CorsLayer`.
    Preflight,
    /// `tower_http::cors::CorsLayer`.
    TowerHttp,
}

/// A boxed-free way to hold the three stacks: each is a `Service<Request<()>>`.
pub enum Service3<A, B, C> {
    /// The bare handler.
    Bare(A),
    /// preflight's layer.
    Preflight(B),
    /// tower-http's layer.
    TowerHttp(C),
}

/// Builds the service for `stack` with the policy of `origins`. (Unboxed on purpose: a boxed
/// service would add a virtual call and a future allocation to every measurement.)
#[allow(clippy::type_complexity)]
pub fn service(
    stack: Stack,
    origins: &[String],
) -> Service3<
    impl Service<Request<()>, Response = Response<()>, Error = Infallible>,
    impl Service<Request<()>, Response = Response<()>, Error = Infallible>,
    impl Service<Request<()>, Response = Response<()>, Error = Infallible>,
> {
    match stack {
        Stack::Bare => Service3::Bare(handler()),
        Stack::Preflight => Service3::Preflight(
            preflight::layer::CorsLayer::new(preflight_policy(origins)).layer(handler()),
        ),
        Stack::TowerHttp => Service3::TowerHttp(tower_http_layer(origins).layer(handler())),
    }
}

impl<A, B, C> Service3<A, B, C>
where
    A: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    B: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    C: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    /// Calls the service and returns the response (the futures are ready at once).
    pub fn call(&mut self, request: Request<()>) -> Response<()> {
        match self {
            Service3::Bare(s) => now(s.call(request)),
            Service3::Preflight(s) => now(s.call(request)),
            Service3::TowerHttp(s) => now(s.call(request)),
        }
    }
}

/// Polls a future once with a no-op waker; the handler is synchronous, so it is ready.
pub fn now<F: Future<Output = Result<Response<()>, Infallible>>>(future: F) -> Response<()> {
    let mut future = pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(Ok(response)) => response,
        Poll::Ready(Err(never)) => match never {},
        Poll::Pending => panic!("the benchmark handler is synchronous"),
    }
}

/// One benchmark case: a name, how to build its request, and what a browser must be told.
pub struct Case {
    /// Short name (the criterion benchmark id).
    pub name: &'static str,
    /// What it is, for the table.
    pub what: &'static str,
    /// Builds a fresh request (outside the timed part).
    pub request: fn() -> Request<()>,
    /// What a browser concludes from the answer: `true` when the page may go on (the
    /// preflight passes, or the actual response may be read). Checked for both CORS layers
    /// with the core's browser model before anything is measured, so that a fast wrong
    /// answer cannot pass for a fast right one.
    pub allowed: bool,
}

impl Case {
    /// Calls `service` once with this case's request and panics unless a browser would
    /// conclude what the case expects (requests without `Origin`: no
    /// `Access-Control-Allow-Origin`).
    pub fn check<A, B, C>(&self, stack: Stack, service: &mut Service3<A, B, C>)
    where
        A: Service<Request<()>, Response = Response<()>, Error = Infallible>,
        B: Service<Request<()>, Response = Response<()>, Error = Infallible>,
        C: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    {
        use http::header::{
            ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_HEADERS,
            ACCESS_CONTROL_REQUEST_METHOD, ORIGIN,
        };
        use preflight_browser::{check_preflight, check_response, Fetch};

        let request = (self.request)();
        let text = |name| {
            request
                .headers()
                .get(name)
                .map(|v: &HeaderValue| v.to_str().unwrap().to_string())
        };
        let (origin, method, names) = (
            text(ORIGIN),
            text(ACCESS_CONTROL_REQUEST_METHOD),
            text(ACCESS_CONTROL_REQUEST_HEADERS),
        );
        let preflight = request.method() == Method::OPTIONS && method.is_some();
        let actual_method = request.method().to_string();
        let response = service.call(request);
        if stack == Stack::Bare {
            assert_eq!(
                response.status(),
                200,
                "{}: the bare handler answers",
                self.name
            );
            return;
        }
        let Some(origin) = origin else {
            assert!(
                !response.headers().contains_key(ACCESS_CONTROL_ALLOW_ORIGIN),
                "{} through {stack:?}: {response:?}",
                self.name
            );
            return;
        };
        let passes = if preflight {
            let mut fetch = Fetch::new(origin, method.unwrap_or_default());
            for name in names.iter().flat_map(|n| n.split(',')) {
                fetch = fetch.header(name.trim(), "1");
            }
            check_preflight(&fetch, response.status(), response.headers()).is_ok()
        } else {
            check_response(&Fetch::new(origin, actual_method), response.headers()).is_ok()
        };
        assert_eq!(
            passes, self.allowed,
            "{} through {stack:?}: {response:?}",
            self.name
        );
    }
}

fn preflight_request(origin: &str, acrh: &str) -> Request<()> {
    let mut builder = Request::builder()
        .method(Method::OPTIONS)
        .uri("/items/1")
        .header("origin", origin)
        .header("access-control-request-method", "PUT");
    if !acrh.is_empty() {
        builder = builder.header("access-control-request-headers", acrh);
    }
    builder.body(()).unwrap()
}

/// A preflight with the header lines Chromium sends (captured from Chromium 156 calling a
/// local function), behind a gateway that adds its own: what a deployed function sees.
fn chromium_preflight() -> Request<()> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/items/1")
        .header("host", "api.example.com")
        .header("connection", "keep-alive")
        .header("accept", "*/*")
        .header("access-control-request-method", "PUT")
        .header("access-control-request-headers", "authorization,content-type")
        .header("origin", ALLOWED)
        .header(
            "user-agent",
            "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36",
        )
        .header("sec-fetch-mode", "cors")
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-dest", "empty")
        .header("referer", "https://app.example.com/")
        .header("accept-encoding", "gzip, deflate, br, zstd")
        .header("accept-language", "en-US,en;q=0.9")
        .header("x-forwarded-for", "203.0.113.7")
        .header("x-forwarded-proto", "https")
        .header("x-forwarded-port", "443")
        .header("x-amzn-trace-id", "Root=1-67891233-abcdef012345678912345678")
        .body(())
        .unwrap()
}

fn get(origin: Option<&str>) -> Request<()> {
    let mut builder = Request::builder().uri("/items");
    if let Some(origin) = origin {
        builder = builder.header("origin", origin);
    }
    builder.body(()).unwrap()
}

/// `count` header names, comma-separated (a hostile `Access-Control-Request-Headers`).
pub fn many_names(count: usize) -> String {
    (0..count)
        .map(|i| format!("x-h{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// The request cases, in table order.
pub const CASES: &[Case] = &[
    Case {
        name: "preflight_allowed",
        what: "preflight, allowed (PUT, authorization + content-type)",
        request: || preflight_request(ALLOWED, "authorization,content-type"),
        allowed: true,
    },
    Case {
        name: "preflight_chromium",
        what: "preflight, allowed, with the 17 header lines a browser and a gateway send",
        request: chromium_preflight,
        allowed: true,
    },
    Case {
        name: "preflight_rejected_origin",
        what: "preflight, origin not allowed",
        request: || preflight_request(OTHER, "authorization,content-type"),
        allowed: false,
    },
    Case {
        name: "preflight_rejected_header",
        what: "preflight, a header not allowed",
        request: || preflight_request(ALLOWED, "x-debug"),
        allowed: false,
    },
    Case {
        name: "actual_allowed",
        what: "GET from an allowed origin",
        request: || get(Some(ALLOWED)),
        allowed: true,
    },
    Case {
        name: "actual_disallowed",
        what: "GET from a disallowed origin",
        request: || get(Some(OTHER)),
        allowed: false,
    },
    Case {
        name: "no_origin",
        what: "GET without Origin",
        request: || get(None),
        allowed: false,
    },
    Case {
        name: "hostile_many_names",
        what: "preflight, hostile ACRH: 5 000 names",
        request: || preflight_request(ALLOWED, &many_names(5000)),
        allowed: false,
    },
    Case {
        name: "hostile_long_value",
        what: "preflight, hostile ACRH: one 64 KiB name",
        request: || preflight_request(ALLOWED, &"x".repeat(64 * 1024)),
        allowed: false,
    },
];
