//! Code emission: a [`Plan`] becomes one Rust module (built as syn items with `quote`,
//! formatted by prettyplease) and one thin fuzz target per contract target.

pub mod function;
pub mod handles;
pub mod names;

use proc_macro2::TokenStream;
use quote::quote;

use self::function::function;
use self::names::{camel, constant, ident};
use super::plan::Plan;

/// How the generated module reaches the C declarations.
pub enum Ffi {
    /// `use <path> as ffi;`
    Path(syn::Path),
    /// bindgen's rendering embedded as `mod ffi`, linked through this crate.
    Embedded { text: String, link: Option<syn::Ident> },
}

/// The generated module's text. `banner` is the comment that says what it was made from.
pub fn module(plan: &Plan, ffi: &Ffi, banner: &str) -> anyhow::Result<String> {
    let parts: Vec<_> = plan.functions.iter().map(|f| function(plan, f)).collect();
    let variants = parts.iter().map(|p| &p.variant);
    let decodes = parts.iter().map(|p| &p.decode);
    let wrappers = parts.iter().map(|p| &p.wrapper);
    let applies = parts.iter().map(|p| &p.apply);
    let kinds: Vec<_> = plan.functions.iter().map(|f| camel(&f.name)).collect();

    let destroy_variants: Vec<_> = plan.handles.iter().map(|h| camel(&format!("destroy_{}", h.name))).collect();
    let destroy_docs = plan.handles.iter().map(|h| format!(" Ends a live `{}` handle with `{}`.", h.name, h.destroy));
    let destroy_applies = plan.handles.iter().zip(&destroy_variants).map(|(h, v)| {
        let live = ident(&h.name);
        quote!(Op::#v { index } => {
            if !self.#live.is_empty() {
                let i = usize::from(*index) % self.#live.len();
                drop(self.#live.swap_remove(i));
            }
        })
    });
    let handle_items = plan.handles.iter().map(handles::handle);
    let live_fields = plan.handles.iter().map(|h| {
        let (f, t) = (ident(&h.name), camel(&h.name));
        let doc = format!(" Live `{}` handles, at most {}.", h.name, h.max);
        quote!(#[doc = #doc] pub #f: Vec<#t>,)
    });
    let targets = plan.targets.iter().map(|t| {
        let name = constant(&t.name);
        let ops = t.functions.iter().map(|&i| camel(&plan.functions[i].name)).chain(t.destroys.iter().map(|&k| camel(&format!("destroy_{}", plan.handles[k].name))));
        let doc = format!(" Fuzz target `{}_{}`.", plan.library, t.name);
        let max_ops = t.max_ops as usize;
        quote!(#[doc = #doc] pub const #name: Target = Target { kinds: &[#(OpKind::#ops),*], max_ops: #max_ops };)
    });
    let ffi_item = match ffi {
        Ffi::Path(p) => quote!(use #p as ffi;),
        Ffi::Embedded { text, link } => {
            let decls: TokenStream = text.parse().map_err(|e| anyhow::anyhow!("bindgen output does not tokenize: {e}"))?;
            let link = link.as_ref().map(|l| quote!(use #l as _;));
            quote! {
                /// The C declarations, rendered from the header by bindgen.
                #[allow(non_camel_case_types, non_snake_case, non_upper_case_globals, dead_code, clippy::all)]
                pub mod ffi {
                    #decls
                }
                #link
            }
        }
    };
    let max_ops = plan.max_ops as usize;
    let setup = plan.setup.as_ref().map(|p| {
        quote! {
            static SETUP: std::sync::Once = std::sync::Once::new();
            SETUP.call_once(#p);
        }
    });
    let tokens = quote! {
        #![allow(unused_unsafe, non_snake_case, clippy::unnecessary_cast, clippy::useless_conversion)]

        use arbitrary::{Result, Unstructured};

        #ffi_item

        /// Most ops decoded from one input unless a target says otherwise.
        pub const MAX_OPS: usize = #max_ops;

        /// A fuzz target: the op kinds it draws and how many ops one input may hold.
        #[derive(Clone, Copy, Debug)]
        pub struct Target {
            /// The op kinds.
            pub kinds: &'static [OpKind],
            /// Most ops per input.
            pub max_ops: usize,
        }

        #(#handle_items)*

        /// One call with its fuzz-chosen arguments.
        #[derive(Debug)]
        pub enum Op<'a> {
            #(#variants,)*
            #(#[doc = #destroy_docs] #destroy_variants { index: u8 },)*
        }

        /// The kinds of [`Op`], without arguments.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum OpKind {
            #(#kinds,)*
            #(#destroy_variants,)*
        }

        impl OpKind {
            /// Decodes the arguments of an op of this kind.
            pub fn decode<'a>(self, u: &mut Unstructured<'a>) -> Result<Op<'a>> {
                Ok(match self {
                    #(#decodes,)*
                    #(OpKind::#destroy_variants => Op::#destroy_variants { index: u.arbitrary()? },)*
                })
            }
        }

        /// The fuzz targets.
        pub mod targets {
            use super::{OpKind, Target};
            #(#targets)*
        }

        /// Decodes a fuzz input into at most `target.max_ops` ops of the target's kinds;
        /// decoding stops at the first op the remaining bytes cannot complete.
        pub fn decode<'a>(data: &'a [u8], target: &Target) -> Vec<Op<'a>> {
            let mut u = Unstructured::new(data);
            let mut ops = Vec::new();
            while ops.len() < target.max_ops && !u.is_empty() {
                match u.choose(target.kinds).and_then(|k| k.decode(&mut u)) {
                    Ok(op) => ops.push(op),
                    Err(_) => break,
                }
            }
            ops
        }

        /// Decodes and runs one fuzz input: the body of every generated fuzz target.
        pub fn fuzz(data: &[u8], target: &Target) {
            run(&decode(data, target));
        }

        /// Runs `ops` against fresh handles, recording every call.
        pub fn run(ops: &[Op<'_>]) {
            #setup
            seam_runtime::begin_input();
            seam_runtime::input::reset_budget();
            let mut live = Live::default();
            for (index, op) in ops.iter().enumerate() {
                seam_runtime::set_op(index);
                live.apply(op);
            }
        }

        /// The live handles of one run and the outputs later calls may consume.
        #[derive(Default)]
        pub struct Live {
            #(#live_fields)*
            /// Outputs of earlier calls.
            pub produced: seam_runtime::input::Produced,
        }

        impl Live {
            /// Applies one op; ops whose handles are not live are skipped.
            pub fn apply(&mut self, op: &Op<'_>) {
                match op {
                    #(#applies)*
                    #(#destroy_applies)*
                }
            }
        }

        #(#wrappers)*
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| anyhow::anyhow!("generated code does not parse: {e}"))?;
    Ok(format!("{banner}{}", prettyplease::unparse(&file)))
}

/// The text of the fuzz target for target `name`, which calls `krate::module::fuzz`.
pub fn fuzz_target(banner: &str, krate: &str, module: &str, name: &str) -> String {
    let (krate, module, target) = (ident(krate), ident(module), constant(name));
    let uses = quote! {
        use libfuzzer_sys::fuzz_target;
        use #krate::#module::{fuzz, targets};
    };
    let file: syn::File = syn::parse2(uses).expect("a fixed item list parses");
    // prettyplease leaves macro bodies as token soup, so the one macro call is written out.
    format!("#![no_main]\n{banner}{}\nfuzz_target!(|data: &[u8]| fuzz(data, &targets::{target}));\n", prettyplease::unparse(&file))
}
