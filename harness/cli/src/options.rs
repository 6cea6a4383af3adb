//! Command-line options: one module per subcommand, shared option types here.

pub mod audit;
pub mod corpus;
pub mod cov;
pub mod env;
pub mod fuzz;
pub mod gen;
pub mod init;
pub mod oss_fuzz;
pub mod triage;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use seam_build::Sanitizer;

use crate::package::{FuzzPackage, TargetFiles, TRIPLE};

/// seam: fuzz the boundary between Rust and C.
#[derive(Parser, Debug)]
#[command(name = "seam", version, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Print the CC/CXX exports that instrument third-party -sys crates' C.
    Env(env::Env),
    /// Fuzz one target with libFuzzer or AFL++, on one core or several; record the campaign.
    Fuzz(fuzz::Fuzz),
    /// Corpus maintenance: minimise a target's corpus.
    Corpus(corpus::Corpus),
    /// Coverage of C and Rust lines together from a corpus: per-file summary and HTML.
    Cov(cov::Cov),
    /// Replay, attribute, dedup and report crashes.
    Triage(triage::Triage),
    /// Check Rust FFI declarations against a C header: signatures and struct layouts.
    Audit(audit::Audit),
    /// Generate wrappers and fuzz targets from contracts (`--check`: fail when stale).
    Gen(gen::Gen),
    /// Write a starting contract (`seam.toml`) for a C header, every guess marked for review.
    Init(init::Init),
    /// OSS-Fuzz and ClusterFuzzLite: project files, and the steps of their build.sh.
    OssFuzz(oss_fuzz::OssFuzz),
}

/// A sanitizer as the command line names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SanitizerArg {
    /// AddressSanitizer (with LeakSanitizer and, in C, UndefinedBehaviorSanitizer).
    Address,
    /// MemorySanitizer with origin tracking.
    Memory,
    /// ThreadSanitizer.
    Thread,
    /// LeakSanitizer alone.
    Leak,
    /// No sanitizer: coverage only.
    None,
}

impl From<SanitizerArg> for Sanitizer {
    fn from(s: SanitizerArg) -> Self {
        match s {
            SanitizerArg::Address => Sanitizer::Address,
            SanitizerArg::Memory => Sanitizer::Memory,
            SanitizerArg::Thread => Sanitizer::Thread,
            SanitizerArg::Leak => Sanitizer::Leak,
            SanitizerArg::None => Sanitizer::None,
        }
    }
}

/// Where the cargo-fuzz package is, and what `corpus/` keeps for its targets.
#[derive(Args, Debug, Clone)]
pub struct PackageDirs {
    /// The cargo-fuzz package.
    #[arg(long, default_value = "fuzz")]
    pub fuzz_dir: PathBuf,
    /// Seed corpora, dictionaries and options (`corpus/<target>/`, `<target>.dict`, ...).
    #[arg(long, default_value = "corpus")]
    pub corpus_dir: PathBuf,
}

impl PackageDirs {
    /// The package.
    pub fn package(&self) -> anyhow::Result<FuzzPackage> {
        FuzzPackage::read(&self.fuzz_dir)
    }

    /// Fails unless `target` is a fuzz target of the package.
    pub fn check_target(&self, target: &str) -> anyhow::Result<()> {
        self.package()?.check_target(target)
    }

    /// The target's files under `corpus/`.
    pub fn files(&self, target: &str) -> TargetFiles {
        TargetFiles::find(&self.corpus_dir, target)
    }

    /// The corpus libFuzzer grows for `target` (cargo-fuzz's `fuzz/corpus/<target>`).
    pub fn libfuzzer_corpus(&self, target: &str) -> PathBuf {
        self.fuzz_dir.join("corpus").join(target)
    }

    /// A release binary of `target` built into the package's folder `build` (`target` for
    /// libFuzzer builds, `target-afl` for AFL++ builds).
    pub fn bin(&self, build: &str, target: &str) -> PathBuf {
        self.fuzz_dir.join(build).join(TRIPLE).join("release").join(target)
    }
}
