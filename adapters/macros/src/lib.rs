//! The attribute macros that wrap a serverless handler with CORS. One implementation
//! serves every platform; each attribute only names its platform's `wrap`.
//! Use them through `preflight_lambda::cors` and `preflight_vercel::cors`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{parse_macro_input, FnArg, ItemFn};

/// Wraps an `async fn(Request) -> Result<Response<Body>, E>` so that it answers CORS
/// preflights, decorates every response and turns errors and panics into a `500` with CORS
/// headers, under the policy from the `CORS_*` variables. Re-exported as
/// `preflight_lambda::cors`; see that crate for examples.
#[proc_macro_attribute]
pub fn lambda(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(
        quote!(::preflight_lambda::wrap),
        attr,
        parse_macro_input!(item as ItemFn),
    )
    .into()
}

/// Wraps an `async fn(Request) -> Result<Response<ResponseBody>, E>` `vercel_runtime` handler
/// the same way. Re-exported as `preflight_vercel::cors`; see that crate for examples.
#[proc_macro_attribute]
pub fn vercel(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(
        quote!(::preflight_vercel::wrap),
        attr,
        parse_macro_input!(item as ItemFn),
    )
    .into()
}

/// Rewrites `async fn name(arg: T) -> R { body }` into
/// `async fn name(request: T) -> R { async fn inner(arg: T) -> R { body } wrap(request, inner).await }`.
fn expand(wrap: TokenStream2, attr: TokenStream, function: ItemFn) -> TokenStream2 {
    if !attr.is_empty() {
        return syn::Error::new(
            proc_macro2::Span::call_site(),
            "#[cors] takes no arguments: the policy comes from the CORS_* variables",
        )
        .to_compile_error();
    }
    let sig = &function.sig;
    if sig.asyncness.is_none() {
        return syn::Error::new_spanned(sig.fn_token, "#[cors] wraps an `async fn` handler")
            .to_compile_error();
    }
    if !sig.generics.params.is_empty() {
        return syn::Error::new_spanned(&sig.generics, "#[cors] cannot wrap a generic handler")
            .to_compile_error();
    }
    let request_type = match sig.inputs.iter().collect::<Vec<_>>().as_slice() {
        [FnArg::Typed(arg)] => &arg.ty,
        _ => {
            return syn::Error::new_spanned(&sig.inputs, "#[cors] wraps a handler with exactly one argument, the request: `async fn handler(req: Request) -> ...`")
                .to_compile_error()
        }
    };
    let attrs = &function.attrs;
    let vis = &function.vis;
    let ident = &sig.ident;
    let output = &sig.output;
    let mut inner = function.clone();
    inner.attrs.clear();
    inner.vis = syn::Visibility::Inherited;
    inner.sig.ident = syn::Ident::new("__preflight_handler", ident.span());
    quote! {
        #(#attrs)*
        #vis async fn #ident(__preflight_request: #request_type) #output {
            #inner
            #wrap(__preflight_request, __preflight_handler).await
        }
    }
}
