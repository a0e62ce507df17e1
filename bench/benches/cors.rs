//! Criterion benchmarks: each case through no CORS layer, `preflight`'s layer and
//! tower-http's `CorsLayer` configured to the same policy, in the same run; lookup cost as the
//! allowlist grows; building the policy at cold start.
//!
//! `cargo xtask bench` runs this and the `allocations` bench, then writes BENCHMARKS.md.
//! `cargo bench -p preflight-bench --bench cors -- --test` runs every case once (CI smoke).

use std::hint::black_box;

use criterion::{BatchSize, Criterion};
use preflight_bench::{origins, service, Stack, ALLOWED, CASES};

const STACKS: [(Stack, &str); 3] = [
    (Stack::Bare, "bare"),
    (Stack::Preflight, "preflight"),
    (Stack::TowerHttp, "tower-http"),
];

/// The allowlist of the request cases: three exact origins.
fn base_origins() -> Vec<String> {
    origins(3, 0)
}

fn request_cases(c: &mut Criterion) {
    let list = base_origins();
    for case in CASES {
        let mut group = c.benchmark_group(case.name);
        for (stack, name) in STACKS {
            let mut service = service(stack, &list);
            case.check(stack, &mut service);
            group.bench_function(name, |b| {
                b.iter_batched(
                    case.request,
                    |request| black_box(service.call(request)),
                    BatchSize::NumIterations(64),
                )
            });
        }
        group.finish();
    }
}

/// An actual request from the last exact origin of lists of 1 to 10 000 exact origins plus
/// 100 subdomain patterns (a hash look-up for preflight; a scan for tower-http's list).
fn lookup_scaling(c: &mut Criterion) {
    for exact in [1, 100, 1_000, 10_000] {
        let list = origins(exact, 100);
        let origin = if exact == 1 {
            ALLOWED.to_string()
        } else {
            format!("https://o{}.example.com", exact - 1)
        };
        let mut group = c.benchmark_group(format!("lookup_{exact}"));
        for (stack, name) in &STACKS[1..] {
            let mut service = service(*stack, &list);
            let answer = service.call(
                http::Request::builder()
                    .uri("/items")
                    .header("origin", origin.as_str())
                    .body(())
                    .unwrap(),
            );
            assert_eq!(
                answer.headers()["access-control-allow-origin"],
                origin.as_str(),
                "lookup_{exact} through {name}"
            );
            let origin = origin.clone();
            group.bench_function(*name, |b| {
                b.iter_batched(
                    || {
                        http::Request::builder()
                            .uri("/items")
                            .header("origin", origin.as_str())
                            .body(())
                            .unwrap()
                    },
                    |request| black_box(service.call(request)),
                    BatchSize::NumIterations(64),
                )
            });
        }
        group.finish();
    }
}

/// Cold start: validating and compiling a policy with 1 and with 1 000 origins, as
/// `Policy::from_env` does with `CORS_*` variables (tower-http has no equivalent step).
fn build_policy(c: &mut Criterion) {
    for count in [1, 1_000] {
        let list = origins(count, 0).join(",");
        let mut group = c.benchmark_group(format!("build_{count}_origins"));
        group.bench_function("preflight", |b| {
            b.iter(|| {
                black_box(
                    preflight::Settings::from_vars([
                        ("CORS_ALLOWED_ORIGINS", list.clone()),
                        (
                            "CORS_ALLOWED_HEADERS",
                            "Authorization,Content-Type".to_string(),
                        ),
                        ("CORS_EXPOSE_HEADERS", "X-Request-Id".to_string()),
                    ])
                    .build()
                    .unwrap(),
                )
            })
        });
        group.finish();
    }
}

/// A policy whose origins a function decides (`Settings::build_with`) over a table of 1 000
/// tenant hosts: building it (the function is probed with `.invalid` origins) and one actual
/// request from a tenant, which the list does not name.
fn origin_function(c: &mut Criterion) {
    let tenants: std::collections::HashSet<String> =
        (0..1_000).map(|i| format!("tenant{i}.example")).collect();
    let tenants = std::sync::Arc::new(tenants);
    let build = || {
        let tenants = tenants.clone();
        preflight::Settings::from_vars([("CORS_ALLOWED_ORIGINS", "https://app.example.com")])
            .build_with(move |origin| tenants.contains(origin.host()))
            .unwrap()
    };
    let mut group = c.benchmark_group("origin_function");
    group.bench_function("build", |b| b.iter(|| black_box(build())));
    let policy = build();
    let mut request = http::HeaderMap::new();
    request.insert("origin", "https://tenant999.example".parse().unwrap());
    assert!(matches!(
        policy.decide(&http::Method::GET, &request),
        preflight::Decision::Forward(ref actual) if actual.is_allowed()
    ));
    group.bench_function("actual_from_a_tenant", |b| {
        b.iter(|| {
            let decision = policy.decide(&http::Method::GET, black_box(&request));
            if let preflight::Decision::Forward(actual) = decision {
                let mut response = http::HeaderMap::new();
                policy.apply(&actual, &mut response);
                black_box(response);
            }
        })
    });
    group.finish();
}

/// Three named policies (`CORS_<NAME>_*`) read together, what a cold start with per-route
/// policies validates; and a preflight served by one of them, the name looked up per request
/// as the adapters' layers do, beside the same preflight on the policy directly.
fn named_policies(c: &mut Criterion) {
    let vars = [
        ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
        ("CORS_PUBLIC_ALLOWED_METHODS", "GET"),
        ("CORS_API_ALLOWED_ORIGINS", "https://app.example.com"),
        ("CORS_API_ALLOW_CREDENTIALS", "true"),
        (
            "CORS_API_ALLOWED_HEADERS",
            "Authorization,Content-Type,X-Csrf-Token",
        ),
        (
            "CORS_PARTNER_ALLOWED_ORIGINS",
            "https://a.partner.example,https://b.partner.example,https://*.c.partner.example",
        ),
        ("CORS_PARTNER_MAX_AGE", "600"),
        ("PATH", "/usr/bin"),
    ];
    let mut group = c.benchmark_group("named_policies");
    group.bench_function("build_three", |b| {
        b.iter(|| black_box(preflight::Policies::from_vars(black_box(vars))))
    });
    let policies = preflight::Policies::from_vars(vars);
    assert_eq!(policies.names().count(), 3);
    let mut request = http::HeaderMap::new();
    request.insert("origin", "https://app.example.com".parse().unwrap());
    request.insert("access-control-request-method", "PUT".parse().unwrap());
    request.insert(
        "access-control-request-headers",
        "x-csrf-token".parse().unwrap(),
    );
    let preflight = |policy: &preflight::Policy| {
        let decision = policy.decide(&http::Method::OPTIONS, black_box(&request));
        if let preflight::Decision::Preflight(answer) = decision {
            assert!(answer.is_allowed());
            let mut response = http::HeaderMap::new();
            answer.write_headers(&mut response);
            black_box(response);
        }
    };
    group.bench_function("preflight_by_name", |b| {
        b.iter(|| preflight(policies.get(black_box(Some("api"))).unwrap()))
    });
    let api = policies.get(Some("api")).unwrap();
    group.bench_function("preflight_direct", |b| b.iter(|| preflight(api)));
    group.finish();
}

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    request_cases(&mut criterion);
    lookup_scaling(&mut criterion);
    build_policy(&mut criterion);
    origin_function(&mut criterion);
    named_policies(&mut criterion);
    criterion.final_summary();
}
