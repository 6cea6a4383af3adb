//! seam's runtime, linked into every fuzz target.
//!
//! It is deliberately small (its one dependency is `arbitrary`): it lives inside the fuzz
//! binary, next to libFuzzer and the sanitizer runtimes. See [`recorder`] for the boundary
//! recorder and the format of the block it prints when the process dies, [`input`] for the
//! decoding helpers generated harnesses share, [`run`] for the loop they run, [`output`] for where calls' results go and [`callbacks`] for the Rust functions
//! contracts hand to C.

pub mod block;
pub mod callbacks;
pub mod diverge;
pub mod handle;
mod hooks;
pub mod input;
pub mod output;
pub mod recorder;
pub mod run;

pub use recorder::{begin_input, enter, next_handle, set_op, Arg, Call, Value};
