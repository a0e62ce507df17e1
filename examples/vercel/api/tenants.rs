//! `/api/tenants`: origins decided by a function, on Vercel. The policy is built in code once
//! per cold start with `Policy::cached`, before the runtime starts: `CORS_ALLOWED_ORIGINS` for
//! the app's own origin, and a function over the tenant table (the `TENANT_HOSTS` variable
//! here; a database or a tenant's settings in a real app) for the rest. `#[cors]` then serves
//! that policy. Its answer names the handler, so a test can tell it ran.

use preflight_vercel::preflight::{Policy, Settings};
use vercel_runtime::{run, service_fn, Error, Request, Response, ResponseBody};

#[preflight_vercel::cors]
async fn handler(_req: Request) -> Result<Response<ResponseBody>, Error> {
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(ResponseBody::from(r#"{"handler":"tenants"}"#))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_vercel::init_tracing();
    let tenants =
        preflight_example_items::tenant_hosts(&std::env::var("TENANT_HOSTS").unwrap_or_default());
    let _ = Policy::cached(|| {
        Settings::from_env().build_with(move |origin| tenants.contains(origin.host()))
    });
    run(service_fn(handler)).await
}
