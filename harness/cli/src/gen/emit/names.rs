//! Rust names for C names: identifiers that survive keywords, and CamelCase type names.

use proc_macro2::{Ident, Span};

/// An identifier for a C name, raw (`r#type`) when it is a Rust keyword and suffixed with `_`
/// when it cannot be raw (`self`, `crate`, `super`, `Self`).
pub fn ident(name: &str) -> Ident {
    match name {
        "self" | "crate" | "super" | "Self" | "_" => Ident::new(&format!("{name}_"), Span::call_site()),
        _ => syn::parse_str::<Ident>(name).unwrap_or_else(|_| Ident::new_raw(name, Span::call_site())),
    }
}

/// An identifier `<base>_<suffix>` for a generated local.
pub fn local(base: &str, suffix: &str) -> Ident {
    Ident::new(&format!("{}_{suffix}", base.trim_start_matches("r#")), Span::call_site())
}

/// CamelCase of a snake_case or camelCase C name: `seeded_open` -> `SeededOpen`,
/// `deflateInit2_` -> `DeflateInit2`.
pub fn camel(name: &str) -> Ident {
    let mut out = String::new();
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            out.push_str(chars.as_str());
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'F');
    }
    Ident::new(&out, Span::call_site())
}

/// SCREAMING_CASE of a target name: `parse` -> `PARSE`.
pub fn constant(name: &str) -> Ident {
    let s: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    Ident::new(&s, Span::call_site())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(camel("seeded_open").to_string(), "SeededOpen");
        assert_eq!(camel("deflateInit2_").to_string(), "DeflateInit2");
        assert_eq!(camel("onig_new").to_string(), "OnigNew");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
        assert_eq!(ident("len").to_string(), "len");
        assert_eq!(constant("round-trip").to_string(), "ROUND_TRIP");
    }
}
