//! Domains under which anyone can get a subdomain: top-level domains, the public suffixes and
//! shared hosting domains of the Public Suffix List (ICANN and private sections), domains
//! with such suffixes below them, and a few hosting domains the list lacks.
//!
//! A subdomain pattern on one of these (`https://*.vercel.app`, `https://*.amazonaws.com`)
//! trusts every other customer of that registry or platform. With credentials it is
//! refused; without, it is a warning.
//!
//! The rules are in [`list`], generated from the raw list. To refresh it (then review the
//! diff and run the tests):
//!
//! ```text
//! python3 scripts/update-psl.py
//! ```
//!
//! It installs the `publicsuffixlist` Python package into a temporary directory, copies the
//! `public_suffix_list.dat` it ships to core/tests/data/ (core/tests/public_suffix.rs checks
//! this matcher against it) and rewrites core/src/suffix/list.rs. The list is MPL-2.0 data.
//!
//! Lookups are binary searches over the sorted, '\n'-separated tables, done once per
//! subdomain pattern when a policy is built (cold start).

mod list;

/// Multi-tenant hosts the Public Suffix List lacks (checked against the list of the VERSION
/// in [`list`]'s header). A `*` label stands for any one label, so the region-qualified forms
/// of a service are caught in regions the list has not caught up with.
const OWN_SHARED_HOSTING: &[&str] = &[
    // Glitch projects were `<project>.glitch.me`; the list never had the domain.
    "glitch.me",
    // Lambda function URLs are `<url-id>.lambda-url.<region>.on.aws`; the list names 22
    // regions, AWS has more (ap-southeast-5, ca-west-1, mx-central-1, ...).
    "lambda-url.*.on.aws",
    // Netlify sites created before 2021 were `<site>.netlify.com`; the list has netlify.app.
    "netlify.com",
    // S3 virtual-hosted buckets, `<bucket>.s3.<region>.amazonaws.com`: as for Lambda, new
    // regions reach the list late.
    "s3.*.amazonaws.com",
    // StackBlitz project previews: anyone can create one under these.
    "stackblitz.io",
    "webcontainer.io",
];

const TOP_LEVEL: &str = "a top-level domain: anyone can register a name under it";
const PUBLIC: &str = "a public suffix: anyone can register a name under it";
const SHARED: &str = "a shared hosting domain: anyone can publish a site under it";
const SHARED_BELOW: &str =
    "a domain with shared hosting domains under it (Public Suffix List): anyone can publish a site under those";
const PUBLIC_BELOW: &str =
    "a domain with public suffixes under it (Public Suffix List): anyone can register a name under those";

/// Why a subdomain pattern on `base` (lower-case ASCII, punycode) would trust strangers, or
/// `None` when `base` belongs to one owner.
pub(crate) fn shared_base(base: &str) -> Option<&'static str> {
    let base = base.strip_suffix('.').unwrap_or(base);
    if !base.contains('.') {
        // Every single label is a suffix (the list's implicit `*` rule), listed or not.
        return (base != "localhost").then_some(TOP_LEVEL);
    }
    let key = reversed(base);
    // (a) `base` is itself a public suffix: an exact rule, or a wildcard `*.parent` that no
    // exception `!base` overrides.
    if contains(list::ICANN, &key) {
        return Some(PUBLIC);
    }
    if contains(list::PRIVATE, &key) || OWN_SHARED_HOSTING.iter().any(|own| matches(own, base)) {
        return Some(SHARED);
    }
    if !contains(list::EXCEPTIONS, &key) {
        let (parent, _) = key.rsplit_once('.').unwrap_or_default();
        let wildcard = format!("{parent}.*");
        if contains(list::ICANN, &wildcard) {
            return Some(PUBLIC);
        }
        if contains(list::PRIVATE, &wildcard) {
            return Some(SHARED);
        }
    }
    // (b) A rule lies strictly below `base` (`s3.amazonaws.com` below `amazonaws.com`), so
    // some names under `base` are handed out to strangers.
    let below = format!("{key}.");
    if has_prefix(list::PRIVATE, &below) || OWN_SHARED_HOSTING.iter().any(|own| above(base, own)) {
        return Some(SHARED_BELOW);
    }
    if has_prefix(list::ICANN, &below) {
        return Some(PUBLIC_BELOW);
    }
    None
}

/// `a.b.c` as `c.b.a`, the order of the tables.
fn reversed(name: &str) -> String {
    name.rsplit('.').collect::<Vec<_>>().join(".")
}

