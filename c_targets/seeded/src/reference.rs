//! A Rust reimplementation of part of the seeded API (the store, writes, record parsing,
//! checksums, arithmetic, cursors and hand-off), with the C names and signatures, so the
//! contract's `[diff]` section can drive it against the C library with the same op sequences.
//!
//! It follows the fixed C library with two differences, one of each kind a port can have:
//! - `seeded_scale` wraps on overflow where C saturates: an undeclared, semantic difference
//!   that the differential targets must find;
//! - `seeded_checksum` of zero bytes is 0 where C returns the FNV offset basis: a known
//!   difference, declared tolerated in the contract (an empty checksum is meaningless in both).

#![allow(non_camel_case_types, clippy::missing_safety_doc)]

use std::ffi::c_void;
use std::ptr::null_mut;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// A store: capacity, bytes, cursor.
pub struct seeded_store {
    cap: u32,
    data: Vec<u8>,
    cursor: Option<usize>,
}

/// # Safety
/// Any capacity.
pub unsafe extern "C" fn seeded_open(capacity: u32) -> *mut seeded_store {
    if capacity == 0 || capacity > 65536 {
        return null_mut();
    }
    Box::into_raw(Box::new(seeded_store { cap: capacity, data: Vec::new(), cursor: None }))
}

/// # Safety
/// `s` from `seeded_open`, closed once.
pub unsafe extern "C" fn seeded_close(s: *mut seeded_store) {
    if !s.is_null() {
        drop(unsafe { Box::from_raw(s) });
    }
}

/// The bytes at `p` (an empty slice for NULL or 0).
unsafe fn bytes<'a>(p: *const u8, len: usize) -> &'a [u8] {
    if p.is_null() || len == 0 {
        &[]
    } else {
        unsafe { std::slice::from_raw_parts(p, len) }
    }
}

/// # Safety
/// `s` live; `data` readable for `len`.
pub unsafe extern "C" fn seeded_write(s: *mut seeded_store, data: *const u8, len: usize) -> i32 {
    let Some(s) = (unsafe { s.as_mut() }) else { return -1 };
    let room = s.cap as usize - s.data.len();
    let n = len.min(room);
    s.data.extend_from_slice(&unsafe { bytes(data, len) }[..n]);
    n as i32
}

/// # Safety
/// `s` live; `rec` readable for `len`.
pub unsafe extern "C" fn seeded_parse(s: *mut seeded_store, rec: *const u8, len: usize) -> i32 {
    if s.is_null() || rec.is_null() || len < 8 {
        return -1;
    }
    let rec = unsafe { bytes(rec, len) };
    if u32::from_le_bytes([rec[0], rec[1], rec[2], rec[3]]) != 0x4D41_4553 || rec[4] != 2 {
        return -1;
    }
    let declared = usize::from(u16::from_le_bytes([rec[6], rec[7]]));
    if len - 8 > declared {
        return -1;
    }
    declared as i32
}

/// # Safety
/// `s` live.
pub unsafe extern "C" fn seeded_checksum(s: *const seeded_store, n: usize) -> u32 {
    let Some(s) = (unsafe { s.as_ref() }) else { return 0 };
    let n = n.min(s.data.len());
    if n == 0 {
        return 0; // tolerated difference: C returns the FNV offset basis
    }
    s.data[..n].iter().fold(0x811c_9dc5u32, |sum, &b| {
        let sum = (sum ^ u32::from(b)).wrapping_mul(0x0100_0193);
        if sum & 1 != 0 {
            sum ^ 0xedb8_8320
        } else {
            sum
        }
    })
}

/// # Safety
/// `s` live.
pub unsafe extern "C" fn seeded_scale(s: *const seeded_store, factor: i32) -> i32 {
    let Some(s) = (unsafe { s.as_ref() }) else { return 0 };
    let total: i32 = s.data.iter().map(|&b| i32::from(b)).sum();
    total.wrapping_mul(factor) // the deliberate difference: C saturates
}

/// # Safety
/// `s` live.
pub unsafe extern "C" fn seeded_mark(s: *mut seeded_store, off: usize) -> i32 {
    let Some(s) = (unsafe { s.as_mut() }) else { return -1 };
    if off >= s.data.len() {
        return -1;
    }
    s.cursor = Some(off);
    0
}

/// # Safety
/// `s` live.
pub unsafe extern "C" fn seeded_peek(s: *const seeded_store) -> i32 {
    let Some(s) = (unsafe { s.as_ref() }) else { return -1 };
    s.cursor.and_then(|c| s.data.get(c)).map_or(-1, |&b| i32::from(b))
}

/// # Safety
/// `s` live; `out` and `out_len` writable.
pub unsafe extern "C" fn seeded_take(s: *mut seeded_store, out: *mut *mut u8, out_len: *mut usize) -> i32 {
    let Some(s) = (unsafe { s.as_mut() }) else { return -1 };
    if out.is_null() || out_len.is_null() || s.data.is_empty() {
        return -1;
    }
    let buf = unsafe { malloc(s.data.len()) }.cast::<u8>();
    if buf.is_null() {
        return -1;
    }
    unsafe {
        std::ptr::copy_nonoverlapping(s.data.as_ptr(), buf, s.data.len());
        *out = buf;
        *out_len = s.data.len();
    }
    s.data.clear();
    s.cursor = None;
    0
}

/// # Safety
/// `buf` from `seeded_take` (or NULL), freed once.
pub unsafe extern "C" fn seeded_buf_free(buf: *mut u8) {
    unsafe { free(buf.cast()) }
}
