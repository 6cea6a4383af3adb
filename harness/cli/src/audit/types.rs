//! Type normalisation: every spelling of a type (`c_int`, `::std::os::raw::c_int`,
//! `core::ffi::c_int`, a `pub type X = Y;` alias, a selector macro) is turned into one
//! [`CType`] as the x86_64 Linux C ABI sees it, and two [`CType`]s are related.

use std::fmt;

use quote::ToTokens;
use syn::{GenericArgument, PathArguments, Type};

use super::decls::Decls;

/// A type as x86_64 Linux C sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CType {
    /// `void`: a return of `()` or `!`, or the pointee of `*mut c_void`.
    Void,
    /// `_Bool` / `bool`.
    Bool,
    /// An integer of `bits` bits.
    Int {
        /// Width in bits.
        bits: u16,
        /// Whether it is signed.
        signed: bool,
    },
    /// `float` (32) or `double` (64).
    Float {
        /// Width in bits.
        bits: u16,
    },
    /// A pointer (Rust raw pointers, references, `NonNull`, `Box`, `Option` of those).
    Ptr {
        /// `*mut` (C: not `const`).
        mutable: bool,
        /// What it points to.
        pointee: Box<CType>,
    },
    /// A fixed-size array; `len` 0 for flexible array members and opaque markers.
    Array {
        /// The element type.
        elem: Box<CType>,
        /// The element count.
        len: u64,
    },
    /// A function pointer, nullable or not.
    FnPtr {
        /// The calling convention: `"C"` (also `system` and `C-unwind` here) or `"Rust"`.
        abi: String,
        /// Parameter types.
        params: Vec<CType>,
        /// Return type.
        ret: Box<CType>,
        /// Whether it ends in `...`.
        variadic: bool,
    },
    /// A struct, union or opaque type, by its C name.
    Named(String),
    /// A spelling that could not be resolved (a foreign path, an unknown macro, a Rust-only
    /// type): compared as unknown.
    Unknown(String),
}

impl fmt::Display for CType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CType::Void => write!(f, "void"),
            CType::Bool => write!(f, "bool"),
            CType::Int { bits, signed } => write!(f, "{}{bits}", if *signed { 'i' } else { 'u' }),
            CType::Float { bits } => write!(f, "f{bits}"),
            CType::Ptr { mutable, pointee } => write!(f, "*{} {pointee}", if *mutable { "mut" } else { "const" }),
            CType::Array { elem, len } => write!(f, "[{elem}; {len}]"),
            CType::FnPtr { abi, params, ret, variadic } => {
                write!(f, "extern \"{abi}\" fn(")?;
                for (i, p) in params.iter().enumerate() {
                    write!(f, "{}{p}", if i > 0 { ", " } else { "" })?;
                }
                if *variadic {
                    write!(f, "{}...", if params.is_empty() { "" } else { ", " })?;
                }
                write!(f, ")")?;
                if **ret != CType::Void {
                    write!(f, " -> {ret}")?;
                }
                Ok(())
            }
            CType::Named(n) => write!(f, "{n}"),
            CType::Unknown(s) => write!(f, "{s}"),
        }
    }
}

impl CType {
    fn int(bits: u16, signed: bool) -> CType {
        CType::Int { bits, signed }
    }

    /// Whether a value of this type is a (data or function) pointer.
    pub fn is_pointer(&self) -> bool {
        matches!(self, CType::Ptr { .. } | CType::FnPtr { .. })
    }
}