/// The first line of `table` ('\n'-terminated lines in byte order) not less than `key`, or
/// "" past the end.
fn lower_bound<'t>(table: &'t str, key: &str) -> &'t str {
    let bytes = table.as_bytes();
    let line_end = |start: usize| {
        bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |n| start + n)
    };
    // `lo` and `hi` are line starts; lines before `lo` are less than `key`, lines from `hi`
    // on are not.
    let (mut lo, mut hi) = (0, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |n| lo + n + 1);
        let end = line_end(start);
        if &table[start..end] < key {
            lo = end + 1;
        } else {
            hi = start;
        }
    }
    if lo >= bytes.len() {
        return "";
    }
    &table[lo..line_end(lo)]
}

fn contains(table: &str, key: &str) -> bool {
    lower_bound(table, key) == key
}

fn has_prefix(table: &str, prefix: &str) -> bool {
    lower_bound(table, prefix).starts_with(prefix)
}

/// Whether `name` matches `pattern` label by label, a `*` label matching any one label.
fn matches(pattern: &str, name: &str) -> bool {
    pattern.split('.').count() == name.split('.').count() && ends_with(pattern, name)
}

/// Whether `name` is strictly above `pattern` (`on.aws` above `lambda-url.*.on.aws`).
fn above(name: &str, pattern: &str) -> bool {
    pattern.split('.').count() > name.split('.').count() && ends_with(pattern, name)
}

/// Whether the last labels of `pattern` match `name`'s, as far as the shorter goes.
fn ends_with(pattern: &str, name: &str) -> bool {
    pattern
        .rsplit('.')
        .zip(name.rsplit('.'))
        .all(|(p, n)| p == "*" || p == n)
}

#[cfg(test)]
mod tests {
    use super::{
        list, lower_bound, shared_base, PUBLIC, PUBLIC_BELOW, SHARED, SHARED_BELOW, TOP_LEVEL,
    };

    #[test]
    fn shared_and_public_bases_are_recognized() {
        for (base, why) in [
            ("com", TOP_LEVEL),
            ("dev", TOP_LEVEL),
            ("notatld", TOP_LEVEL),
            ("co.uk", PUBLIC),
            ("vercel.app", SHARED),
            ("workers.dev", SHARED),
            ("pages.dev", SHARED),
            ("github.io", SHARED),
            ("netlify.app", SHARED),
            ("amazonaws.com", SHARED_BELOW),
            ("on.aws", SHARED_BELOW),
            ("us-east-1.on.aws", SHARED_BELOW),
            ("lambda-url.us-east-1.on.aws", SHARED),
            // A region the list may not name: our own `lambda-url.*.on.aws`.
            ("lambda-url.xx-future-9.on.aws", SHARED),
            ("xx-future-9.on.aws", SHARED_BELOW),
            ("s3.us-east-2.amazonaws.com", SHARED),
            ("s3.xx-future-9.amazonaws.com", SHARED),
            // `*.run.app`: any one label under run.app is a suffix.
            ("run.app", SHARED_BELOW),
            ("us-central1.run.app", SHARED),
            ("azurewebsites.net", SHARED),
            ("glitch.me", SHARED),
            // `*.kawasaki.jp` with the exception `!city.kawasaki.jp`.
            ("kawasaki.jp", PUBLIC_BELOW),
            ("foo.kawasaki.jp", PUBLIC),
            // 公司.cn, stored in punycode.
            ("xn--55qx5d.cn", PUBLIC),
        ] {
            assert_eq!(shared_base(base), Some(why), "{base}");
        }
        for base in [
            "example.com",
            "localhost",
            "myapp.vercel.app",
            "example.co.uk",
            "city.kawasaki.jp",
            "foo.s3.amazonaws.com",
            "abc.lambda-url.us-east-1.on.aws",
            "example.xn--55qx5d.cn",
        ] {
            assert_eq!(shared_base(base), None, "{base}");
        }
    }

    #[test]
    fn tables_are_sorted_and_searchable_from_end_to_end() {
        for table in [list::ICANN, list::PRIVATE, list::EXCEPTIONS] {
            assert!(table.ends_with('\n'));
            let lines: Vec<&str> = table.lines().collect();
            assert!(lines.windows(2).all(|w| w[0] < w[1]));
            assert!(lines.iter().all(|l| !l.is_empty() && l.is_ascii()));
            for line in &lines {
                assert_eq!(lower_bound(table, line), *line);
            }
            assert_eq!(lower_bound(table, ""), lines[0]);
            assert_eq!(lower_bound(table, "~"), "");
        }
    }
}
