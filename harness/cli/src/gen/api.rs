//! The C API as the header declares it: bindgen's rendering, read back with syn into the same
//! declaration model `seam audit` uses, restricted to the header's own directory so that system
//! headers it includes do not count as the library's API.

use std::path::Path;

use anyhow::Context;

use crate::audit::c_side::{render, Rendering};
use crate::audit::cfg::CfgSet;
use crate::audit::decls::{Decls, FnDecl, RecordDecl};
use crate::audit::types::Resolver;

/// The declarations of one header.
pub struct CApi {
    /// Functions (in header order), records, aliases and constants.
    pub decls: Decls,
    /// bindgen's Rust rendering, embedded by `ffi = "bindgen"`.
    pub text: String,
}

impl CApi {
    /// Reads `header` with `clang_args` (include directories and defines).
    pub fn read(header: &Path, clang_args: &[String]) -> anyhow::Result<CApi> {
        if !header.is_file() {
            anyhow::bail!("header {} does not exist (check `header` in [library])", header.display());
        }
        let abs = header.canonicalize().with_context(|| format!("reading header {}", header.display()))?;
        let dir = abs.parent().unwrap_or(Path::new("/"));
        let allow = format!("{}/.*", regex::escape(&dir.display().to_string()));
        let Rendering { text, .. } = render(header, &abs, clang_args, Some(&allow))?;
        let file = syn::parse_file(&text).map_err(|e| anyhow::anyhow!("bindgen's rendering of {} does not parse: {e}", header.display()))?;
        Ok(CApi { decls: Decls::collect(&file, &CfgSet::new(&[])), text })
    }

    /// The function named `name`.
    pub fn function(&self, name: &str) -> Option<&FnDecl> {
        self.decls.functions.iter().find(|f| f.name == name)
    }

    /// The struct or union named `name` (through typedef aliases).
    pub fn record(&self, name: &str) -> Option<&RecordDecl> {
        self.decls.record(name).or_else(|| match self.resolver().normalise(&syn::parse_str(name).ok()?) {
            crate::audit::types::CType::Named(n) => self.decls.record(&n),
            _ => None,
        })
    }

    /// The value of the integer constant `name`.
    pub fn constant(&self, name: &str) -> Option<i128> {
        self.decls.eval_int(self.decls.consts.get(name)?)
    }

    /// A type resolver over these declarations.
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver::new(&self.decls, None)
    }
}
