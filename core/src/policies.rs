//! [`Policies`]: every policy an environment configures, the unnamed one (`CORS_*`) and the
//! named ones (`CORS_<NAME>_*`), validated together once per cold start, so that one function
//! can serve a public API under `/public` and a credentialed one under `/api`.

use std::fmt;
use std::sync::Mutex;

use once_cell::sync::OnceCell;

use crate::config::{unknown_variable, Settings};
use crate::log;
use crate::policy::Policy;
use crate::problem::{ConfigError, Problem};
use crate::vars;

/// A policy's name: `None` for the unnamed policy, upper case otherwise.
type Name = Option<Box<str>>;

/// The variables read for one policy: which of [`vars::ALL`] each is, and its value.
type Read = Vec<(&'static str, String)>;

/// Every policy the `CORS_*` variables configure: the unnamed policy from `CORS_ALLOWED_ORIGINS`
/// and the rest, and one named policy per name used in `CORS_<NAME>_ALLOWED_ORIGINS`,
/// `CORS_<NAME>_MAX_AGE`, … (the same variables, the same defaults, the same validation; a
/// named policy inherits nothing from the unnamed one). A handler or a router picks one by
/// name (`#[cors(policy = "public")]`, `CorsLayer::named("public")`); asking for a name the
/// environment does not configure gets an error that names it, never an empty or a
/// fallback policy.
///
/// Every policy is validated when the set is read, and [`Policies::log_outcome`] reports them
/// all together (the adapters do it once per cold start). A policy with errors makes only its
/// own routes answer `500`; the others serve.
///
/// ```
/// use preflight::Policies;
///
/// let policies = Policies::from_vars([
///     ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
///     ("CORS_PUBLIC_ALLOWED_METHODS", "GET"),
///     ("CORS_API_ALLOWED_ORIGINS", "https://app.example.com"),
///     ("CORS_API_ALLOW_CREDENTIALS", "true"),
/// ]);
/// let public = policies.get(Some("public")).unwrap();
/// assert!(public.allows_any_origin());
/// let api = policies.get(Some("api")).unwrap();
/// assert!(api.allows_credentials() && api.allows_origin("https://app.example.com"));
///
/// // A name the environment does not configure is an error naming what to set.
/// let err = policies.get(Some("admin")).unwrap_err();
/// assert_eq!(err.problems()[0].code(), "policy-unknown");
/// assert_eq!(err.problems()[0].variable(), "CORS_ADMIN_ALLOWED_ORIGINS");
/// // So is the unnamed policy here: only named ones are configured.
/// assert!(policies.get(None).is_err());
/// ```
#[derive(Debug)]
pub struct Policies {
    /// The configured policies: the unnamed one first when it is configured, then the named
    /// ones by name (upper case).
    configured: Vec<(Name, Result<Policy, ConfigError>)>,
    /// Warnings about the environment as a whole: `CORS_` names that are no variable.
    warnings: Vec<Problem>,
    /// The errors given for names asked for but not configured, made once per name. Names come
    /// from code (attributes, layers), never from requests, so this stays a handful.
    missing: Mutex<Vec<(Name, &'static ConfigError)>>,
}

impl Policies {
    /// Reads every policy from the process environment ([`Policies::from_vars`]).
    ///
    /// ```
    /// let policies = preflight::Policies::from_env();
    /// # let _ = policies;
    /// ```
    pub fn from_env() -> Policies {
        Policies::from_vars(
            std::env::vars_os().filter_map(|(k, v)| {
                Some((k.into_string().ok()?, v.to_string_lossy().into_owned()))
            }),
        )
    }

    /// Reads every policy from `(name, value)` pairs (the environment, a Worker's bindings):
    /// `CORS_<VARIABLE>` for the unnamed policy, `CORS_<NAME>_<VARIABLE>` for the policy
    /// `<NAME>` (upper case in the variable, any case in code). The unnamed policy is
    /// configured when one of its variables is set, or when no named one is (so an empty
    /// environment reports the missing `CORS_ALLOWED_ORIGINS`). Other `CORS_` names become
    /// warnings with a did-you-mean: the unnamed policy's when it is configured (as
    /// [`Policy::from_env`] reports them), else the set's ([`Policies::warnings`]).
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([
    ///     ("CORS_ALLOWED_ORIGINS", "https://app.example.com"),
    ///     ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
    ///     ("CORS_PUBLIC_ALLOWED_ORIGIN", "https://typo.example.com"),
    /// ]);
    /// assert_eq!(policies.names().collect::<Vec<_>>(), [None, Some("PUBLIC")]);
    /// let typo = &policies.get(None).unwrap().warnings()[0];
    /// assert_eq!(typo.fix(), "did you mean CORS_PUBLIC_ALLOWED_ORIGINS?");
    /// ```
    pub fn from_vars<K, V>(pairs: impl IntoIterator<Item = (K, V)>) -> Policies
    where
        K: AsRef<str>,
        V: Into<String>,
    {
        let mut unnamed: Read = Vec::new();
        let mut named: Vec<(Box<str>, Read)> = Vec::new();
        let mut unknown: Vec<String> = Vec::new();
        for (key, value) in pairs {
            let key = key.as_ref();
            match vars::split(key) {
                Some((None, variable)) => unnamed.push((variable, value.into())),
                Some((Some(name), variable)) => {
                    let at = match named.binary_search_by(|(known, _)| (**known).cmp(name)) {
                        Ok(at) => at,
                        Err(at) => {
                            named.insert(at, (name.into(), Vec::new()));
                            at
                        }
                    };
                    named[at].1.push((variable, value.into()));
                }
                None if vars::is_unknown(key) => {
                    if let Err(at) = unknown.binary_search_by(|known| known.as_str().cmp(key)) {
                        unknown.insert(at, key.to_string());
                    }
                }
                None => {}
            }
        }
        let mut configured = Vec::with_capacity(named.len() + 1);
        let mut warnings = Vec::new();
        if !unnamed.is_empty() || named.is_empty() {
            // The typos are the unnamed policy's warnings, as `Policy::from_env` reports them.
            let settings = Settings {
                unknown,
                ..Settings::from_vars(unnamed)
            };
            configured.push((None, settings.build()));
        } else {
            warnings = unknown.iter().map(|name| unknown_variable(name)).collect();
        }
        for (name, pairs) in named {
            let result = Settings::from_vars(pairs)
                .build()
                .map(|policy| policy.into_named(&name))
                .map_err(|err| err.in_policy(&name));
            configured.push((Some(name), result));
        }
        Policies {
            configured,
            warnings,
            missing: Mutex::new(Vec::new()),
        }
    }

    /// The policy named `name` (any case; `None` for the unnamed policy), or its configuration
    /// error: every problem of an invalid policy, or `policy-unknown` for a name the
    /// environment does not configure (its fix names the variable to set and the policies that
    /// are configured, with a did-you-mean). An unknown name's error is made once and logged
    /// at `error` the first time it is asked for.
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_PUBLIC_ALLOWED_ORIGINS", "*")]);
    /// let err = policies.get(Some("pubic")).unwrap_err();
    /// assert!(err.problems()[0].fix().contains("did you mean `PUBLIC`"), "{err}");
    /// ```
    pub fn get(&self, name: Option<&str>) -> Result<&Policy, &ConfigError> {
        if let Some(found) = self.configured(name) {
            return found;
        }
        let mut missing = self
            .missing
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, err)) = missing
            .iter()
            .find(|(known, _)| same_name(known.as_deref(), name))
        {
            return Err(*err);
        }
        // Leaked once per distinct name asked for by the code (a bounded handful): the adapters
        // hand out `&'static` errors, and the set itself lives for the whole process.
        let err: &'static ConfigError = Box::leak(Box::new(self.unknown(name)));
        log::lines(vec![("ERROR", err.to_string())]);
        missing.push((name.map(Into::into), err));
        Err(err)
    }

    /// The policy named `name` (any case; `None` for the unnamed policy) when the environment
    /// configures it, valid or not; `None` when it does not.
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_PUBLIC_MAX_AGE", "soon")]);
    /// assert!(policies.configured(Some("public")).unwrap().is_err()); // configured, invalid
    /// assert!(policies.configured(Some("api")).is_none());
    /// ```
    pub fn configured(&self, name: Option<&str>) -> Option<Result<&Policy, &ConfigError>> {
        self.configured
            .iter()
            .find(|(known, _)| same_name(known.as_deref(), name))
            .map(|(_, result)| result.as_ref())
    }

    /// The names of the configured policies, the unnamed one (`None`) first when it is
    /// configured, then the named ones in order, upper case.
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_B_ALLOWED_ORIGINS", "*"), ("CORS_A_ALLOWED_ORIGINS", "*")]);
    /// assert_eq!(policies.names().collect::<Vec<_>>(), [Some("A"), Some("B")]);
    /// ```
    pub fn names(&self) -> impl Iterator<Item = Option<&str>> {
        self.configured.iter().map(|(name, _)| name.as_deref())
    }

    /// Every configured policy with its name, as [`Policies::names`] orders them.
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_ALLOWED_ORIGINS", "*")]);
    /// let (name, policy) = policies.iter().next().unwrap();
    /// assert_eq!(name, None);
    /// assert!(policy.unwrap().allows_any_origin());
    /// ```
    pub fn iter(&self) -> impl Iterator<Item = (Option<&str>, Result<&Policy, &ConfigError>)> {
        self.configured
            .iter()
            .map(|(name, result)| (name.as_deref(), result.as_ref()))
    }

    /// Warnings about the variables as a whole when only named policies are configured:
    /// `CORS_` names that are no policy's variable (`unknown-variable`, with a did-you-mean).
    /// With the unnamed policy configured they are its warnings; each policy's own warnings
    /// are on it ([`Policy::warnings`]).
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_API_ALLOWED_ORIGINS", "*"), ("CORS_MAXAGE", "60")]);
    /// assert_eq!(policies.warnings()[0].code(), "unknown-variable");
    /// ```
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// The lines [`Policies::log_outcome`] writes, each with its level: the warnings about the
    /// variables, then each policy's lines as [`Policy::outcome_lines`] gives them (a named
    /// policy's line starts `CORS policy PUBLIC:`).
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([
    ///     ("CORS_PUBLIC_ALLOWED_ORIGINS", "*"),
    ///     ("CORS_API_ALLOWED_ORIGINS", "https://app.example.com/"),
    /// ]);
    /// let lines = policies.outcome_lines();
    /// assert_eq!(lines[0].0, "ERROR");
    /// assert!(lines[0].1.contains("CORS_API_ALLOWED_ORIGINS"), "{}", lines[0].1);
    /// assert!(lines[1].1.starts_with("CORS policy PUBLIC: origins *"), "{}", lines[1].1);
    /// ```
    pub fn outcome_lines(&self) -> Vec<(&'static str, String)> {
        let mut lines: Vec<_> = self
            .warnings
            .iter()
            .map(|warning| ("WARN", format!("CORS configuration: {warning}")))
            .collect();
        for (_, result) in &self.configured {
            lines.extend(Policy::outcome_lines(result));
        }
        lines
    }

    /// Logs [`Policies::outcome_lines`] through `tracing`, each line at its level.
    ///
    /// ```
    /// preflight::Policies::from_vars([("CORS_ALLOWED_ORIGINS", "*")]).log_outcome();
    /// ```
    pub fn log_outcome(&self) {
        log::lines(self.outcome_lines());
    }

    /// The process's policies: `init` runs on the first call only (per cold start), the
    /// outcome is logged once ([`Policies::log_outcome`]), and every call returns the same
    /// set. [`Policies::from_env_cached`] is `Policies::cached(Policies::from_env)`; the
    /// Workers adapter gives it the isolate's bindings. The first call's `init` wins.
    ///
    /// ```
    /// let policies = preflight::Policies::cached(|| {
    ///     preflight::Policies::from_vars([("CORS_PUBLIC_ALLOWED_ORIGINS", "*")])
    /// });
    /// assert!(policies.get(Some("public")).is_ok());
    /// ```
    pub fn cached(init: impl FnOnce() -> Policies) -> &'static Policies {
        static POLICIES: OnceCell<Policies> = OnceCell::new();
        POLICIES.get_or_init(|| {
            let policies = init();
            policies.log_outcome();
            policies
        })
    }

    /// [`Policies::from_env`] once per process: what the Lambda and Vercel adapters serve.
    /// [`Policy::from_env_cached`] is its unnamed policy.
    ///
    /// ```no_run
    /// let api = preflight::Policies::from_env_cached().get(Some("api"));
    /// # let _ = api;
    /// ```
    pub fn from_env_cached() -> &'static Policies {
        Policies::cached(Policies::from_env)
    }

    /// The `policy-unknown` error for a policy the environment does not configure.
    fn unknown(&self, name: Option<&str>) -> ConfigError {
        let configured: Vec<String> = self.names().map(|name| Shown(name).to_string()).collect();
        let configured = match configured.is_empty() {
            true => "none".to_string(),
            false => configured.join(", "),
        };
        let (reason, fix) = match name {
            None => (
                "the handler uses the unnamed policy (`CORS_*`), which no variable configures: only named policies are set".to_string(),
                format!("name one of them where the handler is wrapped (`#[cors(policy = \"...\")]`, `CorsLayer::named(\"...\")`), or set {}; configured: {configured}", vars::ALLOWED_ORIGINS),
            ),
            Some(name) => {
                let upper = name.to_ascii_uppercase();
                let near = self
                    .names()
                    .flatten()
                    .map(|known| (strsim::levenshtein(known, &upper), known))
                    .filter(|(distance, _)| *distance <= 2)
                    .min();
                let hint = match near {
                    Some((_, known)) => format!("; did you mean `{known}`?"),
                    None => String::new(),
                };
                let reason = if vars::is_policy_name(name) {
                    format!("the handler uses the policy `{upper}`, but no CORS_{upper}_* variable is set, so there is no such policy (nothing falls back to another one)")
                } else {
                    format!("`{name}` cannot name a policy: ASCII letters, digits and single `_`, starting with a letter, at most {} bytes", vars::MAX_POLICY_NAME_LEN)
                };
                (reason, format!("set {} (and the other variables the policy needs); configured: {configured}{hint}", vars::named(vars::ALLOWED_ORIGINS, Some(&upper))))
            }
        };
        let variable = vars::named(
            vars::ALLOWED_ORIGINS,
            name.filter(|n| vars::is_policy_name(n)),
        );
        ConfigError::new(vec![Problem::error(
            "policy-unknown",
            variable,
            None,
            reason,
            fix,
        )])
    }
}

// `Policy::from_env_cached` is defined here: the policy module sits below this one.
impl Policy {
    /// The unnamed policy (`CORS_*`) of [`Policies::from_env_cached`]:
    /// the environment read once per process (per cold start), every policy it configures
    /// validated and logged once through `tracing` (every error at `error`, every warning at
    /// `warn`). Later calls return the same result without reading the environment again.
    /// A policy built in code with [`Policy::cached`] before the first request takes the
    /// unnamed policy's place ([`Policy::in_cache`]); named policies still come from the
    /// variables.
    ///
    /// ```no_run
    /// match preflight::Policy::from_env_cached() {
    ///     Ok(policy) => { /* serve with it */ }
    ///     Err(err) => { /* answer 500 without CORS headers; err lists every problem */ }
    /// }
    /// ```
    pub fn from_env_cached() -> Result<&'static Policy, &'static ConfigError> {
        Policy::serving(None, Policies::from_env_cached)
    }

    /// The policy the Lambda and Vercel adapters serve for `name`: the unnamed one
    /// ([`Policy::from_env_cached`], which a policy built with [`Policy::cached`] replaces),
    /// or the named one of [`Policies::from_env_cached`].
    ///
    /// ```
    /// # std::env::set_var("CORS_PUBLIC_ALLOWED_ORIGINS", "*");
    /// let public = preflight::Policy::from_env_cached_named(Some("public")).unwrap();
    /// assert!(public.allows_any_origin());
    /// ```
    pub fn from_env_cached_named(
        name: Option<&str>,
    ) -> Result<&'static Policy, &'static ConfigError> {
        Policy::serving(name, Policies::from_env_cached)
    }

    /// Which policy an adapter serves for `name`, the one rule for every platform: the policy
    /// built in code with [`Policy::cached`] when there is one and `name` is `None`, otherwise
    /// `name` in the set `policies` gives (read only when needed: the environment on Lambda
    /// and Vercel, the isolate's bindings on Workers).
    ///
    /// ```
    /// let policies = Box::leak(Box::new(preflight::Policies::from_vars([("CORS_API_ALLOWED_ORIGINS", "*")])));
    /// let api = preflight::Policy::serving(Some("api"), || &*policies).unwrap();
    /// assert!(api.allows_any_origin());
    /// ```
    pub fn serving(
        name: Option<&str>,
        policies: impl FnOnce() -> &'static Policies,
    ) -> Result<&'static Policy, &'static ConfigError> {
        match (name, Policy::in_cache()) {
            (None, Some(cached)) => cached,
            _ => policies().get(name),
        }
    }
}

/// Whether two policy names are the same: both unnamed, or equal ignoring ASCII case.
fn same_name(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
        _ => false,
    }
}

/// A policy's name for a message: `PUBLIC (CORS_PUBLIC_*)`, or `the unnamed policy (CORS_*)`.
struct Shown<'a>(Option<&'a str>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            None => write!(f, "the unnamed policy ({}*)", vars::PREFIX),
            Some(name) => write!(f, "{name} ({}{name}_*)", vars::PREFIX),
        }
    }
}
