//! Origins: the request's `Origin` header parsed exactly as browsers serialize it, and the
//! grammar of `CORS_ALLOWED_ORIGINS` entries.
//!
//! | entry | matches | header sent back |
//! |---|---|---|
//! | `https://app.example.com` | that origin only, byte for byte | `Access-Control-Allow-Origin: https://app.example.com` |
//! | `https://*.example.com` | `https://a.example.com`, `https://a.b.example.com`; never `https://example.com` | the request's origin |
//! | `http://localhost:*` | `http://localhost`, `http://localhost:3000`, any explicit port | the request's origin |
//! | `*` (alone) | every origin, never with credentials | `Access-Control-Allow-Origin: *` |
//!
//! The request side is strict: an `Origin` that a browser would never serialize (upper case,
//! default port spelled out, trailing `/`, leading zeros, `%` or other odd characters in the
//! host, user info) never matches anything, so no spelling trick can pass for an allowed
//! origin.
//!
//! Hosts with `_` (Docker Compose service names such as `http://my_service:8080`, which
//! Chromium serializes as they are) can be listed exactly; subdomain patterns and port
//! wildcards match letter-digit-hyphen hosts only. Chromium also serializes hosts with
//! `! $ & ' ( ) + , ; = ~ " `` ` `` { }`, a trailing dot, or `%2A`/`%20` for `*` and a space:
//! those stay refused, as entries and in requests. No DNS name holds them, they are where URL
//! parsers disagree (`,` would also hide a second `Origin` joined into one value), and a
//! trailing-dot host is another origin than the one without it.
//! Matching is by hash look-ups on slices of the request header: its cost does not grow with
//! the length of the allowlist and it never allocates.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::net::{Ipv4Addr, Ipv6Addr};

use http::HeaderValue;

/// Longest `Origin` value looked at: `https://` + 253-byte host + `:65535`, with room to spare.
/// Anything longer is refused without being parsed.
pub const MAX_ORIGIN_LEN: usize = 300;

/// The scheme of an origin. Only `http` and `https` pages make CORS requests a server can allow.
///
/// ```
/// use preflight::Scheme;
/// assert_eq!(Scheme::Https.default_port(), 443);
/// assert_eq!(Scheme::Http.as_str(), "http");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `http://`
    Http,
    /// `https://`
    Https,
}

impl Scheme {
    /// `"http"` or `"https"`.
    ///
    /// ```
    /// assert_eq!(preflight::Scheme::Https.as_str(), "https");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// 80 or 443: the port browsers leave out when they serialize an origin.
    ///
    /// ```
    /// assert_eq!(preflight::Scheme::Http.default_port(), 80);
    /// ```
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }

    fn index(self) -> usize {
        match self {
            Scheme::Http => 0,
            Scheme::Https => 1,
        }
    }

    fn from_prefix(value: &[u8]) -> Option<(Scheme, usize)> {
        if value.starts_with(b"https://") {
            Some((Scheme::Https, 8))
        } else if value.starts_with(b"http://") {
            Some((Scheme::Http, 7))
        } else {
            None
        }
    }
}

/// Why a request's `Origin` value is not an origin that could ever be allowed.
/// Logged with rejected preflights; carries no data so that rejecting allocates nothing.
///
/// ```
/// use preflight::{Origin, OriginRejection};
/// assert_eq!(Origin::parse(b"null").unwrap_err(), OriginRejection::Null);
/// assert_eq!(Origin::parse(b"https://A.example").unwrap_err(), OriginRejection::NotSerialized);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginRejection {
    /// The header is present but empty.
    Empty,
    /// `null`: sent by sandboxed iframes, `data:`/`file:` pages and after some redirects;
    /// any site can produce it, so it is never trusted.
    Null,
    /// Longer than [`MAX_ORIGIN_LEN`].
    TooLong,
    /// Not `http://` or `https://`.
    Scheme,
    /// Not in the form a browser serializes (upper case, default port, trailing `/`, path,
    /// user info, unusual host characters, leading zeros, non-canonical IP address).
    NotSerialized,
}

impl fmt::Display for OriginRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            OriginRejection::Empty => "the Origin header is empty",
            OriginRejection::Null => {
                "the origin is `null` (sandboxed iframe, data: or file: page, or a redirect), which is never trusted"
            }
            OriginRejection::TooLong => "the Origin header is longer than any real origin",
            OriginRejection::Scheme => "the origin's scheme is not http or https",
            OriginRejection::NotSerialized => {
                "the Origin header is not an origin as browsers serialize it"
            }
        })
    }
}

