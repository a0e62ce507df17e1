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

fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3))
        .configure_from_args();
    request_cases(&mut criterion);
    lookup_scaling(&mut criterion);
    build_policy(&mut criterion);
    origin_function(&mut criterion);
    criterion.final_summary();
}
