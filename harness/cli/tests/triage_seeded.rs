//! `seam triage` end to end on the seeded library: fuzz every seeded target (fixed seeds,
//! bounded runs), replay the artifacts, and check that each seeded bug is one distinct entry
//! with the right type, side and boundary function, that repeated hits collapse, and that the
//! written regression test fails while the bug exists and passes on the fixed build.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::{build, ASAN, ASAN_FIXED, MSAN};
use seam::triage::attribute::Side;
use seam::triage::replay::Replayer;
use seam::triage::run::{run, Input};

/// (target, seeds, runs, extra flags, type prefix, side, boundary function)
type Case = (&'static str, &'static [u64], u64, &'static [&'static str], &'static str, Side, &'static str);

const CASES: &[Case] = &[
    ("seeded_parse", &[1], 1_500_000, &["-dict=../../corpus/seeded_parse.dict"], "Heap-buffer-overflow WRITE", Side::C, "seeded_parse"),
    ("seeded_handoff", &[1, 2], 400_000, &[], "Heap-use-after-free READ 1", Side::C, "seeded_peek"),
    ("seeded_adopt", &[1], 200_000, &[], "Double-free", Side::C, "seeded_buf_free"),
    ("seeded_name", &[1], 200_000, &[], "Leak", Side::C, "seeded_set_name"),
    ("seeded_header", &[1], 200_000, &[], "Stack-buffer-overflow WRITE 8", Side::C, "seeded_header_get"),
    ("seeded_scale", &[1], 200_000, &[], "Integer-overflow", Side::C, "seeded_scale"),
    ("seeded_describe", &[1], 200_000, &[], "Panic", Side::Rust, "seeded_describe"),
    ("seeded_checksum", &[1], 100_000, &[], "Use-of-uninitialized-value", Side::C, "seeded_checksum"),
    ("seeded_reserve", &[1], 200_000, &["-malloc_limit_mb=64"], "Out-of-memory", Side::C, "seeded_reserve"),
    ("seeded_rehash", &[1], 200_000, &["-timeout=1"], "Timeout", Side::C, "seeded_rehash"),
];

fn fuzz_into(bin: &Path, seed: u64, runs: u64, flags: &[&str], dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let out = common::fuzzer(bin)
        .arg(format!("-seed={seed}"))
        .arg(format!("-runs={runs}"))
        .arg(format!("-artifact_prefix={}/", dir.display()))
        .args(flags)
        .output()
        .unwrap();
    assert!(!out.status.success(), "{} found nothing with seed {seed}", bin.display());
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn every_seeded_bug_is_one_attributed_entry_with_a_working_regression_test() {
    let asan = build(ASAN);
    let msan = build(MSAN);
    let artifacts = tempfile::tempdir().unwrap();
    for (target, seeds, runs, flags, ..) in CASES {
        let bin = if *target == "seeded_checksum" { msan.join(target) } else { asan.join(target) };
        for seed in *seeds {
            fuzz_into(&bin, *seed, *runs, flags, &artifacts.path().join(target));
        }
    }
    let out = tempfile::tempdir().unwrap();
    let replayer = Replayer {
        bin_dir: asan.clone(),
        binaries: vec![("seeded_checksum".into(), msan.join("seeded_checksum"))],
        fuzzer_args: vec!["-malloc_limit_mb=64".into()],
        timeout: Duration::from_secs(2),
    };
    let input = Input::Artifacts { dir: artifacts.path().to_path_buf(), targets: vec![], replayer, minimise_runs: 300, campaigns: None };
    let reports = run(&input, out.path()).unwrap();

    let mut keys = Vec::new();
    for (target, seeds, _, _, ty, side, func) in CASES {
        let r = reports.iter().find(|r| r.target == *target).unwrap_or_else(|| panic!("no report for {target}"));
        assert!(r.problems.is_empty(), "{target}: {:?}", r.problems);
        assert_eq!(r.bugs.len(), 1, "{target}: {:#?}", r.bugs);
        let b = &r.bugs[0];
        assert!(b.crash_type.starts_with(ty), "{target}: {} (want {ty})", b.crash_type);
        assert_eq!((b.attribution.side, b.attribution.function.as_deref()), (*side, Some(*func)), "{target}: {:?}", b.attribution);
        assert_eq!(b.hits, seeds.len(), "{target}: repeated hits must collapse into one entry");
        assert!(b.reproducer.as_ref().is_some_and(|p| p.is_file()), "{target}: no reproducer");
        keys.push(b.key.clone());
    }
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "two different seeded bugs merged");

    // The regression test of the overflow: compiles alone, fails on the buggy build, passes on
    // the fixed one.
    let parse = &reports.iter().find(|r| r.target == "seeded_parse").unwrap().bugs[0];
    let test_src = parse.regression_test.as_ref().expect("regression test written");
    let exe = out.path().join("regression");
    let rustc = Command::new("rustc").args(["--edition", "2021", "--test"]).arg(test_src).arg("-o").arg(&exe).output().unwrap();
    assert!(rustc.status.success(), "{}", String::from_utf8_lossy(&rustc.stderr));
    let buggy = Command::new(&exe).env("SEAM_FUZZ_BIN", asan.join("seeded_parse")).output().unwrap();
    assert!(!buggy.status.success(), "the regression test passes while the bug exists");
    let fixed = Command::new(&exe).env("SEAM_FUZZ_BIN", build(ASAN_FIXED).join("seeded_parse")).output().unwrap();
    assert!(fixed.status.success(), "the regression test fails on the fixed build:\n{}", String::from_utf8_lossy(&fixed.stdout));
}
