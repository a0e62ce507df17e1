//! Where a policy comes from: the `CORS_*` variables ([`vars`](crate::vars)), any key look-up,
//! a serde-readable [`Settings`] value, or the typed [`Builder`]. Every path ends in
//! [`Settings::build`], the one place where settings are validated.

use http::HeaderValue;

use crate::headers::{self, AllowedHeaders};
use crate::list::{list, Compare, Entries, Star};
use crate::methods::{self, AllowedMethods};
use crate::origin::{self, AllowedOrigin};
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
                // Kept sorted as they come (environments list variables in any order).
                None if key.starts_with("CORS_") => {
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

    fn slot(&mut self, name: &str) -> Option<&mut Option<String>> {
        Some(match name {
            vars::ALLOWED_ORIGINS => &mut self.allowed_origins,
            vars::ALLOWED_METHODS => &mut self.allowed_methods,
            vars::ALLOWED_HEADERS => &mut self.allowed_headers,
            vars::EXPOSE_HEADERS => &mut self.expose_headers,
            vars::ALLOW_CREDENTIALS => &mut self.allow_credentials,
            vars::MAX_AGE => &mut self.max_age,
            vars::ALLOW_PRIVATE_NETWORK => &mut self.allow_private_network,
            _ => return None,
        })
    }

    /// Validates every setting ([`Settings::build`] compiles the result into a policy):
    /// **every** problem at once, as an error when any is an error; otherwise the checked
    /// values with the warnings.
    pub(crate) fn validate(&self) -> Result<Config, ConfigError> {
        let mut problems = Vec::new();
        for name in &self.unknown {
            problems.push(unknown_variable(name));
        }
        let credentials = boolean(
            vars::ALLOW_CREDENTIALS,
            self.allow_credentials.as_deref(),
            &mut problems,
        );
        let private_network = boolean(
            vars::ALLOW_PRIVATE_NETWORK,
            self.allow_private_network.as_deref(),
            &mut problems,
        );
        let entries =
            origin::allowed_origins(self.allowed_origins.as_deref(), credentials, &mut problems);
        if private_network && entries.contains(&AllowedOrigin::Any) {
            problems.push(Problem::error(
                vars::ALLOW_PRIVATE_NETWORK,
                self.allow_private_network.as_deref(),
                "cannot be true while CORS_ALLOWED_ORIGINS is `*`: every public website could then reach this private-network service through its visitors' browsers",
                "list the origins of the pages that may call this service in CORS_ALLOWED_ORIGINS, or set CORS_ALLOW_PRIVATE_NETWORK=false",
            ));
        }

        let method_text = self
            .allowed_methods
            .as_deref()
            .unwrap_or(methods::DEFAULT_METHODS);
        let method_entries = list(
            vars::ALLOWED_METHODS,
            method_text,
            Compare::Exact,
            Star {
                every: "method",
                list_of: "methods",
            },
            &mut problems,
        );
        if method_entries == Entries::Items(Vec::new()) {
            problems.push(Problem::error(
                vars::ALLOWED_METHODS,
                Some(method_text),
                "lists no method",
                format!(
                    "remove the variable for the default ({}), or list methods",
                    methods::DEFAULT_METHODS
                ),
            ));
        }
        let methods = AllowedMethods::parse(method_entries, &mut problems);

        let header_text = self
            .allowed_headers
            .as_deref()
            .unwrap_or(headers::DEFAULT_HEADERS);
        let header_entries = list(
            vars::ALLOWED_HEADERS,
            header_text,
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
            self.expose_headers.as_deref().unwrap_or(""),
            Compare::IgnoreCase,
            Star {
                every: "response header",
                list_of: "header names",
            },
            &mut problems,
        );
        let expose = headers::expose_headers(expose_entries, credentials, &mut problems);

        let max_age = max_age(self.max_age.as_deref(), &mut problems);

        if problems.iter().any(|p| p.severity() == Severity::Error) {
            return Err(ConfigError::new(problems));
        }
        Ok(Config {
            entries,
            methods,
            headers: allowed_headers,
            credentials,
            private_network,
            max_age,
            expose,
            warnings: problems,
        })
    }
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
    pub(crate) max_age: u64,
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
    settings: Settings,
}

