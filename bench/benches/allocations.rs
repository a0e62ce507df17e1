//! Heap allocations per request for each case and stack, counted by a counting global
//! allocator (a separate binary from the timing benchmarks, so counting never slows them).
//! Prints a JSON object `{case: {stack: count}}`; `cargo xtask bench` puts it in
//! BENCHMARKS.md. Run alone: `cargo bench -p preflight-bench --bench allocations`.

use std::collections::BTreeMap;
use std::hint::black_box;

use allocation_counter::measure;
use preflight_bench::{origins, service, Stack, CASES};

fn main() {
    let list = origins(3, 0);
    let mut table: BTreeMap<&str, BTreeMap<&str, u64>> = BTreeMap::new();
    for case in CASES {
        for (stack, name) in [
            (Stack::Bare, "bare"),
            (Stack::Preflight, "preflight"),
            (Stack::TowerHttp, "tower-http"),
        ] {
            let mut service = service(stack, &list);
            // One call first, so one-time work (lazy statics) is not counted.
            black_box(service.call((case.request)()));
            let request = (case.request)();
            let counted = measure(|| {
                black_box(service.call(request));
            });
            table
                .entry(case.name)
                .or_default()
                .insert(name, counted.count_total);
        }
    }
    println!("{}", serde_json::to_string_pretty(&table).unwrap());
}
