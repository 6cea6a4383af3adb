//! Lowering: a contract checked against the header's declarations becomes a [`Plan`], the
//! generator's model of what to call and how to choose every argument. Every contract error
//! (an unknown function, a length naming a missing parameter, a handle kind nobody defined)
//! is found here and reported at its line in `seam.toml`.

use std::collections::BTreeSet;

use proc_macro2::Span;
use syn::{Expr, Ident};
use toml::Spanned;

use crate::audit::decls::{FnDecl, RecordDecl};
use crate::audit::types::CType;
use crate::contract::{Alloc, ArgSpec, ConstRef, Contract, ContractError, FunctionSpec, HandleSpec, Name};

use super::api::CApi;

/// Default most live handles of one kind.
pub const DEFAULT_MAX_HANDLES: u8 = 4;
/// Default most bytes of an input buffer.
pub const DEFAULT_MAX_IN: u32 = 4096;
/// Default most capacity of an output buffer.
pub const DEFAULT_MAX_OUT: u32 = 65536;
/// Default most calls per fuzz input.
pub const DEFAULT_MAX_OPS: u32 = 64;

/// A scalar type as the generated code holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prim {
    /// `bool`.
    Bool,
    /// An integer: width in bits and signedness.
    Int(u16, bool),
    /// `f32` / `f64`.
    Float(u16),
}

impl Prim {
    /// The scalar a C type is, if it is one.
    pub fn of(ty: &CType) -> Option<Prim> {
        match *ty {
            CType::Bool => Some(Prim::Bool),
            CType::Int { bits, signed } if bits <= 64 => Some(Prim::Int(bits, signed)),
            CType::Float { bits } => Some(Prim::Float(bits)),
            _ => None,
        }
    }

    /// The Rust type name.
    pub fn ident(self) -> Ident {
        let name = match self {
            Prim::Bool => "bool".to_string(),
            Prim::Int(bits, signed) => format!("{}{bits}", if signed { 'i' } else { 'u' }),
            Prim::Float(bits) => format!("f{bits}"),
        };
        Ident::new(&name, Span::call_site())
    }

    /// Whether it is a signed integer (recorded as signed).
    pub fn signed(self) -> bool {
        matches!(self, Prim::Int(_, true) | Prim::Float(_))
    }
}

/// The values a scalar may take.
#[derive(Clone, Debug, PartialEq)]
pub enum Domain {
    /// Any value of the type.
    Any,
    /// `lo..=hi`.
    Range(i64, i64),
    /// One of these.
    Values(Vec<i128>),
    /// An OR of a subset of `.0`, with the bits of `.1` always set.
    Flags(Vec<i128>, i128),
}

/// How a length travels with a byte buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LenLink {
    /// In the parameter at this index, by value.
    Value(usize),
    /// Through the pointer parameter at this index (in; written back for outputs).
    Ptr(usize),
    /// As an end pointer in the parameter at this index.
    End(usize),
}

/// How an output buffer's written length is learnt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Written {
    /// The whole capacity counts as written.
    Capacity,
    /// The call returns it.
    Return,
    /// Read back through the capacity pointer.
    Ptr,
    /// Written through the pointer parameter at this index, which C only writes.
    Param(usize),
    /// A struct field's remaining capacity: written = capacity - field after the call.
    Remaining,
}

/// An input buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct InBuf {
    /// Most bytes.
    pub max: u32,
    /// Built from a recipe.
    pub expand: bool,
    /// May take an earlier call's output.
    pub produced: bool,
    /// NULL (length 0) allowed.
    pub nullable: bool,
    /// Passed NUL-terminated.
    pub cstring: bool,
    /// Where its length goes.
    pub len: Option<LenLink>,
    /// Kept alive with the call's first handle.
    pub keep: bool,
    /// Passed as a pointer to an object of this type (see `via` in docs/contract.md).
    pub via: Option<syn::Path>,
}

/// An output buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct OutBuf {
    /// Most capacity.
    pub max: u32,
    /// Where its capacity goes.
    pub cap: Option<LenLink>,
    /// A fixed size instead of a fuzz-chosen capacity (an expression over the parameters).
    pub size: Option<Expr>,
    /// NULL allowed.
    pub nullable: bool,
    /// Passed as a pointer to an object of this type.
    pub via: Option<syn::Path>,
    /// How the written length is learnt.
    pub written: Written,
    /// Kept alive with the call's first handle.
    pub keep: bool,
}

/// How one parameter (or struct field) gets its value.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A fuzz-chosen scalar.
    Scalar(Prim, Domain),
    /// One of these Rust expressions, fuzz-chosen.
    Choice(Vec<Expr>),
    /// This Rust expression.
    Fixed(Expr),
    /// A live handle of kind `kind` (index into [`Plan::handles`]).
    Handle { kind: usize, nullable: bool, fields: Vec<FieldPlan> },
    /// Where a new handle of `kind` is made; with `inherits`, it shares that handle
    /// parameter's kept buffers and state.
    NewHandle { kind: usize, inherits: Option<usize> },
    /// Fuzz bytes in.
    In(InBuf),
    /// A buffer out.
    Out(OutBuf),
    /// `T**` receiving memory freed with the named function; the length parameter, if any.
    Owned { free: String, len: Option<usize> },
    /// A buffer allocated with `alloc`, given to C, freed with `free` when C refuses it.
    Adopt { alloc: String, free: String, len: usize, max: u32 },
    /// A zeroed struct or value of the pointee type (C writes it, or the harness fills
    /// `fields`), kept with the handle when `keep`; NULL allowed when `nullable`.
    OutValue { pointee: String, keep: bool, nullable: bool, fields: Vec<FieldPlan> },
    /// A pointer into the input parameter at this index.
    Within(usize),
    /// A Rust function; optional ones may be NULL (all of one `group` together).
    Callback { path: syn::Path, optional: bool, nullable_type: bool, group: Option<String> },
    /// Filled from another parameter's buffer (a length, capacity or end pointer).
    Derived,
}

