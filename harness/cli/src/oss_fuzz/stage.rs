//! The end of an OSS-Fuzz build: each built fuzz target goes into `$OUT` with what OSS-Fuzz
//! looks for beside it: `<target>_seed_corpus.zip`, `<target>.dict` and `<target>.options`.
//! Dictionaries and options are checked while they are staged, so a malformed file fails the
//! build (naming file and line) instead of being ignored by the fuzzer at run time.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::dictionary;
use crate::package::{read_options, FuzzPackage, TargetFiles};

/// What was staged for one target.
#[derive(Debug, PartialEq, Eq)]
pub struct Staged {
    /// The target.
    pub target: String,
    /// Seed inputs zipped.
    pub seeds: usize,
    /// Dictionary entries written.
    pub dict_entries: usize,
}

/// Stages the targets of `package` that a `sanitizer` build produces from `bin_dir` into `out`,
/// with their files from `corpus`.
pub fn stage(package: &FuzzPackage, corpus: &Path, sanitizer: &str, bin_dir: &Path, out: &Path) -> anyhow::Result<Vec<Staged>> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut staged = Vec::new();
    for target in package.targets_for(sanitizer) {
        let bin = bin_dir.join(target);
        anyhow::ensure!(
            bin.is_file(),
            "{} is missing: the fuzz build did not produce target `{target}` (build it with `cargo fuzz build -O`)",
            bin.display()
        );
        copy(&bin, &out.join(target))?;
        let files = TargetFiles::find(corpus, target);
        let seeds = files.seed_files()?;
        if !seeds.is_empty() {
            zip_seeds(&seeds, &out.join(format!("{target}_seed_corpus.zip")))?;
        }
        let mut entries = Vec::new();
        for d in &files.dicts {
            entries.extend(dictionary::read(d)?);
        }
        let mut options = match &files.options {
            Some(p) => read_options(p)?,
            None => Vec::new(),
        };
        if !entries.is_empty() {
            let dict = out.join(format!("{target}.dict"));
            std::fs::write(&dict, dictionary::render(&entries)).with_context(|| format!("writing {}", dict.display()))?;
            options.retain(|(k, _)| k != "dict");
            options.push(("dict".into(), format!("{target}.dict")));
        }
        if !options.is_empty() {
            let text: String = std::iter::once("[libfuzzer]\n".to_string())
                .chain(options.iter().map(|(k, v)| format!("{k} = {v}\n")))
                .collect();
            let path = out.join(format!("{target}.options"));
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        }
        staged.push(Staged { target: target.clone(), seeds: seeds.len(), dict_entries: entries.len() });
    }
    Ok(staged)
}

fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
    std::fs::copy(from, to).with_context(|| format!("copying {} to {}", from.display(), to.display()))?;
    Ok(())
}

/// Writes `files` into a zip archive at `to`, each under its file name.
fn zip_seeds(files: &[PathBuf], to: &Path) -> anyhow::Result<()> {
    let file = std::fs::File::create(to).with_context(|| format!("creating {}", to.display()))?;
    let mut zip = zip::ZipWriter::new(file);
    for f in files {
        let name = f.file_name().and_then(|n| n.to_str()).with_context(|| format!("{}: not a UTF-8 file name", f.display()))?;
        let bytes = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        zip.start_file(name, zip::write::SimpleFileOptions::default())?;
        zip.write_all(&bytes)?;
    }
    zip.finish().with_context(|| format!("writing {}", to.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(dir: &Path, targets: &[&str], memory: &[&str]) -> FuzzPackage {
        FuzzPackage {
            dir: dir.to_path_buf(),
            targets: targets.iter().map(|t| t.to_string()).collect(),
            memory: memory.iter().map(|t| t.to_string()).collect(),
        }
    }

    #[test]
    fn binaries_seeds_dictionaries_and_options_land_in_out() {
        let d = tempfile::tempdir().unwrap();
        let (bins, corpus, out) = (d.path().join("bins"), d.path().join("corpus"), d.path().join("out"));
        std::fs::create_dir_all(corpus.join("lib_a")).unwrap();
        std::fs::create_dir_all(&bins).unwrap();
        for t in ["lib_a", "other"] {
            std::fs::write(bins.join(t), "ELF").unwrap();
        }
        std::fs::write(corpus.join("lib_a/s1"), "one").unwrap();
        std::fs::write(corpus.join("lib_a.dict"), "m=\"SEAM\"\n").unwrap();
        std::fs::write(corpus.join("lib_header.dict"), "M=\"SEAM\"\nV=\"\\x02\"\n").unwrap();
        std::fs::write(corpus.join("lib_a.options"), "[libfuzzer]\nmax_len = 512\n").unwrap();
        let staged = stage(&package(d.path(), &["lib_a", "other"], &[]), &corpus, "address", &bins, &out).unwrap();
        assert_eq!(staged[0], Staged { target: "lib_a".into(), seeds: 1, dict_entries: 3 });
        assert_eq!(std::fs::read_to_string(out.join("lib_a.dict")).unwrap(), "m=\"SEAM\"\nV=\"\\x02\"\n");
        assert_eq!(std::fs::read_to_string(out.join("lib_a.options")).unwrap(), "[libfuzzer]\nmax_len = 512\ndict = lib_a.dict\n");
        let mut zip = zip::ZipArchive::new(std::fs::File::open(out.join("lib_a_seed_corpus.zip")).unwrap()).unwrap();
        assert_eq!(std::io::read_to_string(zip.by_name("s1").unwrap()).unwrap(), "one");
        // A target without corpus files gets its binary only.
        assert!(out.join("other").is_file() && !out.join("other.options").exists() && !out.join("other_seed_corpus.zip").exists());
    }

    #[test]
    fn a_memory_build_stages_its_targets_only_and_a_missing_binary_is_named() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("m"), "ELF").unwrap();
        let p = package(d.path(), &["m", "n"], &["m"]);
        let staged = stage(&p, &d.path().join("corpus"), "memory", d.path(), &d.path().join("out")).unwrap();
        assert_eq!(staged.len(), 1);
        let err = stage(&p, &d.path().join("corpus"), "address", d.path(), &d.path().join("out")).unwrap_err().to_string();
        assert!(err.contains("target `n`"), "{err}");
    }

    #[test]
    fn a_malformed_dictionary_fails_the_stage() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("x_t"), "ELF").unwrap();
        std::fs::create_dir(d.path().join("corpus")).unwrap();
        std::fs::write(d.path().join("corpus/x_t.dict"), "ok=\"1\"\nbroken\n").unwrap();
        let err = stage(&package(d.path(), &["x_t"], &[]), &d.path().join("corpus"), "address", d.path(), &d.path().join("out"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("x_t.dict:2"), "{err}");
    }
}
