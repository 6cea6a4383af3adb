//! Code emission: a [`Plan`] becomes one Rust module (built as syn items with `quote`,
//! formatted by prettyplease) and one thin fuzz target per contract target.

pub mod function;
pub mod handles;
pub mod names;

use proc_macro2::TokenStream;
use quote::quote;

use self::function::function;
use self::names::{camel, constant, ident};
use super::plan::{DiffPlan, OutputRule, Plan, RetRule, Source};

/// How the generated module reaches the C declarations.
pub enum Ffi {
    /// `use <path> as ffi;`
    Path(syn::Path),
    /// bindgen's rendering embedded as `mod ffi`, linked through this crate.
    Embedded { text: String, link: Option<syn::Ident> },
}

/// The handle types, `Live` with its `apply`, and the wrappers of one side: `functions` and
/// `handles` are indices into the plan; `side` labels a differential twin's second side.
fn side(plan: &Plan, functions: &[usize], handles: &[usize], side: Option<&str>) -> TokenStream {
    let parts: Vec<_> = functions.iter().map(|&i| function(plan, &plan.functions[i], side)).collect();
    let wrappers = parts.iter().map(|p| &p.wrapper);
    let applies = parts.iter().map(|p| &p.apply);
    let handle_items = handles.iter().map(|&k| handles::handle(&plan.handles[k], side));
    let live_fields = handles.iter().map(|&k| {
        let h = &plan.handles[k];
        let (f, t) = (ident(&h.name), camel(&h.name));
        let doc = format!(" Live `{}` handles, at most {}.", h.name, h.max);
        quote!(#[doc = #doc] pub #f: Vec<#t>,)
    });
    let destroy_applies = handles.iter().map(|&k| {
        let h = &plan.handles[k];
        let v = camel(&format!("destroy_{}", h.name));
        let live = ident(&h.name);
        quote!(Op::#v { index } => {
            if !self.#live.is_empty() {
                let i = usize::from(*index) % self.#live.len();
                drop(self.#live.swap_remove(i));
            }
        })
    });
    let rest = (functions.len() < plan.functions.len() || handles.len() < plan.handles.len())
        .then(|| quote!(_ => {}));
    quote! {
        #(#handle_items)*

        /// The live handles of one run.
        #[derive(Default)]
        pub struct Live {
            #(#live_fields)*
        }

        impl<'a> seam_runtime::run::Apply<Op<'a>> for Live {
            fn apply<S: seam_runtime::output::Sink>(&mut self, op: &Op<'a>, sink: &mut S) {
                match op {
                    #(#applies)*
                    #(#destroy_applies)*
                    #rest
                }
            }
        }

        #(#wrappers)*
    }
}

