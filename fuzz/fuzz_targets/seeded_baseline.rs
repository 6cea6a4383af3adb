#![no_main]
//! Hand-written harness of the seeded library's cursor and hand-off API (`src/store.rs`,
//! `src/ops.rs`), reading the generated `seeded_handoff`'s input format: the baseline that
//! target is benchmarked against (scripts/bench).
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| seam_seeded::ops::fuzz(data));
