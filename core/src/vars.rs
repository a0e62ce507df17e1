//! The names of the environment variables (and Workers bindings) a policy is read from.
//!
//! | variable | meaning | default |
//! |---|---|---|
//! | `CORS_ALLOWED_ORIGINS` | exact origins, `https://*.example.com`, `http://localhost:*`, or `*` alone | required |
//! | `CORS_ALLOWED_METHODS` | methods, or `*` | `GET,HEAD,POST,PUT,PATCH,DELETE` |
//! | `CORS_ALLOWED_HEADERS` | request header names, or `*` | `Authorization,Content-Type` |
//! | `CORS_EXPOSE_HEADERS` | response headers scripts may read | none |
//! | `CORS_ALLOW_CREDENTIALS` | `true` or `false` | `false` |
//! | `CORS_MAX_AGE` | preflight cache seconds, 0 to 86400 | `7200` |
//! | `CORS_ALLOW_PRIVATE_NETWORK` | `true` or `false` | `false` |
//! | `CORS_REFUSE_CROSS_SITE` | `true` to refuse state-changing requests from other sites (`403`, before the handler) | `false` |
//!
//! A named policy ([`Policies`](crate::Policies)) reads the same variables with its name after
//! `CORS_`: the policy `public` reads `CORS_PUBLIC_ALLOWED_ORIGINS`, `CORS_PUBLIC_MAX_AGE` and
//! so on ([`named`], [`split`]), with the same defaults. Nothing is inherited from the
//! unnamed policy.
//!
//! ```
//! assert_eq!(preflight::vars::ALL.len(), 8);
//! assert_eq!(preflight::vars::ALLOWED_ORIGINS, "CORS_ALLOWED_ORIGINS");
//! ```

/// Comma-separated allowed origins. Required.
pub const ALLOWED_ORIGINS: &str = "CORS_ALLOWED_ORIGINS";
/// Comma-separated allowed methods, or `*`.
pub const ALLOWED_METHODS: &str = "CORS_ALLOWED_METHODS";
/// Comma-separated allowed request headers, or `*`.
pub const ALLOWED_HEADERS: &str = "CORS_ALLOWED_HEADERS";
/// Comma-separated response headers scripts may read.
pub const EXPOSE_HEADERS: &str = "CORS_EXPOSE_HEADERS";
/// `true` to allow cookies and `Authorization` on cross-origin requests.
pub const ALLOW_CREDENTIALS: &str = "CORS_ALLOW_CREDENTIALS";
/// Seconds browsers may cache a preflight answer.
pub const MAX_AGE: &str = "CORS_MAX_AGE";
/// `true` to answer Private Network Access preflights.
pub const ALLOW_PRIVATE_NETWORK: &str = "CORS_ALLOW_PRIVATE_NETWORK";
/// `true` to refuse, with a `403` before the handler, a state-changing request (not `GET`,
/// `HEAD` or `OPTIONS`) that a browser sent from another site and whose origin is not allowed:
/// the simple cross-site requests (a form `POST`) that CORS itself lets through.
pub const REFUSE_CROSS_SITE: &str = "CORS_REFUSE_CROSS_SITE";
/// Every variable, in the order of the documentation.
pub const ALL: [&str; 8] = [
    ALLOWED_ORIGINS,
    ALLOWED_METHODS,
    ALLOWED_HEADERS,
    EXPOSE_HEADERS,
    ALLOW_CREDENTIALS,
    MAX_AGE,
    ALLOW_PRIVATE_NETWORK,
    REFUSE_CROSS_SITE,
];

/// The prefix of every variable: a name with it that is not one of [`ALL`] is reported as a
/// likely typo, with a did-you-mean.
pub const PREFIX: &str = "CORS_";

/// Whether `name` is in the variables' namespace (starts with [`PREFIX`]): the names the
/// core reads or warns about; tools and adapters select variables with this.
///
/// ```
/// assert!(preflight::vars::in_namespace("CORS_MAX_AGE"));
/// assert!(preflight::vars::in_namespace("CORS_ALOWED_ORIGINS")); // a typo, still ours to report
/// assert!(!preflight::vars::in_namespace("PATH"));
/// ```
pub fn in_namespace(name: &str) -> bool {
    name.starts_with(PREFIX)
}

/// Whether `name` is in the variables' namespace but no policy's variable: a likely typo,
/// reported as `unknown-variable` with a did-you-mean (the one rule the core, the adapters
/// and the CLI use to tell).
///
/// ```
/// assert!(preflight::vars::is_unknown("CORS_ALLOWED_ORIGIN"));
/// assert!(!preflight::vars::is_unknown("CORS_PUBLIC_ALLOWED_ORIGINS")); // the policy PUBLIC's
/// assert!(!preflight::vars::is_unknown("PATH"));
/// ```
pub fn is_unknown(name: &str) -> bool {
    in_namespace(name) && split(name).is_none()
}

