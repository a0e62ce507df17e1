//! # preflight
//!
//! CORS for serverless Rust. One policy, read from `CORS_*` variables and validated once per
//! cold start, answers preflights before any handler or authentication runs, and decorates
//! every real response (errors included) exactly as browsers check them.
//!
//! This crate is the platform-independent core, in terms of the [`http`] crate. The adapters
//! (`preflight-cors-lambda`, `preflight-cors-vercel`, `preflight-cors-worker`) translate their platform's
//! types and call it; with the `tower` feature, [`layer::CorsLayer`] wraps any tower service.
//!
//! ```
//! use http::{HeaderMap, Method, StatusCode};
//! use preflight::{Decision, Policy};
//!
//! // At cold start: usually `Policy::from_env_cached()`, reading CORS_ALLOWED_ORIGINS etc.
//! let policy = Policy::builder()
//!     .allowed_origins(["https://app.example.com"])
//!     .expose_headers(["X-Request-Id"])
//!     .build()?;
//!
//! // Per request: decide before the handler runs.
//! let mut request = HeaderMap::new();
//! request.insert("origin", "https://app.example.com".parse()?);
//! match policy.decide(&Method::GET, &request) {
//!     Decision::Preflight(preflight) => {
//!         let _answer: http::Response<()> = preflight.into_response(()); // no handler, no auth
//!     }
//!     Decision::Refuse(refused) => {
//!         let _answer: http::Response<()> = refused.into_response(()); // CORS_REFUSE_CROSS_SITE: 403
//!     }
//!     Decision::Forward(actual) => {
//!         let mut response = http::Response::new(());          // the handler's response
//!         *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR; // errors included
//!         policy.apply(&actual, response.headers_mut());
//!         assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
//!         assert_eq!(response.headers()["access-control-expose-headers"], "X-Request-Id");
//!         assert_eq!(response.headers()["vary"], "Origin");
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! CORS is not access control: a disallowed origin's actual request still reaches the handler
//! (a browser only hides the response from the page, and non-browser clients ignore CORS).
//! Authenticate requests as you would without CORS.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_auto_cfg))]

mod answer;
mod config;
mod decision;
pub mod describe;
pub mod handler;
mod headers;
#[cfg(feature = "tower")]
pub mod layer;
mod list;
mod log;
mod methods;
mod names;
mod origin;
mod policies;
mod policy;
mod problem;
mod request;
mod suffix;
mod vary;

pub use config::{Builder, Settings, DEFAULT_MAX_AGE, MAX_MAX_AGE};
pub use decision::{Actual, CrossSite, Decision, Preflight, Refused, Rejection};
pub use headers::{is_cors_header_name, DEFAULT_HEADERS};
pub use methods::DEFAULT_METHODS;
// The bounds on hostile request headers: implementation limits, not part of the stable API
// (they may change in any release); the fuzz targets and tests read them.
#[doc(hidden)]
pub use headers::{MAX_HEADER_NAME_LEN, MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_NAMES};
#[doc(hidden)]
pub use methods::MAX_METHOD_LEN;
pub use names::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
    CORS_REQUEST_HEADERS,
};
#[doc(hidden)]
pub use origin::MAX_ORIGIN_LEN;
pub use origin::{Origin, OriginRejection, Scheme};
pub use policies::Policies;
pub use policy::Policy;
pub use problem::{ConfigError, Problem, Severity, CODES};
pub use vary::varies_on_origin;

/// The README's Rust examples, compiled and run as doc tests so the front door stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

pub mod vars;
