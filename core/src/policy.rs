//! [`Policy`]: the validated, immutable, precomputed CORS policy, and the two calls the
//! adapters make on every request: [`Policy::decide`] and [`Policy::apply`].

use std::fmt;

use http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS,
    ACCESS_CONTROL_REQUEST_HEADERS, HOST, ORIGIN,
};
use http::{HeaderMap, HeaderName, HeaderValue, Method};
use once_cell::sync::OnceCell;

use crate::answer::{AllowHeaders, AllowedPreflight, Answers};
use crate::config::{Builder, Config, Settings};
use crate::decision::{Actual, ActualKind, CrossSite, Decision, Preflight, Refused, Rejection};
use crate::describe::{Description, Listed, OriginEntry};
use crate::headers::{AllowedHeaders, HeadersCheck};
use crate::log;
use crate::methods::{AllowedMethods, MethodCheck};
use crate::names::{CORS_RESPONSE_HEADERS, SEC_FETCH_SITE, STAR, TRUE};
use crate::origin::{AllowedOrigin, Origin, OriginPredicate, OriginSet};
use crate::problem::{ConfigError, Problem};
use crate::request::{PreflightHeaders, Seen};
use crate::vary;

/// A validated CORS policy, compiled once (at cold start) into look-up tables and ready-made
/// header values. Immutable and `Send + Sync`: share one per process.
///
/// Build it from the `CORS_*` environment variables ([`Policy::from_env`],
/// [`Policy::from_env_cached`]), from any key look-up ([`Policy::from_lookup`], for Workers
/// bindings), from a [`Settings`] value (which serde can fill from a file), or with the typed
/// [`Policy::builder`]. All of them go through the same validation.
///
/// ```
/// use preflight::Policy;
///
/// let policy = Policy::builder()
///     .allowed_origins(["https://app.example.com", "https://*.preview.example.com"])
///     .allow_credentials(true)
///     .expose_headers(["X-Request-Id"])
///     .build()
///     .expect("a valid policy");
/// assert!(policy.allows_origin("https://pr-42.preview.example.com"));
/// assert!(!policy.allows_origin("https://app.example.com.evil.net"));
/// ```
#[derive(Debug, Clone)]
pub struct Policy {
    entries: Vec<AllowedOrigin>,
    origins: OriginSet,
    methods: AllowedMethods,
    headers: AllowedHeaders,
    credentials: bool,
    private_network: bool,
    refuse_cross_site: bool,
    max_age: u64,
    expose: Option<HeaderValue>,
    predicate: Option<OriginPredicate>,
    answers: Answers,
    warnings: Vec<Problem>,
    /// The policy's name when it is one of [`Policies`](crate::Policies)' named policies
    /// (upper case, as in its variables).
    name: Option<Box<str>>,
}

/// The process's one policy built by [`Policy::cached`].
static CACHED: OnceCell<Result<Policy, ConfigError>> = OnceCell::new();

impl Settings {
    /// Validates every setting and compiles the policy. Reports **every** problem at once;
    /// warnings are kept on the policy ([`Policy::warnings`]). Nothing ever falls back to
    /// allowing every origin.
    ///
    /// ```
    /// let settings = preflight::Settings {
    ///     allowed_origins: Some("https://app.example.com, http://localhost:*".into()),
    ///     allow_credentials: Some("true".into()),
    ///     ..Default::default()
    /// };
    /// let policy = settings.build().unwrap();
    /// assert!(policy.allows_origin("http://localhost:3000"));
    /// ```
    pub fn build(&self) -> Result<Policy, ConfigError> {
        self.validate().map(Policy::new)
    }

