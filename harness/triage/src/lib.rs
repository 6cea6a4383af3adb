//! seam's crash analysis, without I/O beyond what a crash names: one report model for every
//! format seam reads ([`model`]), parsers for sanitizer reports, libFuzzer deaths, Rust panics
//! and assertions ([`parse`] and its format modules), seam's boundary block ([`boundary`]),
//! attribution of a crash to the boundary call and side ([`attribute`]), classification in the
//! styles of ClusterFuzz and CASR ([`classify`]), and dedup ([`dedup`], [`crash`], [`bugs`]).
//!
//! Kept free of heavy dependencies so the parsers can be fuzzed (`fuzz/fuzz_targets/triage_parse.rs`).

pub mod assertion;
pub mod attribute;
pub mod boundary;
pub mod bugs;
pub mod classify;
pub mod crash;
pub mod dedup;
pub mod divergence;
pub mod frames;
pub mod libfuzzer;
pub mod model;
pub mod other;
pub mod panic;
pub mod parse;
pub mod report;
pub mod sanitizer;
pub mod ubsan;
