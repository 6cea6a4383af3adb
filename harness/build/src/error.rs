//! Errors of the build helper, each saying what to do about it.

use std::fmt;
use std::path::PathBuf;

/// What can go wrong while choosing flags or compiling C.
#[derive(Debug)]
pub enum Error {
    /// The Rust flags or `SEAM_SANITIZER` name a sanitizer seam cannot mirror in C.
    UnknownSanitizer {
        /// The name as given.
        name: String,
        /// Where it came from (`SEAM_SANITIZER`, `CARGO_ENCODED_RUSTFLAGS`, ...).
        source: &'static str,
    },
    /// A `SEAM_*` switch has a value that is not one of its choices.
    BadSwitch {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
    /// No clang to compile instrumented C with.
    NoClang {
        /// The places that were tried.
        tried: Vec<String>,
    },
    /// The C compiler failed.
    Compile {
        /// Library being built.
        library: String,
        /// Its source files.
        files: Vec<PathBuf>,
        /// The compiler driver's message (the compiler output precedes it in the build log).
        message: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnknownSanitizer { name, source } => write!(
                f,
                "unknown sanitizer `{name}` (from {source}); seam instruments C for: {}. \
                 Use one of those (cargo fuzz --sanitizer <name>), or set SEAM_SANITIZER=none \
                 to build the C with coverage only",
                crate::flags::Sanitizer::NAMES.join(", ")
            ),
            Error::BadSwitch { var, value, expected } => {
                write!(f, "{var}={value:?} is not understood; expected {expected}")
            }
            Error::NoClang { tried } => write!(
                f,
                "no clang found to compile instrumented C (tried: {}). Install it with \
                 `scripts/setup.sh` (Debian: apt-get install clang-19 libclang-rt-19-dev), or \
                 point SEAM_CLANG at a clang binary",
                tried.join(", ")
            ),
            Error::Compile { library, files, message } => {
                let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
                write!(
                    f,
                    "compiling C library `{library}` ({}) failed: {message}. The compiler's \
                     diagnostics above name the file and line to fix",
                    names.join(", ")
                )
            }
        }
    }
}

impl std::error::Error for Error {}
