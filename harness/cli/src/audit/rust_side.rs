//! The Rust side: the hand-written FFI module, parsed with syn.

use std::path::Path;

use anyhow::{bail, Context};

use super::cfg::CfgSet;
use super::decls::Decls;

/// Reads and parses `path`, keeping the declarations active under `cfg`. A parse error names
/// the file, line and column.
pub fn read(path: &Path, cfg: &CfgSet) -> anyhow::Result<Decls> {
    if !path.exists() {
        bail!("Rust file {} does not exist", path.display());
    }
    let text = std::fs::read_to_string(path).with_context(|| format!("reading Rust file {}", path.display()))?;
    let file = syn::parse_file(&text).map_err(|e| {
        let start = e.span().start();
        anyhow::anyhow!("{}:{}:{}: the Rust file does not parse: {e}", path.display(), start.line, start.column + 1)
    })?;
    Ok(Decls::collect(&file, cfg))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_errors_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.rs");
        std::fs::write(&p, "extern \"C\" {\n    pub fn f(x: u32) -> ;\n}\n").unwrap();
        let err = read(&p, &CfgSet::new(&[])).err().unwrap().to_string();
        assert!(err.starts_with(&format!("{}:2:", p.display())), "{err}");
        let missing = read(&dir.path().join("nope.rs"), &CfgSet::new(&[])).err().unwrap().to_string();
        assert!(missing.contains("nope.rs") && missing.contains("does not exist"), "{missing}");
    }
}
