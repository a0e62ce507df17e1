//! The grammar of `CORS_ALLOWED_ORIGINS` entries and the words that explain a wrong one.

use std::fmt;

use super::host::*;
use super::parse::*;

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
    /// The exact origin of an app shell or a browser extension (`capacitor://localhost`,
    /// `chrome-extension://<id>`): matched byte for byte, never by a pattern.
    App(String),
}

/// The non-http schemes of pages that make CORS requests: app shells (Capacitor, Ionic,
/// Tauri) and browser extensions (Chromium, Firefox, Safari).
pub(crate) const APP_SCHEMES: [&str; 6] = [
    "capacitor",
    "ionic",
    "tauri",
    "chrome-extension",
    "moz-extension",
    "safari-web-extension",
];

/// What is wrong with an allowlist entry, and its fix.
pub(crate) struct EntryError {
    /// The problem's code ([`Problem::code`](crate::Problem::code)).
    pub code: &'static str,
    pub reason: String,
    /// How to fix it, in words that propose no value.
    pub fix: String,
    /// A corrected entry to propose, not yet validated: the configuration proposes it only
    /// once it passes every check (so no fix ever proposes another invalid value).
    pub candidate: Option<String>,
}

pub(crate) fn entry_error(
    code: &'static str,
    reason: impl Into<String>,
    fix: impl Into<String>,
) -> EntryError {
    EntryError {
        code,
        reason: reason.into(),
        fix: fix.into(),
        candidate: None,
    }
}

