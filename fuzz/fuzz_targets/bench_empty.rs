#![no_main]
//! Does nothing: the exec/s ceiling of this machine, for scripts/bench.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    std::hint::black_box(data);
});
