//! `seam cov`: one coverage build counts the C under test and the Rust that calls it; the
//! report lists the seeded library's and zlib's C files with lines covered.

mod common;

use std::path::Path;
use std::process::Command;

use common::{root, tail};
use seam::coverage::{Side, Summary};

/// Runs `seam cov` on `target` over its committed seed corpus; returns the summary.
fn cov(target: &str, out: &Path) -> Summary {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_seam"));
    for v in common::SCRUB {
        cmd.env_remove(v);
    }
    let run = cmd
        .args(["cov", target, "--target-dir", "target/e2e/cov", "--out"])
        .arg(out)
        .arg("--corpus")
        .arg(format!("corpus/{target}"))
        .current_dir(root())
        .output()
        .unwrap();
    let log = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
    assert!(run.status.success(), "seam cov {target} failed:\n{}", tail(&log, 5000));
    assert!(out.join(target).join("html/index.html").is_file(), "no HTML report");
    assert!(out.join(target).join("summary.md").is_file());
    serde_json::from_str(&std::fs::read_to_string(out.join(target).join("summary.json")).unwrap()).unwrap()
}

fn covered_lines(s: &Summary, file_suffix: &str) -> u64 {
    let f = s.files.iter().find(|f| f.path.ends_with(file_suffix));
    f.unwrap_or_else(|| panic!("{file_suffix} not in the report: {:#?}", s.files.iter().map(|f| &f.path).collect::<Vec<_>>())).lines.covered
}

#[test]
#[ignore = "coverage build; run by make test"]
fn c_and_rust_lines_of_the_seeded_library_and_zlib_are_counted_together() {
    let out = tempfile::tempdir().unwrap();
    let seeded = cov("seeded_ops", out.path());
    assert!(covered_lines(&seeded, "/c_targets/seeded/csrc/seeded.c") > 0);
    assert!(covered_lines(&seeded, "/c_targets/seeded/src/generated.rs") > 0, "the Rust side is in the same report");
    assert!(seeded.files.iter().all(|f| !f.path.contains("/rustlib/src/rust/library/")), "the standard library is left out");

    let zlib = cov("zlib_inflate", out.path());
    assert!(covered_lines(&zlib, "/src/zlib/inflate.c") > 0, "zlib (libz-sys, instrumented through seam-cc)");
    assert!(zlib.lines(Side::C).covered > 0 && zlib.lines(Side::Rust).covered > 0);
}
