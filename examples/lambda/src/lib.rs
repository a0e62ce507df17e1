//! What the example's functions share: their log setup.
#![forbid(unsafe_code)]

/// The log of every function of this example: `RUST_LOG` (the crate's
/// `[package.metadata.lambda.env]` sets `info,preflight=debug`, so the policy's decisions are
/// logged), without timestamps (CloudWatch adds its own).
pub fn init_tracing() {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .without_time()
        .init();
}
