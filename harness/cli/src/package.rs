//! The cargo-fuzz package and what `corpus/` keeps for each of its fuzz targets: seed inputs,
//! dictionaries and libFuzzer options. One place decides which files belong to a target, for
//! campaigns, corpus tools and the OSS-Fuzz export alike.
//!
//! For a target `T` of library `L` (the name's first `_`-separated word):
//! * seeds: `corpus/T/`;
//! * dictionaries: `corpus/T.dict` and `corpus/L.dict` (kept by hand, for the target and for
//!   every target of the library), then `corpus/L_header.dict` (written by `seam gen` from the
//!   library's header);
//! * options: `corpus/T.options`, a `[libfuzzer]` section of `flag = value` lines.
//!
//! The package's manifest may say which targets also build under MemorySanitizer:
//! ```toml
//! [package.metadata.seam]
//! memory = ["seeded_checksum"]
//! ```

use std::path::{Path, PathBuf};

use anyhow::Context;

/// The target triple fuzz builds are made for.
pub const TRIPLE: &str = "x86_64-unknown-linux-gnu";

/// A cargo-fuzz package.
#[derive(Clone, Debug)]
pub struct FuzzPackage {
    /// Its directory (holding `Cargo.toml` and `fuzz_targets/`).
    pub dir: PathBuf,
    /// Its fuzz targets (`[[bin]]` names), in manifest order.
    pub targets: Vec<String>,
    /// Targets that also build and run under MemorySanitizer.
    pub memory: Vec<String>,
}

impl FuzzPackage {
    /// Reads `dir/Cargo.toml`.
    pub fn read(dir: &Path) -> anyhow::Result<Self> {
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest)
            .with_context(|| format!("reading {} (is {} a cargo-fuzz package?)", manifest.display(), dir.display()))?;
        let doc: toml::Table = toml::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
        let targets = bin_names(&doc);
        let memory: Vec<String> = doc
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("seam"))
            .and_then(|s| s.get("memory"))
            .and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect())
            .unwrap_or_default();
        if let Some(unknown) = memory.iter().find(|m| !targets.contains(m)) {
            anyhow::bail!(
                "{}: [package.metadata.seam] memory names `{unknown}`, which is not a [[bin]] of the package",
                manifest.display()
            );
        }
        Ok(FuzzPackage { dir: dir.to_path_buf(), targets, memory })
    }

    /// The targets a build with `sanitizer` (as OSS-Fuzz names it) produces.
    pub fn targets_for(&self, sanitizer: &str) -> &[String] {
        if sanitizer == "memory" {
            &self.memory
        } else {
            &self.targets
        }
    }

    /// Fails with the list of targets when `name` is not one of them.
    pub fn check_target(&self, name: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.targets.iter().any(|t| t == name),
            "`{name}` is not a fuzz target of {}; targets: {}",
            self.dir.display(),
            self.targets.join(", ")
        );
        Ok(())
    }
}

/// The `[[bin]]` names of a parsed manifest.
pub fn bin_names(doc: &toml::Table) -> Vec<String> {
    doc.get("bin")
        .and_then(|b| b.as_array())
        .map(|a| a.iter().filter_map(|b| b.get("name").and_then(|n| n.as_str()).map(str::to_string)).collect())
        .unwrap_or_default()
}

/// What `corpus/` keeps for one target (only files that exist).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TargetFiles {
    /// The seed corpus directory.
    pub seeds: Option<PathBuf>,
    /// Dictionaries, the target's own first.
    pub dicts: Vec<PathBuf>,
    /// Hand-kept libFuzzer options.
    pub options: Option<PathBuf>,
}

impl TargetFiles {
    /// Looks up `target`'s files under `corpus`.
    pub fn find(corpus: &Path, target: &str) -> Self {
        let library = target.split('_').next().unwrap_or(target);
        let seeds = Some(corpus.join(target)).filter(|p| p.is_dir());
        let dicts = [
            corpus.join(format!("{target}.dict")),
            corpus.join(format!("{library}.dict")),
            corpus.join(format!("{library}_header.dict")),
        ]
            .into_iter()
            .filter(|p| p.is_file())
            .collect();
        let options = Some(corpus.join(format!("{target}.options"))).filter(|p| p.is_file());
        TargetFiles { seeds, dicts, options }
    }