    /// [`Settings::build`], with a function that decides origins the list does not name (as
    /// [`Builder::allow_origin_if`], whose rules it follows): the `CORS_*` variables for
    /// everything else, so a serverless function keeps its environment configuration.
    ///
    /// ```
    /// let settings = preflight::Settings::from_vars([("CORS_ALLOW_CREDENTIALS", "true")]);
    /// let policy = settings
    ///     .build_with(|origin| origin.host().ends_with(".tenants.example.com"))
    ///     .unwrap();
    /// assert!(policy.allows_origin("https://acme.tenants.example.com"));
    /// assert!(policy.allows_credentials());
    /// ```
    pub fn build_with(
        &self,
        predicate: impl Fn(&Origin<'_>) -> bool + Send + Sync + 'static,
    ) -> Result<Policy, ConfigError> {
        self.validate_with(Some(&OriginPredicate::new(predicate)))
            .map(Policy::new)
    }
}

impl Builder {
    /// Validates and compiles the policy ([`Settings::build`]).
    ///
    /// ```
    /// assert!(preflight::Policy::builder().build().is_err()); // origins are required
    /// ```
    pub fn build(&self) -> Result<Policy, ConfigError> {
        self.validate().map(Policy::new)
    }
}

impl Policy {
    /// Compiles validated settings: the origin look-up tables and the ready answers.
    fn new(config: Config) -> Policy {
        let origins = OriginSet::new(&config.entries);
        let answers = Answers::new(
            origins.is_any(),
            config.headers.answer(),
            config.credentials,
            config.private_network,
            HeaderValue::from(config.max_age),
        );
        Policy {
            entries: config.entries,
            origins,
            methods: config.methods,
            headers: config.headers,
            credentials: config.credentials,
            private_network: config.private_network,
            refuse_cross_site: config.refuse_cross_site,
            max_age: config.max_age,
            predicate: config.predicate,
            expose: config.expose,
            answers,
            warnings: config.warnings,
            name: None,
        }
    }

    /// This policy as the named policy `name` (its warnings renamed to its variables).
    pub(crate) fn into_named(mut self, name: &str) -> Policy {
        self.warnings = std::mem::take(&mut self.warnings)
            .into_iter()
            .map(|warning| warning.in_policy(name))
            .collect();
        self.name = Some(name.into());
        self
    }

    /// The policy's name when it was read as a named policy ([`Policies`](crate::Policies),
    /// variables `CORS_<NAME>_*`), upper case; `None` for the unnamed policy (`CORS_*`) and
    /// for policies built in code.
    ///
    /// ```
    /// let policies = preflight::Policies::from_vars([("CORS_PUBLIC_ALLOWED_ORIGINS", "*")]);
    /// assert_eq!(policies.get(Some("public")).unwrap().name(), Some("PUBLIC"));
    /// ```
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// A typed builder; [`Builder::build`] validates like the environment path does.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["http://localhost:*"]).build().unwrap();
    /// assert!(policy.allows_origin("http://localhost:5173"));
    /// ```
    pub fn builder() -> Builder {
        Builder::default()
    }

    /// Reads the `CORS_*` process environment variables and validates them. Unknown `CORS_*`
    /// variables become warnings with a did-you-mean.
    ///
    /// ```
    /// // With CORS_ALLOWED_ORIGINS unset this is an error, never an open policy.
    /// # std::env::remove_var("CORS_ALLOWED_ORIGINS");
    /// let err = preflight::Policy::from_env().unwrap_err();
    /// assert_eq!(err.problems()[0].variable(), "CORS_ALLOWED_ORIGINS");
    /// ```
    pub fn from_env() -> Result<Policy, ConfigError> {
        Settings::from_env().build()
    }

    /// Reads the settings through any key look-up (`CORS_ALLOWED_ORIGINS` etc.), e.g. a
    /// Cloudflare Workers `Env`, and validates them.
    ///
    /// ```
    /// let vars = std::collections::HashMap::from([("CORS_ALLOWED_ORIGINS", "https://app.example.com")]);
    /// let policy = preflight::Policy::from_lookup(|key| vars.get(key).map(|v| v.to_string())).unwrap();
    /// assert!(policy.allows_origin("https://app.example.com"));
    /// ```
    pub fn from_lookup(lookup: impl FnMut(&str) -> Option<String>) -> Result<Policy, ConfigError> {
        Settings::from_lookup(lookup).build()
    }