/// A parameter of a planned call.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamPlan {
    /// The C parameter name.
    pub name: String,
    /// Its C type.
    pub ty: CType,
    /// How it is chosen.
    pub source: Source,
}

/// A struct field set around a call.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldPlan {
    /// The field name.
    pub name: String,
    /// Its C type.
    pub ty: CType,
    /// How it is chosen ([`Source::Derived`]: left alone, or filled by the buffer that links
    /// it); links are indices into the record's fields.
    pub source: Source,
}

/// What a return value is.
#[derive(Clone, Debug, PartialEq)]
pub enum Ret {
    /// Nothing.
    Void,
    /// A scalar.
    Scalar(Prim),
    /// A new handle of this kind (NULL: none made).
    Handle(usize),
    /// Memory the caller frees with this function.
    Owned(String),
    /// A string the library owns.
    StaticStr,
    /// Another pointer, recorded only.
    Pointer,
}

/// Successful returns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ok {
    /// `==`, `!=`, `>=`, `>`, `<=`, `<`.
    pub op: &'static str,
    /// Compared against.
    pub value: i64,
}

/// A planned C function.
#[derive(Clone, Debug, PartialEq)]
pub struct FnPlan {
    /// The C name.
    pub name: String,
    /// Parameters in C order.
    pub params: Vec<ParamPlan>,
    /// The return value.
    pub ret: Ret,
    /// Successful returns.
    pub ok: Option<Ok>,
    /// States the first handle must be in (indices into its kind's states).
    pub requires: Vec<u8>,
    /// State set after an ok return.
    pub sets: Option<u8>,
}

impl FnPlan {
    /// The first live-handle parameter: (param index, kind).
    pub fn first_handle(&self) -> Option<(usize, usize)> {
        self.params.iter().enumerate().find_map(|(i, p)| match p.source {
            Source::Handle { kind, .. } => Some((i, kind)),
            _ => None,
        })
    }

    /// The kind of handle this call makes, through a parameter or its return value.
    pub fn makes(&self) -> Option<usize> {
        if let Ret::Handle(k) = self.ret {
            return Some(k);
        }
        self.params.iter().find_map(|p| match p.source {
            Source::NewHandle { kind, .. } => Some(kind),
            _ => None,
        })
    }
}

/// A planned handle kind.
#[derive(Clone, Debug, PartialEq)]
pub struct HandlePlan {
    /// The contract's name for it.
    pub name: String,
    /// The C type it points to.
    pub c_type: String,
    /// How it is allocated.
    pub alloc: Alloc,
    /// The destroy call.
    pub destroy: String,
    /// The destroy call's handle parameter name (recorded).
    pub destroy_param: String,
    /// Fixed trailing arguments of the destroy call.
    pub destroy_args: Vec<Expr>,
    /// Whether the destroy call returns nothing.
    pub destroy_void: bool,
    /// Most live.
    pub max: u8,
    /// States.
    pub states: Vec<String>,
    /// Fields set before a create call.
    pub fields: Vec<FieldPlan>,
}

/// A planned fuzz target.
#[derive(Clone, Debug, PartialEq)]
pub struct TargetPlan {
    /// Its name (the fuzz target is `<library>_<name>`).
    pub name: String,
    /// The functions it calls (indices into [`Plan::functions`]), creates included.
    pub functions: Vec<usize>,
    /// Handle kinds it destroys explicitly.
    pub destroys: Vec<usize>,
    /// Its dictionary, relative to the repository root.
    pub dict: Option<String>,
    /// Most calls per input.
    pub max_ops: u32,
}

/// Everything the emitter needs.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    /// The library name.
    pub library: String,
    /// Handle kinds.
    pub handles: Vec<HandlePlan>,
    /// Callable functions, in header order.
    pub functions: Vec<FnPlan>,
    /// Excluded functions with their reasons.
    pub excluded: Vec<(String, String)>,
    /// Fuzz targets.
    pub targets: Vec<TargetPlan>,
    /// Most calls per input.
    pub max_ops: u32,
    /// Called once per process before the first call.
    pub setup: Option<syn::Path>,
    /// The differential twins, one per `[diff]` table.
    pub diffs: Vec<DiffPlan>,
}

impl DiffPlan {
    /// `base` for this pair: itself for an unnamed pair, `<base>_<name>` for a named one
    /// (`run_diff_miniz`, `zlib_diff_miniz_oneshot`).
    pub fn item(&self, base: &str) -> String {
        self.name.as_ref().map_or_else(|| base.to_string(), |n| format!("{base}_{n}"))
    }

    /// The generated module of the second side: `right`, or the pair's name.
    pub fn module(&self) -> String {
        self.name.clone().unwrap_or_else(|| "right".into())
    }
}

/// How a return value is compared in differential runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RetRule {
    /// Equal values.
    Exact,
    /// Not compared.
    Ignore,
    /// Equal classes: (name, lo, hi).
    Classes(Vec<(String, i64, i64)>),
}

/// How outputs are compared in differential runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OutputRule {
    /// Equal bytes.
    Exact,
    /// Not compared.
    Ignore,
    /// Equal after decoding with this function.
    Decoded(syn::Path),
}