fn join<I, S>(items: I) -> String
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    items
        .into_iter()
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(",")
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
        self.settings.allowed_origins = Some(join(origins));
        self
    }

    /// `CORS_ALLOWED_METHODS`: method names (case-sensitive), or `*`.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).allowed_methods([http::Method::GET]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn allowed_methods<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, methods: I) -> Self {
        self.settings.allowed_methods = Some(join(methods));
        self
    }

    /// `CORS_ALLOWED_HEADERS`: request header names, or `*` (answered by echoing the names).
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).allowed_headers(["*"]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn allowed_headers<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, headers: I) -> Self {
        self.settings.allowed_headers = Some(join(headers));
        self
    }

    /// `CORS_EXPOSE_HEADERS`: response headers scripts may read.
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).expose_headers(["ETag"]).build().unwrap();
    /// # let _ = p;
    /// ```
    pub fn expose_headers<I: IntoIterator<Item = S>, S: AsRef<str>>(mut self, headers: I) -> Self {
        self.settings.expose_headers = Some(join(headers));
        self
    }

    /// `CORS_ALLOW_CREDENTIALS`.
    ///
    /// ```
    /// let err = preflight::Policy::builder().allowed_origins(["*"]).allow_credentials(true).build().unwrap_err();
    /// assert!(err.to_string().contains("credentials"));
    /// ```
    pub fn allow_credentials(mut self, yes: bool) -> Self {
        self.settings.allow_credentials = Some(yes.to_string());
        self
    }

    /// `CORS_MAX_AGE`, in seconds (0 disables preflight caching; at most 86400).
    ///
    /// ```
    /// let p = preflight::Policy::builder().allowed_origins(["*"]).max_age(0).build().unwrap();
    /// assert_eq!(p.max_age(), 0);
    /// ```
    pub fn max_age(mut self, seconds: u64) -> Self {
        self.settings.max_age = Some(seconds.to_string());
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
        self.settings.allow_private_network = Some(yes.to_string());
        self
    }

    /// The settings written so far.
    ///
    /// ```
    /// let b = preflight::Policy::builder().allowed_origins(["https://a.example", "https://b.example"]);
    /// assert_eq!(b.settings().allowed_origins.as_deref(), Some("https://a.example,https://b.example"));
    /// ```
    pub fn settings(&self) -> &Settings {
        &self.settings
    }
}

fn boolean(var: &'static str, text: Option<&str>, problems: &mut Vec<Problem>) -> bool {
    let Some(text) = text else { return false };
    let value = text.trim();
    if value.eq_ignore_ascii_case("true") {
        true
    } else if value.eq_ignore_ascii_case("false") {
        false
    } else {
        problems.push(Problem::error(
            var,
            Some(text),
            "is not a boolean",
            "write true or false (remove the variable for the default, false)",
        ));
        false
    }
}

fn max_age(text: Option<&str>, problems: &mut Vec<Problem>) -> u64 {
    let var = vars::MAX_AGE;
    let Some(text) = text else {
        return DEFAULT_MAX_AGE;
    };
    let value = text.trim();
    let fix = format!("write a number of seconds from 0 (no caching) to {MAX_MAX_AGE}; the default is {DEFAULT_MAX_AGE}");
    if value.starts_with('-') {
        problems.push(Problem::error(var, Some(text), "is negative", fix));
        return DEFAULT_MAX_AGE;
    }
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        problems.push(Problem::error(
            var,
            Some(text),
            "is not a whole number of seconds",
            fix,
        ));
        return DEFAULT_MAX_AGE;
    }
    match value.parse::<u64>() {
        Ok(seconds) if seconds <= DEFAULT_MAX_AGE => seconds,
        Ok(seconds) if seconds <= MAX_MAX_AGE => {
            problems.push(Problem::warning(var, Some(text), format!("Chromium caps the preflight cache at {DEFAULT_MAX_AGE} s; only Firefox honours up to {MAX_MAX_AGE} s"), format!("write {DEFAULT_MAX_AGE} or less to get the same caching everywhere")));
            seconds
        }
        _ => {
            problems.push(Problem::error(
                var,
                Some(text),
                format!("is above {MAX_MAX_AGE} s (one day), more than any browser honours"),
                fix,
            ));
            DEFAULT_MAX_AGE
        }
    }
}

fn unknown_variable(name: &str) -> Problem {
    let best = vars::ALL
        .iter()
        .map(|known| (strsim::levenshtein(name, known), *known))
        .min();
    let fix = match best {
        Some((distance, known)) if distance <= 4 => format!("did you mean {known}?"),
        _ => format!("the known variables are {}", vars::ALL.join(", ")),
    };
    Problem::warning(
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
