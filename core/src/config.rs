//! Where a policy comes from: the `CORS_*` variables ([`vars`](crate::vars)), any key look-up,
//! a serde-readable [`Settings`] value, or the typed [`Builder`]. Every path ends in
//! [`Settings::build`], the one place where settings are validated.

use http::HeaderValue;

use crate::headers::{self, AllowedHeaders};
use crate::list::{list, Compare, Entries, Given, Star};
use crate::methods::{self, AllowedMethods};
use crate::origin::{self, AllowedOrigin, Origin, OriginPredicate};
use crate::problem::{ConfigError, Problem, Severity};
use crate::vars;

/// The default of `CORS_MAX_AGE`, in seconds: Chromium's cap.
pub const DEFAULT_MAX_AGE: u64 = 7200;

/// The largest `CORS_MAX_AGE` accepted: Firefox's cap, the most any browser honours.
pub const MAX_MAX_AGE: u64 = 86400;

/// The raw settings, one optional text per `CORS_*` variable, exactly as written.
/// `None` means "not set" (the default applies). Nothing is checked until [`Settings::build`].
///
/// With the `serde` feature it deserializes from a configuration file; each field takes a
/// string, a list of strings, a boolean or a number, under its snake-case name or its variable
/// name, and unknown fields are refused:
///
/// ```
/// # #[cfg(feature = "serde")] {
/// let settings: preflight::Settings = serde_json::from_str(r#"{
///     "allowed_origins": ["https://app.example.com", "https://admin.example.com"],
///     "allow_credentials": true,
///     "max_age": 600
/// }"#).unwrap();
/// let policy = settings.build().unwrap();
/// assert!(policy.allows_credentials());
/// # }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Settings {
    /// `CORS_ALLOWED_ORIGINS`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_ALLOWED_ORIGINS",
            deserialize_with = "text::deserialize"
        )
    )]
    pub allowed_origins: Option<String>,
    /// `CORS_ALLOWED_METHODS`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_ALLOWED_METHODS",
            deserialize_with = "text::deserialize"
        )
    )]
    pub allowed_methods: Option<String>,
    /// `CORS_ALLOWED_HEADERS`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_ALLOWED_HEADERS",
            deserialize_with = "text::deserialize"
        )
    )]
    pub allowed_headers: Option<String>,
    /// `CORS_EXPOSE_HEADERS`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_EXPOSE_HEADERS",
            deserialize_with = "text::deserialize"
        )
    )]
    pub expose_headers: Option<String>,
    /// `CORS_ALLOW_CREDENTIALS`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_ALLOW_CREDENTIALS",
            deserialize_with = "text::deserialize"
        )
    )]
    pub allow_credentials: Option<String>,
    /// `CORS_MAX_AGE`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_MAX_AGE",
            deserialize_with = "text::deserialize"
        )
    )]
    pub max_age: Option<String>,
    /// `CORS_ALLOW_PRIVATE_NETWORK`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_ALLOW_PRIVATE_NETWORK",
            deserialize_with = "text::deserialize"
        )
    )]
    pub allow_private_network: Option<String>,
    /// `CORS_REFUSE_CROSS_SITE`
    #[cfg_attr(
        feature = "serde",
        serde(
            default,
            alias = "CORS_REFUSE_CROSS_SITE",
            deserialize_with = "text::deserialize"
        )
    )]
    pub refuse_cross_site: Option<String>,
    /// Variables whose name starts with `CORS_` but is not one of ours (typos), as seen by
    /// [`Settings::from_vars`]; each becomes a warning with a did-you-mean.
    #[cfg_attr(feature = "serde", serde(skip))]
    pub unknown: Vec<String>,
}

impl Settings {
    /// Reads the process environment (see [`Settings::from_vars`]).
    ///
    /// ```
    /// let settings = preflight::Settings::from_env();
    /// # let _ = settings;
    /// ```
    pub fn from_env() -> Settings {
        Settings::from_vars(
            std::env::vars_os().filter_map(|(k, v)| {
                Some((k.into_string().ok()?, v.to_string_lossy().into_owned()))
            }),
        )
    }

