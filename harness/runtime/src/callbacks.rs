//! Rust functions that contracts hand to C as callbacks (`args.x = { callback = "..." }`).
//!
//! The allocator pair has zlib's shape (`alloc_func` / `free_func`): memory comes from the C
//! allocator, so the sanitizers track it like the library's own allocations.

use std::ffi::{c_uint, c_void};

extern "C" {
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// zlib-shaped allocation callback: `items * size` zeroed bytes, NULL on overflow or failure.
///
/// # Safety
/// Called by C with any values; `opaque` is ignored.
pub unsafe extern "C" fn zalloc(_opaque: *mut c_void, items: c_uint, size: c_uint) -> *mut c_void {
    // SAFETY: calloc accepts any counts and reports overflow with NULL.
    unsafe { calloc(items as usize, size as usize) }
}

/// zlib-shaped free callback, the pair of [`zalloc`].
///
/// # Safety
/// `p` must come from [`zalloc`] (or be NULL) and not be freed twice.
pub unsafe extern "C" fn zfree(_opaque: *mut c_void, p: *mut c_void) {
    // SAFETY: the caller passes memory from `zalloc`.
    unsafe { free(p) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allocator_pair_round_trips_and_reports_overflow() {
        unsafe {
            let p = zalloc(std::ptr::null_mut(), 4, 8).cast::<u8>();
            assert!(!p.is_null());
            assert_eq!(std::slice::from_raw_parts(p, 32), &[0u8; 32]);
            zfree(std::ptr::null_mut(), p.cast());
            zfree(std::ptr::null_mut(), std::ptr::null_mut());
        }
    }
}
