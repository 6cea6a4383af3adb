//! zlib's one-shot API (`compress*`, `uncompress*`) on top of `miniz_oxide`, a Rust
//! implementation of deflate with an API of another shape (`compress_to_vec_zlib`, and a
//! decompressor core that reports bytes consumed and written). The second side of the
//! `zlib_diff_miniz_*` targets: the contract's op sequences call these where zlib's functions
//! are called on the first side, and the comparison rules of `[[diff]] name = "miniz"` say what
//! must agree.
//!
//! Mapping, per zlib.h: success is `Z_OK` with `*destLen` set to the bytes written; an output
//! that does not fit is `Z_BUF_ERROR`; corrupt or truncated input is `Z_DATA_ERROR`; a NULL
//! destination with room to write is `Z_STREAM_ERROR` (zlib's deflate and inflate refuse a
//! NULL `next_out`). Compression level -1 is zlib's default, 6.

use std::ffi::{c_int, c_ulong};

use miniz_oxide::inflate::core::{decompress, inflate_flags, DecompressorOxide};
use miniz_oxide::inflate::TINFLStatus;

const Z_OK: c_int = 0;
const Z_STREAM_ERROR: c_int = -2;
const Z_DATA_ERROR: c_int = -3;
const Z_BUF_ERROR: c_int = -5;
/// The level `Z_DEFAULT_COMPRESSION` (-1) stands for.
const DEFAULT_LEVEL: u8 = 6;

/// The caller's buffers as slices. `None` when a pointer is NULL where bytes are needed.
///
/// # Safety
/// Non-null pointers point to `len` bytes (readable for `src`, writable for `dst`).
unsafe fn buffers<'a>(dest: *mut u8, dest_len: usize, source: *const u8, source_len: usize) -> Option<(&'a mut [u8], &'a [u8])> {
    let dst: &mut [u8] = match (dest.is_null(), dest_len) {
        (_, 0) => &mut [],
        (true, _) => return None,
        (false, n) => unsafe { std::slice::from_raw_parts_mut(dest, n) },
    };
    let src: &[u8] = match (source.is_null(), source_len) {
        (_, 0) => &[],
        (true, _) => return None,
        (false, n) => unsafe { std::slice::from_raw_parts(source, n) },
    };
    Some((dst, src))
}

/// `compress2` on sizes: the status and the bytes written.
///
/// # Safety
/// As [`buffers`].
unsafe fn compress_impl(dest: *mut u8, dest_len: usize, source: *const u8, source_len: usize, level: c_int) -> (c_int, usize) {
    if dest.is_null() {
        return (Z_STREAM_ERROR, 0);
    }
    let Some((dst, src)) = (unsafe { buffers(dest, dest_len, source, source_len) }) else {
        return (Z_STREAM_ERROR, 0);
    };
    let level = match level {
        -1 => DEFAULT_LEVEL,
        0..=9 => level as u8,
        _ => return (Z_STREAM_ERROR, 0),
    };
    let out = miniz_oxide::deflate::compress_to_vec_zlib(src, level);
    match dst.get_mut(..out.len()) {
        Some(room) => {
            room.copy_from_slice(&out);
            (Z_OK, out.len())
        }
        None => (Z_BUF_ERROR, 0),
    }
}

/// `uncompress2` on sizes: the status, the bytes written and the bytes consumed.
///
/// # Safety
/// As [`buffers`].
unsafe fn uncompress_impl(dest: *mut u8, dest_len: usize, source: *const u8, source_len: usize) -> (c_int, usize, usize) {
    let Some((dst, src)) = (unsafe { buffers(dest, dest_len, source, source_len) }) else {
        return (Z_STREAM_ERROR, 0, 0);
    };
    let mut state = Box::<DecompressorOxide>::default();
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let (status, consumed, written) = decompress(&mut state, src, dst, 0, flags);
    let ret = match status {
        TINFLStatus::Done => Z_OK,
        TINFLStatus::HasMoreOutput => Z_BUF_ERROR,
        _ => Z_DATA_ERROR,
    };
    (ret, written, consumed)
}

/// zlib's `compress`.
///
/// # Safety
/// As zlib's: `dest` holds `*destLen` writable bytes, `source` `sourceLen` readable ones.
pub unsafe fn compress(dest: *mut u8, dest_len: *mut c_ulong, source: *const u8, source_len: c_ulong) -> c_int {
    unsafe { compress2(dest, dest_len, source, source_len, -1) }
}

/// zlib's `compress2`.
///
/// # Safety
/// As [`compress`].
pub unsafe fn compress2(dest: *mut u8, dest_len: *mut c_ulong, source: *const u8, source_len: c_ulong, level: c_int) -> c_int {
    let (ret, n) = unsafe { compress_impl(dest, *dest_len as usize, source, source_len as usize, level) };
    if ret == Z_OK {
        unsafe { *dest_len = n as c_ulong };
    }
    ret
}

