#![no_main]
//! seam's own crash-report parsers on arbitrary text: never a panic, never a hang.
use libfuzzer_sys::fuzz_target;
use seam_triage::crash::Crash;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    std::hint::black_box(Crash::analyze("triage_parse", None, None, &text));
});
