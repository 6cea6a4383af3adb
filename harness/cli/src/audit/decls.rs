//! The FFI-relevant declarations of a Rust source file: extern functions, `#[repr]` structs and
//! unions, type aliases, fieldless enums, integer constants and "selector" macros. Both sides are
//! read with it: the hand-written Rust file and bindgen's rendering of the header.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Fields, ForeignItem, Item, Lit, Token, Type};

use super::cfg::CfgSet;

/// A position in the parsed text: line from 1, column from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
}

impl Pos {
    /// Where `span` starts.
    pub fn of(span: Span) -> Self {
        let start = span.start();
        Pos { line: start.line, column: start.column + 1 }
    }
}

/// A function declared in an `extern` block.
#[derive(Clone)]
pub struct FnDecl {
    /// The symbol: `#[link_name = "..."]` when given as a string, else the identifier.
    pub name: String,
    /// The parameters in order.
    pub params: Vec<ParamDecl>,
    /// The return type; `None` for `()`.
    pub ret: Option<Type>,
    /// Whether it ends in `...`.
    pub variadic: bool,
    /// Where the identifier is.
    pub pos: Pos,
}

/// A parameter of an extern function.
#[derive(Clone)]
pub struct ParamDecl {
    /// Its name (`_` or a pattern's text when it is not a plain identifier).
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Where it is.
    pub pos: Pos,
}

/// Struct or union.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordKind {
    /// `struct`.
    Struct,
    /// `union`.
    Union,
}

impl RecordKind {
    /// `"struct"` or `"union"`.
    pub fn keyword(self) -> &'static str {
        match self {
            RecordKind::Struct => "struct",
            RecordKind::Union => "union",
        }
    }
}

/// The `#[repr(...)]` of a type.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Repr {
    /// `repr(C)`.
    pub c: bool,
    /// `repr(transparent)`.
    pub transparent: bool,
    /// `packed` (1) or `packed(N)`.
    pub packed: Option<u64>,
    /// `align(N)`.
    pub align: Option<u64>,
    /// `repr(u8)`, `repr(i32)`, ...: (bits, signed).
    pub int: Option<(u16, bool)>,
}

/// A struct or union with named fields.
#[derive(Clone)]
pub struct RecordDecl {
    /// Its name.
    pub name: String,
    /// Struct or union.
    pub kind: RecordKind,
    /// Its representation.
    pub repr: Repr,
    /// The fields in order (tuple fields are named `0`, `1`, ...).
    pub fields: Vec<FieldDecl>,
    /// Where the identifier is.
    pub pos: Pos,
}

/// A field of a struct or union.
#[derive(Clone)]
pub struct FieldDecl {
    /// Its name, without `r#`.
    pub name: String,
    /// Its type.
    pub ty: Type,
    /// Where it is.
    pub pos: Pos,
}

/// A `macro_rules!` macro with one rule that expands to one of its arguments, the way -sys
/// crates pick a type per configuration: `macro_rules! if_zng { ($a:tt, $b:tt) => { $b }; }`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Selector {
    /// How many arguments it takes.
    pub arity: usize,
    /// Which one it expands to.
    pub pick: usize,
}

/// Everything read from one file, after `#[cfg]` evaluation.
#[derive(Clone, Default)]
pub struct Decls {
    /// Functions of `extern "C"` (and `"C-unwind"`, `"system"`) blocks.
    pub functions: Vec<FnDecl>,
    /// Structs and unions.
    pub records: Vec<RecordDecl>,
    /// `type X = Y;`
    pub aliases: HashMap<String, Type>,
    /// Fieldless enums with an integer representation: name -> (bits, signed).
    pub int_enums: HashMap<String, (u16, bool)>,
    /// Types only ever used behind pointers: empty enums and `extern { type X; }`.
    pub opaque: HashSet<String>,
    /// Integer constants, unevaluated (see [`Decls::eval_int`]).
    pub consts: HashMap<String, Expr>,
    /// Selector macros by name.
    pub selectors: HashMap<String, Selector>,
}

impl Decls {
    /// Reads the declarations of `file` that are active under `cfg`, including those of inline
    /// modules.
    pub fn collect(file: &syn::File, cfg: &CfgSet) -> Self {
        let mut d = Decls::default();
        d.items(&file.items, cfg);
        d
    }

    /// The record named `name`, if any.
    pub fn record(&self, name: &str) -> Option<&RecordDecl> {
        self.records.iter().find(|r| r.name == name)
    }