/// The C meaning of a standard spelling (`c_int`, `u32`, `size_t`, ...), looked up by the last
/// path segment.
pub fn builtin(name: &str) -> Option<CType> {
    Some(match name {
        "i8" | "c_char" | "c_schar" | "int8_t" => CType::int(8, true),
        "u8" | "c_uchar" | "uint8_t" => CType::int(8, false),
        "i16" | "c_short" | "int16_t" => CType::int(16, true),
        "u16" | "c_ushort" | "uint16_t" => CType::int(16, false),
        "i32" | "c_int" | "int32_t" | "pid_t" | "wchar_t" => CType::int(32, true),
        "u32" | "c_uint" | "uint32_t" | "uid_t" | "gid_t" | "mode_t" | "socklen_t" => CType::int(32, false),
        "i64" | "isize" | "c_long" | "c_longlong" | "int64_t" | "ssize_t" | "ptrdiff_t" | "intptr_t" | "off_t"
        | "off64_t" | "time_t" | "clock_t" | "suseconds_t" | "c_ssize_t" | "c_ptrdiff_t" => CType::int(64, true),
        "u64" | "usize" | "c_ulong" | "c_ulonglong" | "uint64_t" | "size_t" | "uintptr_t" | "c_size_t" => {
            CType::int(64, false)
        }
        "i128" => CType::int(128, true),
        "u128" => CType::int(128, false),
        "f32" | "c_float" => CType::Float { bits: 32 },
        "f64" | "c_double" => CType::Float { bits: 64 },
        "bool" => CType::Bool,
        "c_void" => CType::Void,
        _ => return None,
    })
}

/// Normalises the types of one file's declarations. The Rust side is given the C side as
/// `canon`, so that a Rust struct named after a C typedef (`z_stream` for `struct z_stream_s`)
/// compares equal to it.
pub struct Resolver<'a> {
    decls: &'a Decls,
    canon: Option<&'a Resolver<'a>>,
}

const MAX_DEPTH: usize = 48;

impl<'a> Resolver<'a> {
    /// A resolver over `decls`, canonicalising record names through `canon` when given.
    pub fn new(decls: &'a Decls, canon: Option<&'a Resolver<'a>>) -> Self {
        Resolver { decls, canon }
    }

    /// The [`CType`] of a spelled type.
    pub fn normalise(&self, ty: &Type) -> CType {
        self.norm(ty, 0)
    }

    /// The return type: `None` (no `->`) is `void`.
    pub fn normalise_ret(&self, ty: Option<&Type>) -> CType {
        ty.map_or(CType::Void, |t| self.normalise(t))
    }

    /// The C name a record name stands for (itself unless `canon` maps it elsewhere).
    pub fn canonical(&self, name: &str) -> String {
        match self.canon.map(|c| c.name(name, 0)) {
            Some(CType::Named(n)) => n,
            _ => name.to_string(),
        }
    }

    fn norm(&self, ty: &Type, depth: usize) -> CType {
        if depth > MAX_DEPTH {
            return CType::Unknown(rust_spelling(ty));
        }
        let d = depth + 1;
        match ty {
            Type::Paren(p) => self.norm(&p.elem, d),
            Type::Group(g) => self.norm(&g.elem, d),
            Type::Never(_) => CType::Void,
            Type::Tuple(t) if t.elems.is_empty() => CType::Void,
            Type::Ptr(p) => CType::Ptr {
                mutable: matches!(p.mutability, syn::PointerMutability::Mut(_)),
                pointee: Box::new(self.norm(&p.elem, d)),
            },
            Type::Reference(r) if !matches!(*r.elem, Type::Slice(_)) => {
                CType::Ptr { mutable: r.mutability.is_some(), pointee: Box::new(self.norm(&r.elem, d)) }
            }
            Type::Array(a) => match self.decls.eval_int(&a.len).and_then(|n| u64::try_from(n).ok()) {
                Some(len) => CType::Array { elem: Box::new(self.norm(&a.elem, d)), len },
                None => CType::Unknown(rust_spelling(ty)),
            },
            Type::FnPtr(f) => CType::FnPtr {
                abi: match &f.abi {
                    None => "Rust".to_string(),
                    Some(abi) => abi_name(abi.name.as_ref()),
                },
                params: f.inputs.iter().map(|a| self.norm(&a.ty, d)).collect(),
                ret: Box::new(match &f.output {
                    syn::ReturnType::Default => CType::Void,
                    syn::ReturnType::Type(_, t) => self.norm(t, d),
                }),
                variadic: f.variadic.is_some(),
            },
            Type::Macro(m) => match self.decls.expand_type_macro(&m.mac) {
                Some(t) => self.norm(&t, d),
                None => CType::Unknown(rust_spelling(ty)),
            },
            Type::Path(p) if p.qself.is_none() => self.path(&p.path, d).unwrap_or_else(|| CType::Unknown(rust_spelling(ty))),
            _ => CType::Unknown(rust_spelling(ty)),
        }
    }

