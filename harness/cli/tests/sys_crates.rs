//! `seam env` instruments the C inside a third-party `-sys` crate (libz-sys, bundled zlib):
//! libFuzzer sees zlib's functions with the exports, and none without them.

mod common;

use common::{build, fuzz, Variant, ASAN};

/// The zlib target built without the `seam env` exports: what plain cargo-fuzz users get.
const ZLIB_PLAIN: Variant =
    Variant { name: "zlib-plain", sanitizer: "address", features: "", targets: &["zlib_inflate"], seam_env: false };

/// Lines of `-print_coverage=1` output that name zlib's own sources.
fn zlib_coverage_lines(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|l| l.contains("COVERED_FUNC") && l.contains("/src/zlib/"))
        .collect()
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn zlib_is_covered_with_the_exports_and_not_without() {
    let with = fuzz(&build(ASAN).join("zlib_inflate"), 1, 5_000, &["-print_coverage=1"]);
    assert!(with.status.success(), "{}", with.log);
    let lines = zlib_coverage_lines(&with.log);
    let covered: Vec<&&str> = lines.iter().filter(|l| l.starts_with("COVERED_FUNC")).collect();
    assert!(
        covered.iter().any(|l| l.contains(" inflate ")),
        "inflate not covered with the exports:\n{}",
        lines.join("\n")
    );

    let without = fuzz(&build(ZLIB_PLAIN).join("zlib_inflate"), 1, 5_000, &["-print_coverage=1"]);
    assert!(without.status.success(), "{}", without.log);
    assert!(
        zlib_coverage_lines(&without.log).is_empty(),
        "zlib has coverage without the exports:\n{}",
        zlib_coverage_lines(&without.log).join("\n")
    );
}