    /// The process's policy: `init` runs on the first call only (per cold start), its outcome
    /// is logged once ([`Policy::log_outcome`]), and every call returns that same result.
    /// Once called, it is the unnamed policy every adapter serves ([`Policy::from_env_cached`]
    /// and the Workers adapter return it instead of reading the variables): call it in `main`
    /// to serve a policy built in code. The first call's `init` wins for the whole process.
    ///
    /// ```
    /// let policy = preflight::Policy::cached(|| {
    ///     preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build()
    /// });
    /// assert!(policy.unwrap().allows_origin("https://app.example.com"));
    /// // Later calls return the first result, whatever they pass.
    /// let again = preflight::Policy::cached(|| preflight::Policy::builder().build());
    /// assert!(again.is_ok());
    /// ```
    pub fn cached(
        init: impl FnOnce() -> Result<Policy, ConfigError>,
    ) -> Result<&'static Policy, &'static ConfigError> {
        CACHED
            .get_or_init(|| {
                let result = init();
                Policy::log_outcome(&result);
                result
            })
            .as_ref()
    }

    /// The policy [`Policy::cached`] holds, when it has been called; `None` before. The
    /// adapters serve it as the unnamed policy in place of the `CORS_*` variables' (so a policy
    /// built in code, `Policy::cached` in `main`, is the one every wrapped handler uses).
    ///
    /// ```
    /// # std::env::set_var("CORS_ALLOWED_ORIGINS", "https://from-env.example.com");
    /// let before = preflight::Policy::in_cache();
    /// assert!(before.is_none());
    /// let _ = preflight::Policy::cached(|| {
    ///     preflight::Policy::builder().allowed_origins(["https://from-code.example.com"]).build()
    /// });
    /// let policy = preflight::Policy::from_env_cached().unwrap();
    /// assert!(policy.allows_origin("https://from-code.example.com"));
    /// assert!(!policy.allows_origin("https://from-env.example.com"));
    /// ```
    pub fn in_cache() -> Option<Result<&'static Policy, &'static ConfigError>> {
        CACHED.get().map(Result::as_ref)
    }

    /// Logs the outcome of building a policy the way [`Policy::from_env_cached`] does, once
    /// per cold start: the policy in one line at `info`, each warning at `warn`, or every
    /// problem of an invalid configuration at `error`. For adapters that build the policy from
    /// another source (Workers bindings).
    ///
    /// ```
    /// let result = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build();
    /// preflight::Policy::log_outcome(&result); // "CORS policy: origins https://app.example.com; ..."
    /// ```
    pub fn log_outcome(result: &Result<Policy, ConfigError>) {
        log::policy_outcome(
            result.as_ref().map(|policy| (policy, policy.warnings())),
            result.as_ref().ok().and_then(Policy::name),
        );
    }

    /// The lines [`Policy::log_outcome`] writes, each with its level (`"ERROR"`, `"WARN"`,
    /// `"INFO"`), for tools that show what a function will log (`preflight explain`).
    ///
    /// ```
    /// let result = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build();
    /// let lines = preflight::Policy::outcome_lines(&result);
    /// assert_eq!(lines[0].0, "INFO");
    /// assert!(lines[0].1.starts_with("CORS policy: origins https://app.example.com;"));
    /// ```
    pub fn outcome_lines(result: &Result<Policy, ConfigError>) -> Vec<(&'static str, String)> {
        log::policy_outcome_lines(
            result.as_ref().map(|policy| (policy, policy.warnings())),
            result.as_ref().ok().and_then(Policy::name),
        )
    }

    /// Decides what to do with a request from its method and headers (the body is never
    /// needed). Never allocates when the answer is a rejection or the request has no
    /// `Origin`; logs a rejected preflight once, at `warn`, with the rule that failed.
    ///
    /// | request | decision |
    /// |---|---|
    /// | `OPTIONS` + `Origin` + `Access-Control-Request-Method` | [`Decision::Preflight`]: allowed `204` or rejected `403` |
    /// | anything else | [`Decision::Forward`]: run the handler, then [`Policy::apply`] |
    ///
    /// ```
    /// use http::{HeaderMap, Method};
    /// use preflight::{Decision, Policy};
    ///
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let mut headers = HeaderMap::new();
    /// headers.insert("origin", "https://app.example.com".parse().unwrap());
    /// // OPTIONS without Access-Control-Request-Method is an ordinary request.
    /// assert!(matches!(policy.decide(&Method::OPTIONS, &headers), Decision::Forward(_)));
    /// headers.insert("access-control-request-method", "PUT".parse().unwrap());
    /// assert!(matches!(policy.decide(&Method::OPTIONS, &headers), Decision::Preflight(_)));
    /// ```
    pub fn decide(&self, method: &Method, headers: &HeaderMap) -> Decision<'_> {
        let decision = self.judge(method, headers);
        log::decision(&decision, headers, self.name());
        decision
    }