    /// Reads `(name, value)` pairs: the `CORS_*` ones are taken, other `CORS_` names are
    /// remembered as [`unknown`](Settings::unknown) (likely typos), the rest is ignored.
    ///
    /// ```
    /// let settings = preflight::Settings::from_vars([
    ///     ("CORS_ALLOWED_ORIGIN", "https://app.example.com"),
    ///     ("PATH", "/usr/bin"),
    /// ]);
    /// let err = settings.build().unwrap_err();
    /// let report = err.to_string();
    /// assert!(report.contains("did you mean CORS_ALLOWED_ORIGINS"), "{report}");
    /// ```
    pub fn from_vars<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Settings
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut settings = Settings::default();
        for (key, value) in pairs {
            let key = key.as_ref();
            match settings.slot(key) {
                Some(slot) => *slot = Some(value.into()),
                // A named policy's variable (`CORS_PUBLIC_MAX_AGE`) is not a typo: `Policies`
                // reads it. Typos are kept sorted as they come (environments list variables
                // in any order).
                None if vars::is_unknown(key) => {
                    let at = settings
                        .unknown
                        .partition_point(|known| known.as_str() < key);
                    settings.unknown.insert(at, key.to_string());
                }
                None => {}
            }
        }
        settings
    }

    /// Reads each `CORS_*` variable through `lookup` (e.g. Workers bindings, which cannot be
    /// listed, so unknown names are not reported on this path).
    ///
    /// ```
    /// let settings = preflight::Settings::from_lookup(|key| {
    ///     (key == "CORS_ALLOWED_ORIGINS").then(|| "https://app.example.com".to_string())
    /// });
    /// assert_eq!(settings.allowed_origins.as_deref(), Some("https://app.example.com"));
    /// ```
    pub fn from_lookup(mut lookup: impl FnMut(&str) -> Option<String>) -> Settings {
        let mut settings = Settings::default();
        for name in vars::ALL {
            if let Some(slot) = settings.slot(name) {
                *slot = lookup(name);
            }
        }
        settings
    }

    /// The value read for a `CORS_*` variable (`None`: not set, or not a variable of ours).
    ///
    /// ```
    /// let settings = preflight::Settings::from_vars([("CORS_MAX_AGE", "600")]);
    /// assert_eq!(settings.get("CORS_MAX_AGE"), Some("600"));
    /// assert_eq!(settings.get("CORS_ALLOWED_ORIGINS"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        match name {
            vars::ALLOWED_ORIGINS => &self.allowed_origins,
            vars::ALLOWED_METHODS => &self.allowed_methods,
            vars::ALLOWED_HEADERS => &self.allowed_headers,
            vars::EXPOSE_HEADERS => &self.expose_headers,
            vars::ALLOW_CREDENTIALS => &self.allow_credentials,
            vars::MAX_AGE => &self.max_age,
            vars::ALLOW_PRIVATE_NETWORK => &self.allow_private_network,
            vars::REFUSE_CROSS_SITE => &self.refuse_cross_site,
            _ => return None,
        }
        .as_deref()
    }

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            vars::ALLOWED_ORIGINS => &mut self.allowed_origins,
            vars::ALLOWED_METHODS => &mut self.allowed_methods,
            vars::ALLOWED_HEADERS => &mut self.allowed_headers,
            vars::EXPOSE_HEADERS => &mut self.expose_headers,
            vars::ALLOW_CREDENTIALS => &mut self.allow_credentials,
            vars::MAX_AGE => &mut self.max_age,
            vars::ALLOW_PRIVATE_NETWORK => &mut self.allow_private_network,
            vars::REFUSE_CROSS_SITE => &mut self.refuse_cross_site,
            _ => return None,
        })
    }

    /// Validates every setting ([`Settings::build`] compiles the result into a policy).
    pub(crate) fn validate(&self) -> Result<Config, ConfigError> {
        self.validate_with(None)
    }

    /// [`Settings::validate`] with an origin function ([`Settings::build_with`]).
    pub(crate) fn validate_with(
        &self,
        predicate: Option<&OriginPredicate>,
    ) -> Result<Config, ConfigError> {
        fn text(value: &Option<String>) -> Option<Given<'_>> {
            value.as_deref().map(Given::Text)
        }
        fn flag<T>(value: &Option<String>) -> Option<Value<'_, T>> {
            value.as_deref().map(Value::Text)
        }
        validate(Input {
            origins: text(&self.allowed_origins),
            methods: text(&self.allowed_methods),
            headers: text(&self.allowed_headers),
            expose: text(&self.expose_headers),
            credentials: flag(&self.allow_credentials),
            max_age: flag(&self.max_age),
            private_network: flag(&self.allow_private_network),
            cross_site: flag(&self.refuse_cross_site),
            predicate,
            unknown: &self.unknown,
        })
    }
}

