#![no_main]
//! zlib (libz-sys, bundled and static) inflating arbitrary bytes in one call: the hand-written
//! single-call baseline the generated zlib targets are measured against (scripts/bench). Its C is instrumented only
//! when built with the exports of `seam env`; without them libFuzzer sees no zlib code.
use libfuzzer_sys::fuzz_target;
use libz_sys as z;
use seam_runtime::{enter, Arg};

fuzz_target!(|data: &[u8]| {
    seam_runtime::begin_input();
    let mut out = [0u8; 4096];
    let mut out_len = out.len() as z::uLongf;
    let call = enter("uncompress", &[Arg::unsigned("sourceLen", data.len() as u64)]);
    // SAFETY: out/out_len describe a writable buffer; data is readable for its length.
    let r = unsafe { z::uncompress(out.as_mut_ptr(), &mut out_len, data.as_ptr(), data.len() as z::uLong) };
    call.returned(r.into());
});
