//! seam's runtime, linked into every fuzz target.
//!
//! It is deliberately small and dependency-free: it lives inside the fuzz binary, next to
//! libFuzzer and the sanitizer runtimes. See [`recorder`] for the boundary recorder and the
//! format of the block it prints when the process dies.

pub mod block;
mod hooks;
pub mod recorder;

pub use recorder::{begin_input, enter, next_handle, set_op, Arg, Call, Value};