/// zlib's `compress_z`.
///
/// # Safety
/// As [`compress`].
pub unsafe fn compress_z(dest: *mut u8, dest_len: *mut usize, source: *const u8, source_len: usize) -> c_int {
    unsafe { compress2_z(dest, dest_len, source, source_len, -1) }
}

/// zlib's `compress2_z`.
///
/// # Safety
/// As [`compress`].
pub unsafe fn compress2_z(dest: *mut u8, dest_len: *mut usize, source: *const u8, source_len: usize, level: c_int) -> c_int {
    let (ret, n) = unsafe { compress_impl(dest, *dest_len, source, source_len, level) };
    if ret == Z_OK {
        unsafe { *dest_len = n };
    }
    ret
}

/// zlib's `uncompress`.
///
/// # Safety
/// As [`compress`].
pub unsafe fn uncompress(dest: *mut u8, dest_len: *mut c_ulong, source: *const u8, source_len: c_ulong) -> c_int {
    let (ret, written, _) = unsafe { uncompress_impl(dest, *dest_len as usize, source, source_len as usize) };
    unsafe { *dest_len = written as c_ulong };
    ret
}

/// zlib's `uncompress2`: also reports the bytes of `source` consumed.
///
/// # Safety
/// As [`compress`]; `source_len` is readable and writable.
pub unsafe fn uncompress2(dest: *mut u8, dest_len: *mut c_ulong, source: *const u8, source_len: *mut c_ulong) -> c_int {
    let (ret, written, consumed) = unsafe { uncompress_impl(dest, *dest_len as usize, source, *source_len as usize) };
    unsafe {
        *dest_len = written as c_ulong;
        *source_len = consumed as c_ulong;
    }
    ret
}

/// zlib's `uncompress_z`.
///
/// # Safety
/// As [`compress`].
pub unsafe fn uncompress_z(dest: *mut u8, dest_len: *mut usize, source: *const u8, source_len: usize) -> c_int {
    let (ret, written, _) = unsafe { uncompress_impl(dest, *dest_len, source, source_len) };
    unsafe { *dest_len = written };
    ret
}

/// zlib's `uncompress2_z`.
///
/// # Safety
/// As [`uncompress2`].
pub unsafe fn uncompress2_z(dest: *mut u8, dest_len: *mut usize, source: *const u8, source_len: *mut usize) -> c_int {
    let (ret, written, consumed) = unsafe { uncompress_impl(dest, *dest_len, source, *source_len) };
    unsafe {
        *dest_len = written;
        *source_len = consumed;
    }
    ret
}

/// The data a zlib stream decodes to, or `None` when it does not decode: the oracle the
/// differential rules compare compressed outputs by (two compressors need not agree on bytes,
/// only on what the bytes decode to).
pub fn decoded(stream: &[u8]) -> Option<Vec<u8>> {
    miniz_oxide::inflate::decompress_to_vec_zlib(stream).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_zlib_statuses() {
        let data = b"hello hello hello hello, miniz".repeat(20);
        let mut packed = vec![0u8; 1024];
        let mut n = packed.len() as c_ulong;
        assert_eq!(unsafe { compress2(packed.as_mut_ptr(), &mut n, data.as_ptr(), data.len() as c_ulong, 9) }, Z_OK);
        packed.truncate(n as usize);
        assert_eq!(decoded(&packed).as_deref(), Some(&data[..]));

        let mut out = vec![0u8; data.len()];
        let mut out_len = out.len() as c_ulong;
        let mut src_len = packed.len() as c_ulong + 3;
        let mut trailing = packed.clone();
        trailing.extend_from_slice(b"xyz");
        let ret = unsafe { uncompress2(out.as_mut_ptr(), &mut out_len, trailing.as_ptr(), &mut src_len) };
        assert_eq!((ret, out_len as usize, src_len as usize), (Z_OK, data.len(), packed.len()), "trailing bytes are not consumed");
        assert_eq!(out, data);

        let mut small = [0u8; 8];
        let mut small_len = small.len() as c_ulong;
        assert_eq!(unsafe { uncompress(small.as_mut_ptr(), &mut small_len, packed.as_ptr(), packed.len() as c_ulong) }, Z_BUF_ERROR);
        let mut tiny = [0u8; 4];
        let mut tiny_len = tiny.len() as c_ulong;
        assert_eq!(unsafe { compress(tiny.as_mut_ptr(), &mut tiny_len, data.as_ptr(), data.len() as c_ulong) }, Z_BUF_ERROR);
        let mut none_len = 16;
        assert_eq!(unsafe { compress_z(std::ptr::null_mut(), &mut none_len, data.as_ptr(), data.len()) }, Z_STREAM_ERROR);
        let mut zero = 0;
        assert_eq!(unsafe { uncompress_z(std::ptr::null_mut(), &mut zero, packed.as_ptr(), packed.len()) }, Z_BUF_ERROR, "output that does not fit an empty buffer");
        let mut bad_len = out.len();
        assert_eq!(unsafe { uncompress_z(out.as_mut_ptr(), &mut bad_len, b"garbage".as_ptr(), 7) }, Z_DATA_ERROR);
    }
}
