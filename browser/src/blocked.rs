//! Why a browser blocks a call, in Chromium's console wording.

use std::fmt;

/// Which response a check is about; the messages differ.
///
/// ```
/// assert_ne!(preflight_browser::Stage::Preflight, preflight_browser::Stage::Actual);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// The answer to the `OPTIONS` preflight.
    Preflight,
    /// The answer to the actual request.
    Actual,
}

/// Why the browser blocks. `Display` gives Chromium's console wording (what follows
/// "has been blocked by CORS policy: ").
///
/// ```
/// use preflight_browser::{Blocked, Stage};
/// let blocked = Blocked::NoAllowOrigin { stage: Stage::Actual };
/// assert_eq!(blocked.to_string(), "No 'Access-Control-Allow-Origin' header is present on the requested resource.");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked {
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
    },
    /// `Access-Control-Allow-Origin` with several values (a list, or several lines).
    MultipleAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
        /// The combined value.
        value: String,
    },
    /// `Access-Control-Allow-Origin` that is not an origin.
    InvalidAllowOrigin {
        /// Preflight or actual response.
        stage: Stage,
        /// The value.
        value: String,
    },
    /// `Access-Control-Allow-Origin: *` on a credentialed request.
    WildcardWithCredentials {
        /// Preflight or actual response.
        stage: Stage,
    },
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch {
        /// Preflight or actual response.
        stage: Stage,
        /// The value.
        value: String,
    },
    /// `Access-Control-Allow-Credentials` is not exactly `true` on a credentialed request.
    AllowCredentials {
        /// Preflight or actual response.
        stage: Stage,
        /// The value (empty when missing).
        value: String,
    },
    /// The preflight's status is not 200-299.
    PreflightStatus {
        /// The status received.
        status: u16,
    },
    /// The preflight was answered with a redirect.
    PreflightRedirect,
    /// `Access-Control-Allow-Methods` does not parse as a list of methods.
    InvalidAllowMethods,
    /// `Access-Control-Allow-Headers` does not parse as a list of header names.
    InvalidAllowHeaders,
    /// The method is not allowed by the preflight answer.
    MethodNotAllowed {
        /// The method.
        method: String,
    },
    /// A request header is not allowed by the preflight answer.
    HeaderNotAllowed {
        /// The lower-case header name.
        name: String,
    },
    /// [`evaluate`](crate::evaluate) was asked to judge a call that needs a preflight without one.
    PreflightMissing,
}

pub(crate) const PREFLIGHT_PREFIX: &str =
    "Response to preflight request doesn't pass access control check: ";

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let prefix = |f: &mut fmt::Formatter<'_>, stage: &Stage| {
            if *stage == Stage::Preflight {
                f.write_str(PREFLIGHT_PREFIX)
            } else {
                Ok(())
            }
        };
        match self {
            Blocked::NoAllowOrigin { stage } => {
                prefix(f, stage)?;
                f.write_str("No 'Access-Control-Allow-Origin' header is present on the requested resource.")
            }
            Blocked::MultipleAllowOrigin { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.")
            }
            Blocked::InvalidAllowOrigin { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.")
            }
            Blocked::WildcardWithCredentials { stage } => {
                prefix(f, stage)?;
                f.write_str("The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.")
            }
            Blocked::AllowOriginMismatch { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.")
            }
            Blocked::AllowCredentials { stage, value } => {
                prefix(f, stage)?;
                write!(f, "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'.")
            }
            Blocked::PreflightStatus { .. } => {
                write!(f, "{PREFLIGHT_PREFIX}It does not have HTTP ok status.")
            }
            Blocked::PreflightRedirect => write!(f, "{PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request."),
            Blocked::InvalidAllowMethods => f.write_str("Cannot parse Access-Control-Allow-Methods response header field in preflight response."),
            Blocked::InvalidAllowHeaders => f.write_str("Cannot parse Access-Control-Allow-Headers response header field in preflight response."),
            Blocked::MethodNotAllowed { method } => {
                write!(f, "Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.")
            }
            Blocked::HeaderNotAllowed { name } => {
                write!(f, "Request header field {name} is not allowed by Access-Control-Allow-Headers in preflight response.")
            }
            Blocked::PreflightMissing => f.write_str("this request needs a CORS preflight, and none was answered"),
        }
    }
}

impl std::error::Error for Blocked {}