    /// The seed inputs (files directly in the seed directory), sorted.
    pub fn seed_files(&self) -> anyhow::Result<Vec<PathBuf>> {
        let Some(dir) = &self.seeds else { return Ok(Vec::new()) };
        let mut files = Vec::new();
        for e in std::fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
            let p = e?.path();
            if p.is_file() {
                files.push(p);
            }
        }
        files.sort();
        Ok(files)
    }
}

/// libFuzzer options of a `.options` file: the `flag = value` pairs of its `[libfuzzer]`
/// section. Lines outside a section, without `=`, or with a flag name libFuzzer could not
/// take are errors naming the file and line.
pub fn read_options(path: &Path) -> anyhow::Result<Vec<(String, String)>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse_options(&text, &path.display().to_string())
}

/// Parses the text of a `.options` file (see [`read_options`]); `origin` names it in errors.
pub fn parse_options(text: &str, origin: &str) -> anyhow::Result<Vec<(String, String)>> {
    let mut section: Option<String> = None;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        let at = |why: &str| anyhow::anyhow!("{origin}:{}: {why}: `{line}`", i + 1);
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = Some(name.trim().to_string());
            continue;
        }
        let Some(s) = &section else { return Err(at("an option outside any [section]")) };
        let (k, v) = line.split_once('=').ok_or_else(|| at("expected `flag = value`"))?;
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') || v.is_empty() {
            return Err(at("a flag is letters, digits and _, and needs a value"));
        }
        if s == "libfuzzer" {
            out.push((k.to_string(), v.to_string()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_and_memory_list_come_from_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = "[package]\nname = \"f\"\n[package.metadata.seam]\nmemory = [\"a_x\"]\n\
                        [[bin]]\nname = \"a_x\"\npath = \"x.rs\"\n[[bin]]\nname = \"b_y\"\npath = \"y.rs\"\n";
        std::fs::write(dir.path().join("Cargo.toml"), manifest).unwrap();
        let p = FuzzPackage::read(dir.path()).unwrap();
        assert_eq!(p.targets, ["a_x", "b_y"]);
        assert_eq!(p.targets_for("memory"), ["a_x"]);
        assert_eq!(p.targets_for("address"), ["a_x", "b_y"]);
        assert!(p.check_target("c").unwrap_err().to_string().contains("a_x, b_y"));
        std::fs::write(dir.path().join("Cargo.toml"), manifest.replace("[\"a_x\"]", "[\"nope\"]")).unwrap();
        assert!(FuzzPackage::read(dir.path()).unwrap_err().to_string().contains("`nope`"));
    }

    #[test]
    fn a_targets_files_are_its_own_then_its_librarys() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path();
        std::fs::create_dir(c.join("zlib_inflate")).unwrap();
        std::fs::write(c.join("zlib_inflate/b"), "").unwrap();
        std::fs::write(c.join("zlib_inflate/a"), "").unwrap();
        std::fs::write(c.join("zlib_header.dict"), "").unwrap();
        std::fs::write(c.join("zlib_inflate.dict"), "").unwrap();
        std::fs::write(c.join("zlib.dict"), "").unwrap();
        std::fs::write(c.join("zlib_inflate.options"), "").unwrap();
        let f = TargetFiles::find(c, "zlib_inflate");
        assert_eq!(f.dicts, [c.join("zlib_inflate.dict"), c.join("zlib.dict"), c.join("zlib_header.dict")]);
        assert_eq!(f.seed_files().unwrap(), [c.join("zlib_inflate/a"), c.join("zlib_inflate/b")]);
        assert!(f.options.is_some());
        assert_eq!(TargetFiles::find(c, "onig_all"), TargetFiles::default());
    }

    #[test]
    fn options_are_read_from_the_libfuzzer_section() {
        let o = parse_options("# c\n[libfuzzer]\nmax_len = 4096\n\n[afl]\nx = 1\n", "t.options").unwrap();
        assert_eq!(o, [("max_len".to_string(), "4096".to_string())]);
        for bad in ["max_len = 1", "[libfuzzer]\nmax_len", "[libfuzzer]\nmax len = 1", "[libfuzzer]\nmax_len ="] {
            let err = parse_options(bad, "t.options").unwrap_err().to_string();
            assert!(err.starts_with("t.options:"), "{err}");
        }
    }
}
