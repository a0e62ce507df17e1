//! Where a policy comes from: the `CORS_*` variables ([`vars`](crate::vars)), any key look-up,
//! a serde-readable [`Settings`] value, or the typed [`Builder`]. Every path ends in
//! [`Settings::build`], the one place where settings are validated.

use http::HeaderValue;

use crate::headers::{self, AllowedHeaders};
use crate::methods::{self, AllowedMethods};
use crate::origin::AllowedOrigin;
use crate::problem::{ConfigError, Problem, Severity};
use crate::suffix;
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
        let entries = origins(self.allowed_origins.as_deref(), credentials, &mut problems);
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
            &mut problems,
        );
        if method_entries.is_empty() {
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
        let methods = AllowedMethods::parse(&method_entries, &mut problems);

        let header_text = self
            .allowed_headers
            .as_deref()
            .unwrap_or(headers::DEFAULT_HEADERS);
        let header_entries = list(
            vars::ALLOWED_HEADERS,
            header_text,
            Compare::IgnoreCase,
            &mut problems,
        );
        let allowed_headers = AllowedHeaders::parse(&header_entries, &mut problems);

        let expose_entries = list(
            vars::EXPOSE_HEADERS,
            self.expose_headers.as_deref().unwrap_or(""),
            Compare::IgnoreCase,
            &mut problems,
        );
        let expose = headers::expose_headers(&expose_entries, credentials, &mut problems);

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

/// How the entries of a list compare when looking for repeats: each list by its own rule.
#[derive(Clone, Copy)]
enum Compare {
    /// Byte for byte: methods (`PATCH` and `patch` are two methods), and origins, whose
    /// repeats once normalized are found by their own check.
    Exact,
    /// Header names.
    IgnoreCase,
}

/// Splits a comma-separated list, trimming spaces; warns about empty and repeated entries.
fn list<'a>(
    var: &'static str,
    text: &'a str,
    compare: Compare,
    problems: &mut Vec<Problem>,
) -> Vec<&'a str> {
    let mut entries: Vec<&'a str> = Vec::new();
    if text.trim().is_empty() {
        return entries;
    }
    for entry in text.split(',').map(str::trim) {
        if entry.is_empty() {
            problems.push(Problem::warning(
                var,
                Some(text),
                "has an empty entry (a doubled, leading or trailing comma); it is ignored",
                "remove the extra comma",
            ));
        } else if entries.iter().any(|e| match compare {
            Compare::Exact => *e == entry,
            Compare::IgnoreCase => e.eq_ignore_ascii_case(entry),
        }) {
            problems.push(Problem::warning(
                var,
                Some(entry),
                "is listed twice",
                "remove the repeat",
            ));
        } else {
            entries.push(entry);
        }
    }
    entries
}

fn origins(
    text: Option<&str>,
    credentials: bool,
    problems: &mut Vec<Problem>,
) -> Vec<AllowedOrigin> {
    let var = vars::ALLOWED_ORIGINS;
    let fix_missing = "set CORS_ALLOWED_ORIGINS to the origins of the pages that call this API, comma-separated (e.g. https://app.example.com,http://localhost:3000), or to * for a public API without credentials";
    let Some(text) = text else {
        problems.push(Problem::error(
            var,
            None,
            "is not set; it is required, and no origin is allowed by default",
            fix_missing,
        ));
        return Vec::new();
    };
    let entries = list(var, text, Compare::Exact, problems);
    if entries.is_empty() {
        problems.push(Problem::error(
            var,
            Some(text),
            "is empty; it is required, and no origin is allowed by default",
            fix_missing,
        ));
    }
    let mut parsed = Vec::with_capacity(entries.len());
    for entry in &entries {
        match check_entry(entry, credentials, entries.len(), 0) {
            Ok((origin, warning)) => {
                problems.extend(warning);
                if parsed.contains(&origin) {
                    problems.push(Problem::warning(
                        var,
                        Some(entry),
                        format!("is the same origin as another entry once normalized (`{origin}`)"),
                        "remove the repeat",
                    ));
                    continue;
                }
                parsed.push(origin);
            }
            Err(problem) => problems.push(*problem),
        }
    }
    parsed
}

/// How deep a proposed fix is looked for: a proposal that fails validation may have a
/// proposal of its own (`https://a.*.example.com` → `https://*.example.com`), and no deeper.
const PROPOSAL_DEPTH: u8 = 2;

