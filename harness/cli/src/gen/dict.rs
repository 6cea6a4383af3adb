//! The fuzzing dictionary of a header: the bytes a library is likely to compare its input
//! against, in libFuzzer's and AFL++'s dictionary format. Integer constants (magic numbers,
//! versions, flags) become their little-endian bytes at the narrowest width that holds them;
//! string constants their bytes without the terminating NUL.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::audit::decls::Decls;
use crate::dictionary::escape;

/// The dictionary text of `decls`' constants, one entry per distinct byte string, named after
/// the first constant (by name) that gives it. Zero, and constants that do not evaluate, are
/// left out.
pub fn dictionary(decls: &Decls, header: &str) -> String {
    let mut names: Vec<&String> = decls.consts.keys().collect();
    names.sort();
    let mut seen = BTreeSet::new();
    let mut text = format!("# Constants of {header}, as the bytes an input would hold them in.\n");
    for name in names {
        let expr = &decls.consts[name];
        let Some(bytes) = decls.eval_int(expr).and_then(int_bytes).or_else(|| string_bytes(expr)) else { continue };
        if seen.insert(bytes.clone()) {
            let _ = writeln!(text, "{name}=\"{}\"", escape(&bytes));
        }
    }
    text
}

/// `v` little-endian at the narrowest of 1, 2, 4 and 8 bytes that holds it (as unsigned or
/// two's complement); nothing for zero or values wider than 64 bits.
fn int_bytes(v: i128) -> Option<Vec<u8>> {
    if v == 0 {
        return None;
    }
    let width = [1u32, 2, 4, 8].into_iter().find(|w| {
        let bits = w * 8;
        (0..1i128 << bits).contains(&v) || (-(1i128 << (bits - 1))..0).contains(&v)
    })?;
    Some(v.to_le_bytes()[..width as usize].to_vec())
}

/// The bytes of a string constant (`b"..\0"`, as bindgen renders `#define X "..."`), without
/// the terminating NUL.
fn string_bytes(expr: &syn::Expr) -> Option<Vec<u8>> {
    let lit = match expr {
        syn::Expr::Lit(l) => &l.lit,
        syn::Expr::Reference(r) => match &*r.expr {
            syn::Expr::Lit(l) => &l.lit,
            _ => return None,
        },
        _ => return None,
    };
    let mut bytes = match lit {
        syn::Lit::ByteStr(s) => s.value(),
        syn::Lit::Str(s) => s.value().into_bytes(),
        _ => return None,
    };
    if bytes.last() == Some(&0) {
        bytes.pop();
    }
    (!bytes.is_empty()).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decls(src: &str) -> Decls {
        Decls::collect(&syn::parse_file(src).unwrap(), &crate::audit::cfg::CfgSet::new(&[]))
    }

    #[test]
    fn magic_numbers_and_strings_become_their_bytes() {
        let d = decls(
            r#"
            pub const MAGIC: u32 = 0x4D41_4553;
            pub const VERSION: u32 = 2;
            pub const ALSO_TWO: u32 = 2;
            pub const NEGATIVE: i32 = -3;
            pub const NONE: u32 = 0;
            pub const NAME: &[u8; 5] = b"seam\0";
            "#,
        );
        let text = dictionary(&d, "x.h");
        let entries: Vec<&str> = text.lines().skip(1).collect();
        assert_eq!(entries, [r#"ALSO_TWO="\x02""#, r#"MAGIC="SEAM""#, r#"NAME="seam""#, r#"NEGATIVE="\xfd""#], "one entry per byte string");
    }

    #[test]
    fn widths_are_the_narrowest_that_hold_the_value() {
        assert_eq!(int_bytes(255), Some(vec![255]));
        assert_eq!(int_bytes(256), Some(vec![0, 1]));
        assert_eq!(int_bytes(-129), Some(vec![0x7f, 0xff]));
        assert_eq!(int_bytes(1 << 40), Some((1u64 << 40).to_le_bytes().to_vec()));
        assert_eq!(int_bytes(0), None);
    }
}
