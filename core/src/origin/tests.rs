//! The origin module's unit tests.

use super::grammar::*;
use super::host::*;
use super::matcher::*;
use super::parse::*;

fn set(entries: &[&str]) -> OriginSet {
    let parsed: Vec<AllowedOrigin> = entries
        .iter()
        .map(|e| AllowedOrigin::parse(e).unwrap_or_else(|err| panic!("{e}: {}", err.reason)))
        .collect();
    OriginSet::new(&parsed)
}

fn allows(set: &OriginSet, origin: &str) -> bool {
    Origin::parse(origin.as_bytes()).is_ok_and(|o| set.allows(&o))
}

#[test]
fn short_and_long_exact_lists_find_the_same_origins() {
    // Up to FEW entries are compared one by one, more are hashed: both ways must agree.
    for count in [1, FEW, FEW + 1, 50] {
        let list: Vec<String> = (0..count)
            .map(|i| format!("https://o{i}.example.com"))
            .collect();
        let entries: Vec<&str> = list.iter().map(String::as_str).collect();
        let s = set(&entries);
        assert_eq!(s.exact.is_empty(), count <= FEW, "{count} entries");
        for origin in &list {
            assert_eq!(
                s.find_exact(origin.as_bytes()).map(|v| v.to_str().unwrap()),
                Some(origin.as_str())
            );
        }
        for other in [
            "https://o.example.com",
            "https://o0.example.co",
            "https://o0.example.com:1",
        ] {
            assert!(s.find_exact(other.as_bytes()).is_none(), "{count}: {other}");
        }
    }
}

#[test]
fn exact_origin_matches_only_itself() {
    let s = set(&["https://example.com"]);
    assert!(allows(&s, "https://example.com"));
    for bad in [
        "https://example.com.evil.net",
        "https://evilexample.com",
        "https://wwwxexample.com",
        "http://example.com",
        "https://example.com:8443",
        "https://example.com/",
        "https://EXAMPLE.com",
        "https://example.com:443",
        "https://sub.example.com",
        "null",
        "https://example.co",
        "https://example.comm",
        " https://example.com",
        "https://example.com ",
        "https://user@example.com",
        "https://example.com@evil.net",
        "https://example%2ecom",
        "https://example.com.",
    ] {
        assert!(!allows(&s, bad), "{bad} must not match");
    }
}

#[test]
fn subdomain_pattern_needs_at_least_one_label() {
    let s = set(&["https://*.example.com"]);
    assert!(allows(&s, "https://a.example.com"));
    assert!(allows(&s, "https://a.b.example.com"));
    for bad in [
        "https://example.com",
        "https://evilexample.com",
        "https://.example.com",
        "https://a..example.com",
        "https://a.example.com.evil.net",
        "http://a.example.com",
        "https://a.example.com:8443",
        "https://a_b.example.com",
        "https://a`b.example.com",
        "https://-a.example.com",
        "https://xexample.com",
    ] {
        assert!(!allows(&s, bad), "{bad} must not match");
    }
}

#[test]
fn port_wildcard_matches_every_port_and_the_default() {
    let s = set(&["http://localhost:*"]);
    assert!(allows(&s, "http://localhost"));
    assert!(allows(&s, "http://localhost:3000"));
    assert!(allows(&s, "http://localhost:65535"));
    for bad in [
        "http://localhost:+3000",
        "http://localhost:03000",
        "http://localhost:80",
        "http://localhost:",
        "http://localhost:0",
        "http://localhost:65536",
        "https://localhost:3000",
        "http://localhost.evil.net:3000",
        "http://a.localhost:3000",
    ] {
        assert!(!allows(&s, bad), "{bad} must not match");
    }
}

#[test]
fn subdomain_pattern_with_ports() {
    let s = set(&["https://*.example.com:8443", "http://*.test:*"]);
    assert!(allows(&s, "https://a.example.com:8443"));
    assert!(!allows(&s, "https://a.example.com"));
    assert!(allows(&s, "http://a.test"));
    assert!(allows(&s, "http://a.b.test:9000"));
    assert!(!allows(&s, "http://test:9000"));
}

#[test]
fn config_normalizes_case_and_default_ports() {
    let s = set(&["HTTPS://App.Example.COM:443", "http://LOCALHOST:80"]);
    assert!(allows(&s, "https://app.example.com"));
    assert!(allows(&s, "http://localhost"));
    assert_eq!(
        AllowedOrigin::parse("HTTPS://*.Example.com:443")
            .ok()
            .map(|o| o.to_string()),
        Some("https://*.example.com".to_string())
    );
}