    fn path(&self, path: &syn::Path, depth: usize) -> Option<CType> {
        let last = path.segments.last()?;
        let ident = last.ident.to_string();
        if let PathArguments::AngleBracketed(args) = &last.arguments {
            let first = args.args.iter().find_map(|a| match a {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            });
            return match (ident.as_str(), first) {
                ("PhantomData", _) | ("PhantomPinned", _) => Some(CType::Array { elem: Box::new(CType::int(8, false)), len: 0 }),
                ("Option", Some(t)) => Some(self.norm(t, depth)).filter(CType::is_pointer),
                ("NonNull" | "Box", Some(t)) => Some(CType::Ptr { mutable: true, pointee: Box::new(self.norm(t, depth)) }),
                ("__IncompleteArrayField", Some(t)) => Some(CType::Array { elem: Box::new(self.norm(t, depth)), len: 0 }),
                ("__BindgenBitfieldUnit" | "ManuallyDrop" | "MaybeUninit" | "Cell" | "UnsafeCell" | "NonZero", Some(t)) => {
                    Some(self.norm(t, depth))
                }
                _ => None,
            };
        }
        let local = path.segments.len() == 1
            || path.segments.first().is_some_and(|s| matches!(s.ident.to_string().as_str(), "crate" | "self" | "super"));
        if local {
            Some(self.name(&ident, depth))
        } else {
            builtin(&ident)
        }
    }

    /// Resolves a single identifier: aliases, records, enums, then the standard spellings.
    fn name(&self, name: &str, depth: usize) -> CType {
        if let Some(t) = self.decls.aliases.get(name) {
            return self.norm(t, depth + 1);
        }
        if self.decls.record(name).is_some() || self.decls.opaque.contains(name) {
            return CType::Named(self.canonical(name));
        }
        if let Some(&(bits, signed)) = self.decls.int_enums.get(name) {
            return CType::int(bits, signed);
        }
        builtin(name).unwrap_or_else(|| CType::Unknown(name.to_string()))
    }
}

fn abi_name(name: Option<&syn::LitStr>) -> String {
    match name.map(|n| n.value()) {
        None => "C".to_string(),
        Some(n) if matches!(n.as_str(), "C" | "C-unwind" | "system" | "system-unwind" | "cdecl" | "sysv64") => "C".to_string(),
        Some(n) => n,
    }
}

/// How a Rust type relates to the C type at the same place, from harmless to wrong. Combining
/// several relations takes the worst (`max`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Relation {
    /// The same C type.
    Same,
    /// Rust has `*mut` where C has a `const` pointer: harmless, the Rust side promises less.
    RustMutCConst,
    /// Rust has `*const` where C may write through the pointer.
    RustConstCMut,
    /// ABI-compatible but spelled differently (why).
    Compatible(String),
    /// One side could not be resolved (the unresolved spelling).
    Unknown(String),
    /// Different types.
    Different,
}

/// Relates the Rust type `rust` to the C type `c` at the same place.
pub fn relate(rust: &CType, c: &CType) -> Relation {
    if rust == c {
        return Relation::Same;
    }
    match (rust, c) {
        (CType::Unknown(x), _) | (_, CType::Unknown(x)) => Relation::Unknown(x.clone()),
        // bindgen's name for an anonymous C struct or union, which Rust cannot spell: the
        // layouts are compared instead.
        (CType::Named(_), CType::Named(c)) if c.contains("__bindgen_ty_") => Relation::Same,
        (CType::Ptr { mutable: rm, pointee: rp }, CType::Ptr { mutable: cm, pointee: cp }) => {
            let constness = match (rm, cm) {
                (true, false) => Relation::RustMutCConst,
                (false, true) => Relation::RustConstCMut,
                _ => Relation::Same,
            };
            relate_pointee(rp, cp).max(constness)
        }
        (CType::Array { elem: re, len: rl }, CType::Array { elem: ce, len: cl }) if rl == cl => relate(re, ce),
        (
            CType::FnPtr { abi: ra, params: rp, ret: rr, variadic: rv },
            CType::FnPtr { abi: ca, params: cp, ret: cr, variadic: cv },
        ) => {
            if ra != ca || rv != cv || rp.len() != cp.len() {
                return Relation::Different;
            }
            rp.iter().zip(cp).map(|(r, c)| relate(r, c)).chain([relate(rr, cr)]).max().unwrap_or(Relation::Same)
        }
        _ => Relation::Different,
    }
}

