//! A policy built in code (`Policy::cached`, here with an origin function) is the unnamed
//! policy the adapter serves, while named policies still come from their variables: the
//! multi-tenant `/api` beside a public `/public` in one function, as the README shows.

use lambda_http::{Body, Error, Request, Response};
use preflight_lambda::preflight::Policy;

fn request(origin: &str) -> Request {
    lambda_http::http::Request::builder()
        .header("origin", origin)
        .body(Body::Empty)
        .unwrap()
}

async fn ok(_req: Request) -> Result<Response<Body>, Error> {
    Ok(Response::new(Body::from("{}")))
}

#[tokio::test]
async fn the_code_built_policy_is_the_unnamed_one_beside_named_ones() {
    // The only test in this binary: it sets the process environment before the first read.
    std::env::set_var("CORS_ALLOWED_ORIGINS", "https://from-env.example.com");
    std::env::set_var("CORS_PUBLIC_ALLOWED_ORIGINS", "*");
    let _ = Policy::cached(|| {
        Policy::builder()
            .allow_origin_if(|origin| origin.host().ends_with(".tenants.example.com"))
            .allow_credentials(true)
            .build()
    });
    let tenant = "https://acme.tenants.example.com";
    let response = preflight_lambda::wrap(request(tenant), ok).await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], tenant);
    assert_eq!(
        response.headers()["access-control-allow-credentials"],
        "true"
    );
    // The variables' unnamed policy is not what is served.
    let response = preflight_lambda::wrap(request("https://from-env.example.com"), ok)
        .await
        .unwrap();
    assert!(!response
        .headers()
        .contains_key("access-control-allow-origin"));
    // The named policy comes from its variables.
    let response = preflight_lambda::wrap_named("public", request(tenant), ok)
        .await
        .unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}
