//! `/api/me`: the signed-in user's function under the named policy `api`
//! (`CORS_API_ALLOWED_ORIGINS=<the app>`, `CORS_API_ALLOW_CREDENTIALS=true`), chosen by the
//! attribute's argument. Its answer names the handler, so a test can tell it ran.

use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};

#[preflight_vercel::cors(policy = "api")]
async fn handler(req: Request) -> Result<Response<ResponseBody>, Error> {
    let body = match *req.method() {
        http::Method::PUT => r#"{"handler":"api","saved":true}"#,
        _ => r#"{"handler":"api","user":"ada"}"#,
    };
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(ResponseBody::from(body))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_vercel::init_tracing();
    run(service_fn(handler)).await
}