/// The settings as given, text or typed: what [`validate`] reads.
struct Input<'a> {
    origins: Option<Given<'a>>,
    methods: Option<Given<'a>>,
    headers: Option<Given<'a>>,
    expose: Option<Given<'a>>,
    credentials: Option<Value<'a, bool>>,
    max_age: Option<Value<'a, u64>>,
    private_network: Option<Value<'a, bool>>,
    cross_site: Option<Value<'a, bool>>,
    predicate: Option<&'a OriginPredicate>,
    unknown: &'a [String],
}

/// A single value as given: the text of a variable, or the typed builder's value.
#[derive(Clone, Copy)]
enum Value<'a, T> {
    Text(&'a str),
    Typed(T),
}

impl<T: ToString + Copy> Value<'_, T> {
    fn shown(&self) -> String {
        match self {
            Value::Text(text) => text.to_string(),
            Value::Typed(value) => value.to_string(),
        }
    }
}

/// Validates every setting: **every** problem at once, as an error when any is an error;
/// otherwise the checked values with the warnings.
fn validate(input: Input<'_>) -> Result<Config, ConfigError> {
    let mut problems = Vec::new();
    for name in input.unknown {
        problems.push(unknown_variable(name));
    }
    let credentials = boolean(vars::ALLOW_CREDENTIALS, input.credentials, &mut problems);
    let private_network = boolean(
        vars::ALLOW_PRIVATE_NETWORK,
        input.private_network,
        &mut problems,
    );
    let refuse_cross_site = boolean(vars::REFUSE_CROSS_SITE, input.cross_site, &mut problems);
    let entries = origin::allowed_origins(
        input.origins,
        credentials,
        input.predicate.is_some(),
        &mut problems,
    );
    if let Some(canary) = input.predicate.and_then(OriginPredicate::allows_a_canary) {
        let reason = format!("the origin function (`Builder::allow_origin_if`) allows `{canary}`, an origin no page has (the `.invalid` domain never resolves): it allows every origin");
        if credentials {
            problems.push(Problem::error(
                "origin-predicate-allows-any",
                vars::ALLOWED_ORIGINS,
                None,
                format!("{reason}, which with CORS_ALLOW_CREDENTIALS=true would let any website read your users' data"),
                "make the function answer yes only for the origins you know (look them up), or set CORS_ALLOW_CREDENTIALS=false",
            ));
        } else {
            problems.push(Problem::warning(
                "origin-predicate-allows-any",
                vars::ALLOWED_ORIGINS,
                None,
                reason,
                "make the function answer yes only for the origins you know, or use CORS_ALLOWED_ORIGINS=* for a public API",
            ));
        }
    }
    if refuse_cross_site && entries.contains(&AllowedOrigin::Any) {
        problems.push(Problem::warning(
            "cross-site-guard-with-any-origin",
            vars::REFUSE_CROSS_SITE,
            input.cross_site.map(|v| v.shown()).as_deref(),
            "refuses almost nothing while CORS_ALLOWED_ORIGINS is `*`: every origin is allowed, so only a cross-site request without an Origin header is refused",
            "list the origins of the pages that may call this service in CORS_ALLOWED_ORIGINS",
        ));
    }
    if private_network && entries.contains(&AllowedOrigin::Any) {
        problems.push(Problem::error("private-network-with-any-origin", 
            vars::ALLOW_PRIVATE_NETWORK,
            input.private_network.map(|v| v.shown()).as_deref(),
            "cannot be true while CORS_ALLOWED_ORIGINS is `*`: every public website could then reach this private-network service through its visitors' browsers",
            "list the origins of the pages that may call this service in CORS_ALLOWED_ORIGINS, or set CORS_ALLOW_PRIVATE_NETWORK=false",
        ));
    }

    let method_list = input
        .methods
        .unwrap_or(Given::Text(methods::DEFAULT_METHODS));
    let method_entries = list(
        vars::ALLOWED_METHODS,
        method_list,
        Compare::Exact,
        Star {
            every: "method",
            list_of: "methods",
        },
        &mut problems,
    );
    if method_entries == Entries::Items(Vec::new()) {
        problems.push(Problem::error(
            "methods-empty",
            vars::ALLOWED_METHODS,
            Some(&method_list.shown()),
            "lists no method",
            format!(
                "remove the variable for the default ({}), or list methods",
                methods::DEFAULT_METHODS
            ),
        ));
    }
    let methods = AllowedMethods::parse(method_entries, &mut problems);

    let header_entries = list(
        vars::ALLOWED_HEADERS,
        input
            .headers
            .unwrap_or(Given::Text(headers::DEFAULT_HEADERS)),
        Compare::IgnoreCase,
        Star {
            every: "requested header",
            list_of: "header names",
        },
        &mut problems,
    );
    let allowed_headers = AllowedHeaders::parse(header_entries, &mut problems);

    let expose_entries = list(
        vars::EXPOSE_HEADERS,
        input.expose.unwrap_or(Given::Text("")),
        Compare::IgnoreCase,
        Star {
            every: "response header",
            list_of: "header names",
        },
        &mut problems,
    );
    let expose = headers::expose_headers(expose_entries, credentials, &mut problems);

    let max_age = max_age(input.max_age, &mut problems);

    if problems.iter().any(|p| p.severity() == Severity::Error) {
        return Err(ConfigError::new(problems));
    }
    Ok(Config {
        entries,
        methods,
        headers: allowed_headers,
        credentials,
        private_network,
        refuse_cross_site,
        max_age,
        expose,
        predicate: input.predicate.cloned(),
        warnings: problems,
    })
}