impl EntryError {
    pub(crate) fn propose(mut self, candidate: impl Into<String>) -> Self {
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
            return Err(entry_error("origin-null", 
                "`null` is the origin browsers send from sandboxed iframes, `data:` and `file:` pages and after some cross-origin redirects; any site can make a request with `Origin: null`, so trusting it trusts everyone",
                "remove `null`; serve the calling page from a real http(s) origin and list that origin",
            ));
        }
        if entry.chars().any(|c| c.is_whitespace() || c.is_control()) {
            let parts: Vec<&str> = entry.split_whitespace().collect();
            return Err(entry_error("origin-space", 
                "the entry has a space or control character inside; origins never contain one",
                "separate origins with commas, and remove spaces and control characters inside an origin",
            )
            .propose(parts.join(",")));
        }
        if !entry.is_ascii() {
            return Err(entry_error("origin-non-ascii", 
                "the entry has non-ASCII characters; browsers send internationalized host names in their punycode (`xn--`) form, so this would never match",
                "write the host in its punycode (`xn--`) form, as browsers send it: for example `https://xn--bcher-kva.example` for the host bücher.example",
            ));
        }
        let Some((scheme_text, rest)) = entry.split_once("://") else {
            let host = entry.trim_start_matches('/');
            return Err(entry_error("origin-no-scheme", 
                "the entry has no scheme; an origin is `scheme://host[:port]`",
                "write the origin as `scheme://host[:port]`, e.g. `https://app.example.com` (or `http://localhost:3000` for a local development server)",
            )
            .propose(format!("https://{host}")));
        };
        let scheme = match scheme_text.to_ascii_lowercase().as_str() {
            "https" => Scheme::Https,
            "http" => Scheme::Http,
            app if APP_SCHEMES.contains(&app) => return app_origin(app, rest),
            other => {
                return Err(entry_error("origin-scheme", 
                    format!("the scheme `{other}` is not one that makes CORS requests this library can allow: http and https pages, and the apps and extensions of {}", APP_SCHEMES.map(|s| format!("`{s}://`")).join(", ")),
                    "use an http or https origin, an app or extension origin, or remove the entry",
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
            return Err(
                entry_error("origin-path", reason, "write only `scheme://host[:port]`")
                    .propose(format!("{scheme_str}://{authority}")),
            );
        }
        if let Some((_, host)) = rest.rsplit_once('@') {
            return Err(entry_error("origin-user-info", 
                "the entry has user info before `@`; browsers never send it in `Origin`, and URL parsers disagree about which host such a string names",
                "remove the user info and the `@`",
            )
            .propose(format!("{scheme_str}://{host}")));
        }
        if rest.contains('%') {
            return Err(entry_error("origin-percent-escape", 
                "the entry has a percent-escape; browsers send hosts decoded, so it would never match",
                "write the host in plain letters, digits, `-` and `.`",
            ));
        }
        let Some((host_text, port_text)) = split_authority(rest) else {
            return Err(entry_error("origin-host-port", 
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
            return Err(entry_error("origin-wildcard", 
                format!("`*` can only stand as the whole leftmost label (`{scheme_str}://*.example.com`); a pattern like `{host_text}` would also match hosts such as `evil{base}`"),
                "write `*.` followed by the base domain for subdomains, or list the exact origins",
            )
            .propose(format!("{scheme_str}://*.{base}{port_suffix}")));
        }
        let host = match classify_host(&host) {
            Err(why) => return Err(entry_error(why.code(), why.message(&host), "write a host of letters, digits, `-` and `.`, a dotted IPv4 address, or a bracketed IPv6 address")),
            Ok(Host::Domain) if subdomains && host.contains('_') => {
                return Err(entry_error("origin-pattern-underscore", 
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
                    None => return Err(entry_error("origin-ipv6", "the IPv6 address does not parse", "write it as browsers do, e.g. `http://[::1]:8080`")),
                }
            }
            Ok(_) => {
                return Err(entry_error("origin-pattern-ip", 
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
    ///
    /// App and extension origins are exact and cannot be served by a network attacker.
    pub(crate) fn is_insecure(&self) -> bool {
        matches!(self, AllowedOrigin::Listed { scheme: Scheme::Http, host, .. } if !is_loopback_host(host))
    }
}

impl fmt::Display for AllowedOrigin {
    /// The normalized entry, as the logs and `preflight explain` show it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowedOrigin::Any => f.write_str("*"),
            AllowedOrigin::Listed {
                scheme,
                host,
                subdomains,
                port,
            } => write_entry(f, *scheme, host, *subdomains, *port),
            AllowedOrigin::App(origin) => f.write_str(origin),
        }
    }
}

/// An app or extension origin (`scheme` is one of [`APP_SCHEMES`], lower-cased; `rest` what
/// follows `://`): exact only, in the shape each platform sends.
fn app_origin(scheme: &str, rest: &str) -> Result<AllowedOrigin, EntryError> {
    let shape = |why: String, fix: &str| Err(entry_error("origin-app", why, fix));
    if rest.contains('*') {
        return shape(
            format!("`{scheme}://` origins can be listed exactly only: a pattern would trust other apps or extensions"),
            "list each app or extension origin exactly",
        );
    }
    let id = match scheme {
        // Chromium extension ids: 32 letters from a to p.
        "chrome-extension" => {
            if rest.len() != 32 || !rest.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                return shape(
                    format!("`{rest}` is not a Chromium extension id (32 letters from a to p)"),
                    "copy the id from chrome://extensions, e.g. `chrome-extension://abcdefghijklmnopabcdefghijklmnop`",
                );
            }
            rest.to_string()
        }
        // Firefox and Safari name an extension's pages by a UUID.
        "moz-extension" | "safari-web-extension" => {
            if !is_uuid(rest) {
                return shape(
                    format!("`{rest}` is not the UUID `{scheme}://` origins carry (8-4-4-4-12 hexadecimal digits)"),
                    "copy the UUID from the browser's extension page (about:debugging in Firefox)",
                );
            }
            // Firefox sends it in lower case; Safari as the system wrote it: kept as given.
            if scheme == "moz-extension" {
                rest.to_ascii_lowercase()
            } else {
                rest.to_string()
            }
        }
        // App shells: a host name (`localhost` unless the app configures another), no port.
        _ => {
            let host = rest.to_ascii_lowercase();
            // The host grammar of http(s) entries (labels, lengths, hyphens), without the `_`
            // it lets Docker service names have: app hosts are DNS-style names.
            let valid = matches!(classify_host(&host), Ok(Host::Domain)) && !host.contains('_');
            if !valid {
                return shape(
                    format!("`{rest}` is not a host name; `{scheme}://` origins are `{scheme}://localhost` or another host name the app sets, without a port"),
                    "write the origin the app's pages have, e.g. `capacitor://localhost`",
                );
            }
            host
        }
    };
    Ok(AllowedOrigin::App(format!("{scheme}://{id}")))
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Writes a listed entry, normalized: `https://*.example.com:*`.
pub(crate) fn write_entry(
    f: &mut fmt::Formatter<'_>,
    scheme: Scheme,
    host: &str,
    subdomains: bool,
    port: PortSpec,
) -> fmt::Result {
    write!(f, "{}://", scheme.as_str())?;
    if subdomains {
        f.write_str("*.")?;
    }
    f.write_str(host)?;
    match port {
        PortSpec::Default => Ok(()),
        PortSpec::Exact(p) => write!(f, ":{p}"),
        PortSpec::Any => f.write_str(":*"),
    }
}

pub(crate) fn parse_config_port(scheme: Scheme, text: &str) -> Result<PortSpec, EntryError> {
    let bad = |why: &str| {
        entry_error("origin-port", 
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
