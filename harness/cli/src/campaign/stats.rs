//! A campaign's progress over time, as the fuzzers report it: one series of samples per
//! fuzzer instance (libFuzzer's status lines, AFL++'s `plot_data`), kept per engine in
//! `stats.json` beside the campaign so that runs of several engines draw into one picture.

use std::path::Path;

use anyhow::Context;
use serde::{Deserialize, Serialize};

/// One observation of a running fuzzer.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// Seconds since the campaign started.
    pub secs: f64,
    /// Inputs executed so far.
    pub execs: u64,
    /// Coverage in the engine's own unit (libFuzzer `cov`: edges; AFL++ `edges_found`).
    pub coverage: u64,
    /// Executions per second, as the engine reports it.
    pub exec_per_sec: f64,
}

/// The samples of one fuzzer instance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// `libfuzzer` or `afl`.
    pub engine: String,
    /// The instance (`main`, `s1`, ... for AFL++; `single` or `fork of N` for libFuzzer).
    pub instance: String,
    /// Samples in time order.
    pub samples: Vec<Sample>,
}

/// Every series of a target's latest campaign per engine.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CampaignStats {
    /// The fuzz target.
    pub target: String,
    /// The series, grouped by engine.
    pub series: Vec<Series>,
}

impl CampaignStats {
    /// Reads `path`, or an empty record for `target` when there is none yet.
    pub fn load(path: &Path, target: &str) -> anyhow::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(CampaignStats { target: target.to_string(), series: Vec::new() }),
            Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }

    /// Replaces the series of `engine` with `series`.
    pub fn replace_engine(&mut self, engine: &str, series: Vec<Series>) {
        self.series.retain(|s| s.engine != engine);
        self.series.extend(series);
    }

    /// Writes the record as JSON.
    pub fn save(&self, path: &Path) -> anyhow::Result<()> {
        std::fs::write(path, serde_json::to_string_pretty(self)? + "\n").with_context(|| format!("writing {}", path.display()))
    }
}

/// Totals of one engine's series at their ends.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Totals {
    /// Instances.
    pub instances: usize,
    /// Inputs executed, summed over instances.
    pub execs: u64,
    /// Coverage, the highest any instance reached.
    pub coverage: u64,
    /// Wall-clock seconds, the longest instance.
    pub secs: f64,
}

impl Totals {
    /// The totals of `engine`'s series, `None` when it has none.
    pub fn of(stats: &CampaignStats, engine: &str) -> Option<Self> {
        let ends: Vec<&Sample> = stats.series.iter().filter(|s| s.engine == engine).filter_map(|s| s.samples.last()).collect();
        (!ends.is_empty()).then(|| Totals {
            instances: ends.len(),
            execs: ends.iter().map(|s| s.execs).sum(),
            coverage: ends.iter().map(|s| s.coverage).max().unwrap_or(0),
            secs: ends.iter().map(|s| s.secs).fold(0.0, f64::max),
        })
    }

    /// Executions per second over the whole run, all instances together.
    pub fn exec_per_sec(&self) -> f64 {
        if self.secs > 0.0 {
            self.execs as f64 / self.secs
        } else {
            0.0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(engine: &str, instance: &str, ends: (f64, u64, u64)) -> Series {
        Series {
            engine: engine.into(),
            instance: instance.into(),
            samples: vec![
                Sample { secs: 0.5, execs: 1, coverage: 1, exec_per_sec: 0.0 },
                Sample { secs: ends.0, execs: ends.1, coverage: ends.2, exec_per_sec: 1.0 },
            ],
        }
    }

    #[test]
    fn an_engines_series_are_replaced_and_totalled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stats.json");
        let mut s = CampaignStats::load(&path, "t").unwrap();
        s.replace_engine("afl", vec![series("afl", "main", (10.0, 1000, 50)), series("afl", "s1", (9.0, 800, 60))]);
        s.replace_engine("libfuzzer", vec![series("libfuzzer", "single", (4.0, 400, 70))]);
        s.replace_engine("libfuzzer", vec![series("libfuzzer", "single", (5.0, 500, 80))]);
        s.save(&path).unwrap();
        let s = CampaignStats::load(&path, "t").unwrap();
        assert_eq!(s.series.len(), 3);
        let afl = Totals::of(&s, "afl").unwrap();
        assert_eq!((afl.instances, afl.execs, afl.coverage), (2, 1800, 60));
        assert_eq!(afl.exec_per_sec(), 180.0);
        assert_eq!(Totals::of(&s, "libfuzzer").unwrap().coverage, 80);
        assert!(Totals::of(&s, "honggfuzz").is_none());
    }
}
