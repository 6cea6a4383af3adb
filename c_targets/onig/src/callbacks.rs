//! Rust callbacks the Oniguruma contract (`c_targets/onig/seam.toml`) hands to C, as
//! `crate::callbacks::*` (the crate `seam_onig` must declare `pub mod callbacks;`).
//!
//! Each one reads what Oniguruma gives it, so that the sanitizers check every pointer and
//! length the library passes out, and returns the value that lets the library carry on. None
//! keeps state or touches the fuzz input: a callback's behaviour is a function of its
//! arguments only, so inputs replay the same way. They keep the API's rules (see
//! `/tmp/notes/onig.md`): indexes passed back into the library stay in the ranges the library
//! documents, so a fault inside them is a fault of Oniguruma.

use core::ffi::{c_char, c_int, c_void, CStr};
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

/// Reads the `num_regs` capture positions of a region (bounded by what it has allocated).
///
/// # Safety
/// `region` is NULL or a region Oniguruma handed out.
unsafe fn touch_region(region: *const ffi::OnigRegion) {
    if region.is_null() {
        return;
    }
    // SAFETY: a live region, read only.
    let r = unsafe { &*region };
    if r.beg.is_null() || r.end.is_null() {
        return;
    }
    let n = r.num_regs.min(r.allocated).max(0) as usize;
    for i in 0..n {
        // SAFETY: i < allocated, the length of both arrays.
        black_box(unsafe { (*r.beg.add(i), *r.end.add(i)) });
    }
}

