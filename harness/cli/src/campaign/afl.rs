//! AFL++ campaigns: one main instance and, for more cores, secondaries sharing its output
//! directory (`-M main`, `-S s1`, ...), run through `cargo afl fuzz` on a binary built by
//! `scripts/afl build`; progress read from each instance's `plot_data` and `fuzzer_stats`.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};

use anyhow::Context;

use super::stats::{Sample, Series};
use super::Plan;

/// Environment of every AFL++ instance: no UI, no CPU frequency or core-binding checks that a
/// shared machine fails, crashes kept without a README, and an earlier run's output folder
/// resumed rather than refused (its crashes stay).
const ENV: &[(&str, &str)] = &[
    ("AFL_AUTORESUME", "1"),
    ("AFL_NO_UI", "1"),
    ("AFL_SKIP_CPUFREQ", "1"),
    ("AFL_NO_AFFINITY", "1"),
    ("AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES", "1"),
    ("AFL_NO_CRASH_README", "1"),
];

/// The instance names of a campaign with `jobs` instances.
pub fn instances(jobs: u32) -> Vec<String> {
    std::iter::once("main".to_string()).chain((1..jobs.max(1)).map(|i| format!("s{i}"))).collect()
}

/// The command of instance `index` of `plan` (0 is the main instance). The budget of runs is
/// shared out between instances; a seed gives instance `i` seed `seed + i`.
pub fn command(plan: &Plan, index: u32) -> anyhow::Result<Command> {
    let seeds = plan.seeds.as_ref().context("AFL++ needs a folder of seed inputs")?;
    let name = &instances(plan.jobs)[index as usize];
    let mut cmd = Command::new("cargo");
    cmd.args(["+nightly", "afl", "fuzz", "-i"]).arg(seeds).arg("-o").arg(&plan.corpus);
    cmd.arg(if index == 0 { "-M" } else { "-S" }).arg(name);
    if let Some(seed) = plan.seed {
        cmd.arg("-s").arg((seed + u64::from(index)).to_string());
    }
    if let Some(runs) = plan.runs {
        cmd.arg("-E").arg(runs.div_ceil(u64::from(plan.jobs.max(1))).to_string());
    }
    if let Some(secs) = plan.secs {
        cmd.arg("-V").arg(secs.to_string());
    }
    if let Some(dict) = &plan.dict {
        cmd.arg("-x").arg(dict);
    }
    cmd.args(&plan.extra).arg(&plan.bin).envs(ENV.iter().copied()).envs(plan.env.iter().map(|(k, v)| (k, v)));
    Ok(cmd)
}