#[test]
fn ip_addresses() {
    let s = set(&["http://127.0.0.1:8080", "http://[0:0::1]:*"]);
    assert!(allows(&s, "http://127.0.0.1:8080"));
    assert!(allows(&s, "http://[::1]"));
    assert!(allows(&s, "http://[::1]:3000"));
    assert!(!allows(&s, "http://[0:0:0:0:0:0:0:1]:3000"));
    assert!(!allows(&s, "http://127.0.0.01:8080"));
    assert!(!allows(&s, "http://2130706433:8080"));
    assert!(!allows(&s, "http://0x7f.0.0.1:8080"));
}

#[test]
fn ipv6_serialization_follows_the_url_standard() {
    let mut buf = Ipv6Buf::new();
    assert_eq!(
        canonical_ipv6("[::ffff:1.2.3.4]", &mut buf),
        Some("[::ffff:102:304]")
    );
    let mut buf = Ipv6Buf::new();
    assert_eq!(
        canonical_ipv6("[2001:DB8:0:0:1:0:0:1]", &mut buf),
        Some("[2001:db8::1:0:0:1]")
    );
    let mut buf = Ipv6Buf::new();
    assert_eq!(
        canonical_ipv6("[1:0:2:3:4:5:6:7]", &mut buf),
        Some("[1:0:2:3:4:5:6:7]")
    );
    let mut buf = Ipv6Buf::new();
    assert_eq!(canonical_ipv6("[::]", &mut buf), Some("[::]"));
    let mut buf = Ipv6Buf::new();
    assert_eq!(canonical_ipv6("[1::]", &mut buf), Some("[1::]"));
}

#[test]
fn config_errors_explain_themselves() {
    let reason = |e: &str| {
        AllowedOrigin::parse(e)
            .err()
            .map(|e| (e.reason, e.fix))
            .unwrap()
    };
    assert!(reason("https://a.example/").0.contains("trailing slash"));
    assert!(reason("https://a.example/api").0.contains("path"));
    assert!(reason("https://a.example?x=1").0.contains("query"));
    assert!(reason("https://me@a.example").0.contains("user info"));
    assert!(reason("ftp://a.example").0.contains("scheme `ftp`"));
    assert_eq!(
        AllowedOrigin::parse("a.example")
            .err()
            .and_then(|e| e.candidate)
            .as_deref(),
        Some("https://a.example")
    );
    assert!(reason("https://a.example:99999").0.contains("out of range"));
    assert!(reason("https://a.example:0").0.contains("out of range"));
    assert!(reason("https://a.example:08080").0.contains("leading zero"));
    assert!(reason("https://a.example:+80").0.contains("not a number"));
    assert!(reason("https://a .example").0.contains("space"));
    assert!(reason("null").0.contains("sandboxed"));
    assert!(reason("https://*example.com").0.contains("evilexample.com"));
    assert!(reason("https://a.*.example.com").0.contains("leftmost"));
    assert!(reason("https://*.127.0.0.1").0.contains("IP address"));
    assert!(reason("https://a`b.example").0.contains("'`'"));
    assert!(reason("https://*.my_corp.example").0.contains("`_`"));
    assert!(AllowedOrigin::parse("http://my_service:8080").is_ok());
    assert!(reason("https://bücher.example").0.contains("punycode"));
    assert!(reason("https://a%2eexample").0.contains("percent"));
}

#[test]
fn loopback_hosts() {
    for h in [
        "localhost",
        "app.localhost",
        "127.0.0.1",
        "127.1.2.3",
        "[::1]",
    ] {
        assert!(is_loopback_host(h), "{h}");
    }
    for h in ["localhost.evil.net", "128.0.0.1", "[::2]", "example.com"] {
        assert!(!is_loopback_host(h), "{h}");
    }
}

#[test]
fn overlong_origins_are_refused_before_parsing() {
    let long = format!("https://{}.example", "a".repeat(400));
    assert_eq!(
        Origin::parse(long.as_bytes()),
        Err(OriginRejection::TooLong)
    );
    assert_eq!(Origin::parse(b""), Err(OriginRejection::Empty));
    assert_eq!(
        Origin::parse(b"chrome-extension://abc"),
        Err(OriginRejection::Scheme)
    );
    assert_eq!(
        Origin::parse(b"https://\xffexample.com"),
        Err(OriginRejection::NotSerialized)
    );
}