/// A request's origin, borrowed from its `Origin` header and validated to be exactly what a
/// browser serializes: `scheme://host[:port]`, lower case, no default port.
///
/// ```
/// use preflight::{Origin, Scheme};
///
/// let origin = Origin::parse(b"https://app.example.com:8443").unwrap();
/// assert_eq!(origin.scheme(), Scheme::Https);
/// assert_eq!(origin.host(), "app.example.com");
/// assert_eq!(origin.port(), Some(8443));
/// assert_eq!(origin.as_str(), "https://app.example.com:8443");
///
/// // Spellings no browser sends are refused, so they can never match an allowed origin.
/// for bad in ["https://app.example.com/", "https://app.example.com:443", "HTTPS://app.example.com",
///             "https://user@app.example.com", "https://app`x.example.com", "https://a.example.com:03000"] {
///     assert!(Origin::parse(bad.as_bytes()).is_err(), "{bad}");
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    serialized: &'a str,
    scheme: Scheme,
    host_start: usize,
    host_end: usize,
    port: Option<u16>,
}

impl<'a> Origin<'a> {
    /// Parses an `Origin` header value. Never allocates; refuses anything longer than
    /// [`MAX_ORIGIN_LEN`] before looking at it.
    ///
    /// ```
    /// use preflight::Origin;
    /// assert!(Origin::parse(b"http://localhost:3000").is_ok());
    /// assert!(Origin::parse(b"http://[::1]:8080").is_ok());
    /// assert!(Origin::parse(b"http://[0:0:0:0:0:0:0:1]").is_err()); // browsers write [::1]
    /// assert!(Origin::parse(b"http://127.000.0.1").is_err());
    /// ```
    pub fn parse(value: &'a [u8]) -> Result<Origin<'a>, OriginRejection> {
        if value.is_empty() {
            return Err(OriginRejection::Empty);
        }
        if value.len() > MAX_ORIGIN_LEN {
            return Err(OriginRejection::TooLong);
        }
        if value == b"null" {
            return Err(OriginRejection::Null);
        }
        let (scheme, prefix) = Scheme::from_prefix(value).ok_or(OriginRejection::Scheme)?;
        // Every byte a serialized http(s) origin can hold is ASCII.
        let serialized = std::str::from_utf8(value).map_err(|_| OriginRejection::NotSerialized)?;
        let authority = &serialized[prefix..];
        let (host, port_text) = split_authority(authority).ok_or(OriginRejection::NotSerialized)?;
        let port = match port_text {
            None => None,
            Some(text) => {
                let port = parse_canonical_port(text).ok_or(OriginRejection::NotSerialized)?;
                if port == scheme.default_port() {
                    return Err(OriginRejection::NotSerialized);
                }
                Some(port)
            }
        };
        match classify_host(host) {
            Ok(Host::Domain) | Ok(Host::Ipv4) => {}
            Ok(Host::Ipv6) => {
                let mut buf = Ipv6Buf::new();
                let canonical =
                    canonical_ipv6(host, &mut buf).ok_or(OriginRejection::NotSerialized)?;
                if canonical != host {
                    return Err(OriginRejection::NotSerialized);
                }
            }
            Err(_) => return Err(OriginRejection::NotSerialized),
        }
        if host.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(OriginRejection::NotSerialized);
        }
        Ok(Origin {
            serialized,
            scheme,
            host_start: prefix,
            host_end: prefix + host.len(),
            port,
        })
    }