/// How one function's outcomes are compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RulePlan {
    /// The return value.
    pub ret: RetRule,
    /// The outputs.
    pub outputs: OutputRule,
    /// Declared, documented differences.
    pub tolerated: Vec<TolerancePlan>,
}

/// One declared difference of a function.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TolerancePlan {
    /// What may differ: `return`, `output N` or `output count`.
    pub what: String,
    /// For `return`, the (left, right) pairs it is limited to (empty: any).
    pub returns: Vec<(i64, i64)>,
    /// Whether the comparison of the input ends after it.
    pub stop: bool,
}

/// The differential part of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct DiffPlan {
    /// The pair's name, when the contract names it.
    pub name: Option<String>,
    /// Rust path of the second implementation.
    pub right: syn::Path,
    /// Labels of the two sides.
    pub sides: [String; 2],
    /// Targets (indices into [`Plan::targets`]) with a differential twin.
    pub targets: Vec<usize>,
    /// Functions the second side implements (indices into [`Plan::functions`]).
    pub functions: Vec<usize>,
    /// Comparison rules, one per planned function.
    pub rules: Vec<RulePlan>,
}

/// Lowers `contract` against `api`.
pub fn plan(contract: &Contract, api: &CApi) -> Result<Plan, ContractError> {
    Lowering { c: contract, api }.run()
}

struct Lowering<'a> {
    c: &'a Contract,
    api: &'a CApi,
}

fn name_hint(candidates: impl Iterator<Item = String>, what: &str) -> String {
    let list: Vec<String> = candidates.collect();
    if list.is_empty() {
        format!("no {what} to choose from")
    } else {
        format!("expected one of: {}", list.join(", "))
    }
}