/// Relates two pointees: `void` against a typed pointee, or two integers of one width that
/// differ in sign, are ABI-compatible.
fn relate_pointee(rust: &CType, c: &CType) -> Relation {
    match (rust, c) {
        _ if rust == c => Relation::Same,
        (CType::Unknown(x), _) | (_, CType::Unknown(x)) => Relation::Unknown(x.clone()),
        (CType::Void, _) | (_, CType::Void) => Relation::Compatible("a `void` pointer on one side, a typed pointer on the other".into()),
        (CType::Int { bits: a, .. }, CType::Int { bits: b, .. }) if a == b => {
            Relation::Compatible("the pointee's signedness differs".into())
        }
        (CType::Bool, CType::Int { bits: 8, .. }) | (CType::Int { bits: 8, .. }, CType::Bool) => {
            Relation::Compatible("`bool` against a byte pointee".into())
        }
        (CType::Array { elem, .. }, other) | (other, CType::Array { elem, .. }) if relate_pointee(elem, other) <= Relation::Same => {
            Relation::Compatible("a pointer to an array on one side, to its element on the other".into())
        }
        _ => relate(rust, c),
    }
}

/// A compact rendering of Rust type syntax: `*mut u8`, `Option<unsafe extern "C" fn(x: i32)>`,
/// with leading `::` path roots dropped.
pub fn rust_spelling(ty: &Type) -> String {
    let s = ty.to_token_stream().to_string();
    let mut out = String::with_capacity(s.len());
    let mut prev: Option<&str> = None;
    for tok in s.split_whitespace() {
        let after_word = prev.is_some_and(|p| p == ">" || p.chars().all(|c| c.is_alphanumeric() || c == '_') && !matches!(p, "mut" | "const" | "dyn" | "impl" | "fn"));
        if tok == "::" && !after_word {
            continue;
        }
        let glued = out.is_empty()
            || prev.is_some_and(|p| p.ends_with(['*', '&', '(', '[', '<']) || p.ends_with("::"))
            || tok.starts_with([':', ',', ')', ']', '>', ';', '<', '(']);
        if !glued {
            out.push(' ');
        }
        out.push_str(tok);
        prev = Some(tok);
    }
    out
}

