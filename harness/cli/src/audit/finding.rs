//! The findings model: what kind of disagreement, where, and how bad.

use std::path::Path;

use serde::Serialize;

/// The kind of disagreement between a Rust declaration and the C header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum FindingKind {
    /// A Rust `extern` function that the header does not declare.
    MissingInC,
    /// A function the header declares and the Rust file does not (informational).
    MissingInRust,
    /// Different parameter counts, or variadic on one side only.
    Arity,
    /// A parameter whose type differs.
    ParamType,
    /// A return type that differs.
    ReturnType,
    /// A pointer that is `const` on one side and mutable on the other.
    PointerConstness,
    /// A struct whose size differs.
    StructSize,
    /// A struct whose alignment differs.
    StructAlign,
    /// A field at a different offset.
    FieldOffset,
    /// A field whose type differs.
    FieldType,
    /// A field present on one side only.
    FieldMissing,
}

impl FindingKind {
    /// Every kind, in report order.
    pub const ALL: [FindingKind; 11] = [
        FindingKind::MissingInC,
        FindingKind::MissingInRust,
        FindingKind::Arity,
        FindingKind::ParamType,
        FindingKind::ReturnType,
        FindingKind::PointerConstness,
        FindingKind::StructSize,
        FindingKind::StructAlign,
        FindingKind::FieldOffset,
        FindingKind::FieldType,
        FindingKind::FieldMissing,
    ];

    /// The kind's name as it appears in every output (`"StructSize"`).
    pub fn name(self) -> &'static str {
        match self {
            FindingKind::MissingInC => "MissingInC",
            FindingKind::MissingInRust => "MissingInRust",
            FindingKind::Arity => "Arity",
            FindingKind::ParamType => "ParamType",
            FindingKind::ReturnType => "ReturnType",
            FindingKind::PointerConstness => "PointerConstness",
            FindingKind::StructSize => "StructSize",
            FindingKind::StructAlign => "StructAlign",
            FindingKind::FieldOffset => "FieldOffset",
            FindingKind::FieldType => "FieldType",
            FindingKind::FieldMissing => "FieldMissing",
        }
    }

    /// One sentence on what the kind means.
    pub fn description(self) -> &'static str {
        match self {
            FindingKind::MissingInC => "A Rust extern function that the C header does not declare: the symbol may not exist, or has another name.",
            FindingKind::MissingInRust => "A function the C header declares that the Rust bindings do not.",
            FindingKind::Arity => "The Rust declaration passes a different number of arguments than C expects.",
            FindingKind::ParamType => "A parameter type differs between the Rust declaration and C: values are truncated, sign-extended or reinterpreted.",
            FindingKind::ReturnType => "The return type differs between the Rust declaration and C.",
            FindingKind::PointerConstness => "A pointer is const on one side and mutable on the other.",
            FindingKind::StructSize => "A #[repr(C)] struct has a different size in Rust and in C: C reads or writes past the Rust object.",
            FindingKind::StructAlign => "A #[repr(C)] struct has a different alignment in Rust and in C.",
            FindingKind::FieldOffset => "A struct field sits at a different offset in Rust and in C.",
            FindingKind::FieldType => "A struct field has a different type in Rust and in C.",
            FindingKind::FieldMissing => "A struct field exists on one side only.",
        }
    }

    /// GitHub's `security-severity` (0.0-10.0): layout and size disagreements corrupt memory;
    /// constness is low.
    pub fn security_severity(self) -> &'static str {
        match self {
            FindingKind::StructSize | FindingKind::FieldOffset | FindingKind::FieldMissing => "8.1",
            FindingKind::Arity => "7.5",
            FindingKind::StructAlign | FindingKind::FieldType => "7.0",
            FindingKind::ParamType | FindingKind::ReturnType => "6.5",
            FindingKind::MissingInC => "5.0",
            FindingKind::PointerConstness => "3.0",
            FindingKind::MissingInRust => "1.0",
        }
    }
}

/// How bad a finding is. Orders from worst to mildest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A real disagreement that breaks calls or memory: the audit fails.
    Error,
    /// Suspicious, ABI-compatible, or worth a look.
    Warning,
    /// Informational, or something the audit could not check.
    Note,
}

impl Severity {
    /// The word used in every output (`"error"`), which is also SARIF's `level`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

/// A place in a source file. Lines and columns count from 1.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as given on the command line (or as clang named an included file).
    pub file: String,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
}

impl Location {
    /// A location in `file` at `line` and, if known, `column`.
    pub fn new(file: &Path, line: usize, column: Option<usize>) -> Self {
        Location { file: file.display().to_string(), line, column }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(c) = self.column {
            write!(f, ":{c}")?;
        }
        Ok(())
    }
}

/// One disagreement between the Rust declarations and the C header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditFinding {
    /// What kind of disagreement.
    pub kind: FindingKind,
    /// The function or struct it concerns.
    pub item: String,
    /// The parameter, field or return value within the item (`"param 2 len"`, `"field
    /// checksum"`, `"return"`), when the finding is about one; part of the fingerprint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// What differs, for a person.
    pub detail: String,
    /// How bad it is.
    pub severity: Severity,
    /// Where the Rust side declares it.
    pub rust_location: Option<Location>,
    /// Where the header declares it (found by searching the header's text).
    pub c_location: Option<Location>,
}

impl AuditFinding {
    /// A finding without locations; see [`AuditFinding::at`].
    pub fn new(kind: FindingKind, severity: Severity, item: &str, subject: Option<String>, detail: String) -> Self {
        AuditFinding { kind, item: item.to_string(), subject, detail, severity, rust_location: None, c_location: None }
    }

    /// Sets both locations.
    pub fn at(mut self, rust: Option<Location>, c: Option<Location>) -> Self {
        self.rust_location = rust;
        self.c_location = c;
        self
    }

    /// A fingerprint that survives moving the declaration around: FNV-1a over kind, item and
    /// subject, as 16 hex digits.
    pub fn fingerprint(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        let key = format!("{}\0{}\0{}", self.kind.name(), self.item, self.subject.as_deref().unwrap_or(""));
        for b in key.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}
