//! `cargo xtask demo`: builds a policy from the `CORS_*` variables (or a demo policy when
//! `CORS_ALLOWED_ORIGINS` is unset), then plays the requests a browser would send for a few
//! typical `fetch()` calls through it, and shows what the server answers and whether the
//! browser model lets the page read the response.
//!
//! Try: `CORS_ALLOWED_ORIGINS=https://app.example.com CORS_ALLOW_CREDENTIALS=true cargo xtask demo`
//! or a broken one: `CORS_ALLOWED_ORIGINS='https://app.example.com/,null' cargo xtask demo`.

use std::process::ExitCode;

use http::{HeaderMap, Method, Response, StatusCode};
use preflight::{Decision, Policy, Settings};
use preflight_browser::{self as browser, Fetch};

fn main() -> ExitCode {
    let mut settings = Settings::from_env();
    if settings.allowed_origins.is_none() {
        println!("CORS_ALLOWED_ORIGINS is not set; using the demo policy:");
        println!("  CORS_ALLOWED_ORIGINS=https://app.example.com,https://*.preview.example.com,http://localhost:*");
        println!("  CORS_EXPOSE_HEADERS=X-Request-Id\n");
        settings.allowed_origins =
            Some("https://app.example.com,https://*.preview.example.com,http://localhost:*".into());
        settings
            .expose_headers
            .get_or_insert_with(|| "X-Request-Id".into());
    }
    let policy = match settings.build() {
        Ok(policy) => policy,
        Err(err) => {
            println!("{err}");
            return ExitCode::FAILURE;
        }
    };
    println!("policy: {policy}");
    for warning in policy.warnings() {
        println!("  {warning}");
    }
    println!();

    let calls = [
        Fetch::new("https://app.example.com", "GET"),
        Fetch::new("https://app.example.com", "PUT")
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer t0ken"),
        Fetch::new("https://pr-7.preview.example.com", "DELETE"),
        Fetch::new("http://localhost:5173", "GET").header("X-Debug", "1"),
        Fetch::new("https://app.example.com", "patch"),
        Fetch::new("https://app.example.com.evil.net", "PUT")
            .header("Content-Type", "application/json"),
        Fetch::new("https://app.example.com", "GET").credentials(true),
        Fetch::new("null", "GET"),
    ];
    for fetch in &calls {
        show(&policy, fetch);
    }
    ExitCode::SUCCESS
}

/// Plays one `fetch()` through the policy as a browser would, and prints the exchange.
fn show(policy: &Policy, fetch: &Fetch) {
    println!(
        "fetch({:?}, {{method: {:?}{}{}}}) from {}",
        "https://api.example.com/items",
        fetch.method,
        fetch
            .headers
            .iter()
            .map(|(n, _)| format!(", {n}"))
            .collect::<String>(),
        if fetch.credentials {
            ", credentials: 'include'"
        } else {
            ""
        },
        fetch.origin
    );
    let mut preflight_answer = None;
    if fetch.needs_preflight() {
        let request = fetch.preflight_request();
        let Decision::Preflight(answer) = policy.decide(request.method(), request.headers()) else {
            unreachable!("a browser preflight is always a preflight")
        };
        let rejection = answer.rejection();
        let response = answer.into_response(());
        println!(
            "  preflight  OPTIONS  -> {}{}",
            response.status(),
            cors_headers(response.headers())
        );
        if let Some(rejection) = rejection {
            println!("  server log: CORS preflight rejected: {rejection}");
        }
        preflight_answer = Some(response);
    }
    if let Some(answer) = &preflight_answer {
        if let Err(blocked) = browser::check_preflight(fetch, answer.status(), answer.headers()) {
            println!("  browser: BLOCKED before sending the request: {blocked}\n");
            return;
        }
    }
    let method = Method::from_bytes(fetch.method.as_bytes()).unwrap_or(Method::GET);
    let request_headers = fetch.request_headers();
    let mut response = Response::new(());
    *response.status_mut() = StatusCode::OK;
    response
        .headers_mut()
        .insert("x-request-id", "demo-1".parse().expect("a valid value"));
    if let Decision::Forward(actual) = policy.decide(&method, &request_headers) {
        policy.apply(&actual, response.headers_mut());
    }
    println!(
        "  request    {:<8} -> {}{}",
        fetch.method,
        response.status(),
        cors_headers(response.headers())
    );
    match browser::check_response(fetch, response.headers()) {
        Ok(()) => println!(
            "  browser: allowed; X-Request-Id {}\n",
            if browser::can_read_header(fetch, response.headers(), "x-request-id") {
                "readable"
            } else {
                "hidden"
            }
        ),
        Err(blocked) => println!("  browser: BLOCKED: {blocked}\n"),
    }
}

fn cors_headers(headers: &HeaderMap) -> String {
    headers
        .iter()
        .filter(|(n, _)| n.as_str().starts_with("access-control-") || *n == "vary")
        .map(|(n, v)| format!("\n               {}: {}", n, v.to_str().unwrap_or("?")))
        .collect()
}
