//! Configuration problems: every mistake found while building a [`Policy`](crate::Policy),
//! reported together.
//!
//! Each [`Problem`] names the variable, the entry that is wrong, why it is wrong and how to
//! fix it. Errors stop the policy from being built ([`ConfigError`]); warnings are kept on the
//! built policy ([`Policy::warnings`](crate::Policy::warnings)) and logged once by the adapters.
//!
//! Each problem has a stable code ([`Problem::code`], kebab-case, listed in [`CODES`]):
//! scripts, the CLI and the tests match codes, never the words, which may improve.
//!
//! | variable | codes |
//! |---|---|
//! | CORS_ALLOWED_ORIGINS | `origin-missing`, `origin-empty`, `origin-duplicate`, `origin-any-with-credentials`, `origin-insecure-with-credentials`, `origin-shared-domain`, `origin-null`, `origin-space`, `origin-non-ascii`, `origin-no-scheme`, `origin-scheme`, `origin-path`, `origin-user-info`, `origin-percent-escape`, `origin-host-port`, `origin-wildcard`, `origin-host-empty`, `origin-ipv6-unbracketed`, `origin-host-too-long`, `origin-host-character`, `origin-host-not-ipv4`, `origin-host-empty-label`, `origin-host-long-label`, `origin-host-hyphen`, `origin-pattern-underscore`, `origin-ipv6`, `origin-pattern-ip`, `origin-port`, `origin-app`, `origin-predicate-allows-any` |
//! | every list | `list-star-not-alone`, `list-empty-entry`, `list-repeat` |
//! | CORS_ALLOWED_METHODS | `methods-empty`, `method-invalid`, `method-forbidden`, `method-normalized`, `method-case`, `method-repeat` |
//! | CORS_ALLOWED_HEADERS | `header-invalid`, `header-forbidden`, `header-cors-protocol` |
//! | CORS_EXPOSE_HEADERS | `expose-star-with-credentials`, `expose-set-cookie`, `expose-safelisted` |
//! | CORS_ALLOW_CREDENTIALS, CORS_ALLOW_PRIVATE_NETWORK, CORS_REFUSE_CROSS_SITE | `boolean-invalid`, `private-network-with-any-origin`, `cross-site-guard-with-any-origin` |
//! | CORS_MAX_AGE | `max-age-negative`, `max-age-not-a-number`, `max-age-too-large`, `max-age-above-chromium-cap` |
//! | any other CORS_ name | `unknown-variable` |
//! | a named policy's `CORS_<NAME>_ALLOWED_ORIGINS` | `policy-unknown` (the code asks for a policy no variable configures) |

use std::borrow::Cow;
use std::fmt;

/// Every [`Problem::code`], in the order of the table above.
///
/// ```
/// assert!(preflight::CODES.contains(&"origin-path"));
/// assert!(preflight::CODES.iter().all(|c| c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
/// ```
pub const CODES: [&str; 54] = [
    "origin-missing",
    "origin-empty",
    "origin-duplicate",
    "origin-any-with-credentials",
    "origin-insecure-with-credentials",
    "origin-shared-domain",
    "origin-null",
    "origin-space",
    "origin-non-ascii",
    "origin-no-scheme",
    "origin-scheme",
    "origin-path",
    "origin-user-info",
    "origin-percent-escape",
    "origin-host-port",
    "origin-wildcard",
    "origin-host-empty",
    "origin-ipv6-unbracketed",
    "origin-host-too-long",
    "origin-host-character",
    "origin-host-not-ipv4",
    "origin-host-empty-label",
    "origin-host-long-label",
    "origin-host-hyphen",
    "origin-pattern-underscore",
    "origin-ipv6",
    "origin-pattern-ip",
    "origin-port",
    "origin-app",
    "origin-predicate-allows-any",
    "list-star-not-alone",
    "list-empty-entry",
    "list-repeat",
    "methods-empty",
    "method-invalid",
    "method-forbidden",
    "method-normalized",
    "method-case",
    "method-repeat",
    "header-invalid",
    "header-forbidden",
    "header-cors-protocol",
    "expose-star-with-credentials",
    "expose-set-cookie",
    "expose-safelisted",
    "boolean-invalid",
    "private-network-with-any-origin",
    "cross-site-guard-with-any-origin",
    "max-age-negative",
    "max-age-not-a-number",
    "max-age-too-large",
    "max-age-above-chromium-cap",
    "unknown-variable",
    "policy-unknown",
];

