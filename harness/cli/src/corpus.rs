//! Corpus minimisation: the smallest set of inputs that keeps every feature (edge, counter
//! bucket, comparison) of the inputs given, chosen by libFuzzer's `-merge=1` against the
//! target's instrumented binary, C coverage included. The result replaces the destination only
//! once the merge has succeeded, so an interrupted or failed merge loses nothing.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

/// Sizes of a corpus.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Size {
    /// Files.
    pub files: usize,
    /// Bytes, all files together.
    pub bytes: u64,
}

impl Size {
    /// The size of the files directly in `dirs` (missing folders count as empty).
    pub fn of(dirs: &[PathBuf]) -> anyhow::Result<Self> {
        let mut s = Size::default();
        for d in dirs.iter().filter(|d| d.is_dir()) {
            for e in std::fs::read_dir(d).with_context(|| format!("reading {}", d.display()))? {
                let m = e?.metadata()?;
                if m.is_file() {
                    s.files += 1;
                    s.bytes += m.len();
                }
            }
        }
        Ok(s)
    }
}

/// Merges the inputs of `from` into a minimal corpus at `into` using `bin`; returns the sizes
/// before (all of `from`) and after. With `edges_only` only edge coverage counts, not how often
/// an edge ran (libFuzzer's counter buckets): far fewer inputs, as befits seeds kept in a
/// repository.
pub fn minimise(bin: &Path, from: &[PathBuf], into: &Path, edges_only: bool) -> anyhow::Result<(Size, Size)> {
    anyhow::ensure!(bin.is_file(), "{} is missing: build the target first (`make fuzz-build`)", bin.display());
    let sources: Vec<PathBuf> = from.iter().filter(|d| d.is_dir()).cloned().collect();
    anyhow::ensure!(!sources.is_empty(), "none of the input folders exists: {}", list(from));
    let before = Size::of(&sources)?;
    let parent = into.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
    let merged = tempfile::Builder::new().prefix(".merge-").tempdir_in(parent).context("creating the merge folder")?;
    let out = Command::new(bin)
        .arg("-merge=1")
        .arg("-timeout=25")
        .arg("-rss_limit_mb=4096")
        .args(edges_only.then_some("-use_counters=0"))
        .arg(merged.path())
        .args(&sources)
        .output()
        .with_context(|| format!("running {}", bin.display()))?;
    if !out.status.success() {
        let log = String::from_utf8_lossy(&out.stderr);
        let tail: String = log.lines().rev().take(15).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join("\n");
        anyhow::bail!("the merge failed ({}); {} is unchanged:\n{tail}", out.status, into.display());
    }
    let after = Size::of(&[merged.path().to_path_buf()])?;
    let old = parent.join(format!(".old-{}", into.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()));
    if into.exists() {
        std::fs::rename(into, &old).with_context(|| format!("moving {} aside", into.display()))?;
    }
    std::fs::rename(merged.keep(), into).with_context(|| format!("moving the merged corpus to {}", into.display()))?;
    if old.exists() {
        std::fs::remove_dir_all(&old).with_context(|| format!("removing {}", old.display()))?;
    }
    Ok((before, after))
}

/// Folders as one comma-separated line, for messages.
pub fn list(dirs: &[PathBuf]) -> String {
    dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_count_files_directly_in_existing_folders() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("a"), "abc").unwrap();
        std::fs::create_dir(d.path().join("sub")).unwrap();
        std::fs::write(d.path().join("sub/b"), "zz").unwrap();
        let s = Size::of(&[d.path().to_path_buf(), d.path().join("sub"), d.path().join("missing")]).unwrap();
        assert_eq!(s, Size { files: 2, bytes: 5 });
    }

    #[test]
    fn a_failed_merge_leaves_the_destination_alone() {
        let d = tempfile::tempdir().unwrap();
        let into = d.path().join("corpus");
        std::fs::create_dir(&into).unwrap();
        std::fs::write(into.join("keep"), "x").unwrap();
        std::fs::create_dir(d.path().join("from")).unwrap();
        // `false` stands in for a fuzz binary whose merge fails.
        let err = minimise(Path::new("/bin/false"), &[d.path().join("from")], &into, false).unwrap_err().to_string();
        assert!(err.contains("unchanged"), "{err}");
        assert!(into.join("keep").is_file());
        let err = minimise(Path::new("/bin/false"), &[d.path().join("nope")], &into, true).unwrap_err().to_string();
        assert!(err.contains("none of the input folders"), "{err}");
    }
}
