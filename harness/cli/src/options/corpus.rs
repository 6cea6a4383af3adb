//! `seam corpus`: corpus maintenance for a fuzz target.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::corpus;
use crate::options::PackageDirs;

/// Corpus maintenance.
#[derive(Args, Debug)]
pub struct Corpus {
    /// What to do.
    #[command(subcommand)]
    pub command: CorpusCommand,
}

/// The `seam corpus` subcommands.
#[derive(Subcommand, Debug)]
pub enum CorpusCommand {
    /// Minimise a target's corpus: keep the fewest inputs that cover every feature (C and
    /// Rust) of the inputs found by libFuzzer, AFL++ and the seeds.
    Min(Min),
}

/// `seam corpus min`.
#[derive(Args, Debug)]
pub struct Min {
    /// The fuzz target.
    pub target: String,
    /// Input folders (default: fuzz/corpus/<target>, corpus/<target> and every AFL++ queue
    /// under fuzz/afl/<target>).
    #[arg(long = "from")]
    pub from: Vec<PathBuf>,
    /// Where the minimised corpus goes (default: corpus/<target>, the seed corpus).
    #[arg(long)]
    pub into: Option<PathBuf>,
    /// The libFuzzer binary of the target.
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
    /// AFL++ output folders.
    #[arg(long, default_value = "fuzz/afl")]
    pub afl_out: PathBuf,
    /// Keep inputs for new edges only, not for new hit counts of known edges: far fewer
    /// inputs (for seed corpora kept in a repository).
    #[arg(long)]
    pub edges: bool,
}

impl Corpus {
    /// Runs the subcommand.
    pub fn run(&self) -> anyhow::Result<()> {
        match &self.command {
            CorpusCommand::Min(m) => m.run(),
        }
    }
}

impl Min {
    fn run(&self) -> anyhow::Result<()> {
        self.dirs.check_target(&self.target)?;
        let t = &self.target;
        let bin = self.bin.clone().unwrap_or_else(|| self.dirs.bin("target", t));
        let into = self.into.clone().unwrap_or_else(|| self.dirs.corpus_dir.join(t));
        let from = if self.from.is_empty() { self.default_sources()? } else { self.from.clone() };
        let (before, after) = corpus::minimise(&bin, &from, &into, self.edges)?;
        println!(
            "seam corpus: {t}: {} inputs ({} bytes) -> {} inputs ({} bytes) in {}",
            before.files,
            before.bytes,
            after.files,
            after.bytes,
            into.display()
        );
        Ok(())
    }

    fn default_sources(&self) -> anyhow::Result<Vec<PathBuf>> {
        let t = &self.target;
        let mut from = vec![self.dirs.libfuzzer_corpus(t), self.dirs.corpus_dir.join(t)];
        let afl = self.afl_out.join(t);
        if afl.is_dir() {
            for e in std::fs::read_dir(&afl)? {
                let queue = e?.path().join("queue");
                if queue.is_dir() {
                    from.push(queue);
                }
            }
        }
        Ok(from)
    }
}