    /// Evaluates an integer expression: literals, constants of this file, `+ - * / % << >>`,
    /// parentheses and `as` casts.
    pub fn eval_int(&self, e: &Expr) -> Option<i128> {
        self.eval_depth(e, 0)
    }

    fn eval_depth(&self, e: &Expr, depth: usize) -> Option<i128> {
        if depth > 32 {
            return None;
        }
        let d = depth + 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Int(i) => i.base10_parse::<i128>().ok(),
                _ => None,
            },
            Expr::Paren(p) => self.eval_depth(&p.expr, d),
            Expr::Group(g) => self.eval_depth(&g.expr, d),
            Expr::Cast(c) => self.eval_depth(&c.expr, d),
            Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) => self.eval_depth(&u.expr, d).map(|v| -v),
                _ => None,
            },
            Expr::Path(p) => {
                let name = p.path.segments.last()?.ident.to_string();
                self.eval_depth(self.consts.get(&name)?, d)
            }
            Expr::Binary(b) => {
                let (l, r) = (self.eval_depth(&b.left, d)?, self.eval_depth(&b.right, d)?);
                match b.op {
                    syn::BinOp::Add(_) => l.checked_add(r),
                    syn::BinOp::Sub(_) => l.checked_sub(r),
                    syn::BinOp::Mul(_) => l.checked_mul(r),
                    syn::BinOp::Div(_) => l.checked_div(r),
                    syn::BinOp::Rem(_) => l.checked_rem(r),
                    syn::BinOp::Shl(_) => u32::try_from(r).ok().and_then(|r| l.checked_shl(r)),
                    syn::BinOp::Shr(_) => u32::try_from(r).ok().and_then(|r| l.checked_shr(r)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// Expands a selector macro invocation in type position.
    pub fn expand_type_macro(&self, mac: &syn::Macro) -> Option<Type> {
        let sel = self.selectors.get(&mac.path.get_ident()?.to_string())?;
        let args = Punctuated::<Type, Token![,]>::parse_terminated.parse2(mac.tokens.clone()).ok()?;
        if args.len() != sel.arity {
            return None;
        }
        args.into_iter().nth(sel.pick)
    }

    fn items(&mut self, items: &[Item], cfg: &CfgSet) {
        for item in items {
            match item {
                Item::ForeignMod(m) if cfg.is_active(&m.attrs) && c_abi(m.abi.name.as_ref()) => {
                    for fi in &m.items {
                        match fi {
                            ForeignItem::Fn(f) if cfg.is_active(&f.attrs) => self.functions.push(function(f)),
                            ForeignItem::Type(t) if cfg.is_active(&t.attrs) => {
                                self.opaque.insert(t.ident.to_string());
                            }
                            _ => {}
                        }
                    }
                }
                Item::Struct(s) if cfg.is_active(&s.attrs) => {
                    let fields = match &s.fields {
                        Fields::Named(n) => n.named.iter().collect::<Vec<_>>(),
                        Fields::Unnamed(u) => u.unnamed.iter().collect(),
                        Fields::Unit => Vec::new(),
                    };
                    self.records.push(record(&s.ident, RecordKind::Struct, &s.attrs, &fields));
                }
                Item::Union(u) if cfg.is_active(&u.attrs) => {
                    let fields: Vec<&syn::Field> = u.fields.named.iter().collect();
                    self.records.push(record(&u.ident, RecordKind::Union, &u.attrs, &fields));
                }
                Item::Type(t) if cfg.is_active(&t.attrs) => {
                    self.aliases.insert(t.ident.to_string(), (*t.ty).clone());
                }
                Item::Enum(e) if cfg.is_active(&e.attrs) => {
                    let name = e.ident.to_string();
                    let repr = repr(&e.attrs);
                    if e.variants.is_empty() {
                        self.opaque.insert(name);
                    } else if let Some(int) = repr.int {
                        self.int_enums.insert(name, int);
                    } else if repr.c {
                        // C's `int`, or `unsigned int` when no enumerator is negative (as clang
                        // and GCC choose for C enums).
                        let negative = e
                            .variants
                            .iter()
                            .any(|v| matches!(&v.discriminant, Some((_, Expr::Unary(u))) if matches!(u.op, syn::UnOp::Neg(_))));
                        self.int_enums.insert(name, (32, negative));
                    }
                }
                Item::Const(c) if cfg.is_active(&c.attrs) => {
                    self.consts.insert(c.ident.to_string(), (*c.expr).clone());
                }
                Item::Macro(m) if cfg.is_active(&m.attrs) && m.mac.path.is_ident("macro_rules") => {
                    if let (Some(name), Some(sel)) = (&m.ident, selector(&m.mac.tokens)) {
                        self.selectors.insert(name.to_string(), sel);
                    }
                }
                Item::Mod(m) if cfg.is_active(&m.attrs) => {
                    if let Some((_, inner)) = &m.content {
                        self.items(inner, cfg);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Whether an extern block's ABI is the C calling convention on x86_64 Linux.
fn c_abi(name: Option<&syn::LitStr>) -> bool {
    match name {
        None => true,
        Some(n) => matches!(n.value().as_str(), "C" | "C-unwind" | "system" | "system-unwind" | "cdecl" | "sysv64"),
    }
}

/// A plain identifier's text without `r#`.
pub fn ident_text(ident: &syn::Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_string).unwrap_or(s)
}

/// The C name behind a field or parameter name: bindgen appends `_` to C names that are Rust
/// keywords (`type_` for `type`).
pub fn c_name(name: &str) -> &str {
    const KEYWORDS: &[&str] = &[
        "as", "async", "await", "box", "crate", "dyn", "false", "fn", "gen", "impl", "in", "let", "loop", "match", "mod",
        "move", "mut", "pub", "ref", "self", "Self", "super", "trait", "true", "try", "type", "unsafe", "use", "where",
        "abstract", "become", "final", "macro", "override", "priv", "typeof", "unsized", "virtual", "yield",
    ];
    match name.strip_suffix('_') {
        Some(stem) if KEYWORDS.contains(&stem) => stem,
        _ => name,
    }
}

fn link_name(attrs: &[Attribute]) -> Option<String> {
    attrs.iter().find_map(|a| match &a.meta {
        syn::Meta::NameValue(nv) if nv.path.is_ident("link_name") => match &nv.value {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(s.value()),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    })
}

fn function(f: &syn::ForeignItemFn) -> FnDecl {
    let params = f
        .sig
        .inputs
        .iter()
        .filter_map(|arg| match arg {
            syn::FnArg::Typed(pt) => {
                let name = match &*pt.pat {
                    syn::Pat::Ident(i) => ident_text(&i.ident),
                    other => quote::ToTokens::to_token_stream(other).to_string(),
                };
                Some(ParamDecl { name, ty: (*pt.ty).clone(), pos: Pos::of(syn::spanned::Spanned::span(&*pt.pat)) })
            }
            syn::FnArg::Receiver(_) => None,
        })
        .collect();
    let ret = match &f.sig.output {
        syn::ReturnType::Default => None,
        syn::ReturnType::Type(_, t) => Some((**t).clone()),
    };
    FnDecl {
        name: link_name(&f.attrs).unwrap_or_else(|| ident_text(&f.sig.ident)),
        params,
        ret,
        variadic: f.sig.variadic.is_some(),
        pos: Pos::of(f.sig.ident.span()),
    }
}

fn record(ident: &syn::Ident, kind: RecordKind, attrs: &[Attribute], fields: &[&syn::Field]) -> RecordDecl {
    let fields = fields
        .iter()
        .enumerate()
        .map(|(i, f)| FieldDecl {
            name: f.ident.as_ref().map(ident_text).unwrap_or_else(|| i.to_string()),
            ty: f.ty.clone(),
            pos: Pos::of(f.ident.as_ref().map(|i| i.span()).unwrap_or_else(|| syn::spanned::Spanned::span(&f.ty))),
        })
        .collect();
    RecordDecl { name: ident_text(ident), kind, repr: repr(attrs), fields, pos: Pos::of(ident.span()) }
}

/// Reads every `#[repr(...)]` of an item.
pub fn repr(attrs: &[Attribute]) -> Repr {
    let mut r = Repr::default();
    for a in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        // A repr that does not parse is left as far as it got: the compiler would reject it.
        let _ = a.parse_nested_meta(|meta| {
            let word = meta.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
            let number = |meta: &syn::meta::ParseNestedMeta| -> syn::Result<Option<u64>> {
                if meta.input.peek(syn::token::Paren) {
                    let content;
                    syn::parenthesized!(content in meta.input);
                    Ok(Some(content.parse::<syn::LitInt>()?.base10_parse()?))
                } else {
                    Ok(None)
                }
            };
            match word.as_str() {
                "C" => r.c = true,
                "transparent" => r.transparent = true,
                "packed" => r.packed = Some(number(&meta)?.unwrap_or(1)),
                "align" => r.align = number(&meta)?,
                w => r.int = int_repr(w),
            }
            Ok(())
        });
    }
    r
}

fn int_repr(word: &str) -> Option<(u16, bool)> {
    let (signed, bits) = match word.split_at_checked(1)? {
        ("i", b) => (true, b),
        ("u", b) => (false, b),
        _ => return None,
    };
    let bits = if bits == "size" { 64 } else { bits.parse().ok()? };
    matches!(bits, 8 | 16 | 32 | 64 | 128).then_some((bits, signed))
}

/// Recognises a one-rule macro whose body is one of its `$name:frag` arguments.
fn selector(tokens: &TokenStream) -> Option<Selector> {
    let trees: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let (matcher, body) = match trees.as_slice() {
        [TokenTree::Group(m), TokenTree::Punct(eq), TokenTree::Punct(gt), TokenTree::Group(b), rest @ ..]
            if eq.as_char() == '=' && gt.as_char() == '>' && rest.iter().all(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';')) =>
        {
            (m, b)
        }
        _ => return None,
    };
    let mut names = Vec::new();
    let m: Vec<TokenTree> = matcher.stream().into_iter().collect();
    for chunk in m.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
        match chunk {
            [TokenTree::Punct(d), TokenTree::Ident(name), TokenTree::Punct(c), TokenTree::Ident(_)]
                if d.as_char() == '$' && c.as_char() == ':' =>
            {
                names.push(name.to_string())
            }
            [] => {}
            _ => return None,
        }
    }
    let b: Vec<TokenTree> = body.stream().into_iter().collect();
    let picked = match b.as_slice() {
        [TokenTree::Punct(d), TokenTree::Ident(name)] if d.as_char() == '$' => name.to_string(),
        _ => return None,
    };
    let pick = names.iter().position(|n| *n == picked)?;
    Some(Selector { arity: names.len(), pick })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(src: &str, extra_cfg: &[&str]) -> Decls {
        let file = syn::parse_file(src).unwrap();
        let cfg: Vec<String> = extra_cfg.iter().map(|s| s.to_string()).collect();
        Decls::collect(&file, &CfgSet::new(&cfg))
    }

    #[test]
    fn extern_functions_records_aliases_and_cfg() {
        let d = decls(
            r#"
            #[repr(C, packed(2))] pub struct P { pub a: u8, pub r#type: u32 }
            #[repr(C)] pub union U { a: u32, b: [u8; N * 2] }
            const N: usize = 4;
            pub type T = u32;
            pub enum Opaque {}
            #[repr(u16)] pub enum E { A = 1 }
            extern "C" {
                #[link_name = "real"] pub fn alias(x: T, ...) -> i32;
                #[cfg(windows)] pub fn win();
            }
            mod inner { extern "C" { pub fn nested(p: *mut P); } }
            extern "Rust" { fn not_c(); }
            "#,
            &[],
        );
        let names: Vec<&str> = d.functions.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["real", "nested"]);
        assert!(d.functions[0].variadic);
        assert_eq!(d.functions[0].pos.line, 9);
        let p = d.record("P").unwrap();
        assert_eq!((p.repr.c, p.repr.packed), (true, Some(2)));
        assert_eq!(p.fields[1].name, "type");
        assert_eq!(d.record("U").unwrap().kind, RecordKind::Union);
        assert!(d.aliases.contains_key("T") && d.opaque.contains("Opaque"));
        assert_eq!(d.int_enums["E"], (16, false));
        let len: Expr = syn::parse_str("N * 2 + 1").unwrap();
        assert_eq!(d.eval_int(&len), Some(9));
    }

    #[test]
    fn selector_macros_expand_by_configuration() {
        let src = r#"
            #[cfg(not(zng))] macro_rules! if_zng { ($_zng:tt, $not_zng:tt) => { $not_zng }; }
            #[cfg(zng)] macro_rules! if_zng { ($zng:tt, $_not_zng:tt) => { $zng }; }
            type z_size = if_zng!(usize, c_ulong);
        "#;
        for (cfg, want) in [(&[][..], "c_ulong"), (&["zng"][..], "usize")] {
            let d = decls(src, cfg);
            let Type::Macro(m) = &d.aliases["z_size"] else { panic!("not a macro") };
            let t = d.expand_type_macro(&m.mac).unwrap();
            assert_eq!(quote::ToTokens::to_token_stream(&t).to_string(), want);
        }
    }
}
