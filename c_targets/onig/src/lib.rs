//! Oniguruma, onboarded with a contract only: `seam.toml` describes the regex API (compile with
//! fuzz-chosen syntax, options and encoding; search and match over fuzz-chosen subjects;
//! regions; names; free) and `seam gen` writes [`generated`] and the fuzz targets
//! `fuzz/fuzz_targets/onig_*.rs`. [`callbacks`] holds the Rust functions the contract names.

pub mod callbacks;
pub mod generated;
