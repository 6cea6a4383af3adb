//! Differences between zlib and zlib-rs that the differential targets found and that are
//! zlib-rs defects, not design choices: each test states the behaviour as found, so it fails
//! (and the contract's narrowed tolerance can go) once zlib-rs behaves like zlib. The fuzz
//! inputs that found them are in `findings/`.

use std::os::raw::c_ulong;

/// A zlib stream holding `data`, made by zlib.
fn stream_of(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; 64];
    let mut len = out.len() as c_ulong;
    let ret = unsafe { libz_sys::compress(out.as_mut_ptr(), &mut len, data.as_ptr(), data.len() as c_ulong) };
    assert_eq!(ret, libz_sys::Z_OK);
    out.truncate(len as usize);
    out
}

/// `uncompress` into a destination of length 0 of a stream that holds data: zlib 1.3.2 says
/// the output does not fit (`Z_BUF_ERROR`); zlib-rs decompresses into a byte of its own and
/// reports success with `*destLen == 0`, the data lost. Found by `zlib_diff_oneshot`
/// (findings/zlib_diff_oneshot-uncompress-empty-destination: compress one byte, then
/// uncompress it with destLen 0).
#[test]
fn zlib_rs_reports_success_for_data_that_does_not_fit_an_empty_destination() {
    let stream = stream_of(b"x");
    let mut dest = [0u8; 1];
    let (mut zlib_len, mut rs_len): (c_ulong, c_ulong) = (0, 0);
    let zlib = unsafe { libz_sys::uncompress(dest.as_mut_ptr(), &mut zlib_len, stream.as_ptr(), stream.len() as c_ulong) };
    let rs = unsafe { libz_rs_sys::uncompress(dest.as_mut_ptr(), &mut rs_len, stream.as_ptr(), stream.len() as c_ulong) };
    assert_eq!((zlib, zlib_len), (libz_sys::Z_BUF_ERROR, 0), "zlib: the byte does not fit");
    assert_eq!((rs, rs_len), (libz_rs_sys::Z_OK, 0), "zlib-rs: success, nothing written");
    // With room for the byte both agree.
    let (mut zlib_len, mut rs_len): (c_ulong, c_ulong) = (1, 1);
    let zlib = unsafe { libz_sys::uncompress(dest.as_mut_ptr(), &mut zlib_len, stream.as_ptr(), stream.len() as c_ulong) };
    let rs = unsafe { libz_rs_sys::uncompress(dest.as_mut_ptr(), &mut rs_len, stream.as_ptr(), stream.len() as c_ulong) };
    assert_eq!((zlib, zlib_len, rs, rs_len), (libz_sys::Z_OK, 1, libz_rs_sys::Z_OK, 1));
}
