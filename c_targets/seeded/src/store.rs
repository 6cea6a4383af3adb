//! Hand-written safe wrappers of the seeded C API's cursor and hand-off functions. Each wrapper
//! keeps the API's rules (who frees what, which lengths go with which pointers) and records the call with the boundary recorder
//! before crossing into C.

use std::ptr::NonNull;

use seam_runtime::{enter, next_handle, Arg};

use crate::ffi;

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
}