/// How serious a [`Problem`] is.
///
/// ```
/// use preflight::Severity;
/// assert_eq!(Severity::Error.to_string(), "error");
/// assert_eq!(Severity::Warning.to_string(), "warning");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The policy cannot be built; nothing is served with CORS headers until it is fixed.
    Error,
    /// The policy works, but probably not as intended.
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One mistake in the configuration: the variable, the entry, why, and the fix.
///
/// ```
/// use preflight::{Policy, Severity};
///
/// let err = Policy::builder().allowed_origins(["https://app.example.com/"]).build().unwrap_err();
/// let problem = &err.problems()[0];
/// assert_eq!(problem.severity(), Severity::Error);
/// assert_eq!(problem.variable(), "CORS_ALLOWED_ORIGINS");
/// assert_eq!(problem.entry(), Some("https://app.example.com/"));
/// assert!(problem.fix().contains("https://app.example.com"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    severity: Severity,
    code: &'static str,
    variable: Cow<'static, str>,
    entry: Option<String>,
    reason: String,
    fix: String,
    suggestion: Option<String>,
}

impl Problem {
    pub(crate) fn error(
        code: &'static str,
        variable: impl Into<Cow<'static, str>>,
        entry: Option<&str>,
        reason: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Error,
            code,
            variable: variable.into(),
            entry: entry.map(str::to_owned),
            reason: reason.into(),
            fix: fix.into(),
            suggestion: None,
        }
    }

    /// Proposes `value` in place of the entry, with the fix reworded around it (`fix`).
    /// Callers propose only values that pass validation themselves.
    pub(crate) fn suggest(mut self, value: String, fix: String) -> Self {
        self.fix = fix;
        self.suggestion = Some(value);
        self
    }

    pub(crate) fn warning(
        code: &'static str,
        variable: impl Into<Cow<'static, str>>,
        entry: Option<&str>,
        reason: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Problem {
            severity: Severity::Warning,
            ..Problem::error(code, variable, entry, reason, fix)
        }
    }

    /// The same problem in the named policy `policy`: its variable, and every variable its
    /// words name, become that policy's (`CORS_MAX_AGE` → `CORS_PUBLIC_MAX_AGE`).
    pub(crate) fn in_policy(mut self, policy: &str) -> Self {
        if crate::vars::split(&self.variable).is_some_and(|(named, _)| named.is_none()) {
            self.variable = crate::vars::named(&self.variable, Some(policy)).into();
        }
        self.reason = rename_variables(&self.reason, policy);
        self.fix = rename_variables(&self.fix, policy);
        self
    }

    /// The problem's stable code (see [`CODES`]): what to match on, in tests and tools.
    ///
    /// ```
    /// let err = preflight::Policy::builder().allowed_origins(["https://app.example.com/"]).build().unwrap_err();
    /// assert_eq!(err.problems()[0].code(), "origin-path");
    /// ```
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// Error or warning.
    ///
    /// ```
    /// # use preflight::{Policy, Severity};
    /// let policy = Policy::builder().allowed_origins(["https://*.vercel.app"]).build().unwrap();
    /// assert_eq!(policy.warnings()[0].severity(), Severity::Warning);
    /// ```
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The variable the problem is in, e.g. `CORS_ALLOWED_ORIGINS`.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["*"]).max_age(99999).build().unwrap_err();
    /// assert_eq!(err.problems()[0].variable(), "CORS_MAX_AGE");
    /// ```
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// The offending entry as it was written, when the problem is about one entry of a list
    /// or one value.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["null"]).build().unwrap_err();
    /// assert_eq!(err.problems()[0].entry(), Some("null"));
    /// ```
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// Why it is wrong, in plain words.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["null"]).build().unwrap_err();
    /// assert!(err.problems()[0].reason().contains("sandboxed"));
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// How to fix it.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["app.example.com"]).build().unwrap_err();
    /// assert!(err.problems()[0].fix().contains("https://app.example.com"));
    /// ```
    pub fn fix(&self) -> &str {
        &self.fix
    }

    /// The value the fix proposes in place of [`entry`](Problem::entry), when there is one:
    /// it has itself passed validation in the same policy, so writing it instead resolves
    /// this problem without raising another error.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["HTTP://app.example.com"]).allow_credentials(true).build().unwrap_err();
    /// assert_eq!(err.problems()[0].suggestion(), Some("https://app.example.com"));
    /// let fixed = Policy::builder().allowed_origins(["https://app.example.com"]).allow_credentials(true).build();
    /// assert!(fixed.is_ok());
    /// ```
    pub fn suggestion(&self) -> Option<&str> {
        self.suggestion.as_deref()
    }
}

