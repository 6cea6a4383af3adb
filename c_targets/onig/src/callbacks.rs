//! Rust functions the Oniguruma contract (`../seam.toml`) names: the once-per-process setup
//! and the callbacks it hands to C.
//!
//! Callbacks read what Oniguruma gives them, so that the sanitizers check every pointer and
//! length the library passes out, and return the value that lets the library carry on. None
//! keeps state or touches the fuzz input, so inputs replay the same way.

use core::ffi::{c_int, c_void};
use core::hint::black_box;

use onig_sys as ffi;

/// Reads every byte of `[p, end)` (nothing when either is NULL or the range is reversed).
///
/// # Safety
/// The range must be readable: callers pass ranges Oniguruma hands out as readable.
unsafe fn touch(p: *const u8, end: *const u8) {
    if p.is_null() || end.is_null() || end < p {
        return;
    }
    // SAFETY: the caller vouches for the range; end >= p was checked.
    let bytes = unsafe { core::slice::from_raw_parts(p, end.offset_from(p) as usize) };
    black_box(bytes.iter().fold(0u8, |a, b| a ^ b));
}

/// `onig_foreach_name` callback: reads the name and its group numbers, continues (returns 0).
///
/// # Safety
/// Called by `onig_foreach_name` with a name range and `ngroups` group numbers.
pub unsafe extern "C" fn foreach_name(
    name: *const ffi::OnigUChar,
    name_end: *const ffi::OnigUChar,
    ngroups: c_int,
    groups: *mut c_int,
    reg: ffi::OnigRegex,
    _arg: *mut c_void,
) -> c_int {
    // SAFETY: the name lives in the regex's name table for the call.
    unsafe { touch(name, name_end) };
    if ngroups > 0 && !groups.is_null() {
        // SAFETY: `groups` holds `ngroups` ints.
        let nums = unsafe { core::slice::from_raw_parts(groups, ngroups as usize) };
        black_box(nums.iter().sum::<c_int>());
    }
    black_box(reg);
    0
}

/// Once per process, before the first call: finite search limits (the defaults let
/// backtracking run for seconds, which would be timeouts, not bugs) and a bounded parse depth.
pub fn setup() {
    // SAFETY: plain setters of the library's global configuration, called before any regex
    // exists.
    unsafe {
        ffi::onig_set_retry_limit_in_match(20_000);
        ffi::onig_set_retry_limit_in_search(50_000);
        ffi::onig_set_match_stack_limit_size(100_000);
        ffi::onig_set_subexp_call_limit_in_search(1_000);
        ffi::onig_set_parse_depth_limit(256);
    }
}
