//! `seam fuzz`: a campaign on one target under libFuzzer or AFL++, on one core or several,
//! with the target's seeds, dictionaries and options from `corpus/`, recorded as a picture.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};

use crate::campaign::{self, afl, libfuzzer, Plan};
use crate::dictionary;
use crate::options::PackageDirs;
use crate::package::{read_options, TargetFiles};

/// seam-runtime's variable for the per-input expansion budget (`seam_runtime::input::BUDGET_VAR`).
const BUDGET_VAR: &str = "SEAM_EXPAND_BUDGET";

/// The fuzzing engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Engine {
    /// libFuzzer (`cargo fuzz build` binaries); several jobs run in fork mode.
    Libfuzzer,
    /// AFL++ (`scripts/afl build` binaries); several jobs run as main plus secondaries.
    Afl,
}

/// Fuzz one target: libFuzzer or AFL++, bounded by runs or time, on one or more cores. Writes
/// fuzz/campaigns/<target>/{stats.json,campaign.svg,campaign.md}. Beyond one machine, export
/// the targets to OSS-Fuzz or ClusterFuzzLite (`seam oss-fuzz export`).
#[derive(Args, Debug)]
pub struct Fuzz {
    /// The fuzz target.
    pub target: String,
    /// The engine.
    #[arg(long, value_enum, default_value = "libfuzzer")]
    pub engine: Engine,
    /// Fuzzer instances: libFuzzer -fork=N, or AFL++ main plus N-1 secondaries.
    #[arg(long, short, default_value_t = 1)]
    pub jobs: u32,
    /// Inputs to run, all instances together.
    #[arg(long)]
    pub runs: Option<u64>,
    /// Seconds to run.
    #[arg(long)]
    pub time: Option<u64>,
    /// The engine's random seed (with libFuzzer, the run also fixes the address layout when
    /// the machine allows, so a seed repeats its run).
    #[arg(long)]
    pub seed: Option<u64>,
    /// The binary to fuzz (default: the engine's build folder under the fuzz package).
    #[arg(long)]
    pub bin: Option<PathBuf>,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
    /// Seed inputs to start from instead of corpus/<target>/ (benchmarks start both engines
    /// from the same neutral seed).
    #[arg(long)]
    pub seeds: Option<PathBuf>,
    /// The dictionary to use instead of the target's merged dictionaries.
    #[arg(long, conflicts_with = "no_dict")]
    pub dict: Option<PathBuf>,
    /// Fuzz without a dictionary.
    #[arg(long)]
    pub no_dict: bool,
    /// Bytes the recipes of one input may expand to (SEAM_EXPAND_BUDGET; default 2 MiB): long
    /// campaigns on slow libraries trade input size for executions. Replay its crashes with
    /// the same value.
    #[arg(long)]
    pub expand_budget: Option<usize>,
    /// Where campaign logs, stats and pictures go (a folder per target).
    #[arg(long, default_value = "fuzz/campaigns")]
    pub campaigns: PathBuf,
    /// Where AFL++ writes (a folder per target; `seam triage --artifacts` reads it).
    #[arg(long, default_value = "fuzz/afl")]
    pub afl_out: PathBuf,
    /// Where libFuzzer writes crash, leak, timeout and oom files (a folder per target).
    #[arg(long, default_value = "fuzz/artifacts")]
    pub artifacts: PathBuf,
    /// Extra engine arguments, after `--`.
    #[arg(last = true, allow_hyphen_values = true)]
    pub extra: Vec<String>,
}

impl Fuzz {
    /// Runs the campaign, records it and prints the summary; fails when the fuzzer stopped on
    /// a crash.
    pub fn run(&self) -> anyhow::Result<()> {
        self.dirs.check_target(&self.target)?;
        anyhow::ensure!(self.jobs >= 1, "--jobs must be at least 1");
        let dir = self.campaigns.join(&self.target);
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let plan = self.plan(&dir)?;
        let before = crashes(&plan, self.engine)?;
        let (status, series, engine) = match self.engine {
            Engine::Libfuzzer => {
                let bar = ProgressBar::new_spinner().with_style(ProgressStyle::with_template("{spinner} {msg}").expect("template"));
                let progress = |s: &campaign::stats::Sample| {
                    bar.set_message(format!("{}: {} execs, cov {}, {} exec/s", self.target, s.execs, s.coverage, s.exec_per_sec));
                    bar.tick();
                };
                let (status, series) = libfuzzer::run(&plan, &dir.join("libfuzzer.log"), &progress)?;
                bar.finish_and_clear();
                (status, vec![series], "libfuzzer")
            }
            Engine::Afl => {
                let (status, series) = afl::run(&plan, &dir)?;
                (status, series, "afl")
            }
        };
        let md = campaign::record(&dir, &self.target, engine, series)?;
        print!("{md}");
        println!("\nCampaign: {}/campaign.md", dir.display());
        let found: Vec<PathBuf> = crashes(&plan, self.engine)?.into_iter().filter(|c| !before.contains(c)).collect();
        if !found.is_empty() {
            let shown: Vec<String> = found.iter().take(5).map(|p| p.display().to_string()).collect();
            let more = found.len().saturating_sub(shown.len());
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            println!("Crashes ({}): {}{more}", found.len(), shown.join(", "));
            let from = if self.engine == Engine::Afl { &self.afl_out } else { &self.artifacts };
            println!("Triage: seam triage --artifacts {} {}", from.display(), self.target);
        }
        anyhow::ensure!(
            status.success() || self.engine == Engine::Afl,
            "the fuzzer stopped with {status} (log: {}/libfuzzer.log)",
            dir.display()
        );
        anyhow::ensure!(found.is_empty(), "{} crash file(s) for {}", found.len(), self.target);
        Ok(())
    }

