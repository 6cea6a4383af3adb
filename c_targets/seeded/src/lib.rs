//! Rust bindings of the seeded C library, seam's test fixture.
//!
//! [`generated`] is written by `seam gen` from `seam.toml`: recording wrappers of the C API
//! ([`ffi`]), the op enum the fuzz targets decode, and a differential twin against
//! [`reference`], a Rust reimplementation of part of the API. [`store`] and [`ops`] are a
//! hand-written harness of the cursor and hand-off part of the API, reading the generated
//! `seeded_handoff` target's input format: the baseline that target is benchmarked against. The seeded bugs, their triggers and their switches are listed in this crate's
//! README.

pub mod ffi;
pub mod generated;
pub mod ops;
pub mod reference;
pub mod store;

pub use store::{CBuf, Store};
