//! A tight loop over one case for a profiler: `cargo build --profile bench -p preflight-bench
//! --example profile`, then `perf record target/release/examples/profile preflight_allowed`.
//! Builds the request once and calls `Policy::decide` and the answer on its parts, so the
//! profile shows only the library's own work.

use std::hint::black_box;

use preflight::Decision;
use preflight_bench::{origins, preflight_policy, CASES};

fn main() {
    let name = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "preflight_allowed".into());
    let case = CASES
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no case {name}"));
    let policy = preflight_policy(&origins(3, 0));
    let request = (case.request)();
    let iterations: u64 = std::env::args()
        .nth(2)
        .map_or(20_000_000, |n| n.parse().expect("a number of iterations"));
    if std::env::args().nth(3).as_deref() == Some("decide") {
        let start = std::time::Instant::now();
        for _ in 0..iterations {
            let request = black_box(&request);
            drop(black_box(
                policy.decide(request.method(), request.headers()),
            ));
        }
        let per = start.elapsed().as_nanos() as f64 / iterations as f64;
        println!("{name}: {per:.1} ns per call (decide only)");
        return;
    }
    let start = std::time::Instant::now();
    for _ in 0..iterations {
        let request = black_box(&request);
        match policy.decide(request.method(), request.headers()) {
            Decision::Preflight(preflight) => drop(black_box(preflight.into_response(()))),
            Decision::Refuse(refused) => drop(black_box(refused.into_response(()))),
            Decision::Forward(actual) => {
                let mut response = http::Response::new(());
                policy.apply(&actual, response.headers_mut());
                drop(black_box(response));
            }
        }
    }
    let per = start.elapsed().as_nanos() as f64 / iterations as f64;
    println!("{name}: {per:.1} ns per call (decide + answer + drop)");
}
