//! Domains under which anyone can get a subdomain: top-level domains, the common public
//! suffixes of country domains, and shared hosting platforms.
//!
//! A subdomain pattern on one of these (`https://*.vercel.app`) trusts every other customer of
//! that platform. With credentials it is refused; without, it is a warning.
//!
//! The list is curated rather than the whole Public Suffix List, to keep the library small
//! (it ships inside Lambda binaries and Worker wasm). It covers the hosting platforms serverless
//! users deploy front ends to, and the public second-level domains of the largest country
//! domains. Any single-label base (`*.com`, `*.dev`, `*.localhost` excepted) counts as a
//! public suffix.

/// Shared hosting platforms: anyone can publish a site at `<name>.<domain>`.
const SHARED_HOSTING: &[&str] = &[
    "amazonaws.com",
    "amplifyapp.com",
    "appspot.com",
    "azurestaticapps.net",
    "azurewebsites.net",
    "blogspot.com",
    "cloudfront.net",
    "cloudfunctions.net",
    "codeberg.page",
    "deno.dev",
    "firebaseapp.com",
    "fly.dev",
    "github.io",
    "githubusercontent.com",
    "gitlab.io",
    "glitch.me",
    "herokuapp.com",
    "lambda-url.on.aws",
    "netlify.app",
    "netlify.com",
    "ngrok-free.app",
    "ngrok.app",
    "ngrok.io",
    "now.sh",
    "on.aws",
    "onrender.com",
    "pages.dev",
    "r2.dev",
    "railway.app",
    "replit.app",
    "replit.dev",
    "run.app",
    "stackblitz.io",
    "surge.sh",
    "trycloudflare.com",
    "up.railway.app",
    "vercel.app",
    "web.app",
    "webcontainer.io",
    "wixsite.com",
    "workers.dev",
];

/// Public second-level suffixes of large country domains (registries sell names under them).
const PUBLIC_SECOND_LEVEL: &[&str] = &[
    "ac.uk", "co.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "org.uk", "plc.uk", "com.au",
    "net.au", "org.au", "edu.au", "gov.au", "id.au", "co.nz", "net.nz", "org.nz", "co.jp", "ne.jp",
    "or.jp", "ac.jp", "go.jp", "com.br", "net.br", "org.br", "com.cn", "net.cn", "org.cn", "co.in",
    "net.in", "org.in", "co.kr", "or.kr", "co.za", "org.za", "com.mx", "org.mx", "com.tr",
    "com.sg", "com.hk", "com.tw", "com.ar", "com.co", "com.es", "com.pl", "co.il", "co.id",
    "com.my", "com.ph", "com.vn", "com.ua", "co.th", "com.pe", "com.ng", "com.eg", "com.sa",
    "co.ke", "eu.org",
];

/// Why a subdomain pattern on `base` would trust strangers, or `None` when `base` belongs to
/// one owner.
pub(crate) fn shared_base(base: &str) -> Option<&'static str> {
    if !base.contains('.') {
        return if base == "localhost" {
            None
        } else {
            Some("a top-level domain: anyone can register a name under it")
        };
    }
    if SHARED_HOSTING.contains(&base) {
        return Some("a shared hosting domain: anyone can publish a site under it");
    }
    if PUBLIC_SECOND_LEVEL.contains(&base) {
        return Some("a public suffix: anyone can register a name under it");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::shared_base;

    #[test]
    fn shared_and_public_bases_are_recognized() {
        for base in [
            "com",
            "dev",
            "vercel.app",
            "workers.dev",
            "pages.dev",
            "github.io",
            "netlify.app",
            "amazonaws.com",
            "co.uk",
        ] {
            assert!(shared_base(base).is_some(), "{base}");
        }
        for base in [
            "example.com",
            "localhost",
            "myapp.vercel.app",
            "example.co.uk",
        ] {
            assert!(shared_base(base).is_none(), "{base}");
        }
    }
}
