//! `seam triage`: replay crashes, parse and attribute them, dedup, and write reports.

use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::triage::render::markdown;
use crate::triage::replay::Replayer;
use crate::triage::run::{run, Input};

/// Replay each crash of the given fuzz targets (all when none is named), name the boundary call
/// it happened in, dedup and cluster them, and write triage/<target>/report.{json,md,sarif}.
#[derive(Args, Debug)]
pub struct Triage {
    /// Fuzz targets to triage (folders under --artifacts); all when omitted.
    pub targets: Vec<String>,
    /// Folder of libFuzzer artifacts (`<target>/crash-*`, ...) or AFL++ outputs.
    #[arg(long, default_value = "fuzz/artifacts")]
    pub artifacts: PathBuf,
    /// Read saved logs from this folder instead of replaying artifacts.
    #[arg(long, conflicts_with = "targets")]
    pub logs: Option<PathBuf>,
    /// Folder of the fuzz binaries used for replay.
    #[arg(long, default_value = "fuzz/target/x86_64-unknown-linux-gnu/release")]
    pub bin_dir: PathBuf,
    /// The binary of one target, when it is not in --bin-dir: `--bin seeded_checksum=path`
    /// (repeatable).
    #[arg(long = "bin", value_parser = parse_binding)]
    pub binaries: Vec<(String, PathBuf)>,
    /// Extra libFuzzer flag for replays, e.g. `--fuzzer-arg=-malloc_limit_mb=64` (repeatable).
    #[arg(long = "fuzzer-arg", allow_hyphen_values = true)]
    pub fuzzer_args: Vec<String>,
    /// libFuzzer -timeout for replays, in seconds.
    #[arg(long, default_value_t = 5)]
    pub timeout: u64,
    /// Attempts libFuzzer's -minimize_crash may make per bug (0: no minimisation).
    #[arg(long, default_value_t = 2000)]
    pub minimise_runs: u64,
    /// Where the reports go.
    #[arg(long, default_value = "triage")]
    pub out: PathBuf,
    /// Campaign folders of `seam fuzz`: a target's campaign picture goes into its report.
    #[arg(long, default_value = "fuzz/campaigns")]
    pub campaigns: PathBuf,
}

impl Triage {
    /// Runs the triage and prints the Markdown summary.
    pub fn run(&self) -> anyhow::Result<()> {
        let input = match &self.logs {
            Some(dir) => Input::Logs(dir.clone()),
            None => Input::Artifacts {
                dir: self.artifacts.clone(),
                targets: self.targets.clone(),
                replayer: Replayer {
                    bin_dir: self.bin_dir.clone(),
                    binaries: self.binaries.clone(),
                    fuzzer_args: self.fuzzer_args.clone(),
                    timeout: Duration::from_secs(self.timeout),
                },
                minimise_runs: self.minimise_runs,
                campaigns: Some(self.campaigns.clone()),
            },
        };
        let reports = run(&input, &self.out)?;
        print!("{}", markdown::render(&reports));
        println!("\nReports: {}/<target>/report.{{json,md,sarif}}", self.out.display());
        Ok(())
    }
}

/// Parses `target=path`.
fn parse_binding(s: &str) -> Result<(String, PathBuf), String> {
    match s.split_once('=') {
        Some((t, p)) if !t.is_empty() && !p.is_empty() => Ok((t.to_string(), PathBuf::from(p))),
        _ => Err(format!("expected TARGET=PATH, got {s:?}")),
    }
}
