//! Triage throughput on reports already on disk (no replay): parse + attribute + classify +
//! dedup, in reports per second, against a baseline that only splits the same texts into lines.
//! Run by scripts/bench: `cargo run --release --example triage_throughput -- DIR...`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use seam::triage::bugs::group;
use seam::triage::crash::Crash;

fn logs_below(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            logs_below(&p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("log" | "txt")) {
            out.push(p);
        }
    }
}

fn main() {
    let mut files = Vec::new();
    for d in std::env::args().skip(1) {
        logs_below(Path::new(&d), &mut files);
    }
    let texts: Vec<String> = files.iter().filter_map(|f| std::fs::read(f).ok()).map(|b| String::from_utf8_lossy(&b).into_owned()).collect();
    assert!(!texts.is_empty(), "no logs found in the given folders");
    let rounds = (20_000 / texts.len()).max(1);
    let n = rounds * texts.len();

    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            black_box(t.lines().map(str::len).sum::<usize>());
        }
    }
    let baseline = n as f64 / start.elapsed().as_secs_f64();

    let start = Instant::now();
    for _ in 0..rounds {
        let crashes: Vec<Crash> = texts.iter().map(|t| Crash::analyze("bench", None, None, t)).collect();
        black_box(group(&crashes));
    }
    let triage = n as f64 / start.elapsed().as_secs_f64();

    println!("| triage throughput ({} logs x {rounds}) | {triage:.0} reports/s | {:.3} of line-splitting baseline ({baseline:.0}/s) |", texts.len(), triage / baseline);
}
