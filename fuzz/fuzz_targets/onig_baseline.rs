#![no_main]
//! Oniguruma (onig_sys, bundled and static): the hand-written single-call baseline for the
//! generated `onig_*` targets. The input splits at its first NUL byte into a pattern (before)
//! and a subject (after; empty without a NUL). The pattern is compiled as UTF-8 with the Ruby
//! syntax and no options, the subject searched once forward over all of it, then everything is
//! freed. Its C is instrumented only when built with the exports of `seam env`; without them
//! libFuzzer sees no Oniguruma code.
//!
//! The API's rules are kept as in `c_targets/onig/seam.toml`: the library is initialised once
//! with finite search limits, and the search passes `ONIG_OPTION_CHECK_VALIDITY_OF_STRING`, so
//! Oniguruma itself refuses a subject that is not valid UTF-8 (searching one is outside its
//! API) and any crash is a crash on an input it accepted.
use std::ptr::null_mut;
use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use onig_sys as onig;
use seam_runtime::{enter, next_handle, Arg};

static SETUP: Once = Once::new();

/// Once per process: explicit initialisation and the same limits as the contract's
/// `[library].setup` (the defaults let backtracking run for seconds: timeouts, not bugs).
fn setup() {
    SETUP.call_once(|| {
        // SAFETY: plain calls into the library's global configuration, before any other call;
        // the encoding array outlives onig_initialize, which only reads it.
        unsafe {
            let mut encodings = [&raw mut onig::OnigEncodingUTF8];
            onig::onig_initialize(encodings.as_mut_ptr(), 1);
            onig::onig_set_retry_limit_in_match(20_000);
            onig::onig_set_retry_limit_in_search(50_000);
            onig::onig_set_match_stack_limit_size(100_000);
            onig::onig_set_subexp_call_limit_in_search(1_000);
            onig::onig_set_parse_depth_limit(256);
        }
    });
}

fuzz_target!(|data: &[u8]| {
    setup();
    seam_runtime::begin_input();
    let (pattern, subject) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &data[data.len()..]),
    };
    let pattern = pattern.as_ptr_range();
    let subject = subject.as_ptr_range();

    let mut reg: onig::OnigRegex = null_mut();
    let mut einfo = onig::OnigErrorInfo { enc: null_mut(), par: null_mut(), par_end: null_mut() };
    let call = enter("onig_new", &[Arg::unsigned("pattern_len", (pattern.end as usize - pattern.start as usize) as u64)]);
    // SAFETY: pattern..pattern_end is readable; reg and einfo are writable; the encoding and
    // the syntax are the library's own statics.
    let r = unsafe {
        onig::onig_new(
            &mut reg,
            pattern.start,
            pattern.end,
            onig::ONIG_OPTION_NONE,
            &raw mut onig::OnigEncodingUTF8,
            &raw mut onig::OnigSyntaxRuby,
            &mut einfo,
        )
    };
    call.returned(r.into());
    if r != onig::ONIG_NORMAL as i32 || reg.is_null() {
        return;
    }
    let reg_id = next_handle();

    let call = enter("onig_region_new", &[]);
    // SAFETY: no arguments; NULL on allocation failure.
    let region = unsafe { onig::onig_region_new() };
    call.returned(if region.is_null() { 0 } else { 1 });
    let region_id = if region.is_null() { 0 } else { next_handle() };

    let option = onig::ONIG_OPTION_CHECK_VALIDITY_OF_STRING;
    let call = enter(
        "onig_search",
        &[
            Arg::handle("arg1", reg_id),
            Arg::unsigned("len", (subject.end as usize - subject.start as usize) as u64),
            Arg::handle("region", region_id),
            Arg::unsigned("option", option.into()),
        ],
    );
    // SAFETY: reg is live; str..end is readable, start = str and range = end lie in it; region
    // is NULL (allowed) or live.
    let r = unsafe { onig::onig_search(reg, subject.start, subject.end, subject.start, subject.end, region, option) };
    call.returned(r.into());

    if !region.is_null() {
        let call = enter("onig_region_free", &[Arg::handle("region", region_id), Arg::signed("free_self", 1)]);
        // SAFETY: region is live and freed once, with itself.
        unsafe { onig::onig_region_free(region, 1) };
        call.done();
    }
    let call = enter("onig_free", &[Arg::handle("arg1", reg_id)]);
    // SAFETY: reg is live and freed once.
    unsafe { onig::onig_free(reg) };
    call.done();
});