/// The differential twin: the second side's module, the comparison rules and the run.
fn diff(plan: &Plan, d: &DiffPlan) -> TokenStream {
    let mut kinds = std::collections::BTreeSet::new();
    for &f in &d.functions {
        for p in &plan.functions[f].params {
            if let Source::Handle { kind, .. } | Source::NewHandle { kind, .. } = p.source {
                kinds.insert(kind);
            }
        }
        if let Some(k) = plan.functions[f].makes() {
            kinds.insert(k);
        }
    }
    let kinds: Vec<usize> = kinds.into_iter().collect();
    let right = &d.right;
    let body = side(plan, &d.functions, &kinds, Some(&d.sides[1]));
    let rules = plan.functions.iter().zip(&d.rules).map(|(f, r)| {
        let v = camel(&f.name);
        let ret = match &r.ret {
            RetRule::Exact => quote!(seam_runtime::diverge::RetRule::Exact),
            RetRule::Ignore => quote!(seam_runtime::diverge::RetRule::Ignore),
            RetRule::Classes(c) => {
                let c = c.iter().map(|(n, lo, hi)| quote!((#n, #lo, #hi)));
                quote!(seam_runtime::diverge::RetRule::Classes(&[#(#c),*]))
            }
        };
        let outputs = match &r.outputs {
            OutputRule::Exact => quote!(seam_runtime::diverge::OutputRule::Exact),
            OutputRule::Ignore => quote!(seam_runtime::diverge::OutputRule::Ignore),
            OutputRule::Decoded(path) => quote!(seam_runtime::diverge::OutputRule::Decoded(#path)),
        };
        let tolerated = r.tolerated.iter().map(|t| {
            let (what, stop) = (&t.what, t.stop);
            let pairs = t.returns.iter().map(|(l, r)| quote!((#l, #r)));
            quote!(seam_runtime::diverge::Tolerance { what: #what, returns: &[#(#pairs),*], stop: #stop })
        });
        quote!(OpKind::#v => seam_runtime::diverge::Rule { ret: #ret, outputs: #outputs, tolerated: &[#(#tolerated),*] },)
    });
    let (left_name, right_name) = (&d.sides[0], &d.sides[1]);
    let doc = format!(" The second side (`{right_name}`): `{}`, driven by the same ops.", quote!(#right).to_string().replace(' ', ""));
    let (module, rule, run_diff, fuzz_diff) = (ident(&d.module()), ident(&d.item("rule")), ident(&d.item("run_diff")), ident(&d.item("fuzz_diff")));
    quote! {
        #[doc = #doc]
        pub mod #module {
            #![allow(unused_imports)]
            use super::{Op, OpKind};
            use #right as ffi;
            #body
        }

        /// How each op's outcomes are compared in differential runs.
        pub fn #rule(kind: OpKind) -> seam_runtime::diverge::Rule {
            match kind {
                #(#rules)*
                _ => seam_runtime::diverge::Rule::EXACT,
            }
        }

        /// Runs `ops` against both sides, both consuming the same earlier outputs (of two that
        /// differ, one side's and the other's in turn); the first difference the rules do not
        /// tolerate is reported and aborts the run.
        pub fn #run_diff(ops: &[Op<'_>]) {
            setup();
            seam_runtime::run::run_diff::<_, Live, #module::Live>(ops, |op| (#rule(op.kind()), op.kind().name()), [#left_name, #right_name]);
        }

        /// Decodes and runs one fuzz input against both sides.
        pub fn #fuzz_diff(data: &[u8], target: &Target) {
            #run_diff(&decode(data, target));
        }
    }
}

/// The generated module's text. `banner` is the comment that says what it was made from.
pub fn module(plan: &Plan, ffi: &Ffi, banner: &str) -> anyhow::Result<String> {
    let all_functions: Vec<usize> = (0..plan.functions.len()).collect();
    let all_handles: Vec<usize> = (0..plan.handles.len()).collect();
    let left = side(plan, &all_functions, &all_handles, None);
    let parts: Vec<_> = plan.functions.iter().map(|f| function(plan, f, None)).collect();
    let variants = parts.iter().map(|p| &p.variant);
    let decodes = parts.iter().map(|p| &p.decode);
    let kinds: Vec<_> = plan.functions.iter().map(|f| camel(&f.name)).collect();
    let names: Vec<&str> = plan.functions.iter().map(|f| f.name.as_str()).collect();

    let destroy_variants: Vec<_> = plan.handles.iter().map(|h| camel(&format!("destroy_{}", h.name))).collect();
    let destroy_names: Vec<&str> = plan.handles.iter().map(|h| h.destroy.as_str()).collect();
    let destroy_docs = plan.handles.iter().map(|h| format!(" Ends a live `{}` handle with `{}`.", h.name, h.destroy));
    let targets = plan.targets.iter().map(|t| {
        let name = constant(&t.name);
        let ops = t.functions.iter().map(|&i| camel(&plan.functions[i].name)).chain(t.destroys.iter().map(|&k| camel(&format!("destroy_{}", plan.handles[k].name))));
        let doc = format!(" Fuzz target `{}_{}`.", plan.library, t.name);
        let max_ops = t.max_ops as usize;
        let ops: Vec<_> = ops.collect();
        quote!(#[doc = #doc] pub const #name: Target = Target {
            kinds: &[#(OpKind::#ops),*],
            decoders: &[#(OpKind::#ops.decoder()),*],
            max_ops: #max_ops,
        };)
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
    let setup_call = plan.setup.as_ref().map(|p| {
        quote! {
            static SETUP: std::sync::Once = std::sync::Once::new();
            SETUP.call_once(#p);
        }
    });
    let diff_items = plan.diffs.iter().map(|d| diff(plan, d));
    let op_kinds = plan.functions.iter().map(|f| {
        let v = camel(&f.name);
        quote!(Op::#v { .. } => OpKind::#v,)
    });
    let tokens = quote! {
        #![allow(unused_unsafe, unused_mut, non_snake_case, clippy::unnecessary_cast, clippy::useless_conversion)]

        use arbitrary::{Result, Unstructured};

        #ffi_item

        /// Most ops decoded from one input unless a target says otherwise.
        pub const MAX_OPS: usize = #max_ops;

        /// A fuzz target: the op kinds it draws and how many ops one input may hold.
        #[derive(Clone, Copy, Debug)]
        pub struct Target {
            /// The op kinds.
            pub kinds: &'static [OpKind],
            /// Their decoders, in the same order: the input's kind byte picks one.
            pub decoders: &'static [Decoder],
            /// Most ops per input.
            pub max_ops: usize,
        }

        /// Decodes the arguments of an op of one kind.
        pub type Decoder = for<'a> fn(&mut Unstructured<'a>) -> Result<Op<'a>>;

        /// One call with its fuzz-chosen arguments.
        #[derive(Debug)]
        pub enum Op<'a> {
            #(#variants,)*
            #(#[doc = #destroy_docs] #destroy_variants { index: u8 },)*
        }

        impl Op<'_> {
            /// Its kind.
            pub fn kind(&self) -> OpKind {
                match self {
                    #(#op_kinds)*
                    #(Op::#destroy_variants { .. } => OpKind::#destroy_variants,)*
                }
            }
        }

        /// The kinds of [`Op`], without arguments.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum OpKind {
            #(#kinds,)*
            #(#destroy_variants,)*
        }

        impl OpKind {
            /// The decoder of this kind's arguments (one small function per kind: decoding
            /// runs once per op of every input).
            pub const fn decoder(self) -> Decoder {
                match self {
                    #(#decodes,)*
                    #(OpKind::#destroy_variants => |u| Ok(Op::#destroy_variants { index: u.arbitrary()? }),)*
                }
            }

            /// The C function it calls.
            pub fn name(self) -> &'static str {
                match self {
                    #(OpKind::#kinds => #names,)*
                    #(OpKind::#destroy_variants => #destroy_names,)*
                }
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
            seam_runtime::run::decode(data, target.decoders, target.max_ops)
        }

        /// Decodes and runs one fuzz input: the body of every generated fuzz target.
        pub fn fuzz(data: &[u8], target: &Target) {
            run(&decode(data, target));
        }

        /// Once per process, before the first call.
        fn setup() {
            #setup_call
        }

        /// Runs `ops` against fresh handles, recording every call.
        pub fn run(ops: &[Op<'_>]) {
            setup();
            seam_runtime::run::run::<_, Live>(ops);
        }

        #left

        #(#diff_items)*
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| anyhow::anyhow!("generated code does not parse: {e}"))?;
    Ok(format!("{banner}{}", prettyplease::unparse(&file)))
}

/// The text of the fuzz target for target `name`, which calls `krate::module::<entry>`
/// (`fuzz`, or `fuzz_diff` for a differential twin).
pub fn fuzz_target(banner: &str, krate: &str, module: &str, name: &str, entry: &str) -> String {
    let (krate, module, target) = (ident(krate), ident(module), constant(name));
    let entry_id = ident(entry);
    let uses = quote! {
        use libfuzzer_sys::fuzz_target;
        use #krate::#module::{#entry_id, targets};
    };
    let file: syn::File = syn::parse2(uses).expect("a fixed item list parses");
    // prettyplease leaves macro bodies as token soup, so the one macro call is written out.
    format!("#![no_main]\n{banner}{}\nfuzz_target!(|data: &[u8]| {entry}(data, &targets::{target}));\n", prettyplease::unparse(&file))
}
