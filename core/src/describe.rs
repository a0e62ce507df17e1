//! What a compiled policy allows, as typed values: what [`Policy`](crate::Policy)'s one-line
//! `Display` prints, and what tools (`preflight explain`) put into words, so that neither
//! parses the other's text.

use std::fmt;

use crate::origin::{write_entry, AllowedOrigin, PortSpec, Scheme};

/// A policy, described ([`Policy::describe`](crate::Policy::describe)).
///
/// ```
/// use preflight::describe::{Listed, OriginEntry, Ports};
///
/// let policy = preflight::Policy::builder()
///     .allowed_origins(["https://app.example.com", "https://*.preview.example.com:*"])
///     .allowed_methods(["GET", "PUT"])
///     .build()
///     .unwrap();
/// let description = policy.describe();
/// assert_eq!(description.origins[1], OriginEntry::Listed {
///     scheme: preflight::Scheme::Https,
///     host: "preview.example.com",
///     subdomains: true,
///     ports: Ports::Any,
/// });
/// assert_eq!(description.methods, Listed::Names(vec!["GET", "PUT"]));
/// assert_eq!(description.max_age, 7200);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Description<'p> {
    /// `CORS_ALLOWED_ORIGINS`, normalized.
    pub origins: Vec<OriginEntry<'p>>,
    /// `CORS_ALLOWED_METHODS`: `*`, or the methods as compared (case-sensitive).
    pub methods: Listed<'p>,
    /// `CORS_ALLOWED_HEADERS`: `*` (the requested names are echoed), or the names.
    pub request_headers: Listed<'p>,
    /// `Access-Control-Expose-Headers` as sent (`None`: nothing beyond the safelisted).
    pub exposed_headers: Option<&'p str>,
    /// `Access-Control-Allow-Credentials: true` is sent.
    pub credentials: bool,
    /// `Access-Control-Max-Age`, in seconds.
    pub max_age: u64,
    /// Private network access preflights are answered with the grant.
    pub private_network: bool,
    /// State-changing requests from other sites are refused before the handler
    /// (`CORS_REFUSE_CROSS_SITE`).
    pub refuse_cross_site: bool,
    /// A function decides origins the list does not name (`Builder::allow_origin_if`).
    pub origin_function: bool,
}

/// A list setting: `*`, or its entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listed<'p> {
    /// `*`.
    Any,
    /// The entries.
    Names(Vec<&'p str>),
}

/// One `CORS_ALLOWED_ORIGINS` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginEntry<'p> {
    /// `*`: every origin.
    Any,
    /// An exact origin, a subdomain pattern or a port wildcard, or both.
    Listed {
        /// `http` or `https`.
        scheme: Scheme,
        /// The host; for a pattern, the base after `*.`.
        host: &'p str,
        /// `*.` before the host: one or more labels, never the base itself.
        subdomains: bool,
        /// Which ports.
        ports: Ports,
    },
    /// The exact origin of an app shell or a browser extension (`capacitor://localhost`,
    /// `chrome-extension://<id>`).
    App(&'p str),
}

/// The ports an origin entry accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ports {
    /// The scheme's default port only (no port in the origin).
    Default,
    /// This explicit port only.
    Exact(u16),
    /// `:*`: any explicit port and the default one.
    Any,
}

impl<'p> From<&'p AllowedOrigin> for OriginEntry<'p> {
    fn from(origin: &'p AllowedOrigin) -> Self {
        match origin {
            AllowedOrigin::Any => OriginEntry::Any,
            AllowedOrigin::App(origin) => OriginEntry::App(origin),
            AllowedOrigin::Listed {
                scheme,
                host,
                subdomains,
                port,
            } => OriginEntry::Listed {
                scheme: *scheme,
                host,
                subdomains: *subdomains,
                ports: match port {
                    PortSpec::Default => Ports::Default,
                    PortSpec::Exact(p) => Ports::Exact(*p),
                    PortSpec::Any => Ports::Any,
                },
            },
        }
    }
}

impl fmt::Display for OriginEntry<'_> {
    /// The entry as it is written, normalized: `https://*.example.com:*`.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["HTTPS://App.Example.com:443"]).build().unwrap();
    /// assert_eq!(policy.describe().origins[0].to_string(), "https://app.example.com");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OriginEntry::Any => f.write_str("*"),
            OriginEntry::App(origin) => f.write_str(origin),
            OriginEntry::Listed {
                scheme,
                host,
                subdomains,
                ports,
            } => {
                let port = match ports {
                    Ports::Default => PortSpec::Default,
                    Ports::Exact(p) => PortSpec::Exact(*p),
                    Ports::Any => PortSpec::Any,
                };
                write_entry(f, *scheme, host, *subdomains, port)
            }
        }
    }
}

impl fmt::Display for Listed<'_> {
    /// `*`, or the entries joined with `, `.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["*"]).allowed_headers(["X-A", "X-B"]).build().unwrap();
    /// assert_eq!(policy.describe().request_headers.to_string(), "x-a, x-b");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Listed::Any => f.write_str("*"),
            Listed::Names(names) => f.write_str(&names.join(", ")),
        }
    }
}

impl fmt::Display for Description<'_> {
    /// The policy in one line of plain words (what the adapters log at cold start).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut origins: Vec<String> = self.origins.iter().map(ToString::to_string).collect();
        if origins.is_empty() {
            origins.push("none listed".into());
        }
        let yes_no = |yes: bool| if yes { "yes" } else { "no" };
        write!(
            f,
            "origins {}; methods {}; request headers {}; exposed headers {}; credentials {}; preflight cache {} s; private network {}",
            origins.join(", "),
            self.methods,
            self.request_headers,
            self.exposed_headers.unwrap_or("none"),
            yes_no(self.credentials),
            self.max_age,
            yes_no(self.private_network),
        )?;
        // Only when on, so that the line of every policy without them stays as it was.
        if self.origin_function {
            f.write_str("; and the origins a function allows")?;
        }
        if self.refuse_cross_site {
            f.write_str("; cross-site requests refused")?;
        }
        Ok(())
    }
}