/// `OnigWarnFunc` for `onig_set_warn_func` / `onig_set_verb_warn_func` (in `[library].setup`):
/// reads the NUL-terminated message. Without a warn function Oniguruma does not even format
/// its warnings (`onig_syntax_warn` returns early for `onig_null_warn`), so this puts the
/// formatting code under test.
///
/// # Safety
/// `s` is NULL or a NUL-terminated string.
pub unsafe extern "C" fn warn(s: *const c_char) {
    if !s.is_null() {
        // SAFETY: Oniguruma passes a NUL-terminated message.
        black_box(unsafe { CStr::from_ptr(s) }.to_bytes().len());
    }
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

/// `onig_scan` callback: reads the match region, continues (returns 0).
///
/// # Safety
/// Called by `onig_scan` with the region the harness passed.
pub unsafe extern "C" fn scan(n: c_int, pos: c_int, region: *mut ffi::OnigRegion, _arg: *mut c_void) -> c_int {
    black_box((n, pos));
    // SAFETY: the region given to onig_scan.
    unsafe { touch_region(region) };
    0
}

/// `OnigCallbackEachMatchFunc` for `onig_set_callback_each_match` (in `[library].setup`), run
/// for `ONIG_OPTION_CALLBACK_EACH_MATCH` searches: reads the region and the match start,
/// returns `ONIG_NORMAL` (go on).
///
/// # Safety
/// Called by the matcher with the subject range and the search's region (maybe NULL).
pub unsafe extern "C" fn each_match(
    str_: *const ffi::OnigUChar,
    end: *const ffi::OnigUChar,
    match_start: *const ffi::OnigUChar,
    region: *mut ffi::OnigRegion,
    _user_data: *mut c_void,
) -> c_int {
    if !match_start.is_null() && str_ <= match_start && match_start < end {
        // SAFETY: inside the subject.
        black_box(unsafe { *match_start });
    }
    // SAFETY: the search's region.
    unsafe { touch_region(region) };
    0
}

/// `onig_capture_tree_traverse` callback: continues (returns 0).
pub extern "C" fn capture_tree(group: c_int, beg: c_int, end: c_int, level: c_int, at: c_int, _arg: *mut c_void) -> c_int {
    black_box((group, beg, end, level, at));
    0
}

/// `OnigCalloutFunc` for callouts of contents `(?{...})`: installed as the default progress and
/// retraction callout in `[library].setup`, and per match param by
/// `onig_set_{progress,retraction}_callout_of_match_param`. It calls every
/// `*_by_callout_args` accessor with arguments inside their documented ranges (own callout
/// number, slots `0..ONIG_CALLOUT_DATA_SLOT_NUM`, argument indexes below the argument count,
/// capture numbers `1..=onig_number_of_captures`), then returns `ONIG_CALLOUT_SUCCESS`.
///
/// It does not read tag strings (`onig_get_callout_tag_start`): they point into the caller's
/// pattern buffer, which the harness has freed after `onig_new` (see the notes: that is a
/// lifetime bug of its own, left to the `callouts` target to find).
///
/// # Safety
/// Called by the matcher with a live `OnigCalloutArgs`.
pub unsafe extern "C" fn callout(args: *mut ffi::OnigCalloutArgs, _user_data: *mut c_void) -> c_int {
    // SAFETY (whole body): `args` is live for the duration of the callout, and every pointer
    // read below is one the accessors document as readable.
    unsafe {
        let num = ffi::onig_get_callout_num_by_callout_args(args);
        black_box(ffi::onig_get_callout_in_by_callout_args(args));

        let name_id = ffi::onig_get_name_id_by_callout_args(args);
        if name_id != ffi::ONIG_NON_NAME_ID {
            let name = ffi::onig_get_callout_name_by_name_id(name_id);
            if !name.is_null() {
                black_box(CStr::from_ptr(name.cast()).to_bytes().len());
            }
        }

        touch(ffi::onig_get_contents_by_callout_args(args), ffi::onig_get_contents_end_by_callout_args(args));

        let nargs = ffi::onig_get_args_num_by_callout_args(args);
        black_box(ffi::onig_get_passed_args_num_by_callout_args(args));
        for i in 0..nargs.clamp(0, ffi::ONIG_CALLOUT_MAX_ARGS_NUM as c_int) {
            let mut ty: ffi::OnigType = 0;
            let mut val: ffi::OnigValue = core::mem::zeroed();
            if ffi::onig_get_arg_by_callout_args(args, i, &mut ty, &mut val) == 0 && ty == ffi::OnigType_ONIG_TYPE_STRING {
                touch(val.s.start, val.s.end);
            }
        }

        let string = ffi::onig_get_string_by_callout_args(args);
        let string_end = ffi::onig_get_string_end_by_callout_args(args);
        let current = ffi::onig_get_current_by_callout_args(args);
        black_box((ffi::onig_get_start_by_callout_args(args), ffi::onig_get_right_range_by_callout_args(args)));
        if !current.is_null() && string <= current && current < string_end {
            black_box(*current);
        }

        let reg = ffi::onig_get_regex_by_callout_args(args);
        black_box(ffi::onig_get_retry_counter_by_callout_args(args));
        let captures = ffi::onig_number_of_captures(reg);
        for mem in 1..=captures.clamp(0, 64) {
            let (mut b, mut e) = (0, 0);
            black_box(ffi::onig_get_capture_range_in_callout(args, mem, &mut b, &mut e));
        }
        let (mut used, mut used_bytes) = (0, 0);
        black_box(ffi::onig_get_used_stack_size_in_callout(args, &mut used, &mut used_bytes));

        // Callout data: this callout's own slots only (its number is valid by construction).
        for slot in 0..ffi::ONIG_CALLOUT_DATA_SLOT_NUM as c_int {
            let mut ty: ffi::OnigType = 0;
            let mut val: ffi::OnigValue = core::mem::zeroed();
            black_box(ffi::onig_get_callout_data_by_callout_args_self(args, slot, &mut ty, &mut val));
            black_box(ffi::onig_get_callout_data_by_callout_args_self_dont_clear_old(args, slot, &mut ty, &mut val));
            black_box(ffi::onig_get_callout_data_by_callout_args(args, num, slot, &mut ty, &mut val));
        }
        // A counter in slot 0, the way the builtin (*COUNT) keeps one.
        let mut ty: ffi::OnigType = 0;
        let mut val: ffi::OnigValue = core::mem::zeroed();
        let count = if ffi::onig_get_callout_data_by_callout_args_self(args, 0, &mut ty, &mut val) == 0
            && ty == ffi::OnigType_ONIG_TYPE_LONG
        {
            val.l.wrapping_add(1)
        } else {
            1
        };
        val.l = count;
        black_box(ffi::onig_set_callout_data_by_callout_args_self(args, 0, ffi::OnigType_ONIG_TYPE_LONG, &mut val));
        black_box(ffi::onig_set_callout_data_by_callout_args(args, num, 1, ffi::OnigType_ONIG_TYPE_LONG, &mut val));
    }
    ffi::OnigCalloutResult_ONIG_CALLOUT_SUCCESS as c_int
}

/// Ranges of the user-defined Unicode property `SeamTest` registered in `[library].setup`
/// (`onig_unicode_define_user_property` keeps the pointer for the life of the process, so the
/// array is a `static`): the count, then sorted, disjoint `[from, to]` pairs.
pub static mut SEAM_TEST_PROPERTY: [ffi::OnigCodePoint; 7] = [3, 0x30, 0x39, 0x41, 0x5a, 0x3040, 0x309f];

/// Every encoding the bundled build links (`OnigEncodingKOI8` is declared in `oniguruma.h` but
/// `onig_sys` does not compile `koi8.c`, so naming it fails to link), for `onig_initialize`
/// in `[library].setup`: initialising them all up front registers the builtin callout names
/// for ASCII (used by every ASCII-compatible encoding) and for UTF-16 BE/LE, instead of only
/// for the first regex's encoding (what the implicit initialisation in `onig_reg_init` does).
pub static mut ENCODINGS: [ffi::OnigEncoding; 30] = [
    &raw mut ffi::OnigEncodingASCII,
    &raw mut ffi::OnigEncodingISO_8859_1,
    &raw mut ffi::OnigEncodingISO_8859_2,
    &raw mut ffi::OnigEncodingISO_8859_3,
    &raw mut ffi::OnigEncodingISO_8859_4,
    &raw mut ffi::OnigEncodingISO_8859_5,
    &raw mut ffi::OnigEncodingISO_8859_6,
    &raw mut ffi::OnigEncodingISO_8859_7,
    &raw mut ffi::OnigEncodingISO_8859_8,
    &raw mut ffi::OnigEncodingISO_8859_9,
    &raw mut ffi::OnigEncodingISO_8859_10,
    &raw mut ffi::OnigEncodingISO_8859_11,
    &raw mut ffi::OnigEncodingISO_8859_13,
    &raw mut ffi::OnigEncodingISO_8859_14,
    &raw mut ffi::OnigEncodingISO_8859_15,
    &raw mut ffi::OnigEncodingISO_8859_16,
    &raw mut ffi::OnigEncodingUTF8,
    &raw mut ffi::OnigEncodingUTF16_BE,
    &raw mut ffi::OnigEncodingUTF16_LE,
    &raw mut ffi::OnigEncodingUTF32_BE,
    &raw mut ffi::OnigEncodingUTF32_LE,
    &raw mut ffi::OnigEncodingEUC_JP,
    &raw mut ffi::OnigEncodingEUC_TW,
    &raw mut ffi::OnigEncodingEUC_KR,
    &raw mut ffi::OnigEncodingEUC_CN,
    &raw mut ffi::OnigEncodingSJIS,
    &raw mut ffi::OnigEncodingKOI8_R,
    &raw mut ffi::OnigEncodingCP1251,
    &raw mut ffi::OnigEncodingBIG5,
    &raw mut ffi::OnigEncodingGB18030,
];

/// The `OnigErrorInfo` passed as the variadic argument of standalone `onig_error_code_to_str`
/// calls: `par = NULL`, so for the seven codes that read it, the message gets an empty name
/// (regerror.c `to_ascii` copies nothing for a NULL `par`). Only read by the library.
pub static mut EMPTY_ERROR_INFO: ffi::OnigErrorInfo = ffi::OnigErrorInfo {
    enc: &raw mut ffi::OnigEncodingASCII,
    par: core::ptr::null_mut(),
    par_end: core::ptr::null_mut(),
};
