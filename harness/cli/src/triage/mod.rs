//! Triage: parse crash reports, attribute them to the boundary call, classify, dedup.

pub mod boundary;
pub mod model;
