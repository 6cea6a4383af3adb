//! zlib, onboarded with a contract only: `seam.toml` describes zlib.h's API and `seam gen`
//! writes [`generated`] (bindgen declarations of the bundled zlib.h, recording wrappers, the op
//! enum) and the fuzz targets `fuzz/fuzz_targets/zlib_*.rs`. The C library is libz-sys's
//! static build of its bundled sources, instrumented through `seam env`. [`miniz`] is zlib's
//! one-shot API over `miniz_oxide`, the second side of the `zlib_diff_miniz_*` targets.

pub mod generated;
pub mod miniz;