    /// The decision alone (see [`Policy::decide`], which logs it).
    fn judge(&self, method: &Method, headers: &HeaderMap) -> Decision<'_> {
        if method != Method::OPTIONS {
            let origin = Seen::get(headers, ORIGIN);
            if self.refuse_cross_site && !matches!(*method, Method::GET | Method::HEAD) {
                if let Some(reason) = self.cross_site(origin, headers) {
                    return Decision::Refuse(Refused::new(reason));
                }
            }
            return self.actual(origin);
        }
        let request = PreflightHeaders::scan(headers);
        // OPTIONS without Origin and Access-Control-Request-Method is an ordinary request.
        let (Some(origin), Some(_)) = (request.origin.first, request.method.first) else {
            return self.actual(request.origin);
        };
        let outcome = self.check_preflight(origin, &request, headers);
        Decision::Preflight(Preflight::new(&self.answers, outcome))
    }

    /// The cross-site guard (`CORS_REFUSE_CROSS_SITE=true`) for a state-changing request, as
    /// Go's `net/http.CrossOriginProtection` decides it: a request the browser marks
    /// `Sec-Fetch-Site: same-origin` or `none` (the user's own navigation) passes; without
    /// `Sec-Fetch-Site` (a client that is not a browser, or an old browser) it passes unless an
    /// `Origin` names another host than the request's `Host`; everything else (`same-site`,
    /// `cross-site`) passes only from an allowed origin. Reads two headers; never allocates.
    fn cross_site(&self, origin: Seen<'_>, headers: &HeaderMap) -> Option<CrossSite> {
        match headers.get(SEC_FETCH_SITE).map(HeaderValue::as_bytes) {
            Some(b"same-origin" | b"none") => return None,
            Some(_) => {}
            None => match origin.first {
                None => return None,
                Some(value) if !origin.repeated && same_host(value, headers.get(HOST)) => {
                    return None
                }
                Some(_) => {}
            },
        }
        match origin.first {
            None => Some(CrossSite::NoOrigin),
            Some(value) => match self.check_origin(value, origin.repeated) {
                Ok(_) => None,
                Err(_) => Some(CrossSite::OriginNotAllowed),
            },
        }
    }

    /// The decision for a request that is not a preflight, from its `Origin` line(s).
    fn actual(&self, origin: Seen<'_>) -> Decision<'_> {
        let Some(value) = origin.first else {
            return Decision::Forward(Actual {
                kind: ActualKind::NotCors,
            });
        };
        let kind = match self.check_origin(value, origin.repeated) {
            Ok(_) if self.origins.is_any() => ActualKind::AllowedAny,
            Ok(Some(exact)) => ActualKind::Allowed(exact.clone()),
            Ok(None) => ActualKind::Allowed(value.clone()),
            Err(rejection) => ActualKind::Disallowed(rejection),
        };
        Decision::Forward(Actual { kind })
    }

    /// Finishes a response the handler produced for a [`Decision::Forward`] request, whatever
    /// its status (errors included): removes every `Access-Control-*` header the handler set,
    /// then writes the policy's answer.
    ///
    /// | request | headers written |
    /// |---|---|
    /// | allowed origin | `Access-Control-Allow-Origin: <origin>`, `Access-Control-Allow-Credentials: true` (when enabled), `Access-Control-Expose-Headers` (when set), `Origin` merged into `Vary` |
    /// | any origin (`*`), with or without `Origin` | `Access-Control-Allow-Origin: *`, `Access-Control-Expose-Headers` (when set); `Vary` untouched |
    /// | disallowed origin, or no `Origin` | `Origin` merged into `Vary` |
    ///
    /// A `*` policy answers requests without `Origin` like CORS requests, as the Fetch
    /// Standard advises ("CORS protocol and HTTP caches"), so that a shared cache can never
    /// hand a CORS request a copy without `Access-Control-Allow-Origin`.
    ///
    /// ```
    /// use http::{HeaderMap, Method};
    /// use preflight::{Decision, Policy};
    ///
    /// let policy = Policy::builder().allowed_origins(["https://app.example.com"]).allow_credentials(true).build().unwrap();
    /// let mut request = HeaderMap::new();
    /// request.insert("origin", "https://app.example.com".parse().unwrap());
    /// let Decision::Forward(actual) = policy.decide(&Method::GET, &request) else { panic!() };
    ///
    /// let mut response = HeaderMap::new();
    /// response.insert("vary", "Accept-Encoding".parse().unwrap());
    /// response.insert("access-control-allow-origin", "*".parse().unwrap()); // set by the handler: replaced
    /// policy.apply(&actual, &mut response);
    /// assert_eq!(response["access-control-allow-origin"], "https://app.example.com");
    /// assert_eq!(response["access-control-allow-credentials"], "true");
    /// assert_eq!(response["vary"], "Accept-Encoding, Origin");
    /// ```
    pub fn apply(&self, actual: &Actual, headers: &mut HeaderMap) {
        strip_cors_headers(headers);
        match &actual.kind {
            ActualKind::Allowed(origin) => {
                headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
                if self.credentials {
                    headers.insert(ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
                }
                if let Some(expose) = &self.expose {
                    headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
                }
                vary::add_origin(headers);
            }
            ActualKind::AllowedAny => self.write_any(headers),
            ActualKind::NotCors if self.origins.is_any() => self.write_any(headers),
            ActualKind::NotCors | ActualKind::Disallowed(_) => vary::add_origin(headers),
        }
    }

    fn write_any(&self, headers: &mut HeaderMap) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, STAR);
        if let Some(expose) = &self.expose {
            headers.insert(ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone());
        }
    }

    /// Whether a request from `origin` (as a browser serializes it) is allowed.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://*.example.com"]).build().unwrap();
    /// assert!(policy.allows_origin("https://a.example.com"));
    /// assert!(!policy.allows_origin("https://example.com"));
    /// assert!(!policy.allows_origin("null"));
    /// ```
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.origins.is_any()
            || self.origins.find_exact(origin.as_bytes()).is_some()
            || Origin::parse(origin.as_bytes())
                .is_ok_and(|o| self.origins.allows(&o) || self.predicate_allows(&o))
    }

    /// Whether the origin function (`Builder::allow_origin_if`), if any, allows `origin`.
    fn predicate_allows(&self, origin: &Origin<'_>) -> bool {
        self.predicate
            .as_ref()
            .is_some_and(|predicate| predicate.allows(origin, self.credentials))
    }

    /// Whether `Access-Control-Allow-Credentials: true` is sent.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://a.example"]).build().unwrap();
    /// assert!(!policy.allows_credentials());
    /// ```
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// Whether any origin is allowed (`CORS_ALLOWED_ORIGINS=*`).
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["*"]).build().unwrap();
    /// assert!(policy.allows_any_origin());
    /// ```
    pub fn allows_any_origin(&self) -> bool {
        self.origins.is_any()
    }

    /// Whether state-changing requests from other sites are refused before the handler
    /// (`CORS_REFUSE_CROSS_SITE=true`).
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://a.example"]).build().unwrap();
    /// assert!(!policy.refuses_cross_site());
    /// ```
    pub fn refuses_cross_site(&self) -> bool {
        self.refuse_cross_site
    }

    /// The preflight cache time in seconds (`Access-Control-Max-Age`).
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["*"]).build().unwrap();
    /// assert_eq!(policy.max_age(), 7200);
    /// ```
    pub fn max_age(&self) -> u64 {
        self.max_age
    }

    /// What the policy allows, as typed values (what `Display` prints in one line).
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// let description = policy.describe();
    /// assert_eq!(description.origins[0].to_string(), "https://app.example.com");
    /// assert!(!description.credentials);
    /// ```
    pub fn describe(&self) -> Description<'_> {
        Description {
            origins: self.entries.iter().map(OriginEntry::from).collect(),
            methods: self.methods.listed().map_or(Listed::Any, Listed::Names),
            request_headers: self.headers.listed().map_or(Listed::Any, Listed::Names),
            exposed_headers: self.expose.as_ref().and_then(|v| v.to_str().ok()),
            credentials: self.credentials,
            max_age: self.max_age,
            private_network: self.private_network,
            refuse_cross_site: self.refuse_cross_site,
            origin_function: self.predicate.is_some(),
        }
    }

    /// The warnings found while building the policy (it works, but maybe not as intended).
    /// The adapters log them once at cold start.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://*.github.io"]).build().unwrap();
    /// assert!(policy.warnings()[0].reason().contains("shared hosting"));
    /// ```
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// Checks the request's origin; `Ok(Some(value))` carries the precomputed
    /// `Access-Control-Allow-Origin` of an exact entry, `Ok(None)` means echo the request's
    /// (a pattern matched) or answer `*`.
    fn check_origin(
        &self,
        origin: &HeaderValue,
        repeated: bool,
    ) -> Result<Option<&HeaderValue>, Rejection> {
        // `*` answers the same to every origin, `null` and odd spellings included: there is
        // nothing to match and nothing echoed.
        if self.origins.is_any() {
            return Ok(None);
        }
        if repeated {
            return Err(Rejection::DuplicateOrigin);
        }
        // An exact entry is found by the request's bytes alone: the keys are origins as
        // browsers serialize them, so a hit needs no parsing.
        if let Some(value) = self.origins.find_exact(origin.as_bytes()) {
            return Ok(Some(value));
        }
        // No origin holds a comma: this is several `Origin` lines joined into one, as API
        // Gateway HTTP APIs, function URLs and Workers pass repeated headers on. Named as the
        // repeat it is, so every platform logs the same reason.
        if origin.as_bytes().contains(&b',') {
            return Err(Rejection::DuplicateOrigin);
        }
        let parsed = Origin::parse(origin.as_bytes()).map_err(Rejection::Origin)?;
        if self.origins.find_pattern(&parsed) || self.predicate_allows(&parsed) {
            Ok(None)
        } else {
            Err(Rejection::OriginNotAllowed)
        }
    }

    fn check_preflight(
        &self,
        origin: &HeaderValue,
        request: &PreflightHeaders<'_>,
        headers: &HeaderMap,
    ) -> Result<AllowedPreflight, Rejection> {
        let exact = self.check_origin(origin, request.origin.repeated)?;
        let method = request
            .method
            .single()
            .ok_or(Rejection::DuplicateMethod)?
            .ok_or(Rejection::MethodInvalid)?;
        let answer_method = match self.methods.check(method.as_bytes()) {
            MethodCheck::Allowed(Some(value)) => value.clone(),
            MethodCheck::Allowed(None) => method.clone(),
            // Methods are tokens, which hold no comma: repeated lines joined into one.
            MethodCheck::Invalid if method.as_bytes().contains(&b',') => {
                return Err(Rejection::DuplicateMethod)
            }
            MethodCheck::Invalid => return Err(Rejection::MethodInvalid),
            MethodCheck::WrongCase => return Err(Rejection::MethodCase),
            MethodCheck::NotAllowed => return Err(Rejection::MethodNotAllowed),
        };
        // Repeated lines are one list (RFC 9110 5.3), as the platforms that join them with
        // commas already pass them on: the same verdict wherever the request arrives.
        let combined;
        let requested = if request.names.repeated {
            combined = combine(headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS))?;
            Some(&combined)
        } else {
            request.names.first
        }
        .filter(|v| !v.as_bytes().trim_ascii().is_empty());
        if let Some(names) = requested {
            match self.headers.check(names.as_bytes()).0 {
                HeadersCheck::Allowed => {}
                HeadersCheck::TooLong => return Err(Rejection::HeadersTooLong),
                HeadersCheck::TooMany => return Err(Rejection::HeadersTooMany),
                HeadersCheck::NameTooLong => return Err(Rejection::HeaderNameTooLong),
                HeadersCheck::Malformed => return Err(Rejection::HeadersMalformed),
                HeadersCheck::NotAllowed => return Err(Rejection::HeaderNotAllowed),
                HeadersCheck::CorsHeader => return Err(Rejection::CorsHeaderRequested),
            }
        }
        // Asked while off: answered as if not asked (no grant). A browser enforcing Private
        // Network Access then refuses the call, as it would a 403; one that only warns (the
        // older Chromium releases that sent the header) still passes a preflight that is
        // otherwise allowed, where a 403 would have failed it. Chromium 156 never sends the
        // header: its Local Network Access asks the user, whatever the server answers.
        let private_network = self.private_network && request.asks_private_network();
        Ok(AllowedPreflight {
            origin: match exact {
                Some(value) => Some(value.clone()),
                None if self.origins.is_any() => None,
                None => Some(origin.clone()),
            },
            method: answer_method,
            // A listed CORS_ALLOWED_HEADERS is in the ready answer; `*` echoes the names.
            headers: match (requested, &self.headers) {
                (None, _) => AllowHeaders::Nothing,
                (Some(_), AllowedHeaders::List(_)) => AllowHeaders::Listed,
                (Some(names), AllowedHeaders::Any) => AllowHeaders::Echo(names.clone()),
            },
            private_network,
        })
    }
}

