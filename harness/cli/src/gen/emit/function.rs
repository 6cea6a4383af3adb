//! One C function, emitted four ways from its [`FnPlan`]: the `Op` variant that carries its
//! fuzz-chosen arguments, the decoding of that variant, the safe wrapper that keeps the
//! contract and records the call, and the `apply` arm that finds live handles and feeds the
//! wrapper.

use proc_macro2::TokenStream;
use quote::quote;

use super::names::{camel, ident, local};
use crate::contract::Alloc;
use crate::gen::plan::{Domain, FieldPlan, FnPlan, HandlePlan, InBuf, LenLink, OutBuf, Plan, Prim, Ret, Source, Written};

/// The emitted pieces of one function.
pub struct FnParts {
    /// `Name { fields }` inside `enum Op`.
    pub variant: TokenStream,
    /// `OpKind::Name => |u| Ok(Op::Name { ... })` inside `OpKind::decoder`.
    pub decode: TokenStream,
    /// The safe wrapper function.
    pub wrapper: TokenStream,
    /// `Op::Name { .. } => { ... }` inside `Live::apply`.
    pub apply: TokenStream,
}

/// A fuzz-chosen value carried by the op.
struct OpField {
    name: proc_macro2::Ident,
    ty: TokenStream,
    decode: TokenStream,
}

/// What a wrapper returns besides the C return value.
struct Output {
    ty: TokenStream,
    value: TokenStream,
    /// How `apply` consumes it.
    consume: Consume,
}

enum Consume {
    /// Bytes: compared in differential runs, kept for later calls to consume.
    Produced,
    /// The scalar return value: compared in differential runs.
    Ret,
    /// A handle the call returned: made or not is compared.
    ReturnedHandle(usize),
    /// A new handle of this kind.
    Handle(usize),
    /// Only looked at.
    Observe,
}

/// Everything built per parameter before assembly.
#[derive(Default)]
struct Acc {
    op_fields: Vec<OpField>,
    params: Vec<TokenStream>,
    apply_pre: Vec<TokenStream>,
    apply_args: Vec<TokenStream>,
    pre: Vec<TokenStream>,
    post: Vec<TokenStream>,
    record: Vec<TokenStream>,
    outputs: Vec<Output>,
    fallible: bool,
    /// Optional-callback groups whose fuzz choice is already an op field.
    groups: Vec<String>,
    /// Values that must outlive the call: kept with the call's first handle, or with the
    /// handle it makes.
    kept: Vec<TokenStream>,
    /// The local holding the handle this call makes, if any.
    made: Option<proc_macro2::Ident>,
}

