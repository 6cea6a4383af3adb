//! `seam cov`: coverage of a fuzz target over a corpus, C and Rust lines in one report.

use std::path::PathBuf;
use std::process::Command;

use anyhow::Context;
use clap::Args;
use seam_build::Sanitizer;

use crate::corpus;
use crate::coverage;
use crate::options::env::own_wrapper_env;
use crate::options::PackageDirs;
use crate::package::TRIPLE;

/// Build a target with source-based coverage for Rust and its C together, run it over a
/// corpus and write cov/<target>/{summary.json,summary.md,html/}.
#[derive(Args, Debug)]
pub struct Cov {
    /// The fuzz target.
    pub target: String,
    /// Corpus folders (default: corpus/<target> and fuzz/corpus/<target>, those that exist).
    #[arg(long = "corpus")]
    pub corpora: Vec<PathBuf>,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
    /// Cargo target folder of the coverage build (default: cargo fuzz coverage's own).
    #[arg(long)]
    pub target_dir: Option<PathBuf>,
    /// Where the reports go (a folder per target).
    #[arg(long, default_value = "cov")]
    pub out: PathBuf,
}

impl Cov {
    /// Builds, runs, and writes the reports; prints the Markdown summary.
    pub fn run(&self) -> anyhow::Result<()> {
        self.dirs.check_target(&self.target)?;
        let corpora = self.corpora()?;
        let inputs = corpora.iter().map(|d| std::fs::read_dir(d).map(|r| r.count()).unwrap_or(0)).sum();
        anyhow::ensure!(inputs > 0, "no inputs in {}: fuzz the target first (`seam fuzz {}`)", corpus::list(&corpora), self.target);
        let fuzz_dir = std::path::absolute(&self.dirs.fuzz_dir)?;
        let target_dir = match &self.target_dir {
            Some(d) => std::path::absolute(d)?,
            None => fuzz_dir.join("target").join(TRIPLE).join("coverage"),
        };
        // Without a sanitizer: every input of the corpus runs to its end, and seam-cc and
        // seam-build see -Cinstrument-coverage and give the C clang's coverage mapping.
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&fuzz_dir)
            .args(["+nightly", "fuzz", "coverage", "--sanitizer", "none", "--target-dir"])
            .arg(&target_dir)
            .arg(&self.target)
            .args(corpora.iter().map(|c| std::path::absolute(c).unwrap_or_else(|_| c.clone())))
            .envs(own_wrapper_env(Sanitizer::None)?);
        let status = cmd.status().context("running cargo fuzz coverage (is cargo-fuzz installed? run scripts/setup.sh)")?;
        anyhow::ensure!(status.success(), "cargo fuzz coverage {} failed ({status})", self.target);

        let bin = target_dir.join(TRIPLE).join("release").join(&self.target);
        let profdata = fuzz_dir.join("coverage").join(&self.target).join("coverage.profdata");
        let llvm_cov = coverage::llvm_tool("llvm-cov")?;
        let profile = coverage::Profile { llvm_cov: &llvm_cov, bin: &bin, profdata: &profdata };
        let summary = coverage::summarise(&profile, &self.target, inputs)?;
        let out = self.out.join(&self.target);
        std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
        coverage::html(&profile, &out.join("html"))?;
        std::fs::write(out.join("summary.json"), serde_json::to_string_pretty(&summary)? + "\n")
            .with_context(|| format!("writing {}/summary.json", out.display()))?;
        let md = coverage::markdown(&summary);
        std::fs::write(out.join("summary.md"), &md).with_context(|| format!("writing {}/summary.md", out.display()))?;
        print!("{md}");
        println!("\nReports: {}/{{summary.json,summary.md,html/index.html}}", out.display());
        Ok(())
    }

    fn corpora(&self) -> anyhow::Result<Vec<PathBuf>> {
        if !self.corpora.is_empty() {
            return Ok(self.corpora.clone());
        }
        let seeds = self.dirs.files(&self.target).seeds;
        let found: Vec<PathBuf> =
            seeds.into_iter().chain([self.dirs.libfuzzer_corpus(&self.target)]).filter(|d| d.is_dir()).collect();
        anyhow::ensure!(!found.is_empty(), "no corpus for {}: pass --corpus DIR or fuzz it first", self.target);
        Ok(found)
    }
}
