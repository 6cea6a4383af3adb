//! Raw declarations of `csrc/seeded.h`.

use std::ffi::c_char;

/// Opaque store handle.
#[repr(C)]
pub struct seeded_store {
    _private: [u8; 0],
}

/// The record header as these bindings declare it: the v1 layout, 16 bytes. The C header
/// grew a `checksum` field (v2, 24 bytes) that these bindings do not know about: that is the
/// seeded layout bug, switched off by `SEEDED_FIX_LAYOUT` on the C side.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct seeded_header {
    pub kind: u32,
    pub flags: u16,
    pub tag: u16,
    pub length: u64,
}

/// Flag asking `seeded_header_get` for the (v2) checksum field.
pub const SEEDED_HDR_CHECKSUM: u16 = 0x8000;

extern "C" {
    pub fn seeded_open(capacity: u32) -> *mut seeded_store;
    pub fn seeded_close(s: *mut seeded_store);
    pub fn seeded_write(s: *mut seeded_store, data: *const u8, len: usize) -> i32;
    pub fn seeded_parse(s: *mut seeded_store, rec: *const u8, len: usize) -> i32;
    pub fn seeded_set_kind(s: *mut seeded_store, kind: u32, flags: u16);
    pub fn seeded_header_get(s: *const seeded_store, out: *mut seeded_header) -> i32;
    pub fn seeded_mark(s: *mut seeded_store, off: usize) -> i32;
    pub fn seeded_peek(s: *const seeded_store) -> i32;
    pub fn seeded_take(s: *mut seeded_store, out: *mut *mut u8, out_len: *mut usize) -> i32;
    pub fn seeded_buf_alloc(len: usize) -> *mut u8;
    pub fn seeded_buf_free(buf: *mut u8);
    pub fn seeded_adopt(s: *mut seeded_store, buf: *mut u8, len: usize) -> i32;
    pub fn seeded_set_name(s: *mut seeded_store, name: *const u8, len: usize) -> i32;
    pub fn seeded_checksum(s: *const seeded_store, n: usize) -> u32;
    pub fn seeded_scale(s: *const seeded_store, factor: i32) -> i32;
    pub fn seeded_reserve(s: *mut seeded_store, bytes: u64) -> i32;
    pub fn seeded_rehash(s: *mut seeded_store, rounds: u32) -> u32;
    pub fn seeded_describe(s: *const seeded_store, out: *mut c_char, cap: usize) -> usize;
}
