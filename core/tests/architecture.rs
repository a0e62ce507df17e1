//! The core's modules import one way only: each module may use the modules of lower layers
//! (or of its own layer, when it is not a cycle), never one above. The layers below are the
//! order ARCHITECTURE.md draws; this test reads every `crate::` path in `src/` and fails on an
//! import that goes up, or on a module missing from the table.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Bottom to top. A module may import the modules of any earlier layer.
const LAYERS: &[&[&str]] = &[
    // The wire's vocabulary and the variable names: imported by all, importing nothing.
    &["names", "vars", "vary", "suffix"],
    // Configuration problems, as typed values, and the one list parser that reports them.
    &["problem", "list"],
    // One concern each: origins (request parsing, the allowlist grammar, the matcher),
    // methods, request headers, and the one pass over a preflight's headers.
    &["origin", "methods", "headers", "request"],
    // Settings, validated into checked values; a compiled policy's settings, described.
    &["config", "describe"],
    // The ready answers and what an allowed preflight adds to them.
    &["answer"],
    // What was decided about one request.
    &["decision"],
    // Every log line, in one place.
    &["log"],
    // The compiled policy: builds from config, decides, applies.
    &["policy"],
    // Every policy of an environment, the unnamed one and the named ones, read together.
    &["policies"],
    // The request cycle and the tower layer, on top.
    &["handler", "layer"],
];

/// The modules (file stems and folders) of `src/`, with their source text (a folder's files
/// joined).
fn modules(src: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    for entry in fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        if name == "lib" {
            continue;
        }
        let text = if path.is_dir() {
            let mut text = String::new();
            for file in fs::read_dir(&path).unwrap() {
                let file = file.unwrap().path();
                if file.extension().is_some_and(|e| e == "rs") {
                    text += &fs::read_to_string(file).unwrap();
                }
            }
            text
        } else {
            fs::read_to_string(&path).unwrap()
        };
        found
            .entry(name)
            .and_modify(|t: &mut String| t.push_str(&text))
            .or_insert(text);
    }
    found
}

/// The first path segment of every `crate::` path in `text` (comments skipped), with the
/// segments of `crate::{a, b::c}` groups.
fn crate_paths(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in text.lines() {
        let code = line.trim_start();
        if code.starts_with("//") {
            continue;
        }
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Top-level names of the group: `{a::X, b, c::{d, e}}`.
                let mut depth = 0;
                let mut item = String::new();
                for c in group.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            out.insert(first_segment(&item));
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    if depth == 0 {
                        item.push(c);
                    }
                }
                out.insert(first_segment(&item));
            } else {
                out.insert(first_segment(rest));
            }
        }
    }
    out.remove("");
    out
}

fn first_segment(path: &str) -> String {
    path.trim()
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .next()
        .unwrap_or("")
        .to_string()
}

/// What the crate root re-exports: `Policy` -> `policy`, from `pub use policy::Policy;`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut rest = lib;
    while let Some(at) = rest.find("pub use ") {
        rest = &rest[at + "pub use ".len()..];
        let end = rest.find(';').unwrap();
        let statement = &rest[..end];
        let (module, items) = statement.split_once("::").unwrap();
        let items = items.trim_start_matches('{').trim_end_matches('}');
        for item in items.split(',') {
            let item = item.trim();
            if !item.is_empty() {
                map.insert(item.to_string(), module.trim().to_string());
            }
        }
    }
    map
}

#[test]
fn imports_run_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = fs::read_to_string(src.join("lib.rs")).unwrap();
    let roots = reexports(&lib);
    let layer_of: BTreeMap<&str, usize> = LAYERS
        .iter()
        .enumerate()
        .flat_map(|(i, layer)| layer.iter().map(move |m| (*m, i)))
        .collect();
    let mut problems = Vec::new();
    let mut edges = BTreeSet::new();
    let modules = modules(&src);
    for (module, text) in &modules {
        let Some(&own) = layer_of.get(module.as_str()) else {
            problems.push(format!("{module} is not in LAYERS: give it its place"));
            continue;
        };
        for used in crate_paths(text) {
            let target = roots.get(&used).cloned().unwrap_or(used.clone());
            if target == *module {
                continue;
            }
            let Some(&theirs) = layer_of.get(target.as_str()) else {
                problems.push(format!("{module} uses crate::{used}, which is no module"));
                continue;
            };
            edges.insert((module.clone(), target.clone()));
            if theirs > own {
                problems.push(format!(
                    "{module} (layer {own}) imports {target} (layer {theirs}), above it"
                ));
            }
        }
    }
    // Within one layer, no cycle either.
    for (a, b) in &edges {
        if edges.contains(&(b.clone(), a.clone())) && a < b {
            problems.push(format!("{a} and {b} import each other"));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}\nedges: {edges:?}");
    // The test sees the imports it is about.
    assert!(edges.contains(&("policy".to_string(), "config".to_string())));
    assert!(edges.contains(&("handler".to_string(), "policy".to_string())));
}

#[test]
fn the_reader_sees_an_upward_import() {
    // A cycle of today's kind (decision using the policy) would be refused.
    let paths = crate_paths("use crate::{answer::Answers, policy::Policy};\n// crate::config in a comment\nlet x = crate::vars::ALL;");
    assert_eq!(
        paths,
        BTreeSet::from(["answer".into(), "policy".into(), "vars".into()])
    );
}
