//! libFuzzer campaigns: the command line of a bounded or timed run (in fork mode over several
//! cores when asked), and its status lines read as samples while it runs.

use std::io::{BufRead, BufReader, Write as _};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use anyhow::Context;
use regex::Regex;

use super::stats::{Sample, Series};
use super::Plan;

/// The command for `plan` (the binary run directly, or under `setarch -R` when `plan` fixes
/// the address layout).
pub fn command(plan: &Plan) -> Command {
    let mut cmd = plan.launcher();
    cmd.arg(format!("-artifact_prefix={}/", plan.artifacts.display()));
    if let Some(seed) = plan.seed {
        cmd.arg(format!("-seed={seed}"));
    }
    if let Some(runs) = plan.runs {
        cmd.arg(format!("-runs={runs}"));
    }
    if let Some(secs) = plan.secs {
        cmd.arg(format!("-max_total_time={secs}"));
    }
    if plan.jobs > 1 {
        cmd.arg(format!("-fork={}", plan.jobs));
    }
    if let Some(dict) = &plan.dict {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    for (k, v) in &plan.options {
        if k != "dict" {
            cmd.arg(format!("-{k}={v}"));
        }
    }
    cmd.args(&plan.extra).arg(&plan.corpus);
    if let Some(seeds) = &plan.seeds {
        cmd.arg(seeds);
    }
    cmd
}

/// Runs `plan`, writing the fuzzer's output to `log` and reading its status lines as samples;
/// `progress` is called with each sample.
pub fn run(plan: &Plan, log: &Path, progress: &dyn Fn(&Sample)) -> anyhow::Result<(ExitStatus, Series)> {
    let mut out = std::fs::File::create(log).with_context(|| format!("creating {}", log.display()))?;
    let mut child = command(plan)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {}", plan.bin.display()))?;
    let start = Instant::now();
    let mut samples = Vec::new();
    let stderr = child.stderr.take().context("the fuzzer's stderr")?;
    for line in BufReader::new(stderr).split(b'\n') {
        let line = line?;
        out.write_all(&line)?;
        out.write_all(b"\n")?;
        if let Some(mut s) = parse_status(&String::from_utf8_lossy(&line)) {
            s.secs = start.elapsed().as_secs_f64();
            progress(&s);
            samples.push(s);
        }
    }
    let status = child.wait()?;
    windowed_rates(&mut samples);
    let instance = if plan.jobs > 1 { format!("fork of {}", plan.jobs) } else { "single".into() };
    Ok((status, Series { engine: "libfuzzer".into(), instance, samples }))
}

/// Replaces libFuzzer's exec/s (runs since start over whole seconds since start, a saw-tooth
/// early on) with the rate over the last second or more of samples, where there is one.
fn windowed_rates(samples: &mut [Sample]) {
    let stamped: Vec<(f64, u64)> = samples.iter().map(|s| (s.secs, s.execs)).collect();
    for (i, s) in samples.iter_mut().enumerate() {
        if let Some(&(t0, e0)) = stamped[..i].iter().rev().find(|(t, _)| s.secs - t >= 1.0) {
            s.exec_per_sec = (s.execs.saturating_sub(e0)) as f64 / (s.secs - t0);
        }
    }
}

/// A libFuzzer status line (`#4096 pulse cov: 12 ft: 30 corp: 3/9b exec/s: 2048 ...`, or in
/// fork mode `#4096: cov: 12 ft: 30 corp: 3 exec/s: 2048 ... time: 2s job: 1`) as a sample
/// (its `secs` left at 0 for the caller to stamp).
pub fn parse_status(line: &str) -> Option<Sample> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"^#(\d+):?\s+(?:[A-Z]+\s+|pulse\s+)?cov: (\d+) .*?exec/s: (\d+)").expect("status regex")
    });
    let c = re.captures(line)?;
    Some(Sample {
        secs: 0.0,
        execs: c[1].parse().ok()?,
        coverage: c[2].parse().ok()?,
        exec_per_sec: c[3].parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_taken_over_a_second_or_more() {
        let at = |secs: f64, execs: u64| Sample { secs, execs, coverage: 0, exec_per_sec: 7.0 };
        let mut s = vec![at(0.2, 10), at(1.0, 100), at(1.6, 400), at(2.6, 1400)];
        windowed_rates(&mut s);
        let rates: Vec<f64> = s.iter().map(|s| s.exec_per_sec).collect();
        assert_eq!(rates[..2], [7.0, 7.0], "under a second in: libFuzzer's own figure");
        assert!((rates[2] - 390.0 / 1.4).abs() < 1e-9, "{rates:?}");
        assert!((rates[3] - 1000.0).abs() < 1e-9, "the latest sample a second back: {rates:?}");
    }

    #[test]
    fn status_lines_of_both_modes_are_samples() {
        let s = parse_status("#53230\tNEW    cov: 3415 ft: 12367 corp: 983/16337b lim: 33 exec/s: 98 rss: 387Mb L: 24/33 MS: 4 Shuffle-").unwrap();
        assert_eq!((s.execs, s.coverage, s.exec_per_sec), (53230, 3415, 98.0));
        let s = parse_status("#65536\tpulse  cov: 12 ft: 13 corp: 2/3b lim: 4 exec/s: 32768 rss: 30Mb").unwrap();
        assert_eq!(s.execs, 65536);
        let s = parse_status("#2\tINITED cov: 7 ft: 7 corp: 1/1b exec/s: 0 rss: 29Mb").unwrap();
        assert_eq!(s.coverage, 7);
        let s = parse_status("#120345: cov: 410 ft: 1500 corp: 230 exec/s: 40112 oom/timeout/crash: 0/0/0 time: 3s job: 2 dft_time: 0").unwrap();
        assert_eq!((s.execs, s.coverage, s.exec_per_sec), (120345, 410, 40112.0));
        for other in ["INFO: Seed: 1", "==123==ERROR: AddressSanitizer", "#3 NEW", "MS: 1 ChangeBit-"] {
            assert!(parse_status(other).is_none(), "{other}");
        }
    }
}
