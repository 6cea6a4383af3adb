#![no_main]
//! Seeded library, focus: Describe (see c_targets/seeded/README.md).
use libfuzzer_sys::fuzz_target;
use seam_seeded::ops::{fuzz, Focus};

fuzz_target!(|data: &[u8]| fuzz(data, Focus::Describe));
