//! Source-based coverage across the boundary: one profile of a fuzz target run over a corpus
//! counts the Rust lines (`-Cinstrument-coverage`) and the C lines (clang's
//! `-fprofile-instr-generate -fcoverage-mapping`, added by seam-build and seam-cc in coverage
//! builds) together. `llvm-cov` from the nightly toolchain's `llvm-tools` reads it: a per-file
//! summary (JSON and Markdown, C and Rust apart) and an HTML report of every line.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// Files left out of reports: Rust's standard library, Rust crates from the registry (the
/// fuzzing runtime, arbitrary, ...) and libFuzzer's own C++. C of `-sys` crates in the
/// registry stays: it is the code under test.
pub const IGNORE: &str = r"(^/rustc/|/rustlib/src/rust/library/|/\.cargo/registry/.*\.rs$|/libfuzzer-sys-[^/]*/libfuzzer/)";

/// Which side of the boundary a file is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// C or C++.
    C,
    /// Rust.
    Rust,
}

impl Side {
    /// The side of a source file, by its extension.
    pub fn of(path: &str) -> Self {
        if path.ends_with(".rs") {
            Side::Rust
        } else {
            Side::C
        }
    }
}

/// Covered and total counts of one kind (lines, functions, regions).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count {
    /// Covered.
    pub covered: u64,
    /// In all.
    pub count: u64,
}

impl Count {
    fn add(&mut self, o: Count) {
        self.covered += o.covered;
        self.count += o.count;
    }

    fn percent(self) -> f64 {
        if self.count == 0 {
            0.0
        } else {
            100.0 * self.covered as f64 / self.count as f64
        }
    }
}

/// The coverage of one source file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileCoverage {
    /// Its path as the debug info names it.
    pub path: String,
    /// C or Rust.
    pub side: Side,
    /// Lines.
    pub lines: Count,
    /// Functions.
    pub functions: Count,
    /// Regions.
    pub regions: Count,
}

/// The summary of a coverage run (schema `seam-coverage/1`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Schema name.
    pub schema: String,
    /// The fuzz target.
    pub target: String,
    /// Inputs run.
    pub inputs: usize,
    /// Files, C first, each side by path.
    pub files: Vec<FileCoverage>,
}

impl Summary {
    /// Line counts of one side, all files together.
    pub fn lines(&self, side: Side) -> Count {
        let mut c = Count::default();
        for f in self.files.iter().filter(|f| f.side == side) {
            c.add(f.lines);
        }
        c
    }
}

/// The `llvm-cov` and `llvm-profdata` of the nightly toolchain (`llvm-tools` component).
pub fn llvm_tool(name: &str) -> anyhow::Result<PathBuf> {
    let out = Command::new("rustc").args(["+nightly", "--print", "sysroot"]).output().context("running rustc +nightly")?;
    let sysroot = String::from_utf8(out.stdout).context("rustc's sysroot is not UTF-8")?;
    let path = Path::new(sysroot.trim()).join("lib/rustlib/x86_64-unknown-linux-gnu/bin").join(name);
    anyhow::ensure!(
        path.is_file(),
        "{} is missing: install it with `rustup component add llvm-tools-preview --toolchain nightly` (scripts/setup.sh does)",
        path.display()
    );
    Ok(path)
}

/// A profile of a coverage build: the binary and its merged profile data.
#[derive(Clone, Copy, Debug)]
pub struct Profile<'a> {
    /// `llvm-cov`.
    pub llvm_cov: &'a Path,
    /// The instrumented binary.
    pub bin: &'a Path,
    /// Its merged profile (`.profdata`).
    pub profdata: &'a Path,
}

impl Profile<'_> {
    /// Runs `llvm-cov <args>` on the profile, without the files of [`IGNORE`]; returns stdout.
    fn llvm_cov(&self, args: &[String]) -> anyhow::Result<Vec<u8>> {
        let out = Command::new(self.llvm_cov)
            .args(args)
            .arg(format!("-instr-profile={}", self.profdata.display()))
            .arg(format!("-ignore-filename-regex={IGNORE}"))
            .arg(self.bin)
            .output()
            .with_context(|| format!("running {}", self.llvm_cov.display()))?;
        anyhow::ensure!(out.status.success(), "llvm-cov {} failed: {}", args[0], String::from_utf8_lossy(&out.stderr));
        Ok(out.stdout)
    }
}

/// Reads the per-file summary of a profile through `llvm-cov export`.
pub fn summarise(profile: &Profile, target: &str, inputs: usize) -> anyhow::Result<Summary> {
    let json = profile.llvm_cov(&["export".into(), "-summary-only".into(), "-format=text".into()])?;
    let mut files = parse_export(&json)?;
    files.sort_by(|a, b| (a.side == Side::Rust, &a.path).cmp(&(b.side == Side::Rust, &b.path)));
    Ok(Summary { schema: "seam-coverage/1".into(), target: target.to_string(), inputs, files })
}