    /// The whole origin, exactly as the request sent it.
    ///
    /// ```
    /// assert_eq!(preflight::Origin::parse(b"http://localhost").unwrap().as_str(), "http://localhost");
    /// ```
    pub fn as_str(&self) -> &'a str {
        self.serialized
    }

    /// `http` or `https`.
    ///
    /// ```
    /// # use preflight::{Origin, Scheme};
    /// assert_eq!(Origin::parse(b"http://localhost").unwrap().scheme(), Scheme::Http);
    /// ```
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host: a lower-case domain, a dotted IPv4 address, or a bracketed IPv6 address.
    ///
    /// ```
    /// assert_eq!(preflight::Origin::parse(b"http://[::1]:80").map(|o| o.host()).ok(), None); // :80 is the default
    /// assert_eq!(preflight::Origin::parse(b"http://[::1]:81").unwrap().host(), "[::1]");
    /// ```
    pub fn host(&self) -> &'a str {
        &self.serialized[self.host_start..self.host_end]
    }

    /// The explicit port, `None` when the origin uses its scheme's default port.
    ///
    /// ```
    /// assert_eq!(preflight::Origin::parse(b"https://example.com").unwrap().port(), None);
    /// ```
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether the host is a loopback name or address (`localhost`, `*.localhost`,
    /// `127.0.0.0/8`, `[::1]`): the only hosts an `http://` origin may use with credentials.
    ///
    /// ```
    /// assert!(preflight::Origin::parse(b"http://127.0.0.1:3000").unwrap().is_loopback());
    /// assert!(!preflight::Origin::parse(b"http://example.com").unwrap().is_loopback());
    /// ```
    pub fn is_loopback(&self) -> bool {
        is_loopback_host(self.host())
    }

    /// `scheme://host`, without the port.
    fn scheme_and_host(&self) -> &'a str {
        &self.serialized[..self.host_end]
    }

    /// `host[:port]`.
    fn host_and_port(&self) -> &'a str {
        &self.serialized[self.host_start..]
    }
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.serialized)
    }
}

/// Splits `host[:port]`; bracketed IPv6 hosts keep their brackets.
fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
    let bytes = authority.as_bytes();
    let colon = if bytes.first() == Some(&b'[') {
        let close = bytes.iter().position(|&b| b == b']')?;
        match bytes.get(close + 1) {
            None => return Some((authority, None)),
            Some(b':') => close + 1,
            Some(_) => return None,
        }
    } else {
        match bytes.iter().position(|&b| b == b':') {
            Some(colon) => colon,
            None => return Some((authority, None)),
        }
    };
    Some((&authority[..colon], Some(&authority[colon + 1..])))
}

/// A port as browsers serialize it: 1 to 5 digits, no leading zero, 1..=65535.
fn parse_canonical_port(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 5 || bytes[0] == b'0' {
        return None;
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.parse::<u16>().ok().filter(|&p| p != 0)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    Domain,
    Ipv4,
    Ipv6,
}

/// Why a host is not one browsers could serialize. Carries no text, so a request is refused
/// without allocating; [`HostError::message`] words it for a configuration entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostError {
    Empty,
    Unbracketed,
    TooLong,
    Char(u8),
    NotIpv4,
    EmptyLabel,
    /// A label (its byte range in the host) longer than 63 bytes.
    LongLabel(usize, usize),
    /// A label (its byte range in the host) that starts or ends with `-`.
    Hyphen(usize, usize),
}

impl HostError {
    fn message(self, host: &str) -> String {
        match self {
            HostError::Empty => "the host is empty".into(),
            HostError::Unbracketed => {
                "an IPv6 address must be written in brackets, e.g. http://[::1]:8080".into()
            }
            HostError::TooLong => "the host is longer than 253 bytes".into(),
            HostError::Char(b) => format!(
                "the host contains {:?}, which is not allowed in a host name (only letters, digits, `-`, `_` and `.`)",
                b as char
            ),
            HostError::NotIpv4 => "the host ends in a number but is not an IPv4 address in its canonical dotted form (four numbers 0-255, no leading zeros)".into(),
            HostError::EmptyLabel => {
                "the host has an empty label (a leading, trailing or doubled `.`)".into()
            }
            HostError::LongLabel(start, end) => {
                format!("the label {:?} is longer than 63 bytes", &host[start..end])
            }
            HostError::Hyphen(start, end) => {
                format!("the label {:?} starts or ends with `-`", &host[start..end])
            }
        }
    }
}

