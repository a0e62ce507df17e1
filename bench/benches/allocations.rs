//! Heap allocations per request for each case and stack, counted by a counting global
//! allocator (a separate binary from the timing benchmarks, so counting never slows them).
//! Prints a JSON list, one entry per case in table order: `{"name", "what", "allocations":
//! {stack: count}}`; `cargo xtask bench` builds BENCHMARKS.md's table from it. Run alone: `cargo bench -p preflight-bench --bench allocations`.

use std::collections::BTreeMap;
use std::hint::black_box;

use allocation_counter::measure;
use preflight_bench::{origins, service, Stack, CASES};

fn main() {
    let list = origins(3, 0);
    let mut table = Vec::new();
    for case in CASES {
        let mut counts: BTreeMap<&str, u64> = BTreeMap::new();
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
            counts.insert(name, counted.count_total);
        }
        table.push(serde_json::json!({
            "name": case.name,
            "what": case.what,
            "allocations": counts,
        }));
    }
    println!("{}", serde_json::to_string_pretty(&table).unwrap());
}
