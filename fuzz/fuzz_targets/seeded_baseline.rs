#![no_main]
//! Hand-written harness of the seeded library (`src/store.rs`, `src/ops.rs`), focus: Handoff.
//! The baseline the generated `seeded_handoff` is benchmarked against (scripts/bench).
use libfuzzer_sys::fuzz_target;
use seam_seeded::ops::{fuzz, Focus};

fuzz_target!(|data: &[u8]| fuzz(data, Focus::Handoff));