/// Validates a host in one pass: labels of letters, digits, `_` and inner hyphens (1 to 63
/// bytes each, 253 in all, no empty label), a canonical dotted IPv4 address (when the last label is
/// numeric, as the URL standard decides), or a bracketed IPv6 address (checked further by
/// [`canonical_ipv6`]). Case is left to the caller. Never allocates.
fn classify_host(host: &str) -> Result<Host, HostError> {
    let bytes = host.as_bytes();
    match bytes.first() {
        None => return Err(HostError::Empty),
        Some(b'[') => {
            return if bytes.len() > 2 && bytes.ends_with(b"]") {
                Ok(Host::Ipv6)
            } else {
                Err(HostError::Unbracketed)
            };
        }
        Some(_) => {}
    }
    if bytes.len() > 253 {
        return Err(HostError::TooLong);
    }
    // The first label error, reported only if the host is not an IPv4 address.
    let mut label_error = None;
    let mut start = 0;
    for end in 0..=bytes.len() {
        let b = bytes.get(end).copied().unwrap_or(b'.');
        if b != b'.' {
            if !(b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
                return Err(HostError::Char(b));
            }
            continue;
        }
        if label_error.is_none() {
            let label = &bytes[start..end];
            label_error = if label.is_empty() {
                Some(HostError::EmptyLabel)
            } else if label.len() > 63 {
                Some(HostError::LongLabel(start, end))
            } else if label[0] == b'-' || label[label.len() - 1] == b'-' {
                Some(HostError::Hyphen(start, end))
            } else {
                None
            };
        }
        start = end + 1;
    }
    let last = last_label(bytes);
    if !last.is_empty() && (last.iter().all(u8::is_ascii_digit) || last.starts_with(b"0x")) {
        // The standard library refuses leading zeros and short forms, so a parsed address is
        // in its canonical dotted form.
        return match host.parse::<Ipv4Addr>() {
            Ok(_) => Ok(Host::Ipv4),
            Err(_) => Err(HostError::NotIpv4),
        };
    }
    match label_error {
        Some(error) => Err(error),
        None => Ok(Host::Domain),
    }
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.parse::<Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

/// A stack buffer for a serialized IPv6 address, so parsing a request never allocates.
struct Ipv6Buf {
    bytes: [u8; 48],
    len: usize,
}

impl Ipv6Buf {
    fn new() -> Self {
        Ipv6Buf {
            bytes: [0; 48],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for Ipv6Buf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// `[addr]` serialized as the URL Standard does: lower-case hex, no leading zeros, the first
/// longest run of two or more zero pieces compressed to `::`, never a dotted IPv4 tail.
fn canonical_ipv6<'b>(bracketed: &str, buf: &'b mut Ipv6Buf) -> Option<&'b str> {
    let inner = bracketed.strip_prefix('[')?.strip_suffix(']')?;
    let addr: Ipv6Addr = inner.parse().ok()?;
    let pieces = addr.segments();
    let (mut best_start, mut best_len) = (usize::MAX, 1);
    let mut i = 0;
    while i < 8 {
        if pieces[i] == 0 {
            let start = i;
            while i < 8 && pieces[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_start = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    buf.write_char('[').ok()?;
    let mut i = 0;
    while i < 8 {
        if i == best_start {
            buf.write_str(if i == 0 { "::" } else { ":" }).ok()?;
            i += best_len;
            continue;
        }
        write!(buf, "{:x}", pieces[i]).ok()?;
        if i < 7 {
            buf.write_char(':').ok()?;
        }
        i += 1;
    }
    buf.write_char(']').ok()?;
    Some(buf.as_str())
}

/// Which ports an allowlist entry accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PortSpec {
    /// The scheme's default port (no port in the serialized origin).
    Default,
    /// One explicit port.
    Exact(u16),
    /// `:*`: any explicit port and the default one.
    Any,
}

/// One parsed `CORS_ALLOWED_ORIGINS` entry, normalized (lower case, default port removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AllowedOrigin {
    /// `*` alone.
    Any,
    /// An exact origin, or a host with a port wildcard, or a subdomain pattern.
    Listed {
        scheme: Scheme,
        /// The host, or for a subdomain pattern the base domain after `*.`.
        host: String,
        subdomains: bool,
        port: PortSpec,
    },
}

/// What is wrong with an allowlist entry, and its fix.
pub(crate) struct EntryError {
    pub reason: String,
    /// How to fix it, in words that propose no value.
    pub fix: String,
    /// A corrected entry to propose, not yet validated: the configuration proposes it only
    /// once it passes every check (so no fix ever proposes another invalid value).
    pub candidate: Option<String>,
}

fn entry_error(reason: impl Into<String>, fix: impl Into<String>) -> EntryError {
    EntryError {
        reason: reason.into(),
        fix: fix.into(),
        candidate: None,
    }
}

impl EntryError {
    fn propose(mut self, candidate: impl Into<String>) -> Self {
        self.candidate = Some(candidate.into());
        self
    }
}

impl AllowedOrigin {
    /// Parses one trimmed, non-empty `CORS_ALLOWED_ORIGINS` entry.
    pub(crate) fn parse(entry: &str) -> Result<AllowedOrigin, EntryError> {
        if entry == "*" {
            return Ok(AllowedOrigin::Any);
        }
        if entry.eq_ignore_ascii_case("null") {
            return Err(entry_error(
                "`null` is the origin browsers send from sandboxed iframes, `data:` and `file:` pages and after some cross-origin redirects; any site can make a request with `Origin: null`, so trusting it trusts everyone",
                "remove `null`; serve the calling page from a real http(s) origin and list that origin",
            ));
        }
        if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
            let parts: Vec<&str> = entry.split_whitespace().collect();
            return Err(entry_error(
                "the entry has a space or control character inside; origins never contain one",
                "separate origins with commas, and remove spaces and control characters inside an origin",
            )
            .propose(parts.join(",")));
        }
        if !entry.is_ascii() {
            return Err(entry_error(
                "the entry has non-ASCII characters; browsers send internationalized host names in their punycode (`xn--`) form, so this would never match",
                "write the host in its punycode (`xn--`) form, as browsers send it: for example `https://xn--bcher-kva.example` for the host bücher.example",
            ));
        }
        let Some((scheme_text, rest)) = entry.split_once("://") else {
            let host = entry.trim_start_matches('/');
            return Err(entry_error(
                "the entry has no scheme; an origin is `scheme://host[:port]`",
                "write the origin as `scheme://host[:port]`, e.g. `https://app.example.com` (or `http://localhost:3000` for a local development server)",
            )
            .propose(format!("https://{host}")));
        };
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            other => {
                return Err(entry_error(
                    format!("the scheme `{other}` is not supported; only http and https pages make CORS requests this library can allow"),
                    "use an http or https origin, or remove the entry",
                )
                .propose(format!("https://{rest}")))
            }
        };
        let scheme_str = scheme.as_str();
        if let Some(cut) = rest.find(['/', '?', '#']) {
            let (authority, tail) = rest.split_at(cut);
            let reason = if tail == "/" {
                "the entry ends with `/`; browsers send origins without a trailing slash, so it would never match".to_string()
            } else {
                format!("the entry has a path, query or fragment (`{tail}`); an origin is only `scheme://host[:port]`")
            };
            return Err(entry_error(reason, "write only `scheme://host[:port]`")
                .propose(format!("{scheme_str}://{authority}")));
        }
        if let Some((_, host)) = rest.rsplit_once('@') {
            return Err(entry_error(
                "the entry has user info before `@`; browsers never send it in `Origin`, and URL parsers disagree about which host such a string names",
                "remove the user info and the `@`",
            )
            .propose(format!("{scheme_str}://{host}")));
        }
        if rest.contains('%') {
            return Err(entry_error(
                "the entry has a percent-escape; browsers send hosts decoded, so it would never match",
                "write the host in plain letters, digits, `-` and `.`",
            ));
        }
        let Some((host_text, port_text)) = split_authority(rest) else {
            return Err(entry_error(
                "the host and port cannot be told apart (an IPv6 address must be in brackets, e.g. `http://[::1]:8080`)",
                "write `scheme://host:port`",
            ));
        };
        let port = match port_text {
            None => PortSpec::Default,
            Some("*") => PortSpec::Any,
            Some(text) => parse_config_port(scheme, text)?,
        };
        let host_text = host_text.to_ascii_lowercase();
        let (subdomains, host) = match host_text.strip_prefix("*.") {
            Some(base) => (true, base.to_string()),
            None => (false, host_text.clone()),
        };
        if host.contains('*') {
            // What follows the last `*` is the base the pattern was meant to cover.
            let base = host_text[host_text.rfind('*').map_or(0, |star| star + 1)..]
                .trim_start_matches('.');
            let port_suffix = port_text.map(|p| format!(":{p}")).unwrap_or_default();
            return Err(entry_error(
                format!("`*` can only stand as the whole leftmost label (`{scheme_str}://*.example.com`); a pattern like `{host_text}` would also match hosts such as `evil{base}`"),
                "write `*.` followed by the base domain for subdomains, or list the exact origins",
            )
            .propose(format!("{scheme_str}://*.{base}{port_suffix}")));
        }
        let host = match classify_host(&host) {
            Err(why) => return Err(entry_error(why.message(&host), "write a host of letters, digits, `-` and `.`, a dotted IPv4 address, or a bracketed IPv6 address")),
            Ok(Host::Domain) if subdomains && host.contains('_') => {
                return Err(entry_error(
                    "a subdomain pattern covers letter-digit-hyphen host names only, and this base has `_`",
                    "list the origins with `_` exactly (e.g. `http://my_service:8080`)",
                ))
            }
            Ok(Host::Domain) => host,
            Ok(Host::Ipv4) if !subdomains => host,
            Ok(Host::Ipv6) if !subdomains => {
                let mut buf = Ipv6Buf::new();
                match canonical_ipv6(&host, &mut buf) {
                    Some(canonical) => canonical.to_string(),
                    None => return Err(entry_error("the IPv6 address does not parse", "write it as browsers do, e.g. `http://[::1]:8080`")),
                }
            }
            Ok(_) => {
                return Err(entry_error(
                    "a subdomain pattern needs a domain name after `*.`, not an IP address",
                    "list the exact origin instead",
                ))
            }
        };
        Ok(AllowedOrigin::Listed {
            scheme,
            host,
            subdomains,
            port,
        })
    }

    /// Whether this entry accepts `http://` origins on a non-loopback host.
    pub(crate) fn is_insecure(&self) -> bool {
        matches!(self, AllowedOrigin::Listed { scheme: Scheme::Http, host, .. } if !is_loopback_host(host))
    }
}

impl fmt::Display for AllowedOrigin {
    /// The normalized entry, as `preflight explain` and the logs show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowedOrigin::Any => f.write_str("*"),
            AllowedOrigin::Listed {
                scheme,
                host,
                subdomains,
                port,
            } => {
                write!(f, "{}://", scheme.as_str())?;
                if *subdomains {
                    f.write_str("*.")?;
                }
                f.write_str(host)?;
                match port {
                    PortSpec::Default => Ok(()),
                    PortSpec::Exact(p) => write!(f, ":{p}"),
                    PortSpec::Any => f.write_str(":*"),
                }
            }
        }
    }
}