/// Checks one `CORS_ALLOWED_ORIGINS` entry in full: its grammar, then the rules that depend
/// on the rest of the policy (`*` alone and never with credentials, `http://` with
/// credentials, patterns on shared domains). A warning comes with the entry it keeps; an
/// error replaces it. `count` is the number of entries in the list.
fn check_entry(
    entry: &str,
    credentials: bool,
    count: usize,
    depth: u8,
) -> Result<(AllowedOrigin, Option<Problem>), Box<Problem>> {
    let var = vars::ALLOWED_ORIGINS;
    let write = |value: &str| format!("write `{value}`");
    let origin = match AllowedOrigin::parse(entry) {
        Ok(origin) => origin,
        Err(err) => {
            let problem = Problem::error(var, Some(entry), err.reason, err.fix);
            return Err(Box::new(propose(
                problem,
                err.candidate,
                credentials,
                depth,
                write,
            )));
        }
    };
    match &origin {
        AllowedOrigin::Any if credentials => Err(Box::new(Problem::error(
            var,
            Some(entry),
            "`*` cannot be used with CORS_ALLOW_CREDENTIALS=true: browsers refuse `Access-Control-Allow-Origin: *` on credentialed requests, and reflecting every origin instead would let any website read your users' data",
            "list the origins that may send credentials (e.g. https://app.example.com), or set CORS_ALLOW_CREDENTIALS=false for a public API",
        ))),
        AllowedOrigin::Any if count > 1 => Err(Box::new(Problem::error(
            var,
            Some(entry),
            "`*` already allows every origin and must stand alone",
            "write either `*` or a list of origins",
        ))),
        AllowedOrigin::Any => Ok((origin, None)),
        // Before the pattern rules: an http:// pattern or port wildcard is as readable by a
        // network attacker as an exact http:// origin.
        AllowedOrigin::Listed { .. } if credentials && origin.is_insecure() => {
            let problem = Problem::error(
                var,
                Some(entry),
                "an http:// origin, pattern or port wildcard on a host other than localhost or a loopback address can be impersonated by anyone on the network path (they can inject script into the page), so it must not receive credentialed responses",
                "use https:// (only loopback hosts may use http:// with credentials)",
            );
            let https = origin.to_string().replacen("http://", "https://", 1);
            Err(Box::new(propose(
                problem,
                Some(https),
                credentials,
                depth,
                write,
            )))
        }
        AllowedOrigin::Listed {
            subdomains: true,
            host,
            scheme,
            ..
        } => {
            let Some(why) = suffix::shared_base(host) else {
                return Ok((origin, None));
            };
            let reason = format!("`*.{host}` is {why}, so this pattern trusts sites run by strangers");
            let example = Some(format!("{}://myapp.{host}", scheme.as_str()));
            let own = |value: &str| format!("list your own origins on {host} exactly (e.g. `{value}`), or use a domain you own");
            if credentials {
                let problem = Problem::error(var, Some(entry), format!("{reason}; with CORS_ALLOW_CREDENTIALS=true they could read your users' data"), "list your own origins exactly, or use a domain you own");
                Err(Box::new(propose(
                    problem,
                    example,
                    credentials,
                    depth,
                    own,
                )))
            } else {
                let problem = Problem::warning(var, Some(entry), reason, "list your own origins exactly");
                Ok((origin.clone(), Some(propose(problem, example, credentials, depth, own))))
            }
        }
        AllowedOrigin::Listed { .. } => Ok((origin, None)),
    }
}

/// Adds `candidate` (one entry or a comma-separated list) to `problem` as the value its fix
/// proposes, worded by `fix`, once every part of it passes [`check_entry`] (or has a valid
/// proposal of its own). A candidate that cannot be made valid is not proposed: the fix
/// keeps its words.
fn propose(
    problem: Problem,
    candidate: Option<String>,
    credentials: bool,
    depth: u8,
    fix: impl FnOnce(&str) -> String,
) -> Problem {
    let Some(candidate) = candidate.filter(|_| depth < PROPOSAL_DEPTH) else {
        return problem;
    };
    // A list is proposed only when every part is valid as it stands: correcting the parts
    // of an entry split at its spaces would be guessing.
    let several = candidate.contains(',');
    let mut valid = Vec::new();
    for part in candidate.split(',').map(str::trim) {
        match check_entry(part, credentials, 1, depth + 1) {
            Ok((origin, None)) => valid.push(origin.to_string()),
            Ok((_, Some(other))) => match other.suggestion() {
                Some(value) if !several => valid.push(value.to_string()),
                _ => return problem,
            },
            Err(other) => match other.suggestion() {
                Some(value) if !several => valid.push(value.to_string()),
                _ => return problem,
            },
        }
    }
    let value = valid.join(",");
    let words = fix(&value);
    problem.suggest(value, words)
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