/// Whether an `Origin` value names the request's own `Host` (`https://api.example.com` and
/// `api.example.com`): a same-origin request from a browser that sends no `Sec-Fetch-Site`.
fn same_host(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
    let Some(host) = host else { return false };
    let origin = origin.as_bytes();
    let Some(at) = origin.windows(3).position(|w| w == b"://") else {
        return false;
    };
    let authority = &origin[at + 3..];
    !authority.is_empty() && authority.eq_ignore_ascii_case(host.as_bytes())
}

/// Several `Access-Control-Request-Headers` lines as one comma-joined value, refused unread
/// past the length cap. Allocates: only requests no browser sends take this path.
fn combine(lines: http::header::GetAll<'_, HeaderValue>) -> Result<HeaderValue, Rejection> {
    let mut joined: Vec<u8> = Vec::new();
    for line in lines {
        let names = line.as_bytes().trim_ascii();
        if names.is_empty() {
            continue;
        }
        if !joined.is_empty() {
            joined.push(b',');
        }
        if joined.len() + names.len() > crate::MAX_REQUEST_HEADERS_LEN {
            return Err(Rejection::HeadersTooLong);
        }
        joined.extend_from_slice(names);
    }
    HeaderValue::from_bytes(&joined).map_err(|_| Rejection::HeadersMalformed)
}

