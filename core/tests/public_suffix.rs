//! Subdomain patterns against the whole Public Suffix List: a small reference implementation
//! of the list's algorithm (sections, wildcards, exceptions), written here from the raw list
//! in core/tests/data/public_suffix_list.dat, decides which `https://*.<base>` patterns trust
//! strangers, and the library must agree through its public API, for every rule, every
//! parent of a rule, a child of every rule and every exception.
//!
//! The data file and the library's table are refreshed together by
//! `python3 scripts/update-psl.py`.

use std::collections::{BTreeSet, HashSet};

use preflight::Policy;

/// Multi-tenant hosts the library lists beyond the Public Suffix List (core/src/suffix.rs).
const OWN: &[&str] = &[
    "glitch.me",
    "lambda-url.*.on.aws",
    "netlify.com",
    "s3.*.amazonaws.com",
    "stackblitz.io",
    "webcontainer.io",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    TopLevel,
    Public,
    Shared,
    SharedBelow,
    PublicBelow,
}

impl Verdict {
    /// The words of the library's reason for each verdict.
    fn words(self) -> &'static str {
        match self {
            Verdict::TopLevel => "is a top-level domain",
            Verdict::Public => "is a public suffix:",
            Verdict::Shared => "is a shared hosting domain:",
            Verdict::SharedBelow => "with shared hosting domains under it",
            Verdict::PublicBelow => "with public suffixes under it",
        }
    }
}

struct List {
    version: String,
    icann: HashSet<String>,
    private: HashSet<String>,
    exceptions: HashSet<String>,
    /// Every rule (not exceptions), as written (with `*.`), in punycode.
    rules: Vec<(String, bool)>,
    /// Every name a private (ICANN) rule lies strictly below.
    private_parents: HashSet<String>,
    icann_parents: HashSet<String>,
    non_ascii: usize,
}

fn load() -> List {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/public_suffix_list.dat"
    );
    let text = std::fs::read_to_string(path).expect("core/tests/data/public_suffix_list.dat");
    let mut list = List {
        version: String::new(),
        icann: HashSet::new(),
        private: HashSet::new(),
        exceptions: HashSet::new(),
        rules: Vec::new(),
        private_parents: HashSet::new(),
        icann_parents: HashSet::new(),
        non_ascii: 0,
    };
    let mut section = None;
    for line in text.lines().map(str::trim) {
        if let Some(version) = line.strip_prefix("// VERSION:") {
            list.version = version.trim().to_string();
        } else if line.starts_with("// ===BEGIN ICANN DOMAINS===") {
            section = Some(false);
        } else if line.starts_with("// ===BEGIN PRIVATE DOMAINS===") {
            section = Some(true);
        } else if line.starts_with("// ===END") {
            section = None;
        } else if !line.is_empty() && !line.starts_with("//") {
            let private = section.expect("a rule outside the sections");
            let written = line.split_whitespace().next().unwrap();
            list.non_ascii += usize::from(!written.is_ascii());
            let rule = to_ascii(written);
            if let Some(exception) = rule.strip_prefix('!') {
                list.exceptions.insert(exception.to_string());
            } else {
                let set = if private {
                    &mut list.private
                } else {
                    &mut list.icann
                };
                set.insert(rule.clone());
                let parents = if private {
                    &mut list.private_parents
                } else {
                    &mut list.icann_parents
                };
                let mut rest = rule.as_str();
                while let Some((_, parent)) = rest.split_once('.') {
                    parents.insert(parent.to_string());
                    rest = parent;
                }
                list.rules.push((rule, private));
            }
        }
    }
    list
}

impl List {
    /// Which section says `name` is itself a public suffix (`Some(true)`: private).
    fn suffix(&self, name: &str) -> Option<bool> {
        let in_section = |rule: &str| {
            if self.private.contains(rule) {
                Some(true)
            } else if self.icann.contains(rule) {
                Some(false)
            } else {
                None
            }
        };
        if let Some(private) = in_section(name) {
            return Some(private);
        }
        if self.exceptions.contains(name) {
            return None;
        }
        let (_, parent) = name.split_once('.')?;
        in_section(&format!("*.{parent}"))
    }