/// Renders a type of bindgen's output the way C spells it: `const uint8_t *`, `unsigned long`,
/// `seeded_store *`, `char[16]`.
pub fn c_spelling(ty: &Type) -> String {
    match ty {
        Type::Paren(p) => c_spelling(&p.elem),
        Type::Group(g) => c_spelling(&g.elem),
        Type::Tuple(t) if t.elems.is_empty() => "void".into(),
        Type::Never(_) => "void".into(),
        Type::Ptr(p) => {
            let inner = c_spelling(&p.elem);
            let inner_is_ptr = matches!(*p.elem, Type::Ptr(_));
            match (&p.mutability, inner_is_ptr) {
                (syn::PointerMutability::Mut(_), _) => format!("{}*", with_space(&inner)),
                (syn::PointerMutability::Const(_), true) => format!("{}const *", with_space(&inner)),
                (syn::PointerMutability::Const(_), false) => format!("const {inner} *"),
            }
        }
        Type::Array(a) => format!("{}[{}]", c_spelling(&a.elem), a.len.to_token_stream().to_string().trim_end_matches("usize")),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else { return rust_spelling(ty) };
            let ident = last.ident.to_string();
            let first = match &last.arguments {
                PathArguments::AngleBracketed(a) => a.args.iter().find_map(|g| match g {
                    GenericArgument::Type(t) => Some(t),
                    _ => None,
                }),
                _ => None,
            };
            match (ident.as_str(), first) {
                ("Option", Some(t)) => c_spelling(t),
                ("__IncompleteArrayField", Some(t)) => format!("{}[]", c_spelling(t)),
                (_, Some(_)) => rust_spelling(ty),
                (name, None) => c_name(name).map(str::to_string).unwrap_or_else(|| name.to_string()),
            }
        }
        Type::FnPtr(f) => {
            let ret = match &f.output {
                syn::ReturnType::Default => "void".to_string(),
                syn::ReturnType::Type(_, t) => c_spelling(t),
            };
            let mut params: Vec<String> = f.inputs.iter().map(|a| c_spelling(&a.ty)).collect();
            if f.variadic.is_some() {
                params.push("...".into());
            }
            if params.is_empty() {
                params.push("void".into());
            }
            format!("{ret} (*)({})", params.join(", "))
        }
        _ => rust_spelling(ty),
    }
}

/// A C declaration of `name` with bindgen's type `ty`: `const uint8_t *data`, `char name[16]`,
/// `void (*cb)(int)`.
pub fn c_declaration(ty: &Type, name: &str) -> String {
    let t = c_spelling(ty);
    if let Some(i) = t.find("(*)") {
        return format!("{}(*{name}){}", &t[..i], &t[i + 3..]);
    }
    match t.find('[') {
        Some(i) => format!("{} {name}{}", t[..i].trim_end(), &t[i..]),
        None => format!("{}{name}", with_space(&t)),
    }
}

fn with_space(inner: &str) -> String {
    if inner.ends_with('*') {
        inner.to_string()
    } else {
        format!("{inner} ")
    }
}

