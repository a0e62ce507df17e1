//! `/api/catalogue`: a public, read-only function under the named policy `public`
//! (`CORS_PUBLIC_ALLOWED_ORIGINS=*`, `CORS_PUBLIC_ALLOWED_METHODS=GET`), chosen by the
//! attribute's argument. Its answer names the handler, so a test can tell it ran.

use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};

#[preflight_vercel::cors(policy = "public")]
async fn handler(_req: Request) -> Result<Response<ResponseBody>, Error> {
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(ResponseBody::from(
            r#"{"handler":"public","items":["apple","kiwi"]}"#,
        ))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_vercel::init_tracing();
    run(service_fn(handler)).await
}
