//! Every seeded bug is found by its fuzz target under the sanitizer that sees it (fixed seed,
//! bounded runs), the report names the boundary call, the crash artifact is written, and the
//! fixed build runs the same budget clean.

mod common;

use common::{build, fuzz, replay_traced, tail, Variant, ASAN, ASAN_FIXED, MSAN, MSAN_FIXED};
use seam::triage::boundary::{self, CallState};

/// How the boundary call reaches the log.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Named {
    /// The block printed at death; the call was in progress (died inside C).
    InProgress,
    /// The block printed at death; the call had returned (the fault came after it, in Rust,
    /// or at a later leak check).
    Returned,
    /// No hook sees this death: replaying the artifact with `SEAM_TRACE=1` names the call.
    TraceReplay,
}

struct Bug {
    target: &'static str,
    variant: Variant,
    fixed: Variant,
    seed: u64,
    runs: u64,
    flags: &'static [&'static str],
    /// Substrings the sanitizer (or libFuzzer, or the panic) prints.
    report: &'static [&'static str],
    /// Prefix of the artifact libFuzzer writes.
    artifact: &'static str,
    /// The C function the boundary block must name.
    call: &'static str,
    named: Named,
}

fn check(bug: &Bug) {
    let bin = build(bug.variant).join(bug.target);
    let run = fuzz(&bin, bug.seed, bug.runs, bug.flags);
    let log = &run.log;
    assert!(!run.status.success(), "{}: not found in {} runs (seed {}):\n{}", bug.target, bug.runs, bug.seed, tail(log, 3000));
    for needle in bug.report {
        assert!(log.contains(needle), "{}: report lacks {needle:?}:\n{}", bug.target, tail(log, 6000));
    }
    let names: Vec<String> =
        run.artifacts.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert!(
        names.iter().any(|n| n.starts_with(bug.artifact)),
        "{}: no {}* artifact written, found {names:?}",
        bug.target,
        bug.artifact
    );
    let traced;
    let text = if bug.named == Named::TraceReplay {
        traced = replay_traced(&bin, &run.artifacts[0], bug.flags);
        traced.as_str()
    } else {
        log.as_str()
    };
    let b = boundary::parse(text).unwrap_or_else(|| panic!("{}: no boundary block:\n{}", bug.target, tail(text, 4000)));
    match bug.named {
        Named::InProgress | Named::TraceReplay => {
            let cur = b.in_progress().unwrap_or_else(|| panic!("{}: no call in progress in {b:?}", bug.target));
            assert_eq!(cur.function, bug.call, "{}: {b:?}", bug.target);
        }
        Named::Returned => {
            assert!(
                b.calls.iter().any(|c| c.function == bug.call && matches!(c.state, CallState::Returned(_))),
                "{}: {} not among the recorded calls: {b:?}",
                bug.target,
                bug.call
            );
        }
    }

    let fixed = fuzz(&build(bug.fixed).join(bug.target), bug.seed, bug.runs, bug.flags);
    assert!(
        fixed.status.success() && fixed.artifacts.is_empty(),
        "{}: the fixed build is not clean over the same budget:\n{}",
        bug.target,
        tail(&fixed.log, 4000)
    );
}

/// The dictionary of the header's constants for the record parser (run from `harness/cli`).
const PARSE_DICT: &str = "-dict=../../corpus/seeded_parse.dict";

macro_rules! bug_test {
    ($name:ident, $bug:expr) => {
        #[test]
        #[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
        fn $name() {
            check(&$bug);
        }
    };
}



bug_test!(heap_overflow_in_parse, Bug {
    target: "seeded_parse", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 1_500_000, flags: &[PARSE_DICT],
    report: &["ERROR: AddressSanitizer: heap-buffer-overflow", "WRITE of size"],
    artifact: "crash-", call: "seeded_parse", named: Named::InProgress,
});

bug_test!(use_after_free_across_take, Bug {
    target: "seeded_handoff", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 400_000, flags: &[],
    report: &["ERROR: AddressSanitizer: heap-use-after-free", "READ of size 1"],
    artifact: "crash-", call: "seeded_peek", named: Named::InProgress,
});

bug_test!(double_free_across_adopt, Bug {
    target: "seeded_adopt", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000, flags: &[],
    report: &["ERROR: AddressSanitizer: attempting double-free"],
    artifact: "crash-", call: "seeded_buf_free", named: Named::InProgress,
});

bug_test!(leak_on_name_error_path, Bug {
    target: "seeded_name", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000, flags: &[],
    report: &["ERROR: LeakSanitizer: detected memory leaks", "in seeded_set_name"],
    artifact: "leak-", call: "seeded_set_name", named: Named::Returned,
});

bug_test!(layout_mismatch_in_header, Bug {
    target: "seeded_header", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000, flags: &[],
    report: &["ERROR: AddressSanitizer: stack-buffer-overflow", "WRITE of size 8"],
    artifact: "crash-", call: "seeded_header_get", named: Named::InProgress,
});

bug_test!(signed_overflow_in_scale, Bug {
    target: "seeded_scale", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000, flags: &[],
    report: &["runtime error: signed integer overflow", "SUMMARY: UndefinedBehaviorSanitizer"],
    artifact: "crash-", call: "seeded_scale", named: Named::InProgress,
});

bug_test!(rust_side_panic_in_describe, Bug {
    target: "seeded_describe", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000, flags: &[],
    report: &["panicked at", "out of range for slice", "==seam== boundary v1 begin reason=panic"],
    artifact: "crash-", call: "seeded_describe", named: Named::Returned,
});

bug_test!(uninitialised_read_in_checksum, Bug {
    target: "seeded_checksum", variant: MSAN, fixed: MSAN_FIXED, seed: 1, runs: 100_000, flags: &[],
    report: &["WARNING: MemorySanitizer: use-of-uninitialized-value", "created by a heap allocation"],
    artifact: "crash-", call: "seeded_checksum", named: Named::InProgress,
});

bug_test!(unbounded_allocation_in_reserve, Bug {
    target: "seeded_reserve", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000,
    flags: &["-malloc_limit_mb=64"],
    report: &["ERROR: libFuzzer: out-of-memory"],
    artifact: "oom-", call: "seeded_reserve", named: Named::TraceReplay,
});

bug_test!(unbounded_work_in_rehash, Bug {
    target: "seeded_rehash", variant: ASAN, fixed: ASAN_FIXED, seed: 1, runs: 200_000,
    flags: &["-timeout=1"],
    report: &["ERROR: libFuzzer: timeout"],
    artifact: "timeout-", call: "seeded_rehash", named: Named::TraceReplay,
});
