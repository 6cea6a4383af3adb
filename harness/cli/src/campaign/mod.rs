//! Fuzzing campaigns: runs of one target under libFuzzer or AFL++, on one core or several,
//! whose progress is read from the fuzzers' own reports and drawn as a picture.
//!
//! A campaign of target `T` leaves, in its folder (`fuzz/campaigns/T/`): the fuzzer logs,
//! `stats.json` (the samples of the latest run of each engine), `campaign.svg` (coverage and
//! exec/s over time, per engine and instance) and `campaign.md` (the totals, linking the
//! picture). `seam triage` copies the picture next to the target's report and links it.

pub mod afl;
pub mod libfuzzer;
pub mod plot;
pub mod stats;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;

use stats::{CampaignStats, Series, Totals};

/// Everything one campaign run needs.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The fuzz target.
    pub target: String,
    /// Its binary for the engine.
    pub bin: PathBuf,
    /// libFuzzer: the corpus it grows; AFL++: its output folder.
    pub corpus: PathBuf,
    /// Seed inputs read but not written (AFL++'s `-i`).
    pub seeds: Option<PathBuf>,
    /// The dictionary.
    pub dict: Option<PathBuf>,
    /// libFuzzer flags from the target's `.options`.
    pub options: Vec<(String, String)>,
    /// Where libFuzzer writes crash, leak, timeout and oom files.
    pub artifacts: PathBuf,
    /// The engine's random seed.
    pub seed: Option<u64>,
    /// Inputs to run (all instances together).
    pub runs: Option<u64>,
    /// Seconds to run.
    pub secs: Option<u64>,
    /// Fuzzer instances (libFuzzer fork jobs, or AFL++ main plus secondaries).
    pub jobs: u32,
    /// Run with address-space randomisation off (`setarch -R`), so that a libFuzzer seed
    /// repeats its run.
    pub fixed_layout: bool,
    /// Extra engine arguments.
    pub extra: Vec<String>,
    /// Environment of the fuzzer.
    pub env: Vec<(String, String)>,
}

impl Plan {
    /// A single-instance plan with no bounds, seed or extras.
    pub fn new(target: &str, bin: PathBuf, corpus: PathBuf) -> Self {
        Plan {
            target: target.to_string(),
            bin,
            corpus,
            seeds: None,
            dict: None,
            options: Vec::new(),
            artifacts: PathBuf::from("."),
            seed: None,
            runs: None,
            secs: None,
            jobs: 1,
            fixed_layout: false,
            extra: Vec::new(),
            env: Vec::new(),
        }
    }

    /// The command that starts the binary itself.
    fn launcher(&self) -> Command {
        let mut cmd = if self.fixed_layout {
            let mut cmd = Command::new("setarch");
            cmd.arg("-R").arg(&self.bin);
            cmd
        } else {
            Command::new(&self.bin)
        };
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }
}

/// True when this machine lets a process run with address-space randomisation off.
pub fn can_fix_layout() -> bool {
    Command::new("setarch").args(["-R", "true"]).output().is_ok_and(|o| o.status.success())
}

/// Records `series` as `engine`'s latest run of `target` in `dir`: updates `stats.json`,
/// redraws `campaign.svg` and rewrites `campaign.md`. Returns the Markdown.
pub fn record(dir: &Path, target: &str, engine: &str, series: Vec<Series>) -> anyhow::Result<String> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("stats.json");
    let mut stats = CampaignStats::load(&path, target)?;
    stats.replace_engine(engine, series);
    stats.save(&path)?;
    let svg = dir.join("campaign.svg");
    std::fs::write(&svg, plot::svg(&stats)?).with_context(|| format!("writing {}", svg.display()))?;
    let md = markdown(&stats);
    std::fs::write(dir.join("campaign.md"), &md).with_context(|| format!("writing {}/campaign.md", dir.display()))?;
    Ok(md)
}

/// The campaign summary: one row per engine, and the picture.
pub fn markdown(stats: &CampaignStats) -> String {
    let mut s = format!(
        "# Campaign: {}\n\n| engine | instances | seconds | executions | exec/s | coverage |\n|---|---|---|---|---|---|\n",
        stats.target
    );
    for (engine, name, unit) in [("libfuzzer", "libFuzzer", "edges (cov)"), ("afl", "AFL++", "map edges")] {
        if let Some(t) = Totals::of(stats, engine) {
            let _ = writeln!(
                s,
                "| {name} | {} | {:.0} | {} | {:.0} | {} {unit} |",
                t.instances,
                t.secs,
                t.execs,
                t.exec_per_sec(),
                t.coverage
            );
        }
    }
    s.push_str("\n![coverage and exec/s over time](campaign.svg)\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use stats::Sample;

    #[test]
    fn a_record_keeps_each_engines_latest_run_and_draws_them_together() {
        let dir = tempfile::tempdir().unwrap();
        let run = |engine: &str, instance: &str, execs: u64| Series {
            engine: engine.into(),
            instance: instance.into(),
            samples: vec![Sample { secs: 2.0, execs, coverage: execs / 10, exec_per_sec: execs as f64 / 2.0 }],
        };
        record(dir.path(), "t", "libfuzzer", vec![run("libfuzzer", "single", 100)]).unwrap();
        let md = record(dir.path(), "t", "afl", vec![run("afl", "main", 400), run("afl", "s1", 200)]).unwrap();
        assert!(md.contains("| libFuzzer | 1 | 2 | 100 | 50 | 10 edges (cov) |"), "{md}");
        assert!(md.contains("| AFL++ | 2 | 2 | 600 | 300 | 40 map edges |"), "{md}");
        assert!(md.contains("](campaign.svg)"));
        let svg = std::fs::read_to_string(dir.path().join("campaign.svg")).unwrap();
        assert!(svg.contains("AFL++ (map edges) s1") && svg.contains("libFuzzer (cov edges) single"));
    }

    #[test]
    fn a_fixed_layout_runs_the_binary_under_setarch() {
        let mut plan = Plan::new("t", "/bin/fuzz".into(), "c".into());
        assert_eq!(plan.launcher().get_program(), "/bin/fuzz");
        plan.fixed_layout = true;
        let cmd = plan.launcher();
        assert_eq!(cmd.get_program(), "setarch");
        assert_eq!(cmd.get_args().collect::<Vec<_>>(), ["-R", "/bin/fuzz"]);
    }
}
