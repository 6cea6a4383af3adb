//! Safe wrappers of the seeded C API. Each wrapper keeps the API's rules (who frees what,
//! which lengths go with which pointers) and records the call with the boundary recorder
//! before crossing into C.

use std::ptr::NonNull;

use seam_runtime::{enter, next_handle, Arg};

use crate::ffi;

/// The record header reported by [`Store::header`].
pub type Header = ffi::seeded_header;

/// Largest capacity `seeded_open` accepts.
pub const MAX_CAPACITY: u32 = 65536;

/// An open store; closed on drop.
pub struct Store {
    raw: NonNull<ffi::seeded_store>,
    id: u32,
}

impl Store {
    /// Opens a store of `capacity` bytes; `None` when C refuses the capacity.
    pub fn open(capacity: u32) -> Option<Store> {
        let call = enter("seeded_open", &[Arg::unsigned("capacity", capacity.into())]);
        // SAFETY: any capacity is a valid argument.
        let raw = unsafe { ffi::seeded_open(capacity) };
        call.returned(raw as i64);
        NonNull::new(raw).map(|raw| Store { raw, id: next_handle() })
    }

    /// The recorder's id of this handle.
    pub fn id(&self) -> u32 {
        self.id
    }

    fn s(&self) -> Arg {
        Arg::handle("s", self.id)
    }

    /// Appends bytes; returns how many were stored.
    pub fn write(&mut self, data: &[u8]) -> i32 {
        let call = enter("seeded_write", &[self.s(), Arg::unsigned("len", data.len() as u64)]);
        // SAFETY: live handle; data/len describe one readable slice.
        let r = unsafe { ffi::seeded_write(self.raw.as_ptr(), data.as_ptr(), data.len()) };
        call.returned(r.into());
        r
    }

    /// Parses a serialized record; returns its payload length or -1.
    pub fn parse(&mut self, record: &[u8]) -> i32 {
        let call = enter("seeded_parse", &[self.s(), Arg::unsigned("len", record.len() as u64)]);
        // SAFETY: live handle; rec/len describe one readable slice.
        let r = unsafe { ffi::seeded_parse(self.raw.as_ptr(), record.as_ptr(), record.len()) };
        call.returned(r.into());
        r
    }

    /// Sets the header kind and flags.
    pub fn set_kind(&mut self, kind: u32, flags: u16) {
        let call = enter(
            "seeded_set_kind",
            &[self.s(), Arg::unsigned("kind", kind.into()), Arg::unsigned("flags", flags.into())],
        );
        // SAFETY: live handle.
        unsafe { ffi::seeded_set_kind(self.raw.as_ptr(), kind, flags) };
        call.done();
    }

    /// Reads the current header.
    pub fn header(&self) -> Option<Header> {
        let mut out = Header::default();
        let call = enter("seeded_header_get", &[self.s()]);
        // SAFETY: live handle; `out` is a writable header as these bindings declare it.
        let r = unsafe { ffi::seeded_header_get(self.raw.as_ptr(), &mut out) };
        call.returned(r.into());
        (r == 0).then_some(out)
    }

    /// Sets the cursor at `offset`.
    pub fn mark(&mut self, offset: usize) -> i32 {
        let call = enter("seeded_mark", &[self.s(), Arg::unsigned("off", offset as u64)]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_mark(self.raw.as_ptr(), offset) };
        call.returned(r.into());
        r
    }

    /// The byte at the cursor, or -1.
    pub fn peek(&self) -> i32 {
        let call = enter("seeded_peek", &[self.s()]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_peek(self.raw.as_ptr()) };
        call.returned(r.into());
        r
    }

    /// Takes ownership of the stored bytes.
    pub fn take(&mut self) -> Option<CBuf> {
        let mut ptr = std::ptr::null_mut();
        let mut len = 0usize;
        let call = enter("seeded_take", &[self.s()]);
        // SAFETY: live handle; both out-pointers are writable.
        let r = unsafe { ffi::seeded_take(self.raw.as_ptr(), &mut ptr, &mut len) };
        call.returned(r.into());
        if r != 0 {
            return None;
        }
        NonNull::new(ptr).map(|ptr| CBuf { ptr, len })
    }

    /// Hands a copy of `bytes` to the store in a library-allocated buffer. On failure the
    /// buffer is still ours (the API's rule), so it is freed here.
    pub fn adopt(&mut self, bytes: &[u8]) -> bool {
        let Some(buf) = CBuf::copy_of(bytes) else { return false };
        let call = enter(
            "seeded_adopt",
            &[self.s(), Arg::ptr("buf", buf.ptr.as_ptr()), Arg::unsigned("len", buf.len as u64)],
        );
        // SAFETY: live handle; buf came from seeded_buf_alloc and holds len bytes.
        let r = unsafe { ffi::seeded_adopt(self.raw.as_ptr(), buf.ptr.as_ptr(), buf.len) };
        call.returned(r.into());
        if r == 0 {
            std::mem::forget(buf); // the store owns it now
            true
        } else {
            false // dropping `buf` frees it: ownership stayed with us
        }
    }

