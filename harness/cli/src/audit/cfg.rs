//! `#[cfg(...)]` evaluation for the Rust file, so that alternative declarations of the same
//! function (`#[cfg(zng)]` / `#[cfg(not(zng))]`) are not both audited.

use syn::punctuated::Punctuated;
use syn::{Attribute, Expr, Lit, Meta, Token};

/// The set of active configuration options: x86_64 Linux (GNU) plus what `--cfg` adds.
#[derive(Clone, Debug)]
pub struct CfgSet {
    options: Vec<(String, Option<String>)>,
}

impl CfgSet {
    /// The target's options (`unix`, `target_os = "linux"`, ...) and the given extras, each
    /// spelled as for rustc's `--cfg`: `NAME` or `NAME="VALUE"`.
    pub fn new(extra: &[String]) -> Self {
        let mut options: Vec<(String, Option<String>)> = [
            ("unix", None),
            ("target_os", Some("linux")),
            ("target_family", Some("unix")),
            ("target_arch", Some("x86_64")),
            ("target_env", Some("gnu")),
            ("target_vendor", Some("unknown")),
            ("target_pointer_width", Some("64")),
            ("target_endian", Some("little")),
            ("target_has_atomic", Some("64")),
            ("panic", Some("unwind")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
        .collect();
        for e in extra {
            match e.split_once('=') {
                Some((k, v)) => options.push((k.trim().to_string(), Some(v.trim().trim_matches('"').to_string()))),
                None => options.push((e.trim().to_string(), None)),
            }
        }
        CfgSet { options }
    }

    /// Whether every `#[cfg(...)]` among `attrs` holds. A predicate that does not parse counts
    /// as true, so the item is audited rather than silently skipped.
    pub fn is_active(&self, attrs: &[Attribute]) -> bool {
        attrs.iter().filter(|a| a.path().is_ident("cfg")).all(|a| match a.parse_args::<Meta>() {
            Ok(m) => self.eval(&m).unwrap_or(true),
            Err(_) => true,
        })
    }

    fn has(&self, key: &str, value: Option<&str>) -> bool {
        self.options.iter().any(|(k, v)| k == key && v.as_deref() == value)
    }

    /// Evaluates one predicate; `None` when it is not a cfg predicate.
    fn eval(&self, m: &Meta) -> Option<bool> {
        match m {
            Meta::Path(p) => Some(self.has(&p.get_ident()?.to_string(), None)),
            Meta::NameValue(nv) => {
                let key = nv.path.get_ident()?.to_string();
                match &nv.value {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => Some(self.has(&key, Some(&s.value()))),
                        _ => None,
                    },
                    _ => None,
                }
            }
            Meta::List(list) => {
                let inner = list.parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated).ok()?;
                let mut values = inner.iter().map(|m| self.eval(m));
                match list.path.get_ident()?.to_string().as_str() {
                    "all" => values.try_fold(true, |acc, v| Some(acc && v?)),
                    "any" => values.try_fold(false, |acc, v| Some(acc || v?)),
                    "not" if inner.len() == 1 => values.next()?.map(|v| !v),
                    _ => None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn active(set: &CfgSet, item: &str) -> bool {
        let item: syn::ItemStruct = syn::parse_str(item).unwrap();
        set.is_active(&item.attrs)
    }

    #[test]
    fn target_options_custom_cfgs_and_features() {
        let set = CfgSet::new(&["feature=\"libc\"".to_string()]);
        assert!(active(&set, "#[cfg(unix)] struct A;"));
        assert!(!active(&set, "#[cfg(windows)] struct A;"));
        assert!(!active(&set, "#[cfg(zng)] struct A;"));
        assert!(active(&set, "#[cfg(not(zng))] struct A;"));
        assert!(active(&set, "#[cfg(any(zng, feature = \"libc\"))] struct A;"));
        assert!(!active(&set, "#[cfg(all(not(zng), target_os = \"macos\"))] struct A;"));
        assert!(active(&set, "#[cfg(all(target_arch = \"x86_64\", target_pointer_width = \"64\"))] struct A;"));
        assert!(active(&set, "#[cfg(weird(thing))] struct A;"), "unknown predicates keep the item");
    }
}
