//! One model for every crash report seam reads: sanitizer reports, libFuzzer deaths and Rust
//! panics all parse into a [`Report`]; the boundary block parses into a
//! [`crate::boundary::Boundary`].

use serde::{Deserialize, Serialize};

/// One stack frame, symbolised or not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Frame {
    /// Frame number as printed (`#3`).
    pub index: usize,
    /// Program counter, when printed.
    pub address: Option<u64>,
    /// Function name, demangled (Rust legacy and v0 manglings, C++).
    pub function: Option<String>,
    /// Source file.
    pub file: Option<String>,
    /// Source line.
    pub line: Option<u32>,
    /// Source column.
    pub column: Option<u32>,
    /// Binary or library, for unsymbolised frames (`(libc.so.6+0x29d90)`).
    pub module: Option<String>,
}

/// The tool that wrote a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tool {
    /// AddressSanitizer.
    AddressSanitizer,
    /// LeakSanitizer (standalone or inside ASan).
    LeakSanitizer,
    /// MemorySanitizer.
    MemorySanitizer,
    /// UndefinedBehaviorSanitizer.
    UndefinedBehaviorSanitizer,
    /// ThreadSanitizer.
    ThreadSanitizer,
    /// HWAddressSanitizer.
    HwAddressSanitizer,
    /// libFuzzer's own deaths: timeout, out-of-memory, deadly signal, ...
    LibFuzzer,
    /// A Rust panic.
    RustPanic,
    /// seam's differential runtime reporting a divergence.
    Divergence,
    /// Anything else (an assert, a CHECK, a plain signal).
    Other,
}

/// The faulting memory access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// True for a write.
    pub write: bool,
    /// Bytes accessed.
    pub size: u64,
}

/// One leaked allocation group (LeakSanitizer).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Leak {
    /// Bytes leaked.
    pub bytes: u64,
    /// Allocations leaked.
    pub objects: u64,
    /// Direct (true) or indirect leak.
    pub direct: bool,
    /// Where it was allocated.
    pub stack: Vec<Frame>,
}

/// A parsed crash report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Who reported it.
    pub tool: Tool,
    /// The tool's own name for the error (`heap-buffer-overflow`, `SEGV`,
    /// `signed-integer-overflow`, `use-of-uninitialized-value`, `timeout`, `panic`, ...).
    pub kind: String,
    /// The faulting access, where the tool says.
    pub access: Option<Access>,
    /// The faulting address, where the tool says.
    pub address: Option<u64>,
    /// The message: panic text, UBSan diagnostic, assertion text.
    pub message: Option<String>,
    /// The crashing stack, innermost frame first.
    pub stack: Vec<Frame>,
    /// Where the memory was allocated (ASan), or the origin (MSan).
    pub alloc_stack: Vec<Frame>,
    /// Where the memory was freed (ASan use-after-free, double free).
    pub free_stack: Vec<Frame>,
    /// Leaks (LeakSanitizer).
    pub leaks: Vec<Leak>,
    /// The `SUMMARY:` line, where present.
    pub summary: Option<String>,
    /// What could not be parsed: truncated, garbled or interleaved input.
    pub warnings: Vec<String>,
}

impl Report {
    /// An empty report of a tool and kind.
    pub fn new(tool: Tool, kind: impl Into<String>) -> Self {
        Report {
            tool,
            kind: kind.into(),
            access: None,
            address: None,
            message: None,
            stack: Vec::new(),
            alloc_stack: Vec::new(),
            free_stack: Vec::new(),
            leaks: Vec::new(),
            summary: None,
            warnings: Vec::new(),
        }
    }
}
