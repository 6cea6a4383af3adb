//! Memory for handles the caller allocates (`alloc = "caller"` in a contract): a zeroed C
//! struct on the heap that an init call fills in, at a stable address for its whole life.

use std::mem::MaybeUninit;

/// A zeroed, heap-allocated `T`, owned through the returned pointer until [`free_zeroed`].
pub fn alloc_zeroed<T>() -> *mut T {
    Box::into_raw(Box::new(MaybeUninit::<T>::zeroed())).cast()
}

/// Frees memory from [`alloc_zeroed`] without running any destructor.
///
/// # Safety
/// `p` must come from [`alloc_zeroed::<T>`] and not be freed twice.
pub unsafe fn free_zeroed<T>(p: *mut T) {
    // SAFETY: the caller passes a pointer from `alloc_zeroed::<T>`.
    drop(unsafe { Box::from_raw(p.cast::<MaybeUninit<T>>()) });
}

#[cfg(test)]
mod tests {
    #[test]
    fn zeroed_and_freed() {
        let p = super::alloc_zeroed::<[u64; 4]>();
        assert_eq!(unsafe { *p }, [0; 4]);
        unsafe { super::free_zeroed(p) };
    }
}
