//! The Rust side's struct layouts, computed from the declarations with the `#[repr(C)]`
//! algorithm for x86_64: each field at the next multiple of its alignment (capped by
//! `packed(N)`), the struct aligned to its most aligned field (raised by `align(N)`), its size
//! rounded up to that alignment; unions put every field at 0.

use std::collections::HashMap;

use super::decls::{Decls, RecordDecl, RecordKind};
use super::types::{CType, Resolver};

/// Size and alignment in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    /// `size_of`.
    pub size: u64,
    /// `align_of`.
    pub align: u64,
}

/// Where one field of a record sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldLayout {
    /// The field's name.
    pub name: String,
    /// Its offset from the start of the record.
    pub offset: u64,
    /// Its own size and alignment.
    pub layout: Layout,
    /// Why the Rust type could not be laid out, when the C field's layout stood in for it.
    pub assumed: Option<String>,
}

/// A record's layout with every field's offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordLayout {
    /// The record's size and alignment.
    pub layout: Layout,
    /// Its fields, in declaration order.
    pub fields: Vec<FieldLayout>,
}

/// Lays out the Rust file's types.
pub struct RustLayouts<'a> {
    resolver: &'a Resolver<'a>,
    by_name: HashMap<String, &'a RecordDecl>,
}

const MAX_DEPTH: usize = 32;

fn round_up(n: u64, align: u64) -> u64 {
    n.div_ceil(align.max(1)) * align.max(1)
}

impl<'a> RustLayouts<'a> {
    /// Layouts of `decls`' types, whose names `resolver` canonicalises.
    pub fn new(decls: &'a Decls, resolver: &'a Resolver<'a>) -> Self {
        let by_name = decls.records.iter().map(|r| (resolver.canonical(&r.name), r)).collect();
        RustLayouts { resolver, by_name }
    }

    /// The layout of `rec`. A field whose type cannot be laid out takes `fallback(field name)`
    /// (the C field's layout) when it gives one, and is marked as assumed; otherwise the
    /// record has no layout and the error says why.
    pub fn record(&self, rec: &RecordDecl, fallback: &dyn Fn(&str) -> Option<Layout>) -> Result<RecordLayout, String> {
        self.record_depth(rec, fallback, 0)
    }

    fn record_depth(&self, rec: &RecordDecl, fallback: &dyn Fn(&str) -> Option<Layout>, depth: usize) -> Result<RecordLayout, String> {
        if !rec.repr.c && !rec.repr.transparent {
            return Err(format!("`{}` is not #[repr(C)], so Rust may reorder and pad its fields as it likes", rec.name));
        }
        let (mut end, mut align) = (0u64, 1u64);
        let mut fields = Vec::with_capacity(rec.fields.len());
        for f in &rec.fields {
            let ty = self.resolver.normalise(&f.ty);
            let (l, assumed) = match self.of(&ty, depth + 1) {
                Ok(l) => (l, None),
                Err(why) => match fallback(&f.name) {
                    Some(l) => (l, Some(why)),
                    None => return Err(format!("field `{}`: {why}", f.name)),
                },
            };
            let field_align = rec.repr.packed.map_or(l.align, |p| l.align.min(p));
            let offset = match rec.kind {
                RecordKind::Struct => round_up(end, field_align),
                RecordKind::Union => 0,
            };
            end = end.max(offset + l.size);
            align = align.max(field_align);
            fields.push(FieldLayout { name: f.name.clone(), offset, layout: l, assumed });
        }
        if let Some(a) = rec.repr.align {
            align = align.max(a);
        }
        Ok(RecordLayout { layout: Layout { size: round_up(end, align), align }, fields })
    }

    /// The size and alignment of a normalised type.
    pub fn of(&self, ty: &CType, depth: usize) -> Result<Layout, String> {
        if depth > MAX_DEPTH {
            return Err("the type nests too deeply (a cycle?)".into());
        }
        let prim = |n: u64| Ok(Layout { size: n, align: n });
        match ty {
            CType::Void => Err("`c_void` has no size".into()),
            CType::Bool => prim(1),
            CType::Int { bits, .. } | CType::Float { bits } => prim(u64::from(*bits) / 8),
            CType::Ptr { .. } | CType::FnPtr { .. } => prim(8),
            CType::Array { elem, len } => {
                let e = self.of(elem, depth + 1)?;
                Ok(Layout { size: e.size * len, align: e.align })
            }
            CType::Named(n) => match self.by_name.get(n) {
                Some(rec) => self.record_depth(rec, &|_| None, depth + 1).map(|r| r.layout),
                None => Err(format!("`{n}` has no definition in the Rust file")),
            },
            CType::Unknown(s) => Err(format!("`{s}` cannot be resolved")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::cfg::CfgSet;

    fn layout_of(src: &str, name: &str) -> Result<RecordLayout, String> {
        let d = Decls::collect(&syn::parse_file(src).unwrap(), &CfgSet::new(&[]));
        let r = Resolver::new(&d, None);
        let l = RustLayouts::new(&d, &r);
        l.record(d.record(name).unwrap(), &|_| None)
    }

    fn offsets(r: &RecordLayout) -> Vec<u64> {
        r.fields.iter().map(|f| f.offset).collect()
    }

    #[test]
    fn repr_c_pads_to_alignment() {
        let r = layout_of("#[repr(C)] struct H { kind: u32, flags: u16, tag: u16, length: u64 }", "H").unwrap();
        assert_eq!((r.layout.size, r.layout.align), (16, 8));
        assert_eq!(offsets(&r), [0, 4, 6, 8]);
        let r = layout_of("#[repr(C)] struct S { a: u8, b: u32, c: u8 }", "S").unwrap();
        assert_eq!((r.layout.size, offsets(&r)), (12, vec![0, 4, 8]));
    }

    #[test]
    fn packed_align_arrays_nesting_unions_and_markers() {
        let src = "#[repr(C, packed)] struct P { a: u8, b: u32 }
                   #[repr(C, align(16))] struct A { a: u8 }
                   #[repr(C)] struct N { p: P, x: [u16; 3], f: Option<extern \"C\" fn()>, m: [u8; 0] }
                   #[repr(C)] union U { a: u8, b: [u32; 2] }
                   struct R { a: u8 }
                   #[repr(C)] struct Bad { r: R }";
        assert_eq!(layout_of(src, "P").unwrap().layout, Layout { size: 5, align: 1 });
        assert_eq!(layout_of(src, "A").unwrap().layout, Layout { size: 16, align: 16 });
        let n = layout_of(src, "N").unwrap();
        assert_eq!((n.layout.size, offsets(&n)), (24, vec![0, 6, 16, 24]));
        assert_eq!(layout_of(src, "U").unwrap().layout, Layout { size: 8, align: 4 });
        assert!(layout_of(src, "Bad").unwrap_err().contains("not #[repr(C)]"));
    }
}