/// Settings once validated: what [`Policy`](crate::Policy) is compiled from.
#[derive(Debug)]
pub(crate) struct Config {
    /// `CORS_ALLOWED_ORIGINS`, parsed, without repeats.
    pub(crate) entries: Vec<AllowedOrigin>,
    pub(crate) methods: AllowedMethods,
    pub(crate) headers: AllowedHeaders,
    pub(crate) credentials: bool,
    pub(crate) private_network: bool,
    pub(crate) refuse_cross_site: bool,
    pub(crate) max_age: u64,
    /// The function that decides origins the list does not name.
    pub(crate) predicate: Option<OriginPredicate>,
    /// The `Access-Control-Expose-Headers` value, when any.
    pub(crate) expose: Option<HeaderValue>,
    /// What is questionable but valid.
    pub(crate) warnings: Vec<Problem>,
}

/// A typed way to write [`Settings`]; [`Builder::build`] runs the same validation as the
/// environment path.
///
/// ```
/// use preflight::Policy;
///
/// let policy = Policy::builder()
///     .allowed_origins(["https://app.example.com"])
///     .allowed_methods(["GET", "PUT"])
///     .allowed_headers(["Authorization", "Content-Type", "X-Request-Id"])
///     .expose_headers(["X-Request-Id"])
///     .allow_credentials(true)
///     .max_age(600)
///     .build()
///     .unwrap();
/// assert_eq!(policy.max_age(), 600);
/// ```
#[derive(Debug, Clone, Default)]
pub struct Builder {
    origins: Option<Vec<String>>,
    methods: Option<Vec<String>>,
    headers: Option<Vec<String>>,
    expose: Option<Vec<String>>,
    credentials: Option<bool>,
    max_age: Option<u64>,
    private_network: Option<bool>,
    cross_site: Option<bool>,
    predicate: Option<OriginPredicate>,
}

/// The builder's items: each one entry, never split again.
fn items<I: IntoIterator<Item = S>, S: AsRef<str>>(items: I) -> Option<Vec<String>> {
    Some(items.into_iter().map(|s| s.as_ref().to_string()).collect())
}