impl Lowering<'_> {
    fn err<T>(&self, at: &Spanned<T>, msg: impl Into<String>, hint: impl Into<Option<String>>) -> ContractError {
        self.c.error_at(at, msg, hint)
    }

    fn run(&self) -> Result<Plan, ContractError> {
        let file = &self.c.file;
        for (name, _) in &file.functions {
            if self.api.function(name.get_ref()).is_none() {
                return Err(self.err(
                    name,
                    format!("function `{}` is not declared in the header", name.get_ref()),
                    Some("check the spelling, or the header and clang_args in [library]".to_string()),
                ));
            }
        }
        let mut handles = Vec::new();
        for (name, spec) in &file.handles {
            handles.push(self.handle(name, spec)?);
        }
        let mut functions = Vec::new();
        let mut excluded = Vec::new();
        for decl in &self.api.decls.functions {
            let Some((name, spec)) = self.c.function(&decl.name) else {
                continue;
            };
            if handles.iter().any(|h: &HandlePlan| h.destroy == decl.name) {
                continue; // called when a handle is dropped, never as an op of its own
            }
            if let Some(reason) = &spec.get_ref().exclude {
                if reason.get_ref().trim().is_empty() {
                    return Err(self.err(reason, "an exclusion needs a reason", Some("say why it is not called".into())));
                }
                excluded.push((decl.name.clone(), reason.get_ref().clone()));
                continue;
            }
            if decl.variadic {
                return Err(self.err(name, format!("`{}` is variadic and cannot be called from generated code", decl.name), Some("add `exclude = \"variadic\"`".into())));
            }
            functions.push(self.function(name, spec.get_ref(), decl, &handles)?);
        }
        let targets = self.targets(&functions, &handles)?;
        let setup = file
            .library
            .setup
            .as_ref()
            .map(|p| syn::parse_str::<syn::Path>(p.get_ref()).map_err(|e| self.err(p, format!("`{}` is not a Rust path: {e}", p.get_ref()), None)))
            .transpose()?;
        let specs = file.diffs();
        let diffs = specs.iter().map(|d| self.diff(d, &functions, &targets)).collect::<Result<Vec<_>, _>>()?;
        self.distinct_pairs(&specs)?;
        Ok(Plan { library: file.library.name.get_ref().clone(), handles, functions, excluded, targets, max_ops: self.max_ops(), setup, diffs })
    }

    /// Several `[[diff]]` pairs need distinct names (one may go unnamed): the names tell their
    /// targets and modules apart.
    fn distinct_pairs(&self, diffs: &[Spanned<&crate::contract::DiffSpec>]) -> Result<(), ContractError> {
        let mut seen = BTreeSet::new();
        for d in diffs {
            let name = d.get_ref().name.as_ref();
            if !seen.insert(name.map(|n| n.get_ref().clone())) {
                return Err(match name {
                    Some(n) => self.err(n, format!("[[diff]]: a second pair named `{}`", n.get_ref()), None),
                    None => self.err(d, "[[diff]]: a second pair without a name", Some("add name = \"<pair>\" (it names the pair's targets)".into())),
                });
            }
        }
        Ok(())
    }

    fn diff(&self, d: &Spanned<&crate::contract::DiffSpec>, functions: &[FnPlan], targets: &[TargetPlan]) -> Result<DiffPlan, ContractError> {
        let spec = *d.get_ref();
        let right = syn::parse_str::<syn::Path>(spec.right.get_ref())
            .map_err(|e| self.err(&spec.right, format!("`{}` is not a Rust path: {e}", spec.right.get_ref()), None))?;
        let sides = spec.sides.as_ref().map_or_else(|| ["left".to_string(), "right".to_string()], |s| s.get_ref().clone());
        let fn_index = |n: &Name| -> Result<usize, ContractError> {
            functions.iter().position(|f| &f.name == n.get_ref()).ok_or_else(|| {
                self.err(n, format!("[diff]: `{}` is not a function this contract calls", n.get_ref()), Some("name a described, not excluded function".into()))
            })
        };
        if spec.targets.is_empty() {
            return Err(self.err(d, "[diff] names no targets", Some("add targets = [\"<target>\"]".into())));
        }
        let mut target_ix = Vec::new();
        let mut needed = BTreeSet::new();
        for t in &spec.targets {
            let i = targets.iter().position(|p| &p.name == t.get_ref()).ok_or_else(|| {
                self.err(t, format!("[diff]: no target `{}`", t.get_ref()), Some(name_hint(targets.iter().map(|t| t.name.clone()), "targets")))
            })?;
            needed.extend(targets[i].functions.iter().copied());
            target_ix.push(i);
        }
        let name = match &spec.name {
            Some(n) if !is_identifier(n.get_ref()) => {
                return Err(self.err(n, format!("[diff] name `{}` is not an identifier", n.get_ref()), Some("letters, digits and _, not starting with a digit".into())))
            }
            n => n.as_ref().map(|n| n.get_ref().clone()),
        };
        let mut rules: Vec<RulePlan> = functions.iter().map(|_| RulePlan { ret: RetRule::Exact, outputs: OutputRule::Exact, tolerated: Vec::new() }).collect();
        for (n, c) in &spec.compare {
            let i = fn_index(n)?;
            let c = c.get_ref();
            rules[i].ret = match c.ret.as_ref().map(|r| (r, r.get_ref().as_str())) {
                None | Some((_, "exact")) => RetRule::Exact,
                Some((_, "ignore")) => RetRule::Ignore,
                Some((_, "class")) if !c.classes.is_empty() => RetRule::Classes(c.classes.iter().map(|(k, [lo, hi])| (k.clone(), *lo, *hi)).collect()),
                Some((r, "class")) => return Err(self.err(r, "`ret = \"class\"` needs `classes`", Some("add classes = { error = [-100, -1] }".into()))),
                Some((r, other)) => return Err(self.err(r, format!("unknown comparison `{other}`"), Some("expected \"exact\", \"ignore\" or \"class\"".into()))),
            };
            rules[i].outputs = match (c.outputs.as_ref().map(|o| (o, o.get_ref().as_str())), &c.decode) {
                (None | Some((_, "exact")), None) => OutputRule::Exact,
                (Some((_, "ignore")), None) => OutputRule::Ignore,
                (Some((_, "decoded")), Some(d)) => OutputRule::Decoded(
                    syn::parse_str::<syn::Path>(d.get_ref()).map_err(|e| self.err(d, format!("`{}` is not a Rust path: {e}", d.get_ref()), None))?,
                ),
                (Some((o, "decoded")), None) => {
                    return Err(self.err(o, "`outputs = \"decoded\"` needs `decode`", Some("add decode = \"<path of a fn(&[u8]) -> Option<Vec<u8>>>\"".into())))
                }
                (_, Some(d)) => return Err(self.err(d, "`decode` goes with `outputs = \"decoded\"`", None)),
                (Some((o, other)), None) => {
                    return Err(self.err(o, format!("unknown comparison `{other}`"), Some("expected \"exact\", \"ignore\" or \"decoded\"".into())))
                }
            };
        }
        for t in &spec.tolerate {
            let t = t.get_ref();
            let i = fn_index(&t.function)?;
            let what = t.what.get_ref();
            let valid = what == "return" || what == "output count" || what.strip_prefix("output ").is_some_and(|n| n.parse::<usize>().is_ok());
            if !valid {
                return Err(self.err(&t.what, format!("unknown difference `{what}`"), Some("expected \"return\", \"output N\" or \"output count\"".into())));
            }
            if t.reason.get_ref().trim().is_empty() {
                return Err(self.err(&t.reason, "a tolerated difference needs its reason", None));
            }
            if !t.returns.is_empty() && what != "return" {
                return Err(self.err(&t.what, "`returns` narrows a tolerated difference of `return` only", Some("set what = \"return\", or drop `returns`".into())));
            }
            rules[i].tolerated.push(TolerancePlan { what: what.clone(), returns: t.returns.iter().map(|[l, r]| (*l, *r)).collect(), stop: t.stop });
        }
        Ok(DiffPlan { name, right, sides, targets: target_ix, functions: needed.into_iter().collect(), rules })
    }

    fn max_ops(&self) -> u32 {
        self.c.file.library.max_ops.as_ref().map_or(DEFAULT_MAX_OPS, |m| *m.get_ref())
    }

    fn handle(&self, name: &Name, spec: &Spanned<HandleSpec>) -> Result<HandlePlan, ContractError> {
        let h = spec.get_ref();
        let destroy = self.api.function(h.destroy.get_ref()).ok_or_else(|| {
            self.err(&h.destroy, format!("destroy function `{}` is not declared in the header", h.destroy.get_ref()), None)
        })?;
        let destroy_param = destroy.params.first().map(|p| p.name.clone()).ok_or_else(|| {
            self.err(&h.destroy, format!("destroy function `{}` takes no handle", h.destroy.get_ref()), None)
        })?;
        if destroy.params.len() != 1 + h.destroy_args.len() {
            return Err(self.err(
                &h.destroy,
                format!("`{}` takes {} parameters: the handle and {} given in destroy_args", h.destroy.get_ref(), destroy.params.len(), h.destroy_args.len()),
                Some("list the fixed trailing arguments in destroy_args".to_string()),
            ));
        }
        let destroy_args = h.destroy_args.iter().map(|e| self.expr(e)).collect::<Result<_, _>>()?;
        if h.create.is_empty() {
            return Err(self.err(spec, format!("handle `{}` has no create function", name.get_ref()), None));
        }
        for c in &h.create {
            if self.api.function(c.get_ref()).is_none() {
                return Err(self.err(c, format!("create function `{}` is not declared in the header", c.get_ref()), None));
            }
        }
        let fields = match self.api.record(h.ty.get_ref()) {
            Some(rec) => self.fields(rec, &h.fields, &[])?,
            None if h.fields.is_empty() && h.alloc != Alloc::Caller => Vec::new(),
            None => return Err(self.err(&h.ty, format!("type `{}` is not a struct the header defines", h.ty.get_ref()), None)),
        };
        Ok(HandlePlan {
            name: name.get_ref().clone(),
            c_type: h.ty.get_ref().clone(),
            alloc: h.alloc,
            destroy: h.destroy.get_ref().clone(),
            destroy_param,
            destroy_args,
            destroy_void: destroy.ret.is_none(),
            max: h.max.as_ref().map_or(DEFAULT_MAX_HANDLES, |m| *m.get_ref()),
            states: h.states.iter().map(|s| s.get_ref().clone()).collect(),
            fields,
        })
    }

    fn expr(&self, e: &Spanned<String>) -> Result<Expr, ContractError> {
        syn::parse_str::<Expr>(e.get_ref()).map_err(|err| self.err(e, format!("`{}` is not a Rust expression: {err}", e.get_ref()), None))
    }

    fn kind(&self, name: &Name, handles: &[HandlePlan]) -> Result<usize, ContractError> {
        handles.iter().position(|h| &h.name == name.get_ref()).ok_or_else(|| {
            self.err(name, format!("no handle kind `{}`", name.get_ref()), Some(name_hint(handles.iter().map(|h| h.name.clone()), "handle kinds")))
        })
    }

    fn function(&self, name: &Name, spec: &FunctionSpec, decl: &FnDecl, handles: &[HandlePlan]) -> Result<FnPlan, ContractError> {
        let resolver = self.api.resolver();
        let param_names: Vec<&str> = decl.params.iter().map(|p| c_param_name(&p.name)).collect();
        for (arg, _) in &spec.args {
            if !param_names.contains(&arg.get_ref().as_str()) {
                return Err(self.err(
                    arg,
                    format!("`{}` has no parameter `{}`", decl.name, arg.get_ref()),
                    Some(name_hint(param_names.iter().map(|s| s.to_string()), "parameters")),
                ));
            }
        }
        let mut params: Vec<ParamPlan> = decl
            .params
            .iter()
            .map(|p| ParamPlan { name: c_param_name(&p.name).to_string(), ty: resolver.normalise(&p.ty), source: Source::Derived })
            .collect();
        let mut derived = BTreeSet::new();
        let spec_of = |n: &str| spec.args.iter().find(|(k, _)| k.get_ref() == n).map(|(_, v)| v);
        for (i, p) in decl.params.iter().enumerate() {
            let Some(arg) = spec_of(c_param_name(&p.name)) else { continue };
            let index_of = |link: &Name| -> Result<usize, ContractError> {
                param_names.iter().position(|n| *n == link.get_ref()).ok_or_else(|| {
                    self.err(link, format!("`{}` has no parameter `{}`", decl.name, link.get_ref()), Some(name_hint(param_names.iter().map(|s| s.to_string()), "parameters")))
                })
            };
            let mut source = self.source(arg, &params[i].ty, &index_of, handles, &mut derived)?;
            if let Source::Callback { nullable_type, .. } = &mut source {
                *nullable_type = self.is_option(&p.ty);
            }
            params[i].source = source;
        }
        for (i, p) in params.iter_mut().enumerate() {
            if matches!(p.source, Source::Derived) && !derived.contains(&i) {
                p.source = match Prim::of(&p.ty) {
                    Some(prim) => Source::Scalar(prim, Domain::Any),
                    None => {
                        return Err(self.err(
                            name,
                            format!("`{}`: parameter `{}` ({}) needs a description", decl.name, p.name, p.ty),
                            Some(format!("add args.{} = {{ ... }} (see docs/contract.md)", p.name)),
                        ))
                    }
                };
            }
        }
        let ret_ty = resolver.normalise_ret(decl.ret.as_ref());
        let creates_returned = handles.iter().position(|h| h.alloc == Alloc::Returned && self.creates(h, &decl.name));
        let ret = match (&spec.returns, creates_returned) {
            (Some(r), _) => self.ret(r, handles)?,
            (None, Some(k)) => Ret::Handle(k),
            (None, None) => match &ret_ty {
                CType::Void => Ret::Void,
                t if t.is_pointer() => Ret::Pointer,
                t => Ret::Scalar(Prim::of(t).ok_or_else(|| self.err(name, format!("`{}` returns {t}, which seam cannot record", decl.name), None))?),
            },
        };
        let ok = spec.ok.as_ref().map(|o| self.ok(o)).transpose()?;
        let mut kinds_used = BTreeSet::new();
        for p in &params {
            if let Source::Handle { kind, .. } = p.source {
                if !kinds_used.insert(kind) {
                    return Err(self.err(name, format!("`{}` takes two `{}` handles; one call may use one handle of each kind", decl.name, handles[kind].name), None));
                }
            }
            if let Source::NewHandle { kind, .. } = p.source {
                if handles[kind].alloc == Alloc::Returned {
                    return Err(self.err(name, format!("handle `{}` is returned by its create call (alloc = \"returned\"); `new_handle` needs alloc = \"out\" or \"caller\"", handles[kind].name), None));
                }
            }
            if let Source::Within(j) = p.source {
                if !matches!(params[j].source, Source::In(_)) {
                    return Err(self.err(name, format!("`{}`: `within` must name an input buffer parameter, `{}` is not one", decl.name, params[j].name), None));
                }
            }
        }
        let plan = FnPlan { name: decl.name.clone(), params, ret, ok, requires: Vec::new(), sets: None };
        let states = |n: &Name| -> Result<u8, ContractError> {
            let (_, kind) = plan.first_handle().ok_or_else(|| self.err(n, format!("`{}` takes no handle to keep a state on", decl.name), None))?;
            let h = &handles[kind];
            h.states.iter().position(|s| s == n.get_ref()).map(|i| i as u8).ok_or_else(|| {
                self.err(n, format!("handle `{}` has no state `{}`", h.name, n.get_ref()), Some(name_hint(h.states.iter().cloned(), "states")))
            })
        };
        let requires = spec.requires.iter().map(states).collect::<Result<_, _>>()?;
        let sets = spec.sets.as_ref().map(states).transpose()?;
        Ok(FnPlan { requires, sets, ..plan })
    }

    /// Whether a type is `Option<...>` (a nullable function pointer), through aliases.
    fn is_option(&self, ty: &syn::Type) -> bool {
        let mut ty = ty;
        for _ in 0..16 {
            let syn::Type::Path(p) = ty else { return false };
            let Some(last) = p.path.segments.last() else { return false };
            if last.ident == "Option" {
                return true;
            }
            match self.api.decls.aliases.get(&last.ident.to_string()) {
                Some(t) => ty = t,
                None => return false,
            }
        }
        false
    }

    fn via(&self, a: &ArgSpec) -> Result<Option<syn::Path>, ContractError> {
        a.via
            .as_ref()
            .map(|v| syn::parse_str::<syn::Path>(v.get_ref()).map_err(|e| self.err(v, format!("`{}` is not a Rust path: {e}", v.get_ref()), None)))
            .transpose()
    }

    fn creates(&self, h: &HandlePlan, function: &str) -> bool {
        self.c.file.handles.iter().any(|(n, s)| n.get_ref() == &h.name && s.get_ref().create.iter().any(|c| c.get_ref() == function))
    }

    fn ret(&self, r: &Name, handles: &[HandlePlan]) -> Result<Ret, ContractError> {
        let text = r.get_ref();
        if let Some(kind) = text.strip_prefix("handle:") {
            let k = handles.iter().position(|h| h.name == kind).ok_or_else(|| self.err(r, format!("no handle kind `{kind}`"), None))?;
            return Ok(Ret::Handle(k));
        }
        if let Some(free) = text.strip_prefix("owned:") {
            self.callable(r, free)?;
            return Ok(Ret::Owned(free.to_string()));
        }
        if text == "static_str" {
            return Ok(Ret::StaticStr);
        }
        Err(self.err(r, format!("unknown return description `{text}`"), Some("expected handle:<kind>, owned:<free_fn> or static_str".into())))
    }

    fn callable(&self, at: &Name, f: &str) -> Result<(), ContractError> {
        match self.api.function(f) {
            Some(_) => Ok(()),
            None => Err(self.err(at, format!("function `{f}` is not declared in the header"), None)),
        }
    }

    fn ok(&self, o: &Name) -> Result<Ok, ContractError> {
        let text = o.get_ref().trim();
        let op = ["==", "!=", ">=", "<=", ">", "<"].into_iter().find(|op| text.starts_with(op));
        let parsed = op.and_then(|op| text[op.len()..].trim().parse::<i64>().ok().map(|value| Ok { op, value }));
        parsed.ok_or_else(|| self.err(o, format!("`{text}` is not a comparison"), Some("write e.g. \"== 0\" or \">= 0\"".into())))
    }

    fn constant(&self, at: &Spanned<ArgSpec>, c: &ConstRef) -> Result<i128, ContractError> {
        match c {
            ConstRef::Int(i) => Ok(i128::from(*i)),
            ConstRef::Name(n) => self.api.constant(n).ok_or_else(|| {
                self.err(at, format!("`{n}` is not an integer constant of the header"), Some("use a number or a #define the header has".into()))
            }),
        }
    }

    /// Lowers one argument description. `index_of` resolves names of sibling parameters (or
    /// fields); `derived` collects the ones filled from a buffer.
    fn source(
        &self,
        arg: &Spanned<ArgSpec>,
        ty: &CType,
        index_of: &dyn Fn(&Name) -> Result<usize, ContractError>,
        handles: &[HandlePlan],
        derived: &mut BTreeSet<usize>,
    ) -> Result<Source, ContractError> {
        let a = arg.get_ref();
        let mut link = |n: &Name, f: fn(usize) -> LenLink| -> Result<LenLink, ContractError> {
            let i = index_of(n)?;
            derived.insert(i);
            Ok(f(i))
        };
        if let Some(k) = &a.handle {
            let kind = self.kind(k, handles)?;
            let fields = if a.fields.is_empty() {
                Vec::new()
            } else {
                let rec = self.api.record(&handles[kind].c_type).ok_or_else(|| self.err(arg, format!("`{}` is not a struct the header defines", handles[kind].c_type), None))?;
                self.fields(rec, &a.fields, handles)?
            };
            return Ok(Source::Handle { kind, nullable: a.nullable, fields });
        }
        if let Some(k) = &a.new_handle {
            let inherits = a.inherits.as_ref().map(|n| index_of(n)).transpose()?;
            return Ok(Source::NewHandle { kind: self.kind(k, handles)?, inherits });
        }
        if let Some(v) = &a.value {
            return Ok(Source::Fixed(self.expr(v)?));
        }
        if let Some(cb) = &a.callback {
            let path = syn::parse_str::<syn::Path>(cb.get_ref()).map_err(|e| self.err(cb, format!("`{}` is not a Rust path: {e}", cb.get_ref()), None))?;
            return Ok(Source::Callback { path, optional: a.optional, nullable_type: true, group: a.optional_group.as_ref().map(|g| g.get_ref().clone()) });
        }
        if let Some(free) = &a.owned {
            self.callable(free, free.get_ref())?;
            let len = a.len.as_ref().map(|l| link(l, LenLink::Ptr)).transpose()?.map(|l| match l {
                LenLink::Ptr(i) => i,
                _ => unreachable!("built as Ptr"),
            });
            return Ok(Source::Owned { free: free.get_ref().clone(), len });
        }
        if let Some(alloc) = &a.adopt {
            self.callable(alloc, alloc.get_ref())?;
            let free = a.free.as_ref().ok_or_else(|| self.err(arg, "`adopt` needs `free`: the function the caller frees a refused buffer with", None))?;
            self.callable(free, free.get_ref())?;
            let len_name = a.len.as_ref().ok_or_else(|| self.err(arg, "`adopt` needs `len`", None))?;
            let len = index_of(len_name)?;
            derived.insert(len);
            return Ok(Source::Adopt { alloc: alloc.get_ref().clone(), free: free.get_ref().clone(), len, max: a.max.as_ref().map_or(DEFAULT_MAX_IN, |m| *m.get_ref()) });
        }
        if let Some(w) = &a.within {
            return Ok(Source::Within(index_of(w)?));
        }
        if a.out || a.struct_type.is_some() {
            let pointee = match (&a.struct_type, ty) {
                (Some(t), _) => t.get_ref().clone(),
                (None, ty) => match ty {
                CType::Ptr { pointee, .. } => match &**pointee {
                    CType::Named(n) => n.clone(),
                    other => other.to_string(),
                },
                other => return Err(self.err(arg, format!("`out` needs a pointer parameter, this one is {other}"), None)),
                },
            };
            let fields = match self.api.record(&pointee) {
                Some(rec) if !a.fields.is_empty() => self.fields(rec, &a.fields, handles)?,
                _ => Vec::new(),
            };
            return Ok(Source::OutValue { pointee, keep: a.keep, nullable: a.nullable, fields });
        }
        if let Some(dir) = &a.bytes {
            return match dir.get_ref().as_str() {
                "in" => {
                    let len = match (&a.len, &a.end, &a.len_ptr) {
                        (Some(l), None, None) => Some(link(l, LenLink::Value)?),
                        (None, Some(e), None) => Some(link(e, LenLink::End)?),
                        (None, None, Some(p)) => Some(link(p, LenLink::Ptr)?),
                        (None, None, None) if a.cstring || a.via.is_some() => None,
                        (None, None, None) => return Err(self.err(arg, "an input buffer needs `len`, `end`, `len_ptr` or `cstring = true`", None)),
                        _ => return Err(self.err(arg, "give only one of `len`, `end`, `len_ptr`", None)),
                    };
                    Ok(Source::In(InBuf {
                        max: a.max.as_ref().map_or(DEFAULT_MAX_IN, |m| *m.get_ref()),
                        expand: a.expand,
                        produced: a.produced.unwrap_or(!a.expand),
                        nullable: a.nullable,
                        cstring: a.cstring,
                        len,
                        keep: a.keep,
                        via: self.via(a)?,
                    }))
                }
                "out" => {
                    let cap = match (&a.cap, &a.cap_ptr) {
                        (Some(c), None) => Some(link(c, LenLink::Value)?),
                        (None, Some(c)) => Some(link(c, LenLink::Ptr)?),
                        (None, None) => None,
                        _ => return Err(self.err(arg, "give only one of `cap`, `cap_ptr`", None)),
                    };
                    let written = match a.written.as_ref() {
                        Some(w) if w.get_ref() == "return" => Written::Return,
                        Some(w) => {
                            let j = index_of(w)?;
                            derived.insert(j);
                            Written::Param(j)
                        }
                        None if matches!(cap, Some(LenLink::Ptr(_))) => Written::Ptr,
                        None => Written::Capacity,
                    };
                    let size = match a.size.as_ref() {
                        None => None,
                        Some(sz) => Some(match sz.get_ref() {
                            crate::contract::SizeSpec::Bytes(n) => syn::parse_str::<Expr>(&n.to_string()).expect("a number parses"),
                            crate::contract::SizeSpec::Expr(e) => syn::parse_str::<Expr>(e).map_err(|err| self.err(sz, format!("`{e}` is not a Rust expression: {err}"), None))?,
                        }),
                    };
                    let via = self.via(a)?;
                    if cap.is_none() && size.is_none() && via.is_none() {
                        return Err(self.err(arg, "an output buffer needs `cap`, `cap_ptr` or `size`", None));
                    }
                    Ok(Source::Out(OutBuf {
                        max: a.max.as_ref().map_or(DEFAULT_MAX_OUT, |m| *m.get_ref()),
                        cap,
                        size,
                        nullable: a.nullable,
                        via,
                        written,
                        keep: a.keep,
                    }))
                }
                other => Err(self.err(dir, format!("unknown `bytes = \"{other}\"`"), Some("expected \"in\" or \"out\"".into()))),
            };
        }
        let prim = Prim::of(ty);
        if let Some(values) = &a.values {
            if values.is_empty() {
                return Err(self.err(arg, "`values` is empty", None));
            }
            if prim.is_none() {
                let exprs = values
                    .iter()
                    .map(|v| match v {
                        ConstRef::Name(n) => syn::parse_str::<Expr>(n).map_err(|e| self.err(arg, format!("`{n}` is not a Rust expression: {e}"), None)),
                        ConstRef::Int(i) => Err(self.err(arg, format!("{i}: a pointer parameter takes Rust expressions"), None)),
                    })
                    .collect::<Result<_, _>>()?;
                return Ok(Source::Choice(exprs));
            }
        }
        let prim = prim.ok_or_else(|| self.err(arg, format!("a {ty} parameter needs a pointer description (bytes, handle, out, ...)"), None))?;
        let domain = match (&a.range, &a.values, &a.flags) {
            (Some([lo, hi]), None, None) if lo <= hi => Domain::Range(*lo, *hi),
            (Some(_), None, None) => return Err(self.err(arg, "`range` must be [lo, hi] with lo <= hi", None)),
            (None, Some(v), None) => Domain::Values(v.iter().map(|c| self.constant(arg, c)).collect::<Result<_, _>>()?),
            (None, None, Some(f)) => {
                let always = a.always.iter().flatten().map(|c| self.constant(arg, c)).try_fold(0i128, |acc, v| v.map(|v| acc | v))?;
                Domain::Flags(f.iter().map(|c| self.constant(arg, c)).collect::<Result<_, _>>()?, always)
            }
            (None, None, None) => Domain::Any,
            _ => return Err(self.err(arg, "give only one of `range`, `values`, `flags`", None)),
        };
        Ok(Source::Scalar(prim, domain))
    }

    /// Lowers struct field descriptions against the record's fields.
    fn fields(
        &self,
        rec: &RecordDecl,
        specs: &std::collections::BTreeMap<Name, Spanned<ArgSpec>>,
        handles: &[HandlePlan],
    ) -> Result<Vec<FieldPlan>, ContractError> {
        let resolver = self.api.resolver();
        let names: Vec<&str> = rec.fields.iter().map(|f| f.name.as_str()).collect();
        for (n, _) in specs {
            if !names.contains(&n.get_ref().as_str()) {
                return Err(self.err(n, format!("struct `{}` has no field `{}`", rec.name, n.get_ref()), Some(name_hint(names.iter().map(|s| s.to_string()), "fields"))));
            }
        }
        let mut plans: Vec<FieldPlan> = rec
            .fields
            .iter()
            .map(|f| FieldPlan { name: f.name.clone(), ty: resolver.normalise(&f.ty), source: Source::Derived })
            .collect();
        let mut derived = BTreeSet::new();
        for (i, f) in rec.fields.iter().enumerate() {
            let Some((_, spec)) = specs.iter().find(|(n, _)| n.get_ref() == &f.name) else { continue };
            let index_of = |link: &Name| -> Result<usize, ContractError> {
                names.iter().position(|n| *n == link.get_ref()).ok_or_else(|| {
                    self.err(link, format!("struct `{}` has no field `{}`", rec.name, link.get_ref()), None)
                })
            };
            let mut source = self.source(spec, &plans[i].ty, &index_of, handles, &mut derived)?;
            if let Source::Out(o) = &mut source {
                o.written = Written::Remaining;
            }
            if let Source::Callback { nullable_type, .. } = &mut source {
                *nullable_type = self.is_option(&f.ty);
            }
            plans[i].source = source;
        }
        // Every field is listed (links index into the record); fields left `Derived` that no
        // buffer fills keep their value.
        Ok(plans)
    }

    fn targets(&self, functions: &[FnPlan], handles: &[HandlePlan]) -> Result<Vec<TargetPlan>, ContractError> {
        let mut out = Vec::new();
        for (name, spec) in &self.c.file.targets {
            let t = spec.get_ref();
            let listed: Vec<usize> = if t.functions.is_empty() {
                (0..functions.len()).collect()
            } else {
                t.functions
                    .iter()
                    .map(|f| {
                        functions.iter().position(|p| &p.name == f.get_ref()).ok_or_else(|| {
                            let why = if self.c.function(f.get_ref()).is_some() { "is excluded" } else { "is not described in [functions]" };
                            self.err(f, format!("target `{}`: function `{}` {why}", name.get_ref(), f.get_ref()), None)
                        })
                    })
                    .collect::<Result<_, _>>()?
            };
            let mut kinds = BTreeSet::new();
            for &f in &listed {
                for p in &functions[f].params {
                    if let Source::Handle { kind, .. } | Source::NewHandle { kind, .. } = p.source {
                        kinds.insert(kind);
                    }
                }
                if let Some(k) = functions[f].makes() {
                    kinds.insert(k);
                }
            }
            let mut set: BTreeSet<usize> = listed.into_iter().collect();
            for &k in &kinds {
                for (i, f) in functions.iter().enumerate() {
                    if self.creates(&handles[k], &f.name) {
                        set.insert(i);
                    }
                }
            }
            out.push(TargetPlan {
                name: name.get_ref().clone(),
                functions: set.into_iter().collect(),
                destroys: kinds.into_iter().collect(),
                dict: t.dict.as_ref().map(|d| d.get_ref().clone()),
                max_ops: t.max_ops.as_ref().map_or(self.max_ops(), |m| *m.get_ref()),
            });
        }
        Ok(out)
    }
}

/// The C name of a parameter bindgen renamed because it is a Rust keyword or `str`
/// (`in` -> `in_`, `str` -> `str_`).
fn c_param_name(bindgen_name: &str) -> &str {
    match bindgen_name.strip_suffix('_') {
        Some(stem) if !stem.is_empty() && (syn::parse_str::<syn::Ident>(stem).is_err() || stem == "str") => stem,
        _ => bindgen_name,
    }
}

/// Whether `name` can name a Rust module and functions (an identifier, not a keyword).
fn is_identifier(name: &str) -> bool {
    syn::parse_str::<Ident>(name).is_ok()
}