/// The longest policy name accepted ([`is_policy_name`]): the variable names stay readable
/// and well under every platform's limit on names.
pub const MAX_POLICY_NAME_LEN: usize = 32;

/// Whether `name` can name a policy (`#[cors(policy = "public")]`, `CorsLayer::named`): ASCII
/// letters, digits and single `_` between them, starting with a letter, at most
/// [`MAX_POLICY_NAME_LEN`] bytes. Case does not matter: the policy `public` reads the
/// variables `CORS_PUBLIC_*`. A `const fn`, so the attribute checks its argument when the
/// handler compiles.
///
/// ```
/// use preflight::vars::is_policy_name;
/// assert!(is_policy_name("public"));
/// assert!(is_policy_name("Partner_API2"));
/// assert!(!is_policy_name(""));
/// assert!(!is_policy_name("2fa"));          // starts with a digit
/// assert!(!is_policy_name("public-api"));   // `-` cannot be in a variable name
/// assert!(!is_policy_name("public__api"));  // `__` would read as an empty word
/// assert!(!is_policy_name("public_"));
/// ```
pub const fn is_policy_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.is_empty() || bytes.len() > MAX_POLICY_NAME_LEN || !bytes[0].is_ascii_alphabetic() {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let underscore_ok = b == b'_' && i + 1 < bytes.len() && bytes[i + 1] != b'_';
        if !(b.is_ascii_alphanumeric() || underscore_ok) {
            return false;
        }
        i += 1;
    }
    true
}

/// Stops the build when `name` cannot name a policy ([`is_policy_name`]): the `#[cors(policy =
/// "...")]` attribute calls it in a constant, so a bad name is a compile error.
///
/// ```
/// const _: () = preflight::vars::assert_policy_name("public");
/// ```
///
/// ```compile_fail
/// const _: () = preflight::vars::assert_policy_name("public-api");
/// ```
pub const fn assert_policy_name(name: &str) {
    if !is_policy_name(name) {
        panic!("not a policy name: a policy name is ASCII letters, digits and single `_` between them, starting with a letter, at most 32 bytes (MAX_POLICY_NAME_LEN), because it becomes part of the CORS_<NAME>_* variable names");
    }
}

/// The variable `variable` (one of [`ALL`]) of the policy `policy`: `CORS_<POLICY>_<REST>`,
/// the name upper-cased; the variable itself for the default policy (`None`).
///
/// ```
/// use preflight::vars::{named, ALLOWED_ORIGINS};
/// assert_eq!(named(ALLOWED_ORIGINS, Some("public")), "CORS_PUBLIC_ALLOWED_ORIGINS");
/// assert_eq!(named(ALLOWED_ORIGINS, None), "CORS_ALLOWED_ORIGINS");
/// ```
pub fn named(variable: &str, policy: Option<&str>) -> String {
    match (policy, variable.strip_prefix(PREFIX)) {
        (Some(policy), Some(rest)) => {
            let mut name = String::with_capacity(variable.len() + policy.len() + 1);
            name.push_str(PREFIX);
            name.extend(policy.chars().map(|c| c.to_ascii_uppercase()));
            name.push('_');
            name.push_str(rest);
            name
        }
        _ => variable.to_string(),
    }
}

/// Which policy a variable belongs to and which of [`ALL`] it is: `CORS_MAX_AGE` is the
/// default policy's (`None`), `CORS_PUBLIC_MAX_AGE` the `PUBLIC` policy's. `None` for a name
/// that is neither (a typo, or not ours); a policy's part must be upper case in the
/// environment and pass [`is_policy_name`].
///
/// ```
/// use preflight::vars::{split, MAX_AGE};
/// assert_eq!(split("CORS_MAX_AGE"), Some((None, MAX_AGE)));
/// assert_eq!(split("CORS_PUBLIC_MAX_AGE"), Some((Some("PUBLIC"), MAX_AGE)));
/// assert_eq!(split("CORS_PARTNER_API_MAX_AGE"), Some((Some("PARTNER_API"), MAX_AGE)));
/// assert_eq!(split("CORS_public_MAX_AGE"), None);
/// assert_eq!(split("CORS_MAX_AGES"), None);
/// ```
pub fn split(name: &str) -> Option<(Option<&str>, &'static str)> {
    let rest = name.strip_prefix(PREFIX)?;
    for variable in ALL {
        let suffix = &variable[PREFIX.len()..];
        if rest == suffix {
            return Some((None, variable));
        }
        if let Some(policy) = rest
            .strip_suffix(suffix)
            .and_then(|head| head.strip_suffix('_'))
        {
            let upper = !policy.bytes().any(|b| b.is_ascii_lowercase());
            if upper && is_policy_name(policy) {
                return Some((Some(policy), variable));
            }
        }
    }
    None
}