    /// What a pattern `*.<base>` is, or `None` when one owner holds every name under it.
    fn verdict(&self, base: &str) -> Option<Verdict> {
        if !base.contains('.') {
            return (base != "localhost").then_some(Verdict::TopLevel);
        }
        match self.suffix(base) {
            Some(false) => return Some(Verdict::Public),
            Some(true) => return Some(Verdict::Shared),
            None => {}
        }
        if OWN.iter().any(|own| labels_match(own, base)) {
            return Some(Verdict::Shared);
        }
        let below = |private: bool| {
            let parents = if private {
                &self.private_parents
            } else {
                &self.icann_parents
            };
            parents.contains(base)
        };
        let own_below = OWN.iter().any(|own| {
            own.split('.').count() > base.split('.').count()
                && own
                    .rsplit('.')
                    .zip(base.rsplit('.'))
                    .all(|(o, b)| o == "*" || o == b)
        });
        if below(true) || own_below {
            Some(Verdict::SharedBelow)
        } else if below(false) {
            Some(Verdict::PublicBelow)
        } else {
            None
        }
    }
}

fn labels_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<_>, Vec<_>) = (pattern.split('.').collect(), name.split('.').collect());
    p.len() == n.len() && p.iter().zip(&n).all(|(p, n)| *p == "*" || p == n)
}