    fn plan(&self, dir: &Path) -> anyhow::Result<Plan> {
        let files = self.dirs.files(&self.target);
        let (build, corpus) = match self.engine {
            Engine::Libfuzzer => ("target", self.dirs.libfuzzer_corpus(&self.target)),
            Engine::Afl => ("target-afl", self.afl_out.join(&self.target)),
        };
        let bin = self.bin.clone().unwrap_or_else(|| self.dirs.bin(build, &self.target));
        anyhow::ensure!(
            bin.is_file(),
            "{} is missing: build it with {}",
            bin.display(),
            match self.engine {
                Engine::Libfuzzer => format!("`make fuzz-build` (or `cd fuzz && cargo +nightly fuzz build -O {}` after `eval \"$(seam env)\"`)", self.target),
                Engine::Afl => format!("`scripts/afl build {}`", self.target),
            }
        );
        std::fs::create_dir_all(&corpus).with_context(|| format!("creating {}", corpus.display()))?;
        let artifacts = self.artifacts.join(&self.target);
        std::fs::create_dir_all(&artifacts).with_context(|| format!("creating {}", artifacts.display()))?;
        let mut plan = Plan::new(&self.target, bin, corpus);
        plan.seeds = match (self.seeds.as_ref().or(files.seeds.as_ref()), self.engine) {
            (Some(s), _) => Some(s.clone()),
            (None, Engine::Afl) => Some(one_seed(dir)?),
            (None, Engine::Libfuzzer) => None,
        };
        plan.dict = match (&self.dict, self.no_dict) {
            (Some(d), _) => Some(d.clone()),
            (None, true) => None,
            (None, false) => merged_dict(&files, &dir.join(format!("{}.dict", self.target)))?,
        };
        plan.options = match &files.options {
            Some(p) => read_options(p)?,
            None => Vec::new(),
        };
        plan.artifacts = artifacts;
        plan.seed = self.seed;
        plan.runs = self.runs;
        plan.secs = self.time;
        plan.jobs = self.jobs;
        plan.fixed_layout = self.engine == Engine::Libfuzzer && self.seed.is_some() && campaign::can_fix_layout();
        plan.extra = self.extra.clone();
        plan.env = self.expand_budget.map(|b| (BUDGET_VAR.to_string(), b.to_string())).into_iter().collect();
        Ok(plan)
    }
}

/// The target's dictionaries merged into one file at `to` (None when it has none).
fn merged_dict(files: &TargetFiles, to: &Path) -> anyhow::Result<Option<PathBuf>> {
    let mut entries = Vec::new();
    for d in &files.dicts {
        entries.extend(dictionary::read(d)?);
    }
    if entries.is_empty() {
        return Ok(None);
    }
    std::fs::write(to, dictionary::render(&entries)).with_context(|| format!("writing {}", to.display()))?;
    Ok(Some(to.to_path_buf()))
}

/// A folder with one small seed, for AFL++ on a target without seeds.
fn one_seed(dir: &Path) -> anyhow::Result<PathBuf> {
    let seeds = dir.join("afl-seed");
    std::fs::create_dir_all(&seeds).with_context(|| format!("creating {}", seeds.display()))?;
    std::fs::write(seeds.join("seed"), b"seam").with_context(|| format!("writing {}/seed", seeds.display()))?;
    Ok(seeds)
}

/// The crash files in the campaign's artifact folders.
fn crashes(plan: &Plan, engine: Engine) -> anyhow::Result<Vec<PathBuf>> {
    let dirs: Vec<PathBuf> = match engine {
        Engine::Libfuzzer => vec![plan.artifacts.clone()],
        Engine::Afl => afl::instances(plan.jobs).iter().map(|i| plan.corpus.join(i).join("crashes")).collect(),
    };
    let mut out = Vec::new();
    for d in dirs.iter().filter(|d| d.is_dir()) {
        for e in std::fs::read_dir(d).with_context(|| format!("reading {}", d.display()))? {
            let p = e?.path();
            let name = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            if ["crash-", "leak-", "timeout-", "oom-", "id:"].iter().any(|k| name.starts_with(k)) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}
