//! The triage report of one fuzz target: its distinct bugs and the inputs that could not be
//! analysed. Serialised as `report.json` (schema `seam-triage/1`, documented field by field on
//! these types), rendered as `report.md` and `report.sarif`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::bugs::Bug;

/// Schema id written into every `report.json`.
pub const SCHEMA: &str = "seam-triage/1";

/// An input or log that did not yield a bug entry, and why. Never dropped silently.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Problem {
    /// The crashing input.
    pub input: Option<PathBuf>,
    /// The log read.
    pub log: Option<PathBuf>,
    /// What went wrong.
    pub problem: String,
}

/// The report of one target.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TriageReport {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Fuzz target.
    pub target: String,
    /// Crashes read (inputs replayed or logs parsed).
    pub crashes: usize,
    /// Distinct bugs, in order of first appearance.
    pub bugs: Vec<Bug>,
    /// Inputs that could not be analysed.
    pub problems: Vec<Problem>,
}
