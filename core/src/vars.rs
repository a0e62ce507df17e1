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
