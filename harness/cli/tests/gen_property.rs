//! Contract misuse is impossible by construction: the generated wrappers of the fixed seeded
//! library, driven with random op sequences over the whole API (`seeded_ops`) under ASan (with
//! LSan and UBSan) and MSan, never produce a sanitizer report. Any report here would be a
//! false positive made by the harness.

mod common;

use common::{build, fuzz, tail, ASAN_FIXED, MSAN_FIXED};

fn runs_clean(variant: common::Variant, seeds: &[u64], runs: u64) {
    let bin = build(variant).join("seeded_ops");
    for &seed in seeds {
        let run = fuzz(&bin, seed, runs, &["-max_len=4096"]);
        assert!(run.status.success(), "{} seed {seed}: the fixed library crashed:\n{}", variant.name, tail(&run.log, 4000));
        assert!(!run.log.contains("ERROR:"), "{} seed {seed}: a report:\n{}", variant.name, tail(&run.log, 4000));
        assert!(run.artifacts.is_empty(), "no artifact from a clean run");
        assert!(run.log.contains(&format!("Done {runs} runs")), "{} seed {seed}: the whole budget ran:\n{}", variant.name, tail(&run.log, 2000));
    }
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn generated_wrappers_never_misuse_the_fixed_library_under_asan() {
    runs_clean(ASAN_FIXED, &[1, 2, 3], 100_000);
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn generated_wrappers_never_misuse_the_fixed_library_under_msan() {
    runs_clean(MSAN_FIXED, &[1], 30_000);
}
