//! seam: generate, instrument, run and triage fuzz harnesses for the boundary between Rust
//! and C. The `seam` binary is a thin front over these modules.

pub mod audit;
pub mod campaign;
pub mod cc_wrapper;
pub mod contract;
pub mod corpus;
pub mod coverage;
pub mod dictionary;
pub mod gen;
pub mod init;
pub mod options;
pub mod oss_fuzz;
pub mod package;
pub mod sarif;
pub mod triage;
