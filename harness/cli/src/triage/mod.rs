//! Triage: the analysis of `seam-triage` (re-exported here), plus what needs the machine:
//! collecting crash files, replaying them, minimising reproducers, writing the reports.

pub use seam_triage::{
    assertion, attribute, boundary, bugs, classify, crash, dedup, frames, libfuzzer, model, other, panic, parse,
    report, sanitizer, ubsan,
};

pub mod collect;
pub mod render;
pub mod replay;
pub mod reproduce;
pub mod run;
