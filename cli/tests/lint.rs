//! `preflight lint` on files with known mistakes: every finding where the fixture's
//! `expect:` comments say, nothing else; and none on the project's own deployment files.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn lint(path: &Path) -> (i32, serde_json::Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["lint", "--json"])
        .arg(path)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), json)
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/lint")
        .join(name)
}

/// `(line, code)` → count, from the findings.
fn found(json: &serde_json::Value) -> BTreeMap<(u64, String), usize> {
    let mut map = BTreeMap::new();
    for f in json["findings"].as_array().unwrap() {
        assert!(
            !f["problem"].as_str().unwrap().is_empty() && !f["fix"].as_str().unwrap().is_empty()
        );
        *map.entry((
            f["line"].as_u64().unwrap(),
            f["code"].as_str().unwrap().to_owned(),
        ))
        .or_default() += 1;
    }
    map
}

/// `(line, code)` → count, from the `expect:` comments.
fn expected(path: &Path) -> BTreeMap<(u64, String), usize> {
    let mut map = BTreeMap::new();
    for (i, line) in std::fs::read_to_string(path).unwrap().lines().enumerate() {
        if let Some((_, codes)) = line.split_once("# expect: ") {
            for code in codes.split(',') {
                *map.entry((i as u64 + 1, code.trim().to_owned()))
                    .or_default() += 1;
            }
        }
    }
    map
}

/// Lints a fixture with `expect:` comments: exit 1 and exactly the findings marked.
fn matches_its_markers(name: &str) {
    let path = fixture(name);
    let (code, json) = lint(&path);
    assert_eq!(code, 1);
    assert_eq!(found(&json), expected(&path), "{json:#}");
}

#[test]
fn sam_template_mistakes() {
    matches_its_markers("sam-mistakes.yaml");
    // Globals.HttpApi applies to the implicit HTTP API.
    matches_its_markers("sam-globals.yaml");
    // The Serverless Framework's serverless.yml, with the same rules.
    matches_its_markers("serverless-mistakes.yml");
}

#[test]
fn wrangler_mistakes() {
    matches_its_markers("wrangler-mistakes.toml");
    // wrangler.jsonc: comments, trailing commas, lists and booleans as bindings.
    matches_its_markers("wrangler-mistakes.jsonc");
}

#[test]
fn vercel_mistakes() {
    let (code, json) = lint(&fixture("vercel-mistakes.json"));
    assert_eq!(code, 1);
    let want: BTreeMap<(u64, String), usize> = [
        ((2, "trailing-slash-redirect"), 1),
        ((8, "platform-cors-headers"), 1),
        ((8, "allow-origin-list"), 1),
        ((9, "platform-cors-headers"), 1),
        ((14, "api-redirect"), 1),
    ]
    .into_iter()
    .map(|((l, c), n)| ((l, c.to_owned()), n))
    .collect();
    assert_eq!(found(&json), want, "{json:#}");
}

#[test]
fn the_projects_own_files_are_clean() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    for file in ["template.yaml", "examples/worker/wrangler.toml"] {
        let (code, json) = lint(&root.join(file));
        assert_eq!(
            (code, json["findings"].as_array().unwrap().len()),
            (0, 0),
            "{file}: {json:#}"
        );
    }
}

#[test]
fn a_directory_is_searched() {
    let (code, json) = lint(&fixture(""));
    assert_eq!(code, 0);
    // Fixture names are not the deployment names, so nothing is picked up...
    assert_eq!(json["files"].as_array().unwrap().len(), 0, "{json:#}");
    // ...while the project root finds its template and the Worker's wrangler.toml.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (code, json) = lint(root);
    assert_eq!(code, 0, "{json:#}");
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(
        files.iter().any(|f| f.ends_with("template.yaml")),
        "{files:?}"
    );
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("examples/worker/wrangler.toml")),
        "{files:?}"
    );
}

#[test]
fn one_mutation_of_the_good_template_is_caught() {
    // The project's template with the first preflight's `Authorizer: NONE` removed.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let good = std::fs::read_to_string(root.join("template.yaml")).unwrap();
    let marker = "            Method: OPTIONS\n            Auth:\n              Authorizer: NONE\n";
    assert!(good.contains(marker));
    let bad = good.replacen(marker, "            Method: OPTIONS\n", 1);
    let dir = std::env::temp_dir().join(format!("preflight-lint-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("template.yaml");
    std::fs::write(&path, bad).unwrap();
    let (code, json) = lint(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 1);
    let codes: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["authorizer-on-options"], "{json:#}");
}