/// `text` with each default-policy variable it names (a whole `CORS_[A-Z_]+` word that is one
/// of [`ALL`](crate::vars::ALL)) renamed to the policy `policy`'s, in one pass.
fn rename_variables(text: &str, policy: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4 * policy.len());
    let mut rest = text;
    while let Some(at) = rest.find(crate::vars::PREFIX) {
        out.push_str(&rest[..at]);
        let word = &rest[at..];
        let end = word
            .bytes()
            .position(|b| !(b.is_ascii_uppercase() || b == b'_'))
            .unwrap_or(word.len());
        let (name, after) = word.split_at(end);
        if crate::vars::ALL.contains(&name) {
            out.push_str(&crate::vars::named(name, Some(policy)));
        } else {
            out.push_str(name);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Problem {
    /// `error: CORS_ALLOWED_ORIGINS: "https://a.example/": <reason>. Fix: <fix>`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.variable)?;
        if let Some(entry) = &self.entry {
            write!(f, ": {entry:?}")?;
        }
        write!(f, ": {}", self.reason)?;
        if !self.fix.is_empty() {
            write!(f, ". Fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// The configuration could not be turned into a [`Policy`](crate::Policy): every problem found,
/// errors first, then warnings.
///
/// Its `Display` is a multi-line report meant for a cold-start log:
///
/// ```
/// use preflight::Policy;
///
/// let err = Policy::builder()
///     .allowed_origins(["https://app.example.com/", "null"])
///     .allow_credentials(true)
///     .max_age(100_000)
///     .build()
///     .unwrap_err();
/// assert_eq!(err.errors().count(), 3);
/// let report = err.to_string();
/// assert!(report.starts_with("invalid CORS configuration: 3 errors"));
/// assert!(report.contains("CORS_MAX_AGE"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<Problem>,
}

/// Errors first, then warnings, each group in the order of the variables, found order kept
/// within a variable. Gathered in passes rather than sorted: a few problems at most, and no
/// sort routine in the Worker's `.wasm`.
pub(crate) fn in_order(problems: Vec<Problem>) -> Vec<Problem> {
    let rank = |p: &Problem| match crate::vars::split(&p.variable) {
        Some((_, variable)) => crate::vars::ALL
            .iter()
            .position(|v| *v == variable)
            .unwrap_or(crate::vars::ALL.len()),
        None => crate::vars::ALL.len(),
    };
    let mut left: Vec<Option<Problem>> = problems.into_iter().map(Some).collect();
    let mut ordered = Vec::with_capacity(left.len());
    for severity in [Severity::Error, Severity::Warning] {
        for var in 0..=crate::vars::ALL.len() {
            for slot in &mut left {
                if slot
                    .as_ref()
                    .is_some_and(|p| p.severity == severity && rank(p) == var)
                {
                    ordered.extend(slot.take());
                }
            }
        }
    }
    ordered
}

impl ConfigError {
    pub(crate) fn new(problems: Vec<Problem>) -> Self {
        ConfigError {
            problems: in_order(problems),
        }
    }

    /// The same error in the named policy `policy` ([`Problem::in_policy`]).
    pub(crate) fn in_policy(self, policy: &str) -> Self {
        ConfigError::new(
            self.problems
                .into_iter()
                .map(|problem| problem.in_policy(policy))
                .collect(),
        )
    }

    /// Every problem: errors first, then warnings, each group in the order of the variables.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().build().unwrap_err();
    /// assert_eq!(err.problems().len(), 1);
    /// ```
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// Only the errors.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["https://*.vercel.app", "null"]).build().unwrap_err();
    /// assert_eq!(err.errors().count(), 1);
    /// ```
    pub fn errors(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
    }

    /// Only the warnings.
    ///
    /// ```
    /// # use preflight::Policy;
    /// let err = Policy::builder().allowed_origins(["https://*.vercel.app", "null"]).build().unwrap_err();
    /// assert_eq!(err.warnings().count(), 1);
    /// ```
    pub fn warnings(&self) -> impl Iterator<Item = &Problem> {
        self.problems
            .iter()
            .filter(|p| p.severity == Severity::Warning)
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = self.errors().count();
        let warnings = self.problems.len() - errors;
        write!(
            f,
            "invalid CORS configuration: {errors} error{}",
            if errors == 1 { "" } else { "s" }
        )?;
        if warnings > 0 {
            write!(
                f,
                " and {warnings} warning{}",
                if warnings == 1 { "" } else { "s" }
            )?;
        }
        f.write_str(" (no CORS headers are sent until this is fixed; nothing falls back to allowing every origin)")?;
        for problem in &self.problems {
            write!(f, "\n  - {problem}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}