impl Builder {
    /// `CORS_ALLOWED_ORIGINS`: exact origins, `https://*.example.com` patterns,
    /// `http://localhost:*` port wildcards, or `*` alone.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["https://a.example"]).build().unwrap();
    /// assert!(p.allows_origin("https://a.example"));
    /// ```
    pub fn allowed_origins<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, origins: I) -> Self {
        self.origins = items(origins);
        self
    }

    /// `CORS_ALLOWED_METHODS`: method names (case-sensitive), or `*`.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).allowed_methods([http::Method::GET]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn allowed_methods<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, methods: I) -> Self {
        self.methods = items(methods);
        self
    }

    /// `CORS_ALLOWED_HEADERS`: request header names, or `*` (answered by echoing the names).
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).allowed_headers(["*"]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn allowed_headers<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, headers: I) -> Self {
        self.headers = items(headers);
        self
    }

    /// `CORS_EXPOSE_HEADERS`: response headers scripts may read.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).expose_headers(["ETag"]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn expose_headers<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, headers: I) -> Self {
        self.expose = items(headers);
        self
    }

    /// `CORS_ALLOW_CREDENTIALS`.
    ///
    /// ```
    /// let err = preflight::Policy::builder().allowed_origins(["*"]).allow_credentials(true).build().unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// ```
    pub fn allow_credentials(mut self, yes: bool) -> Self {
        self.credentials = Some(yes);
        self
    }

    /// `CORS_MAX_AGE`, in seconds (0 disables preflight caching; at most 86400).
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).max_age(0).build().unwrap();
    /// assert_eq!(p.max_age(), 0);
    /// ```
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// `CORS_ALLOW_PRIVATE_NETWORK`.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).allow_private_network(true).build().unwrap();
    /// # let _ = p;
    /// // Never with `*`: every public website could reach the private service.
    /// assert!(preflight::Policy::builder().allowed_origins(["*"]).allow_private_network(true).build().is_err());
    /// ```
    pub fn allow_private_network(mut self, yes: bool) -> Self {
        self.private_network = Some(yes);
        self
    }

    /// `CORS_REFUSE_CROSS_SITE`: refuse, with a `403` before the handler, a state-changing
    /// request (not `GET`, `HEAD` or `OPTIONS`) sent by a browser from another site whose
    /// origin is not allowed.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).refuse_cross_site(true).build().unwrap();
    /// assert!(p.refuses_cross_site());
    /// ```
    pub fn refuse_cross_site(mut self, yes: bool) -> Self {
        self.cross_site = Some(yes);
        self
    }

    /// Allows, besides the listed origins, every origin `predicate` says yes to: for
    /// allowlists kept elsewhere (a tenant table). The function sees only the request's
    /// origin, parsed and validated (never `null`, a malformed or a repeated `Origin`, nor
    /// anything else of the request), and runs only for origins the list does not name.
    /// With a function, `CORS_ALLOWED_ORIGINS` may be left out.
    ///
    /// It cannot weaken the rules: at build time it is asked about origins no page has (the
    /// `.invalid` domain); a yes means it allows every origin, an error with credentials
    /// (`origin-predicate-allows-any`) and a warning without. With credentials, its yes for an
    /// `http://` origin on a host other than localhost counts as no. Keep it fast and
    /// synchronous: it runs on every request from an unlisted origin. For an allowlist that
    /// must be fetched, load it into memory beside the function (refreshed in the background)
    /// and look it up there (see the README's "Origins decided by a function").
    ///
    /// ```
    /// use std::collections::HashSet;
    /// use preflight::Policy;
    ///
    /// let tenants: HashSet<&str> = ["acme.example", "globex.example"].into();
    /// let policy = Policy::builder()
    ///     .allow_origin_if(move |origin| {
    ///         origin.scheme() == preflight::Scheme::Https && tenants.contains(origin.host())
    ///     })
    ///     .allow_credentials(true)
    ///     .build()
    ///     .unwrap();
    /// assert!(policy.allows_origin("https://acme.example"));
    /// assert!(!policy.allows_origin("https://evil.example"));
    ///
    /// // A function that says yes to everything cannot be built with credentials.
    /// let open = Policy::builder().allow_origin_if(|_| true).allow_credentials(true).build();
    /// assert_eq!(open.unwrap_err().errors().next().unwrap().code(), "origin-predicate-allows-any");
    /// ```
    pub fn allow_origin_if(
        mut self,
        predicate: impl Fn(&Origin<'_>) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.predicate = Some(OriginPredicate::new(predicate));
        self
    }

    /// Validates the values ([`Builder::build`] compiles the result into a policy).
    pub(crate) fn validate(&self) -> Result<Config, ConfigError> {
        fn list(items: &Option<Vec<String>>) -> Option<Given<'_>> {
            items.as_deref().map(Given::Items)
        }
        validate(Input {
            origins: list(&self.origins),
            methods: list(&self.methods),
            headers: list(&self.headers),
            expose: list(&self.expose),
            credentials: self.credentials.map(Value::Typed),
            max_age: self.max_age.map(Value::Typed),
            private_network: self.private_network.map(Value::Typed),
            cross_site: self.cross_site.map(Value::Typed),
            predicate: self.predicate.as_ref(),
            unknown: &[],
        })
    }
}

