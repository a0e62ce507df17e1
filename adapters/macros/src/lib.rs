//! The attribute macros that wrap a serverless handler with CORS. One implementation
//! serves every platform; each attribute only names its platform's `wrap`.
//! Use them through `preflight_lambda::cors` and `preflight_vercel::cors`.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;
use proc_macro2::TokenStream as TokenStream2;
use quote::quote;
use syn::{parse_macro_input, FnArg, ItemFn, LitStr};

/// Wraps an `async fn(Request) -> Result<Response<Body>, E>` so that it answers CORS
/// preflights, decorates every response and turns errors and panics into a `500` with CORS
/// headers, under the policy from the `CORS_*` variables, or with `#[cors(policy = "public")]`
/// under the named policy from the `CORS_PUBLIC_*` variables (the name is checked when the
/// handler compiles). Re-exported as `preflight_lambda::cors`; see that crate for examples.
#[proc_macro_attribute]
pub fn lambda(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(
        quote!(::preflight_lambda),
        attr,
        parse_macro_input!(item as ItemFn),
    )
    .into()
}

/// Wraps an `async fn(Request) -> Result<Response<ResponseBody>, E>` `vercel_runtime` handler
/// the same way (`#[cors(policy = "public")]` for a named policy). Re-exported as
/// `preflight_vercel::cors`; see that crate for examples.
#[proc_macro_attribute]
pub fn vercel(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand(
        quote!(::preflight_vercel),
        attr,
        parse_macro_input!(item as ItemFn),
    )
    .into()
}

/// The attribute's one optional argument: `policy = "name"`.
fn policy_argument(attr: TokenStream) -> syn::Result<Option<LitStr>> {
    let mut policy = None;
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("policy") && policy.is_none() {
            policy = Some(meta.value()?.parse::<LitStr>()?);
            Ok(())
        } else if meta.path.is_ident("policy") {
            Err(meta.error("#[cors] takes one policy"))
        } else {
            Err(meta.error("#[cors] takes one optional argument, `policy = \"name\"`: the named policy read from the CORS_<NAME>_* variables"))
        }
    });
    syn::parse::Parser::parse(parser, attr)?;
    Ok(policy)
}

/// Rewrites `async fn name(arg: T) -> R { body }` into
/// `async fn name(request: T) -> R { async fn inner(arg: T) -> R { body } wrap(request, inner).await }`
/// (`wrap_named(policy, request, inner)` with a policy, whose name the core's
/// `vars::assert_policy_name` checks at compile time).
fn expand(krate: TokenStream2, attr: TokenStream, function: ItemFn) -> TokenStream2 {
    let policy = match policy_argument(attr) {
        Ok(policy) => policy,
        Err(err) => return err.to_compile_error(),
    };
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
    let call = match &policy {
        None => quote!(#krate::wrap(__preflight_request, __preflight_handler).await),
        Some(name) => quote! {{
            const _: () = #krate::preflight::vars::assert_policy_name(#name);
            #krate::wrap_named(#name, __preflight_request, __preflight_handler).await
        }},
    };
    quote! {
        #(#attrs)*
        #vis async fn #ident(__preflight_request: #request_type) #output {
            #inner
            #call
        }
    }
}
