//! The audit's result, and the files it is written to: `audit.json`, `audit.md`, `audit.sarif`.
//!
//! # `audit.json`, schema `seam-audit/1`
//!
//! ```text
//! {
//!   "schema": "seam-audit/1",
//!   "tool": { "name": "seam", "version": "0.1.0" },
//!   "inputs": {
//!     "header": "c_targets/seeded/csrc/seeded.h",   // as given
//!     "rust": "c_targets/seeded/src/ffi.rs",
//!     "includes": ["..."], "defines": ["NAME=VAL"], "cfgs": ["feature=\"libc\""]
//!   },
//!   "summary": {
//!     "errors": 2, "warnings": 0, "notes": 1,
//!     "functions_compared": 18,   // Rust extern functions the header also declares
//!     "structs_compared": 1       // #[repr(C)] structs whose layouts were compared
//!   },
//!   "findings": [{
//!     "kind": "StructSize",       // MissingInC | MissingInRust | Arity | ParamType | ReturnType
//!                                 // | PointerConstness | StructSize | StructAlign | FieldOffset
//!                                 // | FieldType | FieldMissing
//!     "item": "seeded_header",    // function or struct name
//!     "subject": "field checksum",// optional: "param N name", "return", "field NAME"
//!     "detail": "C's `struct seeded_header` is 24 bytes, the Rust struct 16 bytes",
//!     "severity": "error",        // error | warning | note
//!     "fingerprint": "…16 hex…",  // stable across line moves: kind + item + subject
//!     "rust_location": { "file": "...", "line": 17, "column": 12 },   // or null
//!     "c_location": { "file": "...", "line": 29 }                     // or null
//!   }]
//! }
//! ```
//!
//! Findings are ordered errors first, then warnings, then notes; within a severity, in the
//! order the audit met them (functions in Rust declaration order, then structs). Fields are only
//! ever added within `seam-audit/1`.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use super::finding::{AuditFinding, Severity};
use super::{markdown, sarif};

/// The schema name written into `audit.json`.
pub const SCHEMA: &str = "seam-audit/1";

/// The tool that wrote the report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// `"seam"`.
    pub name: &'static str,
    /// The crate version.
    pub version: &'static str,
}

/// What was audited, as given on the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Inputs {
    /// The C header.
    pub header: String,
    /// The Rust file.
    pub rust: String,
    /// `--include` directories.
    pub includes: Vec<String>,
    /// `--define`s.
    pub defines: Vec<String>,
    /// `--cfg`s.
    pub cfgs: Vec<String>,
}

/// Counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Note findings.
    pub notes: usize,
    /// Rust extern functions the header also declares.
    pub functions_compared: usize,
    /// Structs whose layouts were compared.
    pub structs_compared: usize,
}

/// A finding with its fingerprint, as serialised.
#[derive(Serialize)]
struct FindingOut<'a> {
    #[serde(flatten)]
    finding: &'a AuditFinding,
    fingerprint: String,
}

/// The whole result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// What was audited.
    pub inputs: Inputs,
    /// Counts.
    pub summary: Summary,
    /// The findings, worst first.
    pub findings: Vec<AuditFinding>,
}

impl AuditReport {
    /// A report over `findings` (sorted here, worst first), counting them.
    pub fn new(inputs: Inputs, mut findings: Vec<AuditFinding>, functions_compared: usize, structs_compared: usize) -> Self {
        findings.sort_by_key(|f| f.severity);
        let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
        let summary = Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            notes: count(Severity::Note),
            functions_compared,
            structs_compared,
        };
        AuditReport { inputs, summary, findings }
    }

    /// Whether any finding is an error (the audit fails).
    pub fn has_errors(&self) -> bool {
        self.summary.errors > 0
    }

    /// The `seam-audit/1` JSON document.
    pub fn to_json(&self) -> serde_json::Value {
        let findings: Vec<FindingOut> = self.findings.iter().map(|f| FindingOut { finding: f, fingerprint: f.fingerprint() }).collect();
        serde_json::json!({
            "schema": SCHEMA,
            "tool": Tool { name: "seam", version: env!("CARGO_PKG_VERSION") },
            "inputs": self.inputs,
            "summary": self.summary,
            "findings": findings,
        })
    }

    /// Writes `audit.json`, `audit.md` and `audit.sarif` into `dir` (created if needed).
    pub fn write(&self, dir: &Path) -> anyhow::Result<()> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        let write = |name: &str, text: String| {
            let p = dir.join(name);
            std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))
        };
        write("audit.json", serde_json::to_string_pretty(&self.to_json())? + "\n")?;
        write("audit.md", markdown::render(self))?;
        write("audit.sarif", serde_json::to_string_pretty(&sarif::render(self))? + "\n")?;
        Ok(())
    }
}
