//! Finding the crashes to triage: libFuzzer artifact folders (`fuzz/artifacts/<target>/`
//! with `crash-`, `leak-`, `timeout-`, `oom-` files), AFL++ output folders
//! (`crashes/id:...`, `hangs/id:...`), or a folder of saved logs (`<target>.log`, or any
//! `*.log`/`*.txt` below a `<target>/` folder).

use std::path::{Path, PathBuf};

use anyhow::Context;

/// libFuzzer artifact prefixes that are crashes (`slow-unit-` is not).
pub const ARTIFACT_PREFIXES: &[&str] = &["crash-", "leak-", "timeout-", "oom-"];

/// One input or log to analyse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// Fuzz target it belongs to.
    pub target: String,
    /// The file: a crashing input, or a saved log.
    pub path: PathBuf,
}

fn is_crash_input(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let parent = path.parent().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned());
    ARTIFACT_PREFIXES.iter().any(|p| name.starts_with(p))
        || (matches!(parent.as_deref(), Some("crashes" | "hangs")) && name.starts_with("id:"))
}

fn files_below(dir: &Path, keep: &dyn Fn(&Path) -> bool) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).with_context(|| format!("reading {}", d.display()))?;
        for e in entries {
            let p = e.with_context(|| format!("reading {}", d.display()))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if keep(&p) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Crashing inputs under `artifacts/<target>/` for the given targets, or for every target
/// folder when `targets` is empty.
pub fn artifacts(artifacts: &Path, targets: &[String]) -> anyhow::Result<Vec<Item>> {
    let names: Vec<String> = if targets.is_empty() {
        let mut v: Vec<String> = std::fs::read_dir(artifacts)
            .with_context(|| format!("reading {} (no artifacts yet? run a fuzz target first)", artifacts.display()))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    } else {
        targets.to_vec()
    };
    let mut items = Vec::new();
    for t in names {
        let dir = artifacts.join(&t);
        if !dir.is_dir() {
            continue;
        }
        for path in files_below(&dir, &is_crash_input)? {
            items.push(Item { target: t.clone(), path });
        }
    }
    Ok(items)
}

/// Saved logs under `dir`: `<target>.log` files at the top, `*.log`/`*.txt` files inside
/// `<target>/` folders.
pub fn logs(dir: &Path) -> anyhow::Result<Vec<Item>> {
    let is_log = |p: &Path| matches!(p.extension().and_then(|e| e.to_str()), Some("log" | "txt"));
    let mut items = Vec::new();
    for path in files_below(dir, &is_log)? {
        let rel = path.strip_prefix(dir).unwrap_or(&path);
        let target = match rel.components().count() {
            1 => path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(),
            _ => rel.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned()).unwrap_or_default(),
        };
        items.push(Item { target, path });
    }
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifacts_keep_crashes_and_skip_other_files() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("tgt");
        std::fs::create_dir_all(t.join("default/crashes")).unwrap();
        for f in ["crash-1", "leak-2", "oom-3", "timeout-4", "slow-unit-5", "README"] {
            std::fs::write(t.join(f), "x").unwrap();
        }
        std::fs::write(t.join("default/crashes/id:000000,sig:06"), "x").unwrap();
        std::fs::write(t.join("default/crashes/README.txt"), "x").unwrap();
        let items = artifacts(d.path(), &[]).unwrap();
        let names: Vec<String> = items.iter().map(|i| i.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["crash-1", "id:000000,sig:06", "leak-2", "oom-3", "timeout-4"]);
        assert!(items.iter().all(|i| i.target == "tgt"));
    }

    #[test]
    fn logs_are_named_by_file_or_folder() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("seeded_parse.log"), "x").unwrap();
        std::fs::create_dir(d.path().join("zlib")).unwrap();
        std::fs::write(d.path().join("zlib/run1.txt"), "x").unwrap();
        let targets: Vec<String> = logs(d.path()).unwrap().into_iter().map(|i| i.target).collect();
        assert_eq!(targets, ["seeded_parse", "zlib"]);
    }

    #[test]
    fn a_missing_artifacts_folder_says_what_to_do() {
        let err = artifacts(Path::new("/nonexistent/artifacts"), &[]).unwrap_err();
        assert!(format!("{err:#}").contains("run a fuzz target first"));
    }
}
