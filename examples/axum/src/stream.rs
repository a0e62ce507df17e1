//! Streamed responses (feature `stream`): the routes `examples/lambda`'s `items-stream` and
//! `examples/vercel`'s `api/axum.rs` serve to show that the CORS headers leave with the status,
//! before the first byte of a streamed body.
//!
//! | request | answer |
//! |---|---|
//! | `GET /events` | `200` `text/event-stream`: [`EVENTS`] events, [`GAP`] apart |
//! | `GET /fail` | the handler panics before its first byte (the CORS layer answers `500`) |

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use futures_util::stream;

/// How many events `GET /events` sends.
pub const EVENTS: u32 = 5;

/// The time between two events: a browser sees each one arrive on its own.
pub const GAP: Duration = Duration::from_millis(300);

/// The streaming routes, at the root (`/events`, `/fail`).
///
/// ```
/// use tower::ServiceExt;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let request = http::Request::builder().uri("/events").body(axum::body::Body::empty()).unwrap();
/// let response = preflight_example_axum::stream::router().oneshot(request).await.unwrap();
/// assert_eq!(response.headers()["content-type"], "text/event-stream");
/// let body = axum::body::to_bytes(response.into_body(), 1024).await.unwrap();
/// assert!(body.starts_with(b"id: 0\ndata: event 0\n\n"));
/// # });
/// ```
pub fn router() -> Router {
    Router::new()
        .route("/events", get(events))
        .route("/fail", get(fail))
}

/// Server-sent events `id: n` / `data: event n`, one every [`GAP`].
async fn events() -> Response {
    let events = stream::unfold(0, |n| async move {
        if n == EVENTS {
            return None;
        }
        tokio::time::sleep(GAP).await;
        Some((
            Ok::<_, Infallible>(format!("id: {n}\ndata: event {n}\n\n")),
            n + 1,
        ))
    });
    Response::builder()
        .header("content-type", "text/event-stream")
        .header("cache-control", "no-cache")
        .body(Body::from_stream(events))
        .unwrap_or_default()
}

/// A handler that fails before its first byte.
async fn fail() -> Response {
    panic!("the stream fails before its first byte, on purpose");
}
