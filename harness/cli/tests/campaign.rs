//! `seam fuzz` with libFuzzer: a bounded, seeded campaign finds the seeded overflow, names the
//! crash file and records the campaign; fork mode runs several jobs and records them as one
//! series.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{build, root, ASAN};

/// Runs `seam fuzz <args>` from the repository root, its outputs under `out`.
fn seam_fuzz(args: &[&str], bin: &Path, out: &Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seam"));
    for v in common::SCRUB {
        cmd.env_remove(v);
    }
    cmd.arg("fuzz")
        .args(args)
        .arg("--bin")
        .arg(bin)
        .arg("--campaigns")
        .arg(out.join("campaigns"))
        .arg("--artifacts")
        .arg(out.join("artifacts"))
        .current_dir(root())
        .output()
        .expect("running seam fuzz")
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn a_seeded_campaign_finds_the_overflow_and_records_itself() {
    let out = tempfile::tempdir().unwrap();
    let bin = build(ASAN).join("seeded_parse");
    let run = seam_fuzz(&["seeded_parse", "--seed", "1", "--runs", "2000000"], &bin, out.path());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success(), "the crash makes seam fuzz fail:\n{stdout}");
    assert!(stdout.contains("Crashes (1): "), "{stdout}");
    let crashes: Vec<_> = std::fs::read_dir(out.path().join("artifacts/seeded_parse")).unwrap().flatten().collect();
    assert_eq!(crashes.len(), 1);
    let campaign = out.path().join("campaigns/seeded_parse");
    let md = std::fs::read_to_string(campaign.join("campaign.md")).unwrap();
    assert!(md.contains("| libFuzzer | 1 |"), "{md}");
    let log = std::fs::read_to_string(campaign.join("libfuzzer.log")).unwrap();
    assert!(log.contains("ERROR: AddressSanitizer: heap-buffer-overflow"), "the log is kept");
    assert!(log.contains("Dictionary: "), "the target's merged dictionary is used");
    assert!(campaign.join("campaign.svg").is_file());
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn fork_mode_runs_jobs_and_records_them() {
    let out = tempfile::tempdir().unwrap();
    let bin = build(ASAN).join("seeded_checksum");
    let run = seam_fuzz(&["seeded_checksum", "--jobs", "2", "--runs", "30000"], &bin, out.path());
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let log = std::fs::read_to_string(out.path().join("campaigns/seeded_checksum/libfuzzer.log")).unwrap();
    assert!(log.contains("INFO: -fork=2"), "{log}");
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("campaigns/seeded_checksum/stats.json")).unwrap()).unwrap();
    assert_eq!(stats["series"][0]["instance"], "fork of 2");
    let samples = stats["series"][0]["samples"].as_array().unwrap();
    assert!(samples.last().unwrap()["execs"].as_u64().unwrap() >= 30000, "{samples:?}");
}
