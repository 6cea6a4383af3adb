//! `seam audit`: checks hand-written Rust FFI declarations against a C header as the C compiler
//! sees it, for the bug class "the Rust declaration disagrees with C".
//!
//! - The C side is bindgen's rendering of the header ([`c_side`]); the Rust side is the `-sys`
//!   crate's FFI module ([`rust_side`]); both are read into [`decls::Decls`] by syn.
//! - Types are normalised to what x86_64 Linux C sees ([`types`]) and compared per function:
//!   presence, arity, parameter and return types, pointer constness ([`compare`]).
//! - `#[repr(C)]` structs the header also defines are laid out on the Rust side with the
//!   repr(C) algorithm ([`layout`]) and on the C side by compiling and running a probe with clang
//!   ([`probe`]); sizes, alignments, field offsets and types are compared.
//! - The findings ([`finding`]) are written as JSON, Markdown and SARIF ([`report`]).

pub mod c_side;
pub mod cfg;
pub mod compare;
pub mod decls;
pub mod finding;
pub mod layout;
pub mod locate;
pub mod markdown;
pub mod probe;
pub mod report;
pub mod rust_side;
pub mod sarif;
pub mod types;

use std::path::PathBuf;

use anyhow::Context;

use self::cfg::CfgSet;
use self::compare::{probe_requests, Sides};
use self::locate::CSource;
use self::probe::Probe;
use self::report::{AuditReport, Inputs};
use self::types::Resolver;

/// What to audit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditInput {
    /// The C header.
    pub header: PathBuf,
    /// Include directories for the header (`-I`).
    pub includes: Vec<PathBuf>,
    /// Macro definitions for the header (`NAME` or `NAME=VALUE`, as `-D`).
    pub defines: Vec<String>,
    /// The Rust file with the `extern "C"` blocks and `#[repr(C)]` structs.
    pub rust: PathBuf,
    /// Extra `#[cfg]` options active for the Rust file (`NAME` or `NAME="VALUE"`).
    pub cfgs: Vec<String>,
}

/// Runs the audit. Errors are about the inputs (a missing file, a header clang rejects, a Rust
/// file syn rejects) or the tools (no libclang, no clang); disagreements are findings.
pub fn audit(input: &AuditInput) -> anyhow::Result<AuditReport> {
    let rust = rust_side::read(&input.rust, &CfgSet::new(&input.cfgs))?;
    let c = c_side::read(&input.header, &input.includes, &input.defines)?;
    let c_src = CSource::load(&c.files);
    let c_types = Resolver::new(&c.decls, None);
    let rust_types = Resolver::new(&rust, Some(&c_types));
    let sides = Sides {
        rust: &rust,
        rust_file: &input.rust,
        rust_types: &rust_types,
        c: &c.decls,
        c_types: &c_types,
        c_src: &c_src,
        header: &input.header,
    };
    let (mut findings, functions) = sides.functions();
    let (pairs, notes) = sides.record_pairs();
    findings.extend(notes);
    let requests = probe_requests(&pairs);
    let probed = if requests.is_empty() {
        probe::ProbeOutcome::default()
    } else {
        let clang = seam_build::compiler::find_clang(&|k| std::env::var(k).ok())
            .map_err(|e| anyhow::anyhow!("{e}"))
            .context("the struct layout probe needs clang")?;
        Probe { clang: &clang, header: &c.header, args: &c.clang_args }.run(&requests)?
    };
    let (record_findings, structs) = sides.records(&pairs, &probed);
    findings.extend(record_findings);
    let shown = |p: &PathBuf| p.display().to_string();
    let inputs = Inputs {
        header: shown(&input.header),
        rust: shown(&input.rust),
        includes: input.includes.iter().map(shown).collect(),
        defines: input.defines.clone(),
        cfgs: input.cfgs.clone(),
    };
    Ok(AuditReport::new(inputs, findings, functions, structs))
}