    /// Names the store.
    pub fn set_name(&mut self, name: &[u8]) -> i32 {
        let call = enter("seeded_set_name", &[self.s(), Arg::unsigned("len", name.len() as u64)]);
        // SAFETY: live handle; name/len describe one readable slice.
        let r = unsafe { ffi::seeded_set_name(self.raw.as_ptr(), name.as_ptr(), name.len()) };
        call.returned(r.into());
        r
    }

    /// Checksum of the first `n` stored bytes.
    pub fn checksum(&self, n: usize) -> u32 {
        let call = enter("seeded_checksum", &[self.s(), Arg::unsigned("n", n as u64)]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_checksum(self.raw.as_ptr(), n) };
        call.returned(r.into());
        r
    }

    /// Sum of the stored bytes times `factor`.
    pub fn scale(&self, factor: i32) -> i32 {
        let call = enter("seeded_scale", &[self.s(), Arg::signed("factor", factor.into())]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_scale(self.raw.as_ptr(), factor) };
        call.returned(r.into());
        r
    }

    /// Grows the capacity to at least `bytes`.
    pub fn reserve(&mut self, bytes: u64) -> i32 {
        let call = enter("seeded_reserve", &[self.s(), Arg::unsigned("bytes", bytes)]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_reserve(self.raw.as_ptr(), bytes) };
        call.returned(r.into());
        r
    }

    /// Mixes the stored bytes `rounds` times.
    pub fn rehash(&mut self, rounds: u32) -> u32 {
        let call = enter("seeded_rehash", &[self.s(), Arg::unsigned("rounds", rounds.into())]);
        // SAFETY: live handle.
        let r = unsafe { ffi::seeded_rehash(self.raw.as_ptr(), rounds) };
        call.returned(r.into());
        r
    }

    /// A one-line description of the store.
    pub fn describe(&self) -> String {
        let mut buf = [0u8; 64];
        let call = enter("seeded_describe", &[self.s(), Arg::unsigned("cap", buf.len() as u64)]);
        // SAFETY: live handle; buf is writable for cap bytes.
        let n = unsafe { ffi::seeded_describe(self.raw.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        call.returned(n as i64);
        // The header promises the bytes written; the seeded C returns snprintf's would-be
        // length instead, and trusting it panics on the slice below (bug 8).
        String::from_utf8_lossy(&buf[..n]).into_owned()
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        let call = enter("seeded_close", &[self.s()]);
        // SAFETY: live handle, closed exactly once.
        unsafe { ffi::seeded_close(self.raw.as_ptr()) };
        call.done();
    }
}

/// A buffer allocated by the C library and owned by Rust; freed with `seeded_buf_free`.
pub struct CBuf {
    ptr: NonNull<u8>,
    len: usize,
}

impl CBuf {
    /// Copies `bytes` into a new library-allocated buffer.
    pub fn copy_of(bytes: &[u8]) -> Option<CBuf> {
        let call = enter("seeded_buf_alloc", &[Arg::unsigned("len", bytes.len() as u64)]);
        // SAFETY: any length is valid.
        let ptr = unsafe { ffi::seeded_buf_alloc(bytes.len()) };
        call.returned(ptr as i64);
        let ptr = NonNull::new(ptr)?;
        // SAFETY: the allocation holds at least bytes.len() bytes and does not overlap.
        unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), ptr.as_ptr(), bytes.len()) };
        Some(CBuf { ptr, len: bytes.len() })
    }
}

impl std::ops::Deref for CBuf {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        // SAFETY: ptr holds len initialised bytes for as long as we own it.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for CBuf {
    fn drop(&mut self) {
        let call = enter("seeded_buf_free", &[Arg::ptr("buf", self.ptr.as_ptr())]);
        // SAFETY: we own the buffer; it came from the library's allocator.
        unsafe { ffi::seeded_buf_free(self.ptr.as_ptr()) };
        call.done();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_take_and_hand_back() {
        seam_runtime::begin_input();
        let mut s = Store::open(8).unwrap();
        assert_eq!(s.write(b"abcdefghij"), 8);
        assert_eq!(s.mark(2), 0);
        assert_eq!(s.peek(), b'c' as i32);
        let taken = s.take().unwrap();
        assert_eq!(&*taken, b"abcdefgh");
        assert!(s.take().is_none(), "the store starts over empty");
        assert_eq!(s.write(b"xy"), 2);
    }

    #[test]
    fn capacity_rules_and_parse() {
        assert!(Store::open(0).is_none());
        assert!(Store::open(MAX_CAPACITY + 1).is_none());
        let mut s = Store::open(MAX_CAPACITY).unwrap();
        assert_eq!(s.parse(b"SEAM\x02\x07\x04\x00abcd"), 4);
        assert_eq!(s.parse(b"SEAM\x01\x07\x04\x00abcd"), -1, "wrong version");
        assert_eq!(s.parse(b"MAES\x02\x07\x04\x00abcd"), -1, "wrong magic");
        assert!(s.adopt(b"12345"));
        assert_eq!(s.header().unwrap().length, 5);
        assert_eq!(s.scale(2), (b'1' as i32 + 50 + 51 + 52 + 53) * 2);
        assert_eq!(s.set_name(b"ok"), 0);
        assert!(s.describe().starts_with("store cap=65536 len=5 name=ok"));
    }
}
