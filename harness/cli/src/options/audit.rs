//! `seam audit`: check Rust FFI declarations against the C header.

use std::path::PathBuf;

use clap::Args;

use crate::audit::{audit, AuditInput};

/// Check the `extern "C"` functions and `#[repr(C)]` structs of a Rust file against a C header
/// as clang sees it (arity, integer widths and signedness, pointer constness, return types,
/// struct size, alignment and field offsets). Writes audit.{json,md,sarif} and prints the
/// Markdown. Exit status: 0 without error findings, 1 with, 2 when the inputs cannot be read.
#[derive(Args, Debug)]
pub struct Audit {
    /// The C header.
    #[arg(long)]
    pub header: PathBuf,
    /// Include directory for the header (repeatable).
    #[arg(long = "include", short = 'I')]
    pub includes: Vec<PathBuf>,
    /// Macro for the header, `NAME` or `NAME=VALUE` (repeatable).
    #[arg(long = "define", short = 'D')]
    pub defines: Vec<String>,
    /// The Rust file with the `extern "C"` blocks and `#[repr(C)]` structs.
    #[arg(long)]
    pub rust: PathBuf,
    /// `#[cfg]` option active in the Rust file, as for rustc: `NAME` or `NAME="VALUE"`, e.g.
    /// `--cfg 'feature="libc"'` (repeatable; x86_64 Linux target options are always on).
    #[arg(long = "cfg")]
    pub cfgs: Vec<String>,
    /// Where audit.json, audit.md and audit.sarif go.
    #[arg(long, default_value = "audit")]
    pub out: PathBuf,
}

impl Audit {
    /// Runs the audit, writes the reports and prints the Markdown. Returns the exit status: 1
    /// when there are error findings, else 0.
    pub fn run(&self) -> anyhow::Result<i32> {
        let input = AuditInput {
            header: self.header.clone(),
            includes: self.includes.clone(),
            defines: self.defines.clone(),
            rust: self.rust.clone(),
            cfgs: self.cfgs.clone(),
        };
        let report = audit(&input)?;
        report.write(&self.out)?;
        print!("{}", crate::audit::markdown::render(&report));
        println!("\nReports: {}/audit.{{json,md,sarif}}", self.out.display());
        Ok(if report.has_errors() { 1 } else { 0 })
    }

    /// [`Audit::run`] as a process exit status: 0 clean, 1 error findings, 2 when the audit
    /// could not run (the reason goes to stderr).
    pub fn exit_status(&self) -> i32 {
        match self.run() {
            Ok(code) => code,
            Err(e) => {
                eprintln!("seam: error: {e:#}");
                2
            }
        }
    }
}