fn parse_config_port(scheme: Scheme, text: &str) -> Result<PortSpec, EntryError> {
    let bad = |why: &str| {
        entry_error(
            format!("the port `{text}` {why}"),
            "write a port from 1 to 65535 in plain digits, `:*` for any port, or leave it out for the default",
        )
    };
    if text.is_empty() {
        return Err(bad("is empty"));
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("is not a number"));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(bad("has a leading zero, which browsers never send"));
    }
    match text.parse::<u32>() {
        Ok(p) if (1..=65535).contains(&p) => {
            let p = p as u16;
            Ok(if p == scheme.default_port() {
                PortSpec::Default
            } else {
                PortSpec::Exact(p)
            })
        }
        _ => Err(bad("is out of range")),
    }
}

/// A fast hash for the allowlist's short keys (FxHash's mixing, eight bytes at a time). The
/// sets are built from the configuration, never from requests, so a request can only probe
/// them: a keyed hash (SipHash) would buy no protection here, only time.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0xf135_7aea_2e62_a9c5;
        let mut hash = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            hash = (hash.rotate_left(26) ^ word).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            hash = (hash.rotate_left(26) ^ u64::from_le_bytes(word)).wrapping_mul(K);
        }
        self.0 = (hash.rotate_left(26) ^ bytes.len() as u64).wrapping_mul(K);
    }

    fn write_u8(&mut self, byte: u8) {
        self.0 = (self.0.rotate_left(26) ^ u64::from(byte)).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Keys = HashSet<Box<str>, std::hash::BuildHasherDefault<KeyHasher>>;

/// Up to this many exact origins are compared one by one rather than hashed.
const FEW: usize = 4;

/// The compiled allowlist: hash sets keyed by slices of the serialized origin, so a look-up
/// costs the same for one entry or ten thousand and never allocates.
#[derive(Debug, Clone, Default)]
pub(crate) struct OriginSet {
    any: bool,
    /// `scheme://host[:port]`, with the `Access-Control-Allow-Origin` value to answer.
    exact: HashMap<Box<[u8]>, HeaderValue, std::hash::BuildHasherDefault<KeyHasher>>,
    /// The exact entries instead of `exact` while there are at most [`FEW`]: comparing a
    /// handful of keys (lengths first) costs less than hashing the request's origin.
    few: Vec<(Box<[u8]>, HeaderValue)>,
    /// `scheme://host` for `scheme://host:*`
    any_port: Keys,
    /// per scheme: `base[:port]` for `scheme://*.base[:port]`
    subdomains: [Keys; 2],
    /// per scheme: `base` for `scheme://*.base:*`
    subdomains_any_port: [Keys; 2],
}

impl OriginSet {
    pub(crate) fn new(entries: &[AllowedOrigin]) -> Self {
        let mut set = OriginSet::default();
        for entry in entries {
            match entry {
                AllowedOrigin::Any => set.any = true,
                AllowedOrigin::Listed {
                    scheme,
                    host,
                    subdomains,
                    port,
                } => {
                    let s = scheme.index();
                    let with_port = |prefix: String| match port {
                        PortSpec::Exact(p) => format!("{prefix}:{p}"),
                        _ => prefix,
                    };
                    match (subdomains, port) {
                        (false, PortSpec::Any) => {
                            set.any_port
                                .insert(format!("{}://{host}", scheme.as_str()).into());
                        }
                        (false, _) => {
                            let origin = with_port(format!("{}://{host}", scheme.as_str()));
                            let value = HeaderValue::from_str(&origin)
                                .expect("a validated origin is a valid header value");
                            // Cloned once here, so the bytes are shared and every answer's
                            // clone is a reference count, never an allocation.
                            let _ = value.clone();
                            set.exact.insert(origin.into_bytes().into(), value);
                        }
                        (true, PortSpec::Any) => {
                            set.subdomains_any_port[s].insert(host.as_str().into());
                        }
                        (true, _) => {
                            set.subdomains[s].insert(with_port(host.clone()).into());
                        }
                    }
                }
            }
        }
        if set.exact.len() <= FEW {
            set.few = set.exact.drain().collect();
        }
        set
    }

    /// The answer of the exact entry whose serialization is `raw`, byte for byte. The keys
    /// are canonical origins, so a hit is an allowed origin without parsing the request's
    /// value; a miss says nothing (a pattern may still match). One hash look-up, or a few
    /// comparisons for a short list.
    pub(crate) fn find_exact(&self, raw: &[u8]) -> Option<&HeaderValue> {
        if self.exact.is_empty() {
            return self
                .few
                .iter()
                .find(|(key, _)| **key == *raw)
                .map(|(_, value)| value);
        }
        self.exact.get(raw)
    }

    /// Whether every origin is allowed (`*`).
    pub(crate) fn is_any(&self) -> bool {
        self.any
    }

    /// Whether `origin` is allowed. Costs a few hash look-ups, plus one or two per label of
    /// the host when subdomain patterns exist; never allocates.
    pub(crate) fn allows(&self, origin: &Origin<'_>) -> bool {
        self.find_exact(origin.as_str().as_bytes()).is_some() || self.find_pattern(origin)
    }

    /// Whether `origin` matches `*`, a `:*` port entry or a subdomain pattern (exact
    /// entries aside: see [`OriginSet::find_exact`]).
    pub(crate) fn find_pattern(&self, origin: &Origin<'_>) -> bool {
        if self.any
            || (!self.any_port.is_empty() && self.any_port.contains(origin.scheme_and_host()))
        {
            return true;
        }
        let s = origin.scheme().index();
        let (subs, subs_any) = (&self.subdomains[s], &self.subdomains_any_port[s]);
        if subs.is_empty() && subs_any.is_empty() {
            return false;
        }
        let host = origin.host();
        // Patterns cover letter-digit-hyphen names only; a host with `_` must be listed.
        if host.starts_with('[') || host.contains('_') || classify_is_ipv4(host) {
            return false;
        }
        let host_and_port = origin.host_and_port();
        // Each `.` in the host starts a candidate base domain; the part before it is one or
        // more whole labels, which is exactly what `*.` stands for.
        for (dot, _) in host.bytes().enumerate().filter(|&(_, b)| b == b'.') {
            let base = dot + 1;
            if subs.contains(&host_and_port[base..]) || subs_any.contains(&host[base..]) {
                return true;
            }
        }
        false
    }
}

/// A request host already validated by [`classify_host`] is an IPv4 address exactly when its
/// last label is all digits.
fn classify_is_ipv4(host: &str) -> bool {
    last_label(host.as_bytes()).iter().all(u8::is_ascii_digit)
}

/// The part of a host after its last `.` (all of it when there is none).
fn last_label(host: &[u8]) -> &[u8] {
    &host[host
        .iter()
        .rposition(|&b| b == b'.')
        .map_or(0, |dot| dot + 1)..]
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
