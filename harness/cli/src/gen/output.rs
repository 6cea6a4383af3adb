//! Writing generated files, or checking that the files on disk are what generation would
//! write (`seam gen --check`), and keeping the cargo-fuzz manifest's `[[bin]]` list in step.

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A file `seam gen` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Where.
    pub path: PathBuf,
    /// What.
    pub contents: String,
}

/// Writes the files whose contents differ; returns the paths written.
pub fn write(files: &[GeneratedFile]) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for f in files {
        if std::fs::read_to_string(&f.path).ok().as_deref() == Some(f.contents.as_str()) {
            continue;
        }
        if let Some(dir) = f.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&f.path, &f.contents).with_context(|| format!("writing {}", f.path.display()))?;
        written.push(f.path.clone());
    }
    Ok(written)
}

/// The files that are missing or differ from what generation would write.
pub fn stale(files: &[GeneratedFile]) -> Vec<PathBuf> {
    files.iter().filter(|f| std::fs::read_to_string(&f.path).ok().as_deref() != Some(f.contents.as_str())).map(|f| f.path.clone()).collect()
}

/// The `[[bin]]` entry cargo-fuzz expects for target `name`.
fn bin_entry(name: &str) -> String {
    format!("\n[[bin]]\nname = \"{name}\"\npath = \"fuzz_targets/{name}.rs\"\ntest = false\ndoc = false\nbench = false\n")
}

/// Targets of `names` that `manifest` (a cargo-fuzz `Cargo.toml`) has no `[[bin]]` for.
pub fn missing_bins(manifest: &Path, names: &[String]) -> anyhow::Result<Vec<String>> {
    let text = std::fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let doc: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    let bins = crate::package::bin_names(&doc);
    Ok(names.iter().filter(|n| !bins.contains(n)).cloned().collect())
}

/// Appends `[[bin]]` entries for `names` to `manifest`.
pub fn add_bins(manifest: &Path, names: &[String]) -> anyhow::Result<()> {
    let mut text = std::fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    for n in names {
        text.push_str(&bin_entry(n));
    }
    std::fs::write(manifest, text).with_context(|| format!("writing {}", manifest.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_only_changes_and_reports_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = GeneratedFile { path: dir.path().join("a/b.rs"), contents: "x".into() };
        assert_eq!(stale(std::slice::from_ref(&f)), [f.path.clone()]);
        assert_eq!(write(std::slice::from_ref(&f)).unwrap().len(), 1);
        assert!(stale(std::slice::from_ref(&f)).is_empty());
        assert!(write(std::slice::from_ref(&f)).unwrap().is_empty(), "unchanged files are not rewritten");
    }

    #[test]
    fn bins_are_found_and_added() {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("Cargo.toml");
        std::fs::write(&m, "[package]\nname = \"f\"\n\n[[bin]]\nname = \"a\"\npath = \"fuzz_targets/a.rs\"\n").unwrap();
        let names = vec!["a".to_string(), "b".to_string()];
        assert_eq!(missing_bins(&m, &names).unwrap(), ["b"]);
        add_bins(&m, &["b".to_string()]).unwrap();
        assert!(missing_bins(&m, &names).unwrap().is_empty());
    }
}
