//! Differential mode end to end on the seeded pair (the C library against its Rust
//! reimplementation, `c_targets/seeded/src/reference.rs`): the undeclared difference is found
//! at the right op with both outcomes, the declared tolerated one is not reported, and a memory
//! error inside one side is reported as that memory error, on that side.

mod common;

use common::{build, fuzz, tail, ASAN, ASAN_FIXED};
use seam::triage::attribute::{attribute, Side};
use seam::triage::boundary;
use seam_triage::classify::crash_type;
use seam_triage::parse::parse;

#[test]
#[ignore = "fuzz build; run by make test"]
fn the_seeded_divergence_is_found_with_its_op_and_both_outcomes() {
    let bin = build(ASAN_FIXED).join("seeded_diff_scale");
    let run = fuzz(&bin, 1, 200_000, &[]);
    let log = &run.log;
    assert!(!run.status.success(), "no divergence in 200000 runs:\n{}", tail(log, 3000));
    assert!(run.artifacts.iter().any(|a| a.file_name().unwrap().to_string_lossy().starts_with("crash-")), "the input is kept");
    let head = log.lines().find(|l| l.starts_with("==seam== divergence v1 begin")).expect("a divergence block");
    assert!(head.ends_with("function=seeded_scale what=return"), "{head}");
    let op: u32 = head.split(" op=").nth(1).and_then(|r| r.split(' ').next()).and_then(|o| o.parse().ok()).expect("op index");
    // Both outcomes: C saturates, the port wraps.
    let left = log.lines().find(|l| l.starts_with("==seam== left side=c ret=")).expect("left outcome");
    let right = log.lines().find(|l| l.starts_with("==seam== right side=rust ret=")).expect("right outcome");
    let ret = |l: &str| l.split("ret=").nth(1).and_then(|r| r.split(' ').next()).and_then(|v| v.parse::<i64>().ok()).unwrap();
    assert!([i64::from(i32::MAX), i64::from(i32::MIN)].contains(&ret(left)), "{left}");
    assert_ne!(ret(left), ret(right));
    // The boundary block agrees on the op, and both sides' calls of it are recorded.
    let b = boundary::parse(log).expect("a boundary block");
    assert_eq!(b.op, Some(op));
    let at_op: Vec<&str> = b.calls.iter().filter(|c| c.op == op).map(|c| c.function.as_str()).collect();
    assert!(at_op.contains(&"seeded_scale") && at_op.contains(&"rust::seeded_scale"), "{at_op:?}");
    // Triage files it as a divergence of that function.
    let report = parse(log).expect("a report");
    assert_eq!(crash_type(&report), "Divergence seeded_scale: return");
    let a = attribute(&report, Some(&b));
    assert_eq!(a.function.as_deref(), Some("seeded_scale"));
    assert_eq!(a.op, Some(op));
    assert_eq!(a.side, Side::Both);
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn a_declared_tolerated_difference_is_not_reported() {
    // The difference exists: the checksum of zero bytes differs between the two sides ...
    let c = unsafe { seam_seeded::ffi::seeded_open(8) };
    let r = unsafe { seam_seeded::reference::seeded_open(8) };
    let (c_sum, r_sum) = unsafe { (seam_seeded::ffi::seeded_checksum(c, 0), seam_seeded::reference::seeded_checksum(r, 0)) };
    unsafe {
        seam_seeded::ffi::seeded_close(c);
        seam_seeded::reference::seeded_close(r);
    }
    assert_ne!(c_sum, r_sum, "the tolerated difference is real");
    // ... and a differential run over writes and checksums, which reaches it, reports nothing.
    let bin = build(ASAN_FIXED).join("seeded_diff_checksum");
    let run = fuzz(&bin, 1, 200_000, &[]);
    assert!(run.status.success(), "a tolerated difference was reported:\n{}", tail(&run.log, 3000));
    assert!(!run.log.contains("==seam== divergence"));
}

#[test]
#[ignore = "fuzz build; run by make test"]
fn a_memory_error_inside_one_side_is_reported_as_that_error_on_that_side() {
    let bin = build(ASAN).join("seeded_diff_parse");
    let run = fuzz(&bin, 1, 1_500_000, &["-dict=../../corpus/seeded_parse.dict"]);
    let log = &run.log;
    assert!(!run.status.success(), "the overflow was not reached:\n{}", tail(log, 3000));
    assert!(!log.contains("==seam== divergence"), "a memory error, not a divergence");
    let report = parse(log).expect("a report");
    assert!(crash_type(&report).starts_with("Heap-buffer-overflow WRITE"), "{}", crash_type(&report));
    let b = boundary::parse(log).expect("a boundary block");
    let a = attribute(&report, Some(&b));
    assert_eq!(a.side, Side::C);
    assert_eq!(a.function.as_deref(), Some("seeded_parse"), "the C side's call, not the port's");
}
