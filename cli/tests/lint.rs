//! `preflight lint` on files with known mistakes: every finding where the fixture's
//! `expect:` comments say (for JSON, which holds no comments, a sidecar `*.expect` file),
//! nothing else; and none on the project's own deployment files.

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

/// `(line, code)` → count, from the `expect:` comments; or, when `<file>.expect` exists,
/// from its lines `TEXT # expect: CODE`, TEXT being found on exactly one line of the file.
fn expected(path: &Path) -> BTreeMap<(u64, String), usize> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut marks: Vec<(u64, String)> = Vec::new();
    let sidecar = format!("{}.expect", path.display());
    if let Ok(sidecar) = std::fs::read_to_string(sidecar) {
        for mark in sidecar.lines().filter(|l| !l.starts_with('#')) {
            let Some((needle, codes)) = mark.split_once("# expect: ") else {
                continue;
            };
            let needle = needle.trim();
            let lines: Vec<usize> = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.contains(needle))
                .map(|(i, _)| i + 1)
                .collect();
            assert_eq!(
                lines.len(),
                1,
                "{needle} must be on exactly one line: {lines:?}"
            );
            marks.push((lines[0] as u64, codes.to_owned()));
        }
    } else {
        for (i, line) in text.lines().enumerate() {
            if let Some((_, codes)) = line.split_once("# expect: ") {
                marks.push((i as u64 + 1, codes.to_owned()));
            }
        }
    }
    let mut map = BTreeMap::new();
    for (line, codes) in marks {
        for code in codes.split(',') {
            *map.entry((line, code.trim().to_owned())).or_default() += 1;
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
fn cloudformation_mistakes() {
    // Plain CloudFormation by hand: short-form tags, an OpenAPI 3 body, unresolvable values.
    matches_its_markers("cloudformation-mistakes.yaml");
    // What `cdk synth` writes, marked in ApiStack.template.json.expect.
    matches_its_markers("cdk.out/ApiStack.template.json");
}

/// The codes found, with their counts, lines aside.
fn codes(json: &serde_json::Value) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for ((_, code), n) in found(json) {
        *map.entry(code).or_default() += n;
    }
    map
}

#[test]
fn the_sam_transforms_output_has_the_sam_findings() {
    // sam-mistakes.cfn.json is what the SAM transform makes of sam-mistakes.yaml (transform.py):
    // a RestApi with an OpenAPI body, plain functions, a function URL, an HTTP API.
    let (code, sam) = lint(&fixture("sam-mistakes.yaml"));
    assert_eq!(code, 1);
    let (code, cfn) = lint(&fixture("sam-mistakes.cfn.json"));
    assert_eq!(code, 1);
    let want = codes(&sam);
    for routing in [
        "fail-open-proxy",
        "authorizer-on-options",
        "api-key-on-options",
        "no-options-route",
        "two-cors-layers",
        "gateway-errors-without-cors",
    ] {
        assert!(want.contains_key(routing), "{routing}: {sam:#}");
    }
    assert_eq!(codes(&cfn), want, "{cfn:#}");
}

/// Lints `doc` written to a temporary `name`, returning the exit status and the codes found.
fn lint_value(name: &str, doc: &serde_json::Value) -> (i32, Vec<String>) {
    let dir =
        std::env::temp_dir().join(format!("preflight-lint-cfn-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
    let (code, json) = lint(&path);
    std::fs::remove_dir_all(&dir).unwrap();
    let codes = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_owned())
        .collect();
    (code, codes)
}

fn read_json(name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

#[test]
fn good_cloudformation_is_clean_and_its_mutations_are_caught() {
    // The project's template.yaml through the SAM transform, and a CDK stack that fails
    // closed: clean as they are.
    let good_sam = read_json("template.cfn.json");
    let good_cdk = read_json("cdk.out/GoodStack.template.json");
    assert_eq!(lint_value("t.json", &good_sam), (0, vec![]));
    assert_eq!(lint_value("Good.template.json", &good_cdk), (0, vec![]));

    // The CDK stack's /{proxy+} opened: every undeclared route falls through unauthenticated.
    let mut open = good_cdk.clone();
    let proxy = &mut open["Resources"]["ApiproxyANY7F13F09C"]["Properties"];
    proxy["AuthorizationType"] = "NONE".into();
    proxy.as_object_mut().unwrap().remove("AuthorizerId");
    assert_eq!(
        lint_value("Open.template.json", &open),
        (1, vec!["fail-open-proxy".to_owned()])
    );
    // Its root preflight removed: the root is outside /{proxy+}.
    let mut rootless = good_cdk.clone();
    rootless["Resources"]
        .as_object_mut()
        .unwrap()
        .remove("ApiOPTIONS5B1C2D3E")
        .unwrap();
    assert_eq!(
        lint_value("Rootless.template.json", &rootless),
        (1, vec!["no-options-route".to_owned()])
    );
    // The /items/{id} preflight removed: its OPTIONS falls back to the authorized ANY.
    let mut fallback = good_cdk.clone();
    fallback["Resources"]
        .as_object_mut()
        .unwrap()
        .remove("ApiitemsidOPTIONS4D5E6F7A")
        .unwrap();
    assert_eq!(
        lint_value("Fallback.template.json", &fallback),
        (1, vec!["authorizer-on-options".to_owned()])
    );

    // The transformed template.yaml: the proxy without its authorizer, the root preflight
    // with one.
    let paths = |doc: &mut serde_json::Value| -> serde_json::Value {
        doc["Resources"]["ItemsApi"]["Properties"]["Body"]["paths"].take()
    };
    let mut open = good_sam.clone();
    let mut p = paths(&mut open);
    assert!(p["/{proxy+}"]["x-amazon-apigateway-any-method"]["security"].is_array());
    p["/{proxy+}"]["x-amazon-apigateway-any-method"]["security"] =
        serde_json::json!([{"NONE": []}]);
    open["Resources"]["ItemsApi"]["Properties"]["Body"]["paths"] = p;
    assert_eq!(
        lint_value("t.json", &open),
        (1, vec!["fail-open-proxy".to_owned()])
    );
    let mut guarded = good_sam.clone();
    let mut p = paths(&mut guarded);
    p["/"]["options"]["security"] = serde_json::json!([{"CognitoAuthorizer": []}]);
    guarded["Resources"]["ItemsApi"]["Properties"]["Body"]["paths"] = p;
    assert_eq!(
        lint_value("t.json", &guarded),
        (1, vec!["authorizer-on-options".to_owned()])
    );
}

#[test]
fn hostile_templates_cost_bounded_work() {
    let root = serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]});
    let method = |resource: serde_json::Value, verb: &str, auth: &str| {
        serde_json::json!({"Type": "AWS::ApiGateway::Method", "Properties": {
            "RestApiId": {"Ref": "Api"}, "ResourceId": resource, "HttpMethod": verb,
            "AuthorizationType": auth}})
    };
    let base = || {
        let mut r = serde_json::Map::new();
        r.insert(
            "Api".into(),
            serde_json::json!({"Type": "AWS::ApiGateway::RestApi"}),
        );
        r.insert("Fn".into(), serde_json::json!({"Type": "AWS::Lambda::Function",
            "Properties": {"Environment": {"Variables": {"CORS_ALLOWED_ORIGINS": "https://app.example.com"}}}}));
        for kind in ["DEFAULT_4XX", "DEFAULT_5XX"] {
            r.insert(kind.into(), serde_json::json!({"Type": "AWS::ApiGateway::GatewayResponse",
                "Properties": {"RestApiId": {"Ref": "Api"}, "ResponseType": kind,
                "ResponseParameters": {"gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}}}));
        }
        r
    };
    // An open /{proxy+} at the end of a ParentId chain (`a/a/.../{proxy+}`), next to an
    // authorized root with its preflight; `cycle`: the chain's first resource is its own
    // parent instead of the root's child.
    let chained = |depth: usize, cycle: bool| {
        let mut r = base();
        r.insert("Root".into(), method(root.clone(), "GET", "AWS_IAM"));
        r.insert(
            "RootPreflight".into(),
            method(root.clone(), "OPTIONS", "NONE"),
        );
        for i in 0..depth {
            let parent = match i {
                0 if cycle => serde_json::json!({"Ref": "R0"}),
                0 => root.clone(),
                _ => serde_json::json!({"Ref": format!("R{}", i - 1)}),
            };
            let part = if i + 1 == depth { "{proxy+}" } else { "a" };
            r.insert(
                format!("R{i}"),
                serde_json::json!({"Type": "AWS::ApiGateway::Resource",
                "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": parent, "PathPart": part}}),
            );
        }
        let last = serde_json::json!({"Ref": format!("R{}", depth - 1)});
        r.insert("Open".into(), method(last, "ANY", "NONE"));
        serde_json::json!({"Resources": r})
    };
    let open = (1, vec!["fail-open-proxy".to_owned()]);
    // Modelled: the open proxy is reported.
    assert_eq!(lint_value("Chain.template.json", &chained(10, false)), open);
    assert_eq!(lint_value("Chain.template.json", &chained(64, false)), open);
    // Deeper than 64 levels, or a cycle: the path is unknown and nothing is guessed (nor
    // does anything panic or loop).
    assert_eq!(
        lint_value("Chain.template.json", &chained(65, false)),
        (0, vec![])
    );
    assert_eq!(
        lint_value("Chain.template.json", &chained(10_000, false)),
        (0, vec![])
    );
    assert_eq!(
        lint_value("Cycle.template.json", &chained(1, true)),
        (0, vec![])
    );
    assert_eq!(
        lint_value("Cycle.template.json", &chained(50, true)),
        (0, vec![])
    );
    // More routes than are modelled: said so, in bounded time.
    let mut r = base();
    for i in 0..2100 {
        let id = format!("R{i}");
        r.insert(id.clone(), serde_json::json!({"Type": "AWS::ApiGateway::Resource",
            "Properties": {"RestApiId": {"Ref": "Api"}, "ParentId": root, "PathPart": format!("p{i}")}}));
        r.insert(
            format!("M{i}"),
            method(serde_json::json!({"Ref": id}), "GET", "AWS_IAM"),
        );
    }
    let doc = serde_json::json!({"Resources": r});
    let started = std::time::Instant::now();
    assert_eq!(
        lint_value("Big.template.json", &doc),
        (1, vec!["routing-not-modelled".to_owned()])
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(20));
    // Nesting deeper than the readers go: one `unreadable` finding.
    let deep = format!(
        "{{\"Resources\": {}{}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let dir = std::env::temp_dir().join(format!("preflight-lint-deep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for name in ["Deep.template.json", "deep.yaml"] {
        let path = dir.join(name);
        std::fs::write(&path, &deep).unwrap();
        let (code, json) = lint(&path);
        assert_eq!(
            (code, codes(&json).into_keys().collect::<Vec<_>>()),
            (1, vec!["unreadable".to_owned()]),
            "{name}"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_transformed_fixtures_are_current() {
    // template.cfn.json and sam-mistakes.cfn.json must be what the SAM transform makes of
    // their sources today; checked where aws-sam-translator is installed.
    let available = Command::new("python3")
        .args(["-c", "import samtranslator"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !available {
        eprintln!("skipped: python3 with aws-sam-translator is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("preflight-lint-transform-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = Command::new("python3")
        .arg(fixture("transform.py"))
        .arg(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for name in ["template.cfn.json", "sam-mistakes.cfn.json"] {
        let now = std::fs::read_to_string(dir.join(name)).unwrap();
        let committed = std::fs::read_to_string(fixture(name)).unwrap();
        assert!(
            now == committed,
            "{name} is stale: run python3 cli/tests/fixtures/lint/transform.py"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
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

/// The files a directory search lints, relative to `dir`.
fn files_found(dir: &Path) -> (i32, Vec<String>) {
    let (code, json) = lint(dir);
    let files = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let f = Path::new(f.as_str().unwrap());
            f.strip_prefix(dir).unwrap().display().to_string()
        })
        .collect();
    (code, files)
}

#[test]
fn a_directory_is_searched() {
    // Fixture names are not the deployment names; CloudFormation templates are found by
    // their content and cdk.out's *.template.json by name, but not cdk.out's other JSON
    // (manifest.json) nor its asset directories (a template.yaml in one), nor JSON or YAML
    // that is not CloudFormation (vercel-mistakes.json, serverless-mistakes.yml); a Vercel Rust
    // project by its Cargo.toml beside api/.
    let (code, files) = files_found(&fixture(""));
    assert_eq!(code, 1);
    assert_eq!(
        files,
        [
            "cdk.out/ApiStack.template.json",
            "cdk.out/GoodStack.template.json",
            "cloudformation-mistakes.yaml",
            "sam-globals.yaml",
            "sam-mistakes.cfn.json",
            "sam-mistakes.yaml",
            "template.cfn.json",
            "vercel-project/Cargo.toml",
        ]
    );
    // A cdk.out directory itself.
    let (code, files) = files_found(&fixture("cdk.out"));
    assert_eq!(code, 1);
    assert_eq!(files, ["ApiStack.template.json", "GoodStack.template.json"]);
    // The project root finds its template and the Worker's wrangler.toml, not the test
    // fixtures.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (code, json) = lint(root);
    assert_eq!(code, 0, "{json:#}");
    let files: Vec<&str> = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    assert!(!files.iter().any(|f| f.contains("fixtures")), "{files:?}");
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

#[test]
fn a_vercel_project_without_public_is_caught() {
    // The fixture has api/items.rs and vercel_runtime but no public/ folder.
    let (code, json) = lint(&fixture("vercel-project"));
    assert_eq!(code, 1, "{json:#}");
    assert_eq!(
        found(&json),
        BTreeMap::from([((1, "vercel-publishes-source".to_string()), 1)]),
        "{json:#}"
    );
    // With public/ (as examples/vercel has it) the same project is clean.
    let copy = std::env::temp_dir().join(format!("preflight-lint-vercel-{}", std::process::id()));
    std::fs::create_dir_all(copy.join("api")).unwrap();
    std::fs::create_dir_all(copy.join("public")).unwrap();
    for file in ["Cargo.toml", "api/items.rs"] {
        std::fs::copy(fixture("vercel-project").join(file), copy.join(file)).unwrap();
    }
    let (code, json) = lint(&copy);
    assert_eq!(code, 0, "{json:#}");
    std::fs::remove_dir_all(&copy).unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/vercel");
    let (code, json) = lint(&example);
    assert_eq!(code, 0, "{json:#}");
    assert!(json["files"].to_string().contains("Cargo.toml"), "{json:#}");
}