/// Removes every `Access-Control-*` header from a response. Allocates only in the rare case
/// of a non-standard `access-control-` header.
fn strip_cors_headers(headers: &mut HeaderMap) {
    // Handlers rarely set any: one pass over the few names present is cheaper than a look-up
    // per CORS header name.
    if !headers
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"))
    {
        return;
    }
    for name in &CORS_RESPONSE_HEADERS {
        headers.remove(name);
    }
    if headers
        .keys()
        .any(|k| k.as_str().starts_with("access-control-"))
    {
        let others: Vec<HeaderName> = headers
            .keys()
            .filter(|k| k.as_str().starts_with("access-control-"))
            .cloned()
            .collect();
        for name in others {
            headers.remove(name);
        }
    }
}

impl fmt::Display for Policy {
    /// The compiled policy in one line of plain words.
    ///
    /// ```
    /// let policy = preflight::Policy::builder().allowed_origins(["https://app.example.com"]).build().unwrap();
    /// assert_eq!(
    ///     policy.to_string(),
    ///     "origins https://app.example.com; methods GET, HEAD, POST, PUT, PATCH, DELETE; \
    ///      request headers authorization, content-type; exposed headers none; \
    ///      credentials no; preflight cache 7200 s; private network no"
    /// );
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.describe().fmt(f)
    }
}