/// The C spelling of a Rust standard spelling, if it has one.
fn c_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "c_char" => "char",
        "c_schar" => "signed char",
        "c_uchar" => "unsigned char",
        "c_short" => "short",
        "c_ushort" => "unsigned short",
        "c_int" => "int",
        "c_uint" => "unsigned int",
        "c_long" => "long",
        "c_ulong" => "unsigned long",
        "c_longlong" => "long long",
        "c_ulonglong" => "unsigned long long",
        "c_float" | "f32" => "float",
        "c_double" | "f64" => "double",
        "c_void" => "void",
        "i8" => "int8_t",
        "u8" => "uint8_t",
        "i16" => "int16_t",
        "u16" => "uint16_t",
        "i32" => "int32_t",
        "u32" => "uint32_t",
        "i64" => "int64_t",
        "u64" => "uint64_t",
        "i128" => "__int128",
        "u128" => "unsigned __int128",
        "usize" => "size_t",
        "isize" => "ptrdiff_t",
        "bool" => "bool",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::cfg::CfgSet;

    fn decls(src: &str) -> Decls {
        Decls::collect(&syn::parse_file(src).unwrap(), &CfgSet::new(&[]))
    }

    fn ty(s: &str) -> Type {
        syn::parse_str(s).unwrap()
    }

    #[test]
    fn spellings_of_one_c_type_normalise_alike() {
        let d = decls("pub type uInt = c_uint; pub type voidpf = *mut c_void; pub struct S { a: u8 }");
        let r = Resolver::new(&d, None);
        let u32_ = CType::Int { bits: 32, signed: false };
        for s in ["u32", "c_uint", "::std::os::raw::c_uint", "core::ffi::c_uint", "std::ffi::c_uint", "libc::c_uint", "uInt"] {
            assert_eq!(r.normalise(&ty(s)), u32_, "{s}");
        }
        assert_eq!(r.normalise(&ty("usize")), r.normalise(&ty("libc::size_t")));
        assert_eq!(r.normalise(&ty("c_long")), CType::Int { bits: 64, signed: true });
        assert_eq!(r.normalise(&ty("voidpf")), r.normalise(&ty("*mut ::core::ffi::c_void")));
        assert_eq!(
            r.normalise(&ty("Option<unsafe extern \"C\" fn(x: c_int) -> *mut S>")),
            r.normalise(&ty("extern \"C\" fn(i32) -> *mut crate::S"))
        );
        assert_eq!(r.normalise(&ty("[u8; 4]")), CType::Array { elem: Box::new(CType::Int { bits: 8, signed: false }), len: 4 });
        assert!(matches!(r.normalise(&ty("Vec<u8>")), CType::Unknown(_)));
    }

    #[test]
    fn records_canonicalise_through_the_c_side() {
        let c = decls("pub struct z_stream_s { pub a: u32 } pub type z_stream = z_stream_s;");
        let rust = decls("pub struct z_stream { pub a: u32 }");
        let cr = Resolver::new(&c, None);
        let rr = Resolver::new(&rust, Some(&cr));
        assert_eq!(rr.normalise(&ty("*mut z_stream")), cr.normalise(&ty("*mut z_stream")));
        assert_eq!(rr.normalise(&ty("*mut z_stream")), cr.normalise(&ty("*mut z_stream_s")));
    }

    #[test]
    fn relations_rank_constness_below_compatibility_below_difference() {
        let d = decls("");
        let r = Resolver::new(&d, None);
        let rel = |a: &str, b: &str| relate(&r.normalise(&ty(a)), &r.normalise(&ty(b)));
        assert_eq!(rel("*mut u8", "*mut c_uchar"), Relation::Same);
        assert_eq!(rel("*mut u8", "*const u8"), Relation::RustMutCConst);
        assert_eq!(rel("*const u8", "*mut u8"), Relation::RustConstCMut);
        assert!(matches!(rel("*const c_char", "*const u8"), Relation::Compatible(_)));
        assert!(matches!(rel("*mut c_void", "*mut u32"), Relation::Compatible(_)));
        assert_eq!(rel("*mut u16", "*mut u32"), Relation::Different);
        assert_eq!(rel("u32", "i32"), Relation::Different);
        assert_eq!(rel("extern fn(i32)", "extern \"C\" fn(i32)"), Relation::Same);
        assert_eq!(rel("fn(i32)", "extern \"C\" fn(i32)"), Relation::Different);
        assert!(matches!(rel("Foo", "u32"), Relation::Unknown(_)));
    }

    #[test]
    fn c_spellings_read_like_c() {
        assert_eq!(c_spelling(&ty("*const u8")), "const uint8_t *");
        assert_eq!(c_spelling(&ty("*mut *mut u8")), "uint8_t **");
        assert_eq!(c_spelling(&ty("*const *mut ::std::os::raw::c_char")), "char *const *");
        assert_eq!(c_spelling(&ty("::std::os::raw::c_ulong")), "unsigned long");
        assert_eq!(c_spelling(&ty("[u8; 16usize]")), "uint8_t[16]");
        assert_eq!(c_spelling(&ty("u64")), "uint64_t");
        assert_eq!(c_declaration(&ty("u64"), "checksum"), "uint64_t checksum");
        assert_eq!(c_declaration(&ty("*const u8"), "data"), "const uint8_t *data");
        assert_eq!(c_declaration(&ty("[::std::os::raw::c_char; 16usize]"), "name"), "char name[16]");
        assert_eq!(c_declaration(&ty("Option<unsafe extern \"C\" fn(x: i32)>"), "cb"), "void (*cb)(int32_t)");
        assert_eq!(rust_spelling(&ty("* mut :: std :: os :: raw :: c_char")), "*mut std::os::raw::c_char");
        assert_eq!(rust_spelling(&ty("Option<unsafe extern \"C\" fn(x: *const u8, ...) -> [u8; 4]>")), "Option<unsafe extern \"C\" fn(x: *const u8, ...) -> [u8; 4]>");
        assert_eq!(rust_spelling(&ty("&'a mut Vec<u8>")), "&'a mut Vec<u8>");
    }
}