/// A rule in punycode, label by label (RFC 3492), as browsers send host names.
fn to_ascii(rule: &str) -> String {
    rule.split('.')
        .map(|label| {
            if label.is_ascii() {
                label.to_string()
            } else {
                format!("xn--{}", punycode(label))
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

fn punycode(label: &str) -> String {
    const BASE: u32 = 36;
    const TMIN: u32 = 1;
    const TMAX: u32 = 26;
    fn adapt(mut delta: u32, points: u32, first: bool) -> u32 {
        delta = if first { delta / 700 } else { delta / 2 };
        delta += delta / points;
        let mut k = 0;
        while delta > ((BASE - TMIN) * TMAX) / 2 {
            delta /= BASE - TMIN;
            k += BASE;
        }
        k + (BASE - TMIN + 1) * delta / (delta + 38)
    }
    let digit = |d: u32| {
        char::from(if d < 26 {
            b'a' + d as u8
        } else {
            b'0' + (d - 26) as u8
        })
    };
    let points: Vec<u32> = label.chars().map(u32::from).collect();
    let mut out: String = label.chars().filter(char::is_ascii).collect();
    let basic = out.len() as u32;
    if basic > 0 {
        out.push('-');
    }
    let (mut n, mut delta, mut bias, mut handled) = (128u32, 0u32, 72u32, basic);
    while (handled as usize) < points.len() {
        let m = *points.iter().filter(|&&c| c >= n).min().unwrap();
        delta += (m - n) * (handled + 1);
        n = m;
        for &c in &points {
            if c < n {
                delta += 1;
            }
            if c == n {
                let (mut q, mut k) = (delta, BASE);
                loop {
                    let t = if k <= bias {
                        TMIN
                    } else if k >= bias + TMAX {
                        TMAX
                    } else {
                        k - bias
                    };
                    if q < t {
                        break;
                    }
                    out.push(digit(t + (q - t) % (BASE - t)));
                    q = (q - t) / (BASE - t);
                    k += BASE;
                }
                out.push(digit(q));
                bias = adapt(delta, handled + 1, handled == basic);
                delta = 0;
                handled += 1;
            }
        }
        delta += 1;
        n += 1;
    }
    out
}

/// The library's verdict on `https://*.<base>`: refused with credentials and a warning
/// without (both worded alike), or built cleanly either way.
fn library(base: &str) -> Option<String> {
    let entry = format!("https://*.{base}");
    let with = Policy::builder()
        .allowed_origins([&entry])
        .allow_credentials(true)
        .build();
    let without = Policy::builder()
        .allowed_origins([&entry])
        .build()
        .unwrap_or_else(|e| panic!("{entry} without credentials: {e}"));
    match with {
        Ok(policy) => {
            assert!(
                policy.warnings().is_empty(),
                "{entry}: {:?}",
                policy.warnings()
            );
            assert!(
                without.warnings().is_empty(),
                "{entry}: {:?}",
                without.warnings()
            );
            None
        }
        Err(err) => {
            let problems: Vec<_> = err.errors().collect();
            assert_eq!(problems.len(), 1, "{entry}: {err}");
            let reason = problems[0].reason().to_string();
            assert!(reason.contains("strangers"), "{entry}: {reason}");
            assert_eq!(without.warnings().len(), 1, "{entry}");
            assert!(
                without.warnings()[0].reason().contains("strangers"),
                "{entry}"
            );
            Some(reason)
        }
    }
}

fn check(list: &List, base: &str) {
    let expected = list.verdict(base);
    match (expected, library(base)) {
        (None, None) => {}
        (Some(verdict), Some(reason)) => {
            assert!(
                reason.contains(verdict.words()),
                "*.{base}: {verdict:?} expected, got {reason}"
            )
        }
        (expected, got) => panic!("*.{base}: expected {expected:?}, got {got:?}"),
    }
}

#[test]
fn the_library_agrees_with_the_whole_list() {
    let list = load();
    assert!(list.icann.len() > 6000 && list.private.len() > 3000 && !list.exceptions.is_empty());
    // The generated table was made from this very file.
    let table = include_str!("../src/suffix/list.rs");
    assert!(
        table.contains(&format!("// VERSION: {}\n", list.version)),
        "core/src/suffix/list.rs is not generated from tests/data: run python3 scripts/update-psl.py"
    );
    eprintln!(
        "{} ICANN, {} private, {} exception rules ({} not ASCII, checked in punycode)",
        list.icann.len(),
        list.private.len(),
        list.exceptions.len(),
        list.non_ascii
    );

    let mut bases = BTreeSet::new();
    for (rule, _) in &list.rules {
        // A wildcard rule stands for any one label: a sample one.
        let name = rule.replace('*', "sample");
        let labels: Vec<&str> = name.split('.').collect();
        for i in 0..labels.len() {
            bases.insert(labels[i..].join("."));
        }
        bases.insert(format!("child.{name}"));
    }
    for exception in &list.exceptions {
        bases.insert(exception.clone());
        bases.insert(format!("child.{exception}"));
    }
    let mut refused = 0;
    for base in &bases {
        check(&list, base);
        refused += usize::from(list.verdict(base).is_some());
    }
    eprintln!(
        "{} bases checked, {refused} refused with credentials",
        bases.len()
    );

    // Every private rule and every ICANN rule of two or more labels is refused, and so is
    // every parent of a rule.
    for (rule, private) in &list.rules {
        let name = rule.replace('*', "sample");
        if *private || name.contains('.') {
            assert!(list.verdict(&name).is_some(), "{rule}");
        }
        let mut parent = name.as_str();
        while let Some((_, rest)) = parent.split_once('.') {
            assert!(list.verdict(rest).is_some(), "{rest} above {rule}");
            parent = rest;
        }
    }
}

#[test]
fn owned_domains_build_cleanly_with_credentials() {
    let list = load();
    for base in [
        "example.com",
        "myapp.vercel.app",
        "app.example.co.uk",
        "preview.example.com",
        // s3.amazonaws.com is a rule: a bucket's name is its owner's.
        "mybucket.s3.amazonaws.com",
        "abc123.lambda-url.us-east-1.on.aws",
        "city.kawasaki.jp",
        "localhost",
    ] {
        assert_eq!(list.verdict(base), None, "{base}");
        assert_eq!(library(base), None, "{base}");
    }
}

#[test]
fn region_qualified_lambda_function_urls_are_refused_with_credentials() {
    let list = load();
    // `lambda-url.us-east-1.on.aws` is a private rule; `lambda-url.*.on.aws` (ours) catches
    // the regions the list does not name yet.
    for base in [
        "lambda-url.us-east-1.on.aws",
        "lambda-url.mx-central-1.on.aws",
        "us-east-1.on.aws",
        "on.aws",
    ] {
        let reason = library(base).unwrap_or_else(|| panic!("*.{base} was accepted"));
        assert!(reason.contains("shared hosting"), "{base}: {reason}");
        assert!(list.verdict(base).is_some(), "{base}");
    }
}

#[test]
fn region_qualified_hosting_domains_are_refused_with_credentials() {
    for base in [
        "s3.us-east-2.amazonaws.com",
        "amazonaws.com",
        "run.app",
        "us-central1.run.app",
        "azurewebsites.net",
        "vercel.app",
    ] {
        let reason = library(base).unwrap_or_else(|| panic!("*.{base} was accepted"));
        assert!(reason.contains("shared hosting"), "{base}: {reason}");
    }
    for (base, words) in [
        ("com", "top-level domain"),
        ("co.uk", "public suffix"),
        ("kawasaki.jp", "public suffixes under it"),
    ] {
        let reason = library(base).unwrap_or_else(|| panic!("*.{base} was accepted"));
        assert!(reason.contains(words), "{base}: {reason}");
    }
}

#[test]
fn punycode_matches_known_encodings() {
    assert_eq!(to_ascii("公司.cn"), "xn--55qx5d.cn");
    assert_eq!(to_ascii("bücher"), "xn--bcher-kva");
    assert_eq!(to_ascii("рф"), "xn--p1ai");
}
