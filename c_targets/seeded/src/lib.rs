//! Rust bindings of the seeded C library, seam's test fixture.
//!
//! [`ffi`] declares the C API, [`store`] wraps it in safe types that record every call with the
//! boundary recorder, and [`ops`] runs `arbitrary`-driven operation sequences over live
//! handles: the fuzz targets in `fuzz/` are thin calls into it. The seeded bugs, their triggers
//! and their switches are listed in this crate's README.

pub mod ffi;
pub mod ops;
pub mod store;

pub use store::{CBuf, Header, Store};
pub mod generated;