fn boolean(var: &'static str, value: Option<Value<'_, bool>>, problems: &mut Vec<Problem>) -> bool {
    let text = match value {
        None => return false,
        Some(Value::Typed(yes)) => return yes,
        Some(Value::Text(text)) => text,
    };
    let value = text.trim();
    if value.eq_ignore_ascii_case("true") {
        true
    } else if value.eq_ignore_ascii_case("false") {
        false
    } else {
        problems.push(Problem::error(
            "boolean-invalid",
            var,
            Some(text),
            "is not a boolean",
            "write true or false (remove the variable for the default, false)",
        ));
        false
    }
}

fn max_age(value: Option<Value<'_, u64>>, problems: &mut Vec<Problem>) -> u64 {
    let var = vars::MAX_AGE;
    let fix = format!("write a number of seconds from 0 (no caching) to {MAX_MAX_AGE}; the default is {DEFAULT_MAX_AGE}");
    let (seconds, shown) = match value {
        None => return DEFAULT_MAX_AGE,
        Some(Value::Typed(seconds)) => (Some(seconds), seconds.to_string()),
        Some(Value::Text(text)) => {
            let value = text.trim();
            if value.starts_with('-') {
                problems.push(Problem::error(
                    "max-age-negative",
                    var,
                    Some(text),
                    "is negative",
                    fix,
                ));
                return DEFAULT_MAX_AGE;
            }
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                problems.push(Problem::error(
                    "max-age-not-a-number",
                    var,
                    Some(text),
                    "is not a whole number of seconds",
                    fix,
                ));
                return DEFAULT_MAX_AGE;
            }
            (value.parse::<u64>().ok(), text.to_string())
        }
    };
    match seconds {
        Some(seconds) if seconds <= DEFAULT_MAX_AGE => seconds,
        Some(seconds) if seconds <= MAX_MAX_AGE => {
            problems.push(Problem::warning("max-age-above-chromium-cap", var, Some(&shown), format!("Chromium caps the preflight cache at {DEFAULT_MAX_AGE} s; only Firefox honours up to {MAX_MAX_AGE} s"), format!("write {DEFAULT_MAX_AGE} or less to get the same caching everywhere")));
            seconds
        }
        _ => {
            problems.push(Problem::error(
                "max-age-too-large",
                var,
                Some(&shown),
                format!("is above {MAX_MAX_AGE} s (one day), more than any browser honours"),
                fix,
            ));
            DEFAULT_MAX_AGE
        }
    }
}

pub(crate) fn unknown_variable(name: &str) -> Problem {
    // The nearest known name: one of the default policy's, or a named policy's variable with
    // the same policy part (every `_` after `CORS_` is tried as the end of a policy name), so
    // `CORS_PUBLIC_ALLOWED_ORIGIN` gets `CORS_PUBLIC_ALLOWED_ORIGINS`.
    let rest = name.strip_prefix(vars::PREFIX).unwrap_or(name);
    let policies = std::iter::once(None).chain(
        rest.match_indices('_')
            .map(|(at, _)| &rest[..at])
            .filter(|policy| vars::is_policy_name(policy))
            .map(Some),
    );
    // Case does not count: `CORS_public_MAX_AGE` is one step from `CORS_PUBLIC_MAX_AGE`.
    let upper = name.to_ascii_uppercase();
    let best = policies
        .flat_map(|policy| {
            let upper = &upper;
            vars::ALL.iter().map(move |known| {
                let candidate = vars::named(known, policy);
                (strsim::levenshtein(upper, &candidate), candidate)
            })
        })
        .min();
    let fix = match best {
        Some((distance, known)) if distance <= 4 => format!("did you mean {known}?"),
        _ => format!("the known variables are {}", vars::ALL.join(", ")),
    };
    Problem::warning(
        "unknown-variable",
        name.to_string(),
        None,
        "is not a preflight variable and is ignored",
        fix,
    )
}

#[cfg(feature = "serde")]
mod text {
    //! Deserializes a setting from a string, a list of strings, a boolean or a number.
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Text {
        One(String),
        Many(Vec<String>),
        Bool(bool),
        Number(u64),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        Ok(Option::<Text>::deserialize(d)?.map(|t| match t {
            Text::One(s) => s,
            Text::Many(v) => v.join(","),
            Text::Bool(b) => b.to_string(),
            Text::Number(n) => n.to_string(),
        }))
    }
}
