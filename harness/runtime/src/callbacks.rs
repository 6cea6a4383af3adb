//! Rust functions that contracts hand to C as callbacks (`args.x = { callback = "..." }`).
//!
//! The allocator pair has zlib's shape (`alloc_func` / `free_func`): memory comes from the C
//! allocator, so the sanitizers track it like the library's own allocations, and it is not
//! zeroed (malloc semantics, like zlib's default), so MemorySanitizer still sees reads of
//! bytes the library never wrote.

use std::ffi::{c_int, c_uint, c_void};

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// zlib-shaped allocation callback: `items * size` uninitialised bytes, NULL on overflow or
/// failure.
///
/// # Safety
/// Called by C with any values; `opaque` is ignored.
pub unsafe extern "C" fn zalloc(_opaque: *mut c_void, items: c_uint, size: c_uint) -> *mut c_void {
    match (items as usize).checked_mul(size as usize) {
        // SAFETY: malloc accepts any size and reports failure with NULL.
        Some(n) => unsafe { malloc(n) },
        None => std::ptr::null_mut(),
    }
}

/// zlib-shaped free callback, the pair of [`zalloc`].
///
/// # Safety
/// `p` must come from [`zalloc`] (or be NULL) and not be freed twice.
pub unsafe extern "C" fn zfree(_opaque: *mut c_void, p: *mut c_void) {
    // SAFETY: the caller passes memory from `zalloc`.
    unsafe { free(p) }
}

/// Input of zlib's `inflateBack`: the bytes, handed out by [`back_in`] in chunks.
#[derive(Debug)]
pub struct BackIn {
    bytes: Vec<u8>,
    at: usize,
}

/// Bytes [`back_in`] hands out per call.
pub const BACK_CHUNK: usize = 1024;

impl BackIn {
    /// A source of `bytes`.
    pub fn new(bytes: &[u8]) -> Self {
        BackIn { bytes: bytes.to_vec(), at: 0 }
    }
}

/// Output of zlib's `inflateBack`: what [`back_out`] received, up to a capacity.
#[derive(Debug)]
pub struct BackOut {
    bytes: Vec<u8>,
    cap: usize,
}

impl BackOut {
    /// A sink that takes at most `cap` bytes, then asks zlib to stop.
    pub fn with_capacity(cap: usize) -> Self {
        BackOut { bytes: Vec::new(), cap }
    }

    /// What it received.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// zlib's `in_func` over a [`BackIn`]: the next chunk (at most [`BACK_CHUNK`] bytes), 0 at
/// the end. The chunk stays valid until the next call, as zlib requires.
///
/// # Safety
/// `desc` must point to a live [`BackIn`] and `buf` be writable.
pub unsafe extern "C" fn back_in(desc: *mut c_void, buf: *mut *mut u8) -> c_uint {
    // SAFETY: the caller passes the BackIn it was given as the descriptor.
    let src = unsafe { &mut *desc.cast::<BackIn>() };
    let n = (src.bytes.len() - src.at).min(BACK_CHUNK);
    // SAFETY: buf is writable; the pointer stays inside src.bytes, which outlives the call.
    unsafe { *buf = src.bytes.as_mut_ptr().add(src.at) };
    src.at += n;
    n as c_uint
}

/// zlib's `out_func` over a [`BackOut`]: copies what fits, returns non-zero (stop) when the
/// capacity is reached. zlib's buffer is only read.
///
/// # Safety
/// `desc` must point to a live [`BackOut`] and `buf` hold `len` readable bytes.
pub unsafe extern "C" fn back_out(desc: *mut c_void, buf: *mut u8, len: c_uint) -> c_int {
    // SAFETY: the caller passes the BackOut it was given as the descriptor.
    let sink = unsafe { &mut *desc.cast::<BackOut>() };
    let room = sink.cap - sink.bytes.len();
    let take = (len as usize).min(room);
    // SAFETY: zlib hands `len` readable bytes.
    sink.bytes.extend_from_slice(unsafe { std::slice::from_raw_parts(buf, take) });
    c_int::from(take < len as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_pair_round_trips() {
        unsafe {
            let p = zalloc(std::ptr::null_mut(), 4, 8).cast::<u8>();
            assert!(!p.is_null());
            std::ptr::write_bytes(p, 7, 32);
            assert_eq!(std::slice::from_raw_parts(p, 32), &[7u8; 32]);
            zfree(std::ptr::null_mut(), p.cast());
            zfree(std::ptr::null_mut(), std::ptr::null_mut());
        }
    }

    #[test]
    fn back_callbacks_chunk_input_and_bound_output() {
        let mut src = BackIn::new(&vec![7u8; BACK_CHUNK + 10]);
        let mut p = std::ptr::null_mut();
        let d = (&mut src as *mut BackIn).cast();
        assert_eq!(unsafe { back_in(d, &mut p) } as usize, BACK_CHUNK);
        assert_eq!(unsafe { back_in(d, &mut p) }, 10);
        assert_eq!(unsafe { back_in(d, &mut p) }, 0);
        let mut sink = BackOut::with_capacity(5);
        let d = (&mut sink as *mut BackOut).cast();
        let mut data = *b"abcdefg";
        assert_eq!(unsafe { back_out(d, data.as_mut_ptr(), 3) }, 0);
        assert_eq!(unsafe { back_out(d, data.as_mut_ptr(), 3) }, 1, "full: stop");
        assert_eq!(sink.into_bytes(), b"abcab");
    }
}