/// The files of `llvm-cov export` JSON.
pub fn parse_export(json: &[u8]) -> anyhow::Result<Vec<FileCoverage>> {
    #[derive(Deserialize)]
    struct Export {
        data: Vec<Data>,
    }
    #[derive(Deserialize)]
    struct Data {
        files: Vec<File>,
    }
    #[derive(Deserialize)]
    struct File {
        filename: String,
        summary: FileSummary,
    }
    #[derive(Deserialize)]
    struct FileSummary {
        lines: Count,
        functions: Count,
        regions: Count,
    }
    let export: Export = serde_json::from_slice(json).context("parsing llvm-cov export JSON")?;
    Ok(export
        .data
        .into_iter()
        .flat_map(|d| d.files)
        .map(|f| FileCoverage {
            side: Side::of(&f.filename),
            path: f.filename,
            lines: f.summary.lines,
            functions: f.summary.functions,
            regions: f.summary.regions,
        })
        .collect())
}

/// Writes the HTML report of every line of a profile into `dir` (`index.html` first).
pub fn html(profile: &Profile, dir: &Path) -> anyhow::Result<()> {
    let args = ["show", "-format=html", "-show-line-counts-or-regions"].map(String::from);
    profile.llvm_cov(&[&args[..], &[format!("-output-dir={}", dir.display())]].concat())?;
    Ok(())
}

/// The Markdown summary: totals per side, then a row per file.
pub fn markdown(s: &Summary) -> String {
    let mut md = format!("# Coverage: {} ({} inputs)\n\n| side | lines covered | of | % |\n|---|---|---|---|\n", s.target, s.inputs);
    for (side, name) in [(Side::C, "C"), (Side::Rust, "Rust")] {
        let c = s.lines(side);
        let _ = writeln!(md, "| {name} | {} | {} | {:.1} |", c.covered, c.count, c.percent());
    }
    md.push_str("\n| file | side | lines | functions | regions |\n|---|---|---|---|---|\n");
    for f in &s.files {
        let _ = writeln!(
            md,
            "| `{}` | {} | {}/{} ({:.1}%) | {}/{} | {}/{} |",
            f.path,
            if f.side == Side::C { "C" } else { "Rust" },
            f.lines.covered,
            f.lines.count,
            f.lines.percent(),
            f.functions.covered,
            f.functions.count,
            f.regions.covered,
            f.regions.count
        );
    }
    md.push_str("\nEvery line: [html/index.html](html/index.html)\n");
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXPORT: &str = r#"{"data":[{"files":[
        {"filename":"/src/fuzz/fuzz_targets/t.rs","summary":{"lines":{"count":10,"covered":8,"percent":80},"functions":{"count":2,"covered":2},"regions":{"count":5,"covered":4},"branches":{"count":0,"covered":0}}},
        {"filename":"/reg/libz-sys-1.1/src/zlib/inflate.c","summary":{"lines":{"count":100,"covered":25},"functions":{"count":10,"covered":3},"regions":{"count":50,"covered":9}}}
      ],"totals":{}}],"type":"llvm.coverage.json.export","version":"2.0.1"}"#;

    #[test]
    fn export_json_becomes_files_on_their_side() {
        let files = parse_export(EXPORT.as_bytes()).unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files[1].side, Side::C);
        assert_eq!(files[1].lines, Count { covered: 25, count: 100 });
        let s = Summary { schema: "seam-coverage/1".into(), target: "zlib_inflate".into(), inputs: 3, files };
        assert_eq!(s.lines(Side::Rust), Count { covered: 8, count: 10 });
        let md = markdown(&s);
        assert!(md.contains("| C | 25 | 100 | 25.0 |"), "{md}");
        assert!(md.contains("| `/reg/libz-sys-1.1/src/zlib/inflate.c` | C | 25/100 (25.0%) | 3/10 | 9/50 |"), "{md}");
        assert!(parse_export(b"{}").is_err());
    }

    #[test]
    fn the_filter_keeps_c_of_sys_crates_and_drops_rust_dependencies() {
        let re = regex::Regex::new(IGNORE).unwrap();
        assert!(re.is_match("/rustc/e50aa6fba/library/core/src/slice/mod.rs"));
        assert!(re.is_match("/root/.rustup/toolchains/nightly-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/std/src/sys/mod.rs"));
        assert!(re.is_match("/root/.cargo/registry/src/index.crates.io-1/arbitrary-1.4.1/src/lib.rs"));
        assert!(re.is_match("/root/.cargo/registry/src/index.crates.io-1/libfuzzer-sys-0.4.10/libfuzzer/FuzzerLoop.cpp"));
        assert!(!re.is_match("/root/.cargo/registry/src/index.crates.io-1/libz-sys-1.1.31/src/zlib/inflate.c"));
        assert!(!re.is_match("/work/main/c_targets/seeded/csrc/seeded.c"));
        assert!(!re.is_match("/work/main/fuzz/fuzz_targets/seeded_ops.rs"));
    }
}
