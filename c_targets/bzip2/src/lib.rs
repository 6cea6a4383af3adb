//! bzip2, onboarded with a contract only, against its Rust port: `seam.toml` describes
//! bzlib.h's in-memory API (streams and the one-shot buffer functions) and `seam gen` writes
//! [`generated`] (bindgen declarations of the bundled bzlib.h, recording wrappers, the op enum,
//! the second side driving `libbz2_rs_sys`) and the fuzz targets `fuzz/fuzz_targets/bzip2_*.rs`.

pub mod generated;
