//! AFL++ on a seam target: the libFuzzer target's source built for AFL++ (`scripts/afl build`),
//! a bounded campaign with a fixed seed (`seam fuzz --engine afl`) finds the seeded heap
//! overflow, and triage replays AFL++'s crash against the libFuzzer build and attributes it as
//! it does libFuzzer's.

mod common;

use std::process::Command;
use std::time::Duration;

use common::{build, root, ASAN};
use seam::triage::attribute::Side;
use seam::triage::replay::Replayer;
use seam::triage::run::{run, Input};

/// Runs `scripts/afl` with a clean environment (no test-process cargo or compiler variables).
fn afl(args: &[&str], out: &std::path::Path) -> std::process::Output {
    let mut cmd = Command::new(root().join("scripts/afl"));
    for v in common::SCRUB {
        cmd.env_remove(v);
    }
    cmd.args(args).env("SEAM_AFL_OUT", out).output().expect("running scripts/afl")
}

#[test]
#[ignore = "AFL++ build; run by make test"]
fn afl_finds_the_seeded_overflow_and_triage_attributes_it_like_libfuzzer() {
    let out = tempfile::tempdir().unwrap();
    let built = afl(&["build", "seeded_parse"], out.path());
    assert!(built.status.success(), "AFL++ build failed:\n{}", String::from_utf8_lossy(&built.stderr));
    // AFL++ takes the dictionary corpus/seeded_parse.dict, as the libFuzzer test does.
    let mut seam = Command::new(env!("CARGO_BIN_EXE_seam"));
    for v in common::SCRUB {
        seam.env_remove(v);
    }
    let ran = seam
        .args(["fuzz", "--engine", "afl", "seeded_parse", "--seed", "1", "--runs", "600000", "--afl-out"])
        .arg(out.path())
        .arg("--campaigns")
        .arg(out.path().join("campaigns"))
        .current_dir(root())
        .output()
        .expect("running seam fuzz");
    let stats = std::fs::read_to_string(out.path().join("seeded_parse/main/fuzzer_stats")).unwrap_or_else(|e| {
        panic!("no fuzzer_stats ({e}):\n{}{}", String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr))
    });
    // The campaign is recorded from AFL++'s own stats, and seam reports the crash.
    let md = std::fs::read_to_string(out.path().join("campaigns/seeded_parse/campaign.md")).unwrap();
    assert!(md.contains("| AFL++ | 1 |"), "{md}");
    assert!(out.path().join("campaigns/seeded_parse/campaign.svg").is_file());
    assert!(String::from_utf8_lossy(&ran.stdout).contains("Crashes ("), "{}", String::from_utf8_lossy(&ran.stdout));
    let crashes = out.path().join("seeded_parse/main/crashes");
    let found = std::fs::read_dir(&crashes).map(|d| d.filter_map(Result::ok).any(|e| e.file_name().to_string_lossy().starts_with("id:")));
    assert!(found.unwrap_or(false), "no crash in 600000 execs:\n{stats}");

    let replayer = Replayer { bin_dir: build(ASAN), binaries: vec![], fuzzer_args: vec![], timeout: Duration::from_secs(5) };
    let input = Input::Artifacts { dir: out.path().to_path_buf(), targets: vec!["seeded_parse".into()], replayer, minimise_runs: 0, campaigns: Some(out.path().join("campaigns")) };
    let reports = run(&input, &out.path().join("triage")).unwrap();
    let r = &reports[0];
    assert!(r.problems.is_empty(), "{:?}", r.problems);
    assert_eq!(r.bugs.len(), 1, "{:#?}", r.bugs);
    let b = &r.bugs[0];
    assert!(b.crash_type.starts_with("Heap-buffer-overflow WRITE"), "{}", b.crash_type);
    assert_eq!((b.attribution.side, b.attribution.function.as_deref()), (Side::C, Some("seeded_parse")), "{:?}", b.attribution);
    // The report shows the campaign's picture.
    let md = std::fs::read_to_string(out.path().join("triage/seeded_parse/report.md")).unwrap();
    assert!(md.contains("## Campaign") && md.contains("| AFL++ | 1 |") && md.contains("](campaign.svg)"), "{md}");
    assert!(out.path().join("triage/seeded_parse/campaign.svg").is_file());
}
