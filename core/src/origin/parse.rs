//! A request's `Origin`, parsed exactly as browsers serialize it.

use std::fmt;

use super::host::*;

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

    pub(crate) fn index(self) -> usize {
        match self {
            Scheme::Http => 0,
            Scheme::Https => 1,
        }
    }

    pub(crate) fn from_prefix(value: &[u8]) -> Option<(Scheme, usize)> {
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
    pub(crate) fn scheme_and_host(&self) -> &'a str {
        &self.serialized[..self.host_end]
    }

    /// `host[:port]`.
    pub(crate) fn host_and_port(&self) -> &'a str {
        &self.serialized[self.host_start..]
    }
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.serialized)
    }
}

/// Splits `host[:port]`; bracketed IPv6 hosts keep their brackets.
pub(crate) fn split_authority(authority: &str) -> Option<(&str, Option<&str>)> {
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
pub(crate) fn parse_canonical_port(text: &str) -> Option<u16> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || bytes.len() > 5 || bytes[0] == b'0' {
        return None;
    }
    if !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.parse::<u16>().ok().filter(|&p| p != 0)
}