/// Runs every instance of `plan` to its end; logs go to `log_dir/afl-<instance>.log`.
pub fn run(plan: &Plan, log_dir: &Path) -> anyhow::Result<(ExitStatus, Vec<Series>)> {
    let mut children: Vec<(String, Child)> = Vec::new();
    for (i, name) in instances(plan.jobs).into_iter().enumerate() {
        let log = log_dir.join(format!("afl-{name}.log"));
        let file = std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let child = command(plan, i as u32)?
            .stdin(Stdio::null())
            .stdout(file.try_clone()?)
            .stderr(file)
            .spawn()
            .context("running `cargo afl fuzz` (is cargo-afl installed? run scripts/setup.sh)")?;
        children.push((name, child));
    }
    let mut status = None;
    for (name, mut child) in children {
        let s = child.wait()?;
        if !s.success() {
            eprintln!("seam fuzz: AFL++ instance {name} exited with {s} (log: {}/afl-{name}.log)", log_dir.display());
        }
        status.get_or_insert(s);
    }
    let series = instances(plan.jobs)
        .into_iter()
        .map(|name| {
            let dir = plan.corpus.join(&name);
            Ok(Series { engine: "afl".into(), samples: samples(&dir)?, instance: name })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok((status.context("no AFL++ instance ran")?, series))
}

/// The samples of one instance directory: its `plot_data` rows, then the final
/// `fuzzer_stats` (AFL++ writes plot rows every few seconds; the stats at exit).
pub fn samples(instance_dir: &Path) -> anyhow::Result<Vec<Sample>> {
    let mut out = match std::fs::read_to_string(instance_dir.join("plot_data")) {
        Ok(text) => parse_plot_data(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}/plot_data", instance_dir.display())),
    };
    if let Ok(text) = std::fs::read_to_string(instance_dir.join("fuzzer_stats")) {
        if let Some(last) = parse_fuzzer_stats(&text) {
            if out.last().is_none_or(|l| l.execs < last.execs) {
                out.push(last);
            }
        }
    }
    Ok(out)
}

/// Rows of a `plot_data` file, read by the column names of its header line.
pub fn parse_plot_data(text: &str) -> Vec<Sample> {
    let mut lines = text.lines();
    let Some(header) = lines.next().and_then(|h| h.strip_prefix('#')) else { return Vec::new() };
    let columns: HashMap<&str, usize> = header.split(',').map(str::trim).enumerate().map(|(i, c)| (c, i)).collect();
    let (Some(&t), Some(&execs), Some(&edges), Some(&eps)) =
        (columns.get("relative_time"), columns.get("total_execs"), columns.get("edges_found"), columns.get("execs_per_sec"))
    else {
        return Vec::new();
    };
    lines
        .filter_map(|l| {
            let f: Vec<&str> = l.split(',').map(str::trim).collect();
            Some(Sample {
                secs: f.get(t)?.parse().ok()?,
                execs: f.get(execs)?.parse().ok()?,
                coverage: f.get(edges)?.parse().ok()?,
                exec_per_sec: f.get(eps)?.parse().ok()?,
            })
        })
        .collect()
}

/// The end of a run, from `fuzzer_stats` (`key : value` lines).
pub fn parse_fuzzer_stats(text: &str) -> Option<Sample> {
    let field = |k: &str| {
        text.lines().find_map(|l| {
            let (key, value) = l.split_once(':')?;
            (key.trim() == k).then(|| value.trim().to_string())
        })
    };
    Some(Sample {
        secs: field("run_time")?.parse().ok()?,
        execs: field("execs_done")?.parse().ok()?,
        coverage: field("edges_found")?.parse().ok()?,
        exec_per_sec: field("execs_per_sec")?.parse().ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLOT: &str = "# relative_time, cycles_done, cur_item, corpus_count, pending_total, pending_favs, map_size, saved_crashes, saved_hangs, max_depth, execs_per_sec, total_execs, edges_found, total_crashes, servers_count\n\
        1, 0, 0, 1, 1, 1, 0.05%, 0, 0, 1, 2500.10, 2500, 30, 0, 0\n\
        6, 0, 3, 9, 8, 2, 0.09%, 0, 0, 2, 27000.55, 162000, 54, 0, 0\n";

    #[test]
    fn plot_rows_are_read_by_column_name() {
        let s = parse_plot_data(PLOT);
        assert_eq!(s.len(), 2);
        assert_eq!((s[1].secs, s[1].execs, s[1].coverage, s[1].exec_per_sec), (6.0, 162000, 54, 27000.55));
        assert!(parse_plot_data("# a, b\n1, 2\n").is_empty());
        assert!(parse_plot_data("").is_empty());
    }

    #[test]
    fn the_final_stats_end_the_series() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("plot_data"), PLOT).unwrap();
        std::fs::write(
            dir.path().join("fuzzer_stats"),
            "start_time        : 1\nrun_time          : 9\nexecs_done        : 200000\nexecs_per_sec     : 22222.22\nedges_found       : 61\n",
        )
        .unwrap();
        let s = samples(dir.path()).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!((s[2].secs, s[2].execs, s[2].coverage), (9.0, 200000, 61));
    }

    #[test]
    fn secondaries_share_the_budget_and_take_their_own_seeds() {
        let plan = Plan { jobs: 3, seed: Some(5), runs: Some(100), ..Plan::new("t", "bin".into(), "out".into()) };
        let plan = Plan { seeds: Some("in".into()), ..plan };
        assert_eq!(instances(3), ["main", "s1", "s2"]);
        let args: Vec<String> = command(&plan, 2).unwrap().get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        let joined = args.join(" ");
        assert!(joined.contains("-S s2 -s 7 -E 34"), "{joined}");
        assert!(joined.ends_with(" bin"), "{joined}");
        let main: Vec<String> = command(&plan, 0).unwrap().get_args().map(|a| a.to_string_lossy().into_owned()).collect();
        assert!(main.join(" ").contains("-M main -s 5"));
    }
}