impl Acc {
    /// The flag of an optional callback: its own op field, or its group's (one per group).
    fn optional_flag(&mut self, own: &str, group: Option<&str>) -> proc_macro2::Ident {
        let name = match group {
            Some(g) => local(g, "on"),
            None => local(own, "on"),
        };
        let first = match group {
            Some(g) if self.groups.iter().any(|x| x == g) => false,
            Some(g) => {
                self.groups.push(g.to_string());
                true
            }
            None => true,
        };
        if first {
            self.op_fields.push(OpField { name: name.clone(), ty: quote!(bool), decode: quote!(u.arbitrary::<bool>()?) });
            self.params.push(quote!(#name: bool));
            self.apply_args.push(quote!(*#name));
        }
        name
    }

    /// The value passed for a callback: the Rust function, wrapped in `Some` for a nullable
    /// function-pointer type, NULL when an optional one's fuzz flag is off.
    fn callback(&mut self, own: &str, path: &syn::Path, optional: bool, nullable_type: bool, group: Option<&str>) -> TokenStream {
        if optional {
            let on = self.optional_flag(own, group);
            quote!(if #on { Some(#path) } else { None })
        } else if nullable_type {
            quote!(Some(#path))
        } else {
            quote!(#path)
        }
    }
}

fn prim_ty(p: Prim) -> TokenStream {
    let i = p.ident();
    quote!(#i)
}

fn record_scalar(name: &str, value: TokenStream, prim: Prim) -> TokenStream {
    if prim.signed() {
        quote!(seam_runtime::Arg::signed(#name, #value as i64))
    } else {
        quote!(seam_runtime::Arg::unsigned(#name, #value as u64))
    }
}

fn decode_scalar(prim: Prim, domain: &Domain) -> TokenStream {
    let t = prim_ty(prim);
    match domain {
        Domain::Any => quote!(u.arbitrary::<#t>()?),
        Domain::Range(lo, hi) => {
            let (lo, hi) = (proc_macro2::Literal::i64_unsuffixed(*lo), proc_macro2::Literal::i64_unsuffixed(*hi));
            quote!(u.int_in_range((#lo as #t)..=(#hi as #t))?)
        }
        Domain::Values(v) => {
            let v = v.iter().map(|x| proc_macro2::Literal::i128_unsuffixed(*x));
            quote!(*u.choose(&[#(#v as #t),*])?)
        }
        Domain::Flags(f, always) => {
            let f = f.iter().map(|x| proc_macro2::Literal::i128_unsuffixed(*x));
            let always = (*always != 0).then(|| {
                let a = proc_macro2::Literal::i128_unsuffixed(*always);
                quote!(| #a as #t)
            });
            quote!(seam_runtime::input::flags(u, &[#(#f as i64),*])? as #t #always)
        }
    }
}

/// The op field type and decoder of an input buffer.
fn in_field(b: &InBuf) -> (TokenStream, TokenStream) {
    let max = b.max as usize;
    let (ty, dec) = if b.expand {
        (quote!(seam_runtime::input::Recipe<'a>), quote!(seam_runtime::input::Recipe::decode(u, #max)?))
    } else if b.produced {
        (quote!(seam_runtime::input::Bytes<'a>), quote!(seam_runtime::input::Bytes::fresh_or_produced(u, #max)?))
    } else {
        (quote!(seam_runtime::input::Bytes<'a>), quote!(seam_runtime::input::Bytes::fresh(u, #max)?))
    };
    if b.nullable {
        (quote!(Option<#ty>), quote!(if u.arbitrary::<bool>()? { Some(#dec) } else { None }))
    } else {
        (ty, dec)
    }
}

/// `apply`'s expression turning an input op field into `&[u8]` (binding a local first when the
/// bytes are built).
fn in_apply(acc: &mut Acc, b: &InBuf, field: &proc_macro2::Ident) -> TokenStream {
    if b.expand {
        let built = local(&field.to_string(), "built");
        if b.nullable {
            acc.apply_pre.push(quote!(let #built = #field.as_ref().map(|r| r.build());));
        } else {
            acc.apply_pre.push(quote!(let #built = #field.build();));
        }
        quote!(#built)
    } else if b.nullable {
        quote!(#field.as_ref().map(|b| b.get(sink.feed())))
    } else {
        quote!(#field.get(sink.feed()))
    }
}

/// Emits one function; `side` labels the calls of a differential twin's second side in the
/// recorder (`rust::seeded_open`).
pub fn function(plan: &Plan, f: &FnPlan, side: Option<&str>) -> FnParts {
    let mut acc = Acc::default();
    let n_params = f.params.len();
    let mut args: Vec<Option<TokenStream>> = vec![None; n_params];
    let first_handle = f.first_handle().map(|(i, _)| ident(&f.params[i].name));
    let ok_test = ok_expr(f);

    for (i, p) in f.params.iter().enumerate() {
        let id = ident(&p.name);
        let pname = p.name.as_str();
        match &p.source {
            Source::Derived => {}
            Source::Scalar(prim, domain) => {
                let t = prim_ty(*prim);
                acc.op_fields.push(OpField { name: id.clone(), ty: t.clone(), decode: decode_scalar(*prim, domain) });
                acc.params.push(quote!(#id: #t));
                acc.apply_args.push(quote!(*#id));
                acc.record.push(record_scalar(pname, quote!(#id), *prim));
                args[i] = Some(quote!(#id as _));
            }
            Source::Choice(exprs) => {
                let n = exprs.len();
                acc.op_fields.push(OpField { name: id.clone(), ty: quote!(u8), decode: quote!(u.choose_index(#n)? as u8) });
                acc.params.push(quote!(#id: u8));
                acc.apply_args.push(quote!(*#id));
                acc.record.push(quote!(seam_runtime::Arg::unsigned(#pname, #id as u64)));
                let arms = exprs.iter().enumerate().map(|(k, e)| quote!(#k => #e as _,));
                let v = local(pname, "value");
                acc.pre.push(quote!(let #v = match usize::from(#id) % #n { #(#arms)* _ => unreachable!("index reduced modulo the count") };));
                args[i] = Some(quote!(#v));
            }
            Source::Fixed(e) => args[i] = Some(quote!((#e) as _)),
            Source::Handle { kind, nullable, fields } => {
                let h = &plan.handles[*kind];
                let ty = camel(&h.name);
                let live = ident(&h.name);
                if *nullable {
                    acc.op_fields.push(OpField { name: id.clone(), ty: quote!(Option<u8>), decode: quote!(u.arbitrary::<Option<u8>>()?) });
                    acc.params.push(quote!(#id: Option<&mut #ty>));
                    acc.apply_pre.push(quote!(let #id = match #id { Some(i) => Some(match seam_runtime::input::pick(&mut self.#live, *i) { Some(h) => h, None => return }), None => None };));
                    acc.apply_args.push(quote!(#id));
                    acc.record.push(quote!(seam_runtime::Arg::handle(#pname, #id.as_ref().map_or(0, |h| h.id))));
                    args[i] = Some(quote!(#id.as_ref().map_or(std::ptr::null_mut(), |h| h.raw) as _));
                } else {
                    acc.op_fields.push(OpField { name: id.clone(), ty: quote!(u8), decode: quote!(u.arbitrary::<u8>()?) });
                    acc.params.push(quote!(#id: &mut #ty));
                    acc.apply_pre.push(quote!(let Some(#id) = seam_runtime::input::pick(&mut self.#live, *#id) else { return };));
                    if !f.requires.is_empty() && first_handle.as_ref() == Some(&id) {
                        let states = f.requires.iter();
                        acc.apply_pre.push(quote!(if ![#(#states),*].contains(&#id.state) { return; }));
                    }
                    acc.apply_args.push(quote!(#id));
                    acc.record.push(quote!(seam_runtime::Arg::handle(#pname, #id.id)));
                    let raw = quote!(#id.raw);
                    fields_around(&mut acc, pname, &raw, fields, true, false);
                    args[i] = Some(quote!(#id.raw as _));
                }
            }
            Source::NewHandle { kind, inherits } => {
                let h = &plan.handles[*kind];
                let ty = camel(&h.name);
                let ct = syn::parse_str::<syn::Type>(&h.c_type).unwrap_or_else(|_| syn::parse_quote!(u8));
                acc.apply_pre.insert(0, room_for(h));
                let raw = local(pname, "new");
                let made = local(pname, "made");
                acc.made = Some(made.clone());
                match h.alloc {
                    Alloc::Out => {
                        acc.pre.push(quote!(let mut #raw: *mut ffi::#ct = std::ptr::null_mut();));
                        args[i] = Some(quote!(&mut #raw as *mut _ as _));
                        acc.post.push(quote!(let #made = if #ok_test && !#raw.is_null() { Some(#ty::wrap(#raw)) } else { None };));
                    }
                    Alloc::Caller | Alloc::Returned => {
                        acc.pre.push(quote!(let #raw = seam_runtime::handle::alloc_zeroed::<ffi::#ct>();));
                        let raw_t = quote!(#raw);
                        fields_around(&mut acc, pname, &raw_t, &h.fields, false, false);
                        args[i] = Some(quote!(#raw as _));
                        acc.post.push(quote!(let #made = if #ok_test { Some(#ty::wrap(#raw)) } else {
                            // SAFETY: allocated above and not adopted by a handle.
                            unsafe { seam_runtime::handle::free_zeroed(#raw) };
                            None
                        };));
                    }
                }
                if let Some(j) = inherits {
                    let src = ident(&f.params[*j].name);
                    acc.post.push(quote!(let mut #made = #made;
                        if let Some(m) = #made.as_mut() {
                            m.keep = #src.keep.clone();
                            m.state = #src.state;
                        }));
                }
                acc.outputs.push(Output { ty: quote!(Option<#ty>), value: quote!(#made), consume: Consume::Handle(*kind) });
            }
            Source::In(b) => {
                let (fty, dec) = in_field(b);
                acc.op_fields.push(OpField { name: id.clone(), ty: fty, decode: dec });
                let a = in_apply(&mut acc, b, &id);
                acc.apply_args.push(a);
                if b.nullable {
                    acc.params.push(quote!(#id: Option<&[u8]>));
                } else {
                    acc.params.push(quote!(#id: &[u8]));
                }
                let bytes = if b.nullable { quote!(#id.unwrap_or(&[])) } else { quote!(#id) };
                if let Some(via) = &b.via {
                    let obj = local(pname, "obj");
                    acc.pre.push(quote!(let mut #obj = #via::new(#bytes);));
                    args[i] = Some(quote!(&mut #obj as *mut #via as _));
                    acc.record.push(quote!(seam_runtime::Arg::unsigned(#pname, #bytes.len() as u64)));
                    continue;
                }
                let (ptr, len) = in_pointer(&mut acc, pname, &bytes, b);
                let ptr = if b.nullable { quote!(if #id.is_some() { #ptr } else { std::ptr::null() }) } else { ptr };
                args[i] = Some(quote!(#ptr as _));
                let len_name = b.len.map(|l| link_index(l)).map_or(pname, |j| f.params[j].name.as_str());
                acc.record.push(quote!(seam_runtime::Arg::unsigned(#len_name, #len as u64)));
                link_args(&mut acc, &mut args, b.len, f, &ptr, &len, pname);
            }
            Source::Out(b) => out_param(&mut acc, &mut args, f, i, b, &ok_test),
            Source::Owned { free, len } => {
                let ptr = local(pname, "ptr");
                let out = local(pname, "out");
                acc.pre.push(quote!(let mut #ptr: *mut u8 = std::ptr::null_mut();));
                args[i] = Some(quote!(&mut #ptr as *mut *mut u8 as _));
                let read = match len {
                    Some(j) => {
                        let l = local(&f.params[*j].name, "value");
                        let prim = pointee_prim(&f.params[*j].ty);
                        acc.pre.push(quote!(let mut #l: #prim = 0;));
                        args[*j] = Some(quote!(&mut #l as *mut _ as _));
                        quote!(std::slice::from_raw_parts(#ptr, #l as usize).to_vec())
                    }
                    None => quote!(std::ffi::CStr::from_ptr(#ptr.cast()).to_bytes().to_vec()),
                };
                let free_id = ident(free);
                // Copied out and freed at once: a library that keeps using memory it handed
                // over faults on the next call that touches it.
                acc.post.push(quote!(let #out = if #ok_test && !#ptr.is_null() {
                    // SAFETY: C handed over this buffer (and its length) on success.
                    let bytes = unsafe { #read };
                    let call = seam_runtime::enter(#free, &[seam_runtime::Arg::ptr(#pname, #ptr)]);
                    // SAFETY: the caller owns the buffer and frees it once, with the library's function.
                    unsafe { ffi::#free_id(#ptr as _) };
                    call.done();
                    bytes
                } else {
                    Vec::new()
                };));
                acc.outputs.push(Output { ty: quote!(Vec<u8>), value: quote!(#out), consume: Consume::Produced });
            }
            Source::Adopt { alloc, free, len, max } => {
                let b = InBuf { max: *max, expand: false, produced: true, nullable: false, cstring: false, len: None, keep: false, via: None };
                let (fty, dec) = in_field(&b);
                acc.op_fields.push(OpField { name: id.clone(), ty: fty, decode: dec });
                let a = in_apply(&mut acc, &b, &id);
                acc.apply_args.push(a);
                acc.params.push(quote!(#id: &[u8]));
                let buf = local(pname, "buf");
                let (alloc_id, free_id) = (ident(alloc), ident(free));
                acc.fallible = true;
                acc.pre.push(quote!(
                    let call = seam_runtime::enter(#alloc, &[seam_runtime::Arg::unsigned("len", #id.len() as u64)]);
                    // SAFETY: any length is a valid request.
                    let #buf: *mut u8 = unsafe { ffi::#alloc_id(#id.len() as _) } as *mut u8;
                    call.returned(#buf as usize as i64);
                    if #buf.is_null() {
                        return None;
                    }
                    // SAFETY: the allocation holds at least len bytes and does not overlap the input.
                    unsafe { std::ptr::copy_nonoverlapping(#id.as_ptr(), #buf, #id.len()) };
                ));
                args[i] = Some(quote!(#buf as _));
                args[*len] = Some(quote!(#id.len() as _));
                acc.record.push(quote!(seam_runtime::Arg::ptr(#pname, #buf)));
                acc.post.push(quote!(if !(#ok_test) {
                    // The call refused the buffer: the caller still owns it.
                    let call = seam_runtime::enter(#free, &[seam_runtime::Arg::ptr(#pname, #buf)]);
                    // SAFETY: allocated above with the library's allocator, not adopted.
                    unsafe { ffi::#free_id(#buf as _) };
                    call.done();
                }));
            }
            Source::OutValue { pointee, keep, nullable, fields } => {
                let val = local(pname, "value");
                let pty: syn::Type = syn::parse_str(pointee).unwrap_or_else(|_| syn::parse_quote!(u8));
                let pty = match Prim::of(&crate::audit::types::builtin(pointee).unwrap_or(crate::audit::types::CType::Void)) {
                    Some(p) => prim_ty(p),
                    None => quote!(ffi::#pty),
                };
                let ptr = if *keep {
                    acc.pre.push(quote!(let mut #val: Box<std::mem::MaybeUninit<#pty>> = Box::new(std::mem::MaybeUninit::zeroed());));
                    let raw = quote!(#val.as_mut_ptr());
                    fields_around(&mut acc, pname, &raw, fields, false, true);
                    acc.kept.push(quote!(#val));
                    quote!(#val.as_mut_ptr())
                } else {
                    acc.pre.push(quote!(let mut #val: #pty = unsafe { std::mem::zeroed() };));
                    let raw = quote!((&mut #val as *mut #pty));
                    fields_around(&mut acc, pname, &raw, fields, false, false);
                    acc.outputs.push(Output { ty: pty.clone(), value: quote!(#val), consume: Consume::Observe });
                    quote!(&mut #val as *mut #pty)
                };
                args[i] = Some(if *nullable {
                    let on = acc.optional_flag(pname, None);
                    quote!((if #on { #ptr } else { std::ptr::null_mut() }) as _)
                } else {
                    quote!(#ptr as _)
                });
            }
            Source::Within(j) => {
                let off = local(pname, "at");
                acc.op_fields.push(OpField { name: off.clone(), ty: quote!(u16), decode: quote!(u.arbitrary::<u16>()?) });
                acc.params.push(quote!(#off: u16));
                acc.apply_args.push(quote!(*#off));
                let base = ident(&f.params[*j].name);
                args[i] = Some(quote!(seam_runtime::input::as_ptr(#base).wrapping_add(usize::from(#off) % (#base.len() + 1)) as _));
                acc.record.push(quote!(seam_runtime::Arg::unsigned(#pname, (usize::from(#off) % (#base.len() + 1)) as u64)));
            }
            Source::Callback { path, optional, nullable_type, group } => {
                args[i] = Some(acc.callback(pname, path, *optional, *nullable_type, group.as_deref()));
            }
        }
    }

    assemble(plan, f, acc, args, side)
}

fn link_index(l: LenLink) -> usize {
    match l {
        LenLink::Value(j) | LenLink::Ptr(j) | LenLink::End(j) => j,
    }
}

/// The pointer and length expressions of an input buffer, binding NUL-terminated or kept
/// copies first.
fn in_pointer(acc: &mut Acc, pname: &str, bytes: &TokenStream, b: &InBuf) -> (TokenStream, TokenStream) {
    let owned = if b.cstring {
        quote!(seam_runtime::input::nul_terminated(#bytes).into_boxed_slice())
    } else if b.keep {
        quote!(Box::<[u8]>::from(#bytes))
    } else {
        return (quote!(seam_runtime::input::as_ptr(#bytes)), quote!(#bytes.len()));
    };
    let kept = local(pname, "kept");
    acc.pre.push(quote!(let #kept: Box<[u8]> = #owned;));
    let ptr = quote!(seam_runtime::input::as_ptr(&#kept));
    if b.keep {
        acc.kept.push(quote!(#kept));
    }
    (ptr, quote!(#bytes.len()))
}

/// Fills the parameter a buffer's length travels in.
fn link_args(acc: &mut Acc, args: &mut [Option<TokenStream>], link: Option<LenLink>, f: &FnPlan, ptr: &TokenStream, len: &TokenStream, pname: &str) {
    match link {
        None => {}
        Some(LenLink::Value(j)) => args[j] = Some(quote!(#len as _)),
        Some(LenLink::End(j)) => args[j] = Some(quote!(#ptr.wrapping_add(#len) as _)),
        Some(LenLink::Ptr(j)) => {
            let l = local(pname, "len");
            let prim = pointee_prim(&f.params[j].ty);
            acc.pre.push(quote!(let mut #l = #len as #prim;));
            args[j] = Some(quote!(&mut #l as *mut _ as _));
        }
    }
}

/// The scalar type a pointer parameter points to (`u64` when it is not a scalar).
fn pointee_prim(ty: &crate::audit::types::CType) -> TokenStream {
    match ty {
        crate::audit::types::CType::Ptr { pointee, .. } => Prim::of(pointee).map_or(quote!(u64), prim_ty),
        _ => quote!(u64),
    }
}

/// An output buffer parameter.
fn out_param(acc: &mut Acc, args: &mut [Option<TokenStream>], f: &FnPlan, i: usize, b: &OutBuf, ok_test: &TokenStream) {
    let pname = f.params[i].name.as_str();
    let cap = local(pname, "cap");
    let buf = local(pname, "buf");
    let out = local(pname, "out");
    let max = b.max as usize;
    match &b.size {
        Some(size) => acc.pre.push(quote!(let #cap = (#size) as usize;)),
        None => {
            acc.op_fields.push(OpField { name: cap.clone(), ty: quote!(usize), decode: quote!(seam_runtime::input::capacity(u, #max)?) });
            acc.params.push(quote!(#cap: usize));
            acc.apply_args.push(quote!(*#cap));
        }
    }
    if let Some(via) = &b.via {
        let obj = local(pname, "obj");
        acc.pre.push(quote!(let mut #obj = #via::with_capacity(#cap);));
        args[i] = Some(quote!(&mut #obj as *mut #via as _));
        acc.record.push(quote!(seam_runtime::Arg::unsigned(#pname, #cap as u64)));
        acc.post.push(quote!(let #out = #obj.into_bytes();));
        acc.outputs.push(Output { ty: quote!(Vec<u8>), value: quote!(#out), consume: Consume::Produced });
        return;
    }
    acc.pre.push(quote!(let mut #buf = seam_runtime::input::out_buffer(#cap);));
    let ptr = quote!(#buf.as_mut_ptr());
    args[i] = Some(if b.nullable {
        let on = acc.optional_flag(pname, None);
        quote!((if #on { #ptr } else { std::ptr::null_mut() }) as _)
    } else {
        quote!(#ptr as _)
    });
    let cap_name = b.cap.map(link_index).map_or(pname, |j| f.params[j].name.as_str());
    acc.record.push(quote!(seam_runtime::Arg::unsigned(#cap_name, #cap as u64)));
    let mut written = quote!(#cap);
    match b.cap {
        Some(LenLink::Value(j)) => args[j] = Some(quote!(#cap as _)),
        Some(LenLink::Ptr(j)) => {
            let v = local(pname, "capv");
            let prim = pointee_prim(&f.params[j].ty);
            acc.pre.push(quote!(let mut #v = #cap as #prim;));
            args[j] = Some(quote!(&mut #v as *mut _ as _));
            written = quote!(#v as usize);
        }
        _ => {}
    }
    if let Written::Param(j) = b.written {
        let v = local(pname, "written");
        let prim = pointee_prim(&f.params[j].ty);
        acc.pre.push(quote!(let mut #v: #prim = 0;));
        args[j] = Some(quote!(&mut #v as *mut _ as _));
        written = quote!(#v as usize);
    }
    let read = match b.written {
        // The contract says C reports what it wrote: the wrapper trusts it, so a length beyond
        // the buffer is caught here as the boundary violation it is.
        Written::Return => quote!(#buf[..ret as usize].to_vec()),
        Written::Ptr | Written::Param(_) => quote!(#buf[..#written].to_vec()),
        Written::Capacity | Written::Remaining => quote!(#buf),
    };
    let ok_test = if b.nullable {
        let on = local(pname, "on");
        quote!(#on && #ok_test)
    } else {
        ok_test.clone()
    };
    if b.keep {
        acc.kept.push(quote!(#buf));
        return;
    }
    acc.post.push(quote!(let #out = if #ok_test { #read } else { Vec::new() };));
    acc.outputs.push(Output { ty: quote!(Vec<u8>), value: quote!(#out), consume: Consume::Produced });
}

/// Sets struct fields through `raw` before the call; with `clear`, buffers are unset after it;
/// with `keep_all` (a struct that outlives the call), every buffer is kept too. The recorder
/// sees scalar fields, and buffer lengths and capacities under their length field's name
/// (`strm.avail_in`), as arguments of the call.
fn fields_around(acc: &mut Acc, owner: &str, raw: &TokenStream, fields: &[FieldPlan], clear: bool, keep_all: bool) {
    let recorded_as = |field: &str| format!("{owner}.{field}");
    for fp in fields {
        let fid = ident(&fp.name);
        let name = format!("{owner}_{}", fp.name);
        let pid = ident(&name);
        match &fp.source {
            Source::Derived | Source::Handle { .. } | Source::NewHandle { .. } | Source::Owned { .. } | Source::Adopt { .. } | Source::OutValue { .. } | Source::Within(_) => {}
            Source::Scalar(prim, domain) => {
                let t = prim_ty(*prim);
                acc.op_fields.push(OpField { name: pid.clone(), ty: t.clone(), decode: decode_scalar(*prim, domain) });
                acc.params.push(quote!(#pid: #t));
                acc.apply_args.push(quote!(*#pid));
                acc.pre.push(quote!(unsafe { (*#raw).#fid = #pid as _ };));
                acc.record.push(record_scalar(&recorded_as(&fp.name), quote!(#pid), *prim));
            }
            Source::Choice(_) => {}
            Source::Fixed(e) => acc.pre.push(quote!(unsafe { (*#raw).#fid = (#e) as _ };)),
            Source::Callback { path, optional, nullable_type, group } => {
                let value = acc.callback(&name, path, *optional, *nullable_type, group.as_deref());
                acc.pre.push(quote!(unsafe { (*#raw).#fid = #value };));
            }
            Source::In(b) => {
                let (fty, dec) = in_field(b);
                acc.op_fields.push(OpField { name: pid.clone(), ty: fty, decode: dec });
                let a = in_apply(acc, b, &pid);
                acc.apply_args.push(a);
                let len_field = b.len.map(link_index).map(|j| ident(&fields[j].name));
                let bytes = if b.nullable {
                    acc.params.push(quote!(#pid: Option<&[u8]>));
                    quote!(#pid.unwrap_or(&[]))
                } else {
                    acc.params.push(quote!(#pid: &[u8]));
                    quote!(#pid)
                };
                let owned = if b.cstring { quote!(seam_runtime::input::nul_terminated(#bytes).into_boxed_slice()) } else { quote!(Box::<[u8]>::from(#bytes)) };
                let keep = b.keep || keep_all;
                let (ptr, len) = if keep || b.cstring {
                    let kept = local(&name, "kept");
                    acc.pre.push(quote!(let #kept: Box<[u8]> = #owned;));
                    if keep {
                        acc.kept.push(quote!(#kept));
                    }
                    (quote!(seam_runtime::input::as_ptr(&#kept)), quote!(#bytes.len()))
                } else {
                    (quote!(seam_runtime::input::as_ptr(#bytes)), quote!(#bytes.len()))
                };
                let ptr = if b.nullable { quote!(if #pid.is_some() { #ptr } else { std::ptr::null() }) } else { ptr };
                acc.pre.push(quote!(unsafe { (*#raw).#fid = #ptr as _ };));
                if let Some(lf) = &len_field {
                    acc.pre.push(quote!(unsafe { (*#raw).#lf = #len as _ };));
                }
                let shown = recorded_as(&b.len.map(link_index).map_or(fp.name.as_str(), |j| fields[j].name.as_str()));
                acc.record.push(quote!(seam_runtime::Arg::unsigned(#shown, #len as u64)));
                if clear && !keep {
                    acc.post.push(quote!(unsafe { (*#raw).#fid = std::ptr::null_mut::<u8>() as _ };));
                    if let Some(lf) = &len_field {
                        acc.post.push(quote!(unsafe { (*#raw).#lf = 0 as _ };));
                    }
                }
            }
            Source::Out(b) => {
                let cap = local(&name, "cap");
                let buf = local(&name, "buf");
                let max = b.max as usize;
                acc.op_fields.push(OpField { name: cap.clone(), ty: quote!(usize), decode: quote!(seam_runtime::input::capacity(u, #max)?) });
                acc.params.push(quote!(#cap: usize));
                acc.apply_args.push(quote!(*#cap));
                acc.pre.push(quote!(let mut #buf = seam_runtime::input::out_buffer(#cap);));
                acc.pre.push(quote!(unsafe { (*#raw).#fid = #buf.as_mut_ptr() as _ };));
                let cap_field = b.cap.map(link_index).map(|j| ident(&fields[j].name));
                if let Some(cf) = &cap_field {
                    acc.pre.push(quote!(unsafe { (*#raw).#cf = #cap as _ };));
                }
                let shown = recorded_as(&b.cap.map(link_index).map_or(fp.name.as_str(), |j| fields[j].name.as_str()));
                acc.record.push(quote!(seam_runtime::Arg::unsigned(#shown, #cap as u64)));
                if b.keep || keep_all {
                    acc.kept.push(quote!(#buf));
                } else if clear {
                    let out = local(&name, "out");
                    let written = match &cap_field {
                        Some(cf) => quote!(#cap - (unsafe { (*#raw).#cf } as usize).min(#cap)),
                        None => quote!(#cap),
                    };
                    acc.post.push(quote!(#buf.truncate(#written); let #out = #buf;));
                    acc.post.push(quote!(unsafe { (*#raw).#fid = std::ptr::null_mut::<u8>() as _ };));
                    if let Some(cf) = &cap_field {
                        acc.post.push(quote!(unsafe { (*#raw).#cf = 0 as _ };));
                    }
                    acc.outputs.push(Output { ty: quote!(Vec<u8>), value: quote!(#out), consume: Consume::Produced });
                }
            }
        }
    }
}

/// `ret` compared as the contract's `ok` says (true when it says nothing).
fn ok_expr(f: &FnPlan) -> TokenStream {
    match (&f.ok, &f.ret) {
        (Some(ok), Ret::Scalar(_)) => {
            let v = proc_macro2::Literal::i64_unsuffixed(ok.value);
            let op: TokenStream = ok.op.parse().expect("a comparison operator");
            quote!((ret as i64) #op #v)
        }
        _ => quote!(true),
    }
}

fn assemble(plan: &Plan, f: &FnPlan, mut acc: Acc, args: Vec<Option<TokenStream>>, side: Option<&str>) -> FnParts {
    let c_name = &f.name;
    let recorded = side.map_or_else(|| c_name.clone(), |s| format!("{s}::{c_name}"));
    let fn_id = ident(c_name);
    let variant = camel(c_name);
    let args: Vec<TokenStream> = args.into_iter().map(|a| a.unwrap_or_else(|| quote!(Default::default()))).collect();
    let record = &acc.record[..acc.record.len().min(RECORDED_ARGS)];
    let call = quote!(ffi::#fn_id(#(#args),*));

    let (call_stmt, ret_out): (TokenStream, Option<Output>) = match &f.ret {
        Ret::Void => (quote!(unsafe { #call }; call.done();), None),
        Ret::Scalar(p) => {
            let t = prim_ty(*p);
            (quote!(let ret = unsafe { #call } as #t; call.returned(ret as i64);), Some(Output { ty: t, value: quote!(ret), consume: Consume::Ret }))
        }
        Ret::Pointer | Ret::StaticStr => (quote!(let ret = unsafe { #call }; call.returned(ret as usize as i64);), None),
        Ret::Handle(k) => {
            let ty = camel(&plan.handles[*k].name);
            (
                quote!(let ret = unsafe { #call }; call.returned(ret as usize as i64); let made = if ret.is_null() { None } else { Some(#ty::wrap(ret as _)) };),
                Some(Output { ty: quote!(Option<#ty>), value: quote!(made), consume: Consume::ReturnedHandle(*k) }),
            )
        }
        Ret::Owned(free) => {
            let free_id = ident(free);
            (
                quote!(
                    let ret = unsafe { #call };
                    call.returned(ret as usize as i64);
                    let owned = if ret.is_null() { Vec::new() } else {
                        // SAFETY: a NUL-terminated string the caller owns.
                        let bytes = unsafe { std::ffi::CStr::from_ptr(ret as *const std::ffi::c_char) }.to_bytes().to_vec();
                        let call = seam_runtime::enter(#free, &[seam_runtime::Arg::ptr("ptr", ret)]);
                        // SAFETY: freed once, with the library's function.
                        unsafe { ffi::#free_id(ret as _) };
                        call.done();
                        bytes
                    };
                ),
                Some(Output { ty: quote!(Vec<u8>), value: quote!(owned), consume: Consume::Produced }),
            )
        }
    };
    let kept = &acc.kept;
    let keep_stmt = if kept.is_empty() {
        None
    } else if let Some((i, _)) = f.first_handle() {
        let h = ident(&f.params[i].name);
        Some(quote!(#(#h.keep.push(std::rc::Rc::new(#kept));)*))
    } else if let Some(m) = &acc.made {
        Some(quote!(let mut #m = #m; if let Some(h) = #m.as_mut() { #(h.keep.push(std::rc::Rc::new(#kept));)* }))
    } else {
        None
    };
    let sets = f.sets.map(|s| {
        let h = f.first_handle().map(|(i, _)| ident(&f.params[i].name)).expect("planned with a handle");
        let ok = ok_expr(f);
        quote!(if #ok { #h.state = #s; })
    });
    let mut outputs: Vec<Output> = ret_out.into_iter().collect();
    outputs.append(&mut acc.outputs);
    let (out_ty, out_val) = match outputs.len() {
        0 => (quote!(()), quote!(())),
        1 => (outputs[0].ty.clone(), outputs[0].value.clone()),
        _ => {
            let t = outputs.iter().map(|o| &o.ty);
            let v = outputs.iter().map(|o| &o.value);
            (quote!((#(#t),*)), quote!((#(#v),*)))
        }
    };
    let (out_ty, out_val) = if acc.fallible { (quote!(Option<#out_ty>), quote!(Some(#out_val))) } else { (out_ty, out_val) };
    let params = &acc.params;
    let pre = &acc.pre;
    let post = &acc.post;
    let doc = format!(" Calls `{c_name}` as the contract allows, recording the call.");
    let wrapper = quote! {
        #[doc = #doc]
        #[allow(unused_mut, unused_variables, clippy::too_many_arguments)]
        pub fn #fn_id(#(#params),*) -> #out_ty {
            #(#pre)*
            let call = seam_runtime::enter(#recorded, &[#(#record),*]);
            // SAFETY: every pointer argument was built from the contract: live handles,
            // buffers with their true lengths, values from the declared domains.
            #call_stmt
            #(#post)*
            #keep_stmt
            #sets
            #out_val
        }
    };

    let field_names: Vec<_> = acc.op_fields.iter().map(|o| o.name.clone()).collect();
    let field_decls = acc.op_fields.iter().map(|o| {
        let (n, t) = (&o.name, &o.ty);
        quote!(#n: #t)
    });
    let field_decodes = acc.op_fields.iter().map(|o| {
        let (n, d) = (&o.name, &o.decode);
        quote!(#n: #d)
    });
    let vdoc = format!(" `{c_name}`.");
    let variant_tokens = if field_names.is_empty() { quote!(#[doc = #vdoc] #variant) } else { quote!(#[doc = #vdoc] #variant { #(#field_decls),* }) };
    let decode = if field_names.is_empty() {
        quote!(OpKind::#variant => |_| Ok(Op::#variant))
    } else {
        quote!(OpKind::#variant => |u| Ok(Op::#variant { #(#field_decodes),* }))
    };
    let pattern = if field_names.is_empty() { quote!(Op::#variant) } else { quote!(Op::#variant { #(#field_names),* }) };
    if let Ret::Handle(k) = &f.ret {
        acc.apply_pre.insert(0, room_for(&plan.handles[*k]));
    }
    let apply_pre = &acc.apply_pre;
    let apply_args = &acc.apply_args;
    let consume: Vec<TokenStream> = consume_outputs(plan, &outputs, acc.fallible);
    let apply = quote! {
        #pattern => {
            #(#apply_pre)*
            let out = #fn_id(#(#apply_args),*);
            #(#consume)*
        }
    };
    FnParts { variant: variant_tokens, decode, wrapper, apply }
}

/// Skips an op that would make a handle of a kind already at its `max` live handles.
fn room_for(h: &HandlePlan) -> TokenStream {
    let live = ident(&h.name);
    let max = h.max as usize;
    quote!(if self.#live.len() >= #max { return; })
}

/// How many arguments the recorder keeps per call (`seam_runtime::recorder::MAX_ARGS`): the
/// wrappers pass no more, so the argument array built on every call stays that small.
const RECORDED_ARGS: usize = 6;

/// `apply`'s statements for a wrapper's outputs, bound to `out`: into the sink and the live
/// handles.
fn consume_outputs(plan: &Plan, outputs: &[Output], fallible: bool) -> Vec<TokenStream> {
    let mut stmts = Vec::new();
    if fallible {
        stmts.push(quote!(let Some(out) = out else { return };));
    }
    let single = outputs.len() == 1;
    for (k, o) in outputs.iter().enumerate() {
        let idx = syn::Index::from(k);
        let v = if single { quote!(out) } else { quote!(out.#idx) };
        stmts.push(match o.consume {
            Consume::Produced => quote!(sink.output(#v);),
            Consume::Ret => quote!(sink.ret(#v as i64);),
            Consume::ReturnedHandle(kind) => {
                let live = ident(&plan.handles[kind].name);
                quote!(sink.ret(i64::from(#v.is_some())); if let Some(h) = #v { self.#live.push(h); })
            }
            Consume::Handle(kind) => {
                let live = ident(&plan.handles[kind].name);
                quote!(if let Some(h) = #v { self.#live.push(h); })
            }
            Consume::Observe => quote!(std::hint::black_box(&#v);),
        });
    }
    if outputs.is_empty() {
        stmts.push(quote!(std::hint::black_box(out);));
    }
    stmts
}
