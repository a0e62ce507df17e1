//! Origins: the request's `Origin` header parsed exactly as browsers serialize it, and the
//! grammar of `CORS_ALLOWED_ORIGINS` entries.
//!
//! | entry | matches | header sent back |
//! |---|---|---|
//! | `https://app.example.com` | that origin only, byte for byte | `Access-Control-Allow-Origin: https://app.example.com` |
//! | `https://*.example.com` | `https://a.example.com`, `https://a.b.example.com`; never `https://example.com` | the request's origin |
//! | `http://localhost:*` | `http://localhost`, `http://localhost:3000`, any explicit port | the request's origin |
//! | `*` (alone) | every origin, never with credentials | `Access-Control-Allow-Origin: *` |
//!
//! The request side is strict: an `Origin` that a browser would never serialize (upper case,
//! default port spelled out, trailing `/`, leading zeros, `%` or other odd characters in the
//! host, user info) never matches anything, so no spelling trick can pass for an allowed
//! origin.
//!
//! Hosts with `_` (Docker Compose service names such as `http://my_service:8080`, which
//! Chromium serializes as they are) can be listed exactly; subdomain patterns and port
//! wildcards match letter-digit-hyphen hosts only. Chromium also serializes hosts with
//! `! $ & ' ( ) + , ; = ~ " `` ` `` { }`, a trailing dot, or `%2A`/`%20` for `*` and a space:
//! those stay refused, as entries and in requests. No DNS name holds them, they are where URL
//! parsers disagree (`,` would also hide a second `Origin` joined into one value), and a
//! trailing-dot host is another origin than the one without it.
//! Matching is by hash look-ups on slices of the request header: its cost does not grow with
//! the length of the allowlist and it never allocates.
//!
//! One concern per file: [`parse`] reads a request's `Origin`, [`host`] classifies hosts as
//! browsers serialize them, [`grammar`] reads `CORS_ALLOWED_ORIGINS` entries, [`rules`] holds
//! the checks that depend on the rest of the policy (credentials, shared domains), [`matcher`]
//! compiles the allowlist into look-up tables, hashed by [`hash`]; [`predicate`] holds a
//! function that decides origins the list does not name.

mod grammar;
mod hash;
mod host;
mod matcher;
mod parse;
mod predicate;
mod rules;
#[cfg(test)]
mod tests;

pub(crate) use grammar::{write_entry, AllowedOrigin, PortSpec};
pub(crate) use matcher::OriginSet;
pub use parse::{Origin, OriginRejection, Scheme, MAX_ORIGIN_LEN};
pub(crate) use predicate::OriginPredicate;
pub(crate) use rules::allowed_origins;
