//! The example API for a multi-tenant service whose allowlist is a tenant table: origins are
//! decided by a function (`Settings::build_with`), the `CORS_*` variables give the rest. Here
//! the `TENANT_HOSTS` variable (comma-separated host names) stands in for the table, loaded
//! once at cold start; a real service would load its table the same way (or keep an
//! in-memory copy refreshed in the background) and look the host up in the function, which
//! must stay synchronous and fast.
//!
//! `Policy::cached` is the process's one policy: called here first, with the function, it is
//! the one `#[preflight_lambda::cors]` then serves (the first call wins).
//!
//! Run it: `cargo lambda watch --disable-cors --env-var TENANT_HOSTS=acme.localhost`, then
//! `http://localhost:9000/lambda-url/items-tenants/items`.

use std::collections::HashSet;

use lambda_http::{service_fn, Error};
use preflight_lambda::preflight::{Policy, Settings};

#[tokio::main]
async fn main() -> Result<(), Error> {
    preflight_example_lambda::init_tracing();
    let tenants: HashSet<String> =
        preflight_example_items::tenant_hosts(&std::env::var("TENANT_HOSTS").unwrap_or_default());
    let _ = Policy::cached(|| {
        Settings::from_env().build_with(move |origin| tenants.contains(origin.host()))
    });
    preflight_lambda::run(service_fn(preflight_example_lambda::handler)).await
}
