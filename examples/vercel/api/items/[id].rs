//! `/api/items/[id]`: one Vercel function of the example API (see `src/lib.rs`).

#[tokio::main]
async fn main() -> Result<(), vercel_runtime::Error> {
    preflight_example_vercel::main().await
}
