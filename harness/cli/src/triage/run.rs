//! The triage pipeline: collect, replay or read, analyse, group, write the reports.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};

use super::bugs::{group, Bug};
use super::reproduce::{minimise, regression_test};
use super::collect::{self, Item};
use super::crash::Crash;
use super::render;
use super::replay::{Replayer, MAX_LOG};
use super::report::{Problem, TriageReport, SCHEMA};

/// Where the crashes come from.
#[derive(Clone, Debug)]
pub enum Input {
    /// Crashing inputs under an artifacts folder, replayed against their fuzz binaries.
    Artifacts {
        /// The folder holding `<target>/` folders.
        dir: PathBuf,
        /// Targets to triage; all when empty.
        targets: Vec<String>,
        /// How to replay.
        replayer: Replayer,
        /// Attempts `-minimize_crash` may make per bug (0: keep the shortest input as is).
        minimise_runs: u64,
        /// Campaign folders (`<target>/campaign.svg`, from `seam fuzz`), whose picture each
        /// report shows.
        campaigns: Option<PathBuf>,
    },
    /// Saved logs, read as they are.
    Logs(PathBuf),
}

/// Reads a file as text, lossily, keeping at most [`MAX_LOG`] bytes.
fn read_log(path: &Path) -> anyhow::Result<String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .with_context(|| format!("opening {}", path.display()))?
        .take(MAX_LOG)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading {}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// One item analysed, or the reason it could not be.
fn analyse(item: &Item, input: &Input, logs_out: &Path) -> Result<Crash, Problem> {
    match input {
        Input::Logs(_) => {
            let text = read_log(&item.path)
                .map_err(|e| Problem { input: None, log: Some(item.path.clone()), problem: format!("{e:#}") })?;
            Ok(Crash::analyze(&item.target, None, Some(item.path.clone()), &text))
        }
        Input::Artifacts { replayer, .. } => {
            let log = replayer.replay(&item.target, &item.path).map_err(|e| Problem {
                input: Some(item.path.clone()),
                log: None,
                problem: format!("could not replay: {e:#}"),
            })?;
            let name = item.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let log_path = logs_out.join(&item.target).join("logs").join(format!("{name}.log"));
            let saved = log_path
                .parent()
                .map(std::fs::create_dir_all)
                .transpose()
                .and_then(|_| std::fs::write(&log_path, &log))
                .is_ok();
            Ok(Crash::analyze(&item.target, Some(item.path.clone()), saved.then_some(log_path), &log))
        }
    }
}

/// Runs the triage and writes `out/<target>/report.{json,md,sarif}`; returns the reports.
pub fn run(input: &Input, out: &Path) -> anyhow::Result<Vec<TriageReport>> {
    let items = match input {
        Input::Artifacts { dir, targets, .. } => collect::artifacts(dir, targets)?,
        Input::Logs(dir) => collect::logs(dir)?,
    };
    let bar = ProgressBar::new(items.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} triage [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let mut per_target: BTreeMap<String, (usize, Vec<Crash>, Vec<Problem>)> = BTreeMap::new();
    for item in &items {
        bar.set_message(item.target.clone());
        let (count, crashes, problems) = per_target.entry(item.target.clone()).or_default();
        *count += 1;
        match analyse(item, input, out) {
            Ok(c) => {
                if let Some(p) = &c.problem {
                    problems.push(Problem { input: c.input.clone(), log: c.log.clone(), problem: p.clone() });
                }
                crashes.push(c);
            }
            Err(p) => problems.push(p),
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let mut reports = Vec::new();
    for (target, (count, crashes, problems)) in per_target {
        let mut bugs = group(&crashes);
        if let Input::Artifacts { replayer, minimise_runs, .. } = input {
            for bug in &mut bugs {
                if let Err(e) = reproduce(bug, replayer, *minimise_runs, &out.join(&target)) {
                    bar.println(format!("seam triage: {}: no reproducer written: {e:#}", bug.id));
                }
            }
        }
        let report = TriageReport { schema: SCHEMA.to_string(), target: target.clone(), crashes: count, bugs, problems };
        let campaign = match input {
            Input::Artifacts { campaigns: Some(c), .. } => Some(c.join(&target)),
            _ => None,
        };
        render::write_all(&report, &out.join(&target), campaign.as_deref())?;
        reports.push(report);
    }
    Ok(reports)
}

/// Writes the minimised reproducer (`repro/`) and the regression test (`regressions/`) of a bug.
fn reproduce(bug: &mut Bug, replayer: &Replayer, runs: u64, dir: &Path) -> anyhow::Result<()> {
    let Some(input) = bug.inputs.first().cloned() else { return Ok(()) };
    let out = dir.join("repro").join(format!("{}-{}", bug.id, bug.fingerprint));
    let repro = minimise(replayer, &bug.target, &bug.crash_type, &input, &out, runs)?;
    let bytes = std::fs::read(&repro).with_context(|| format!("reading {}", repro.display()))?;
    let hint = replayer.bin_dir.to_string_lossy().into_owned();
    let test = regression_test(bug, &bytes, &hint)?;
    let test_path = dir.join("regressions").join(format!("{}_{}.rs", bug.target, bug.id.to_lowercase()));
    std::fs::create_dir_all(dir.join("regressions"))?;
    std::fs::write(&test_path, test).with_context(|| format!("writing {}", test_path.display()))?;
    bug.reproducer = Some(repro);
    bug.regression_test = Some(test_path);
    Ok(())
}
