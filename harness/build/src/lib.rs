//! Compile C for a fuzz target with the instrumentation the Rust side is built with.
//!
//! Plain `cargo fuzz` instruments only Rust: C compiled by an ordinary `cc` build script gets at
//! most AddressSanitizer, and no libFuzzer coverage, so the fuzzer is blind inside C. Use
//! [`Build`] in a build script instead of `cc::Build`:
//!
//! ```no_run
//! seam_build::Build::new()
//!     .file("csrc/mylib.c")
//!     .include("csrc")
//!     .compile("mylib");
//! ```
//!
//! Under `cargo fuzz build` (the Rust flags carry `-Zsanitizer=...` and `--cfg fuzzing`) the C is
//! compiled by clang with the matching sanitizer, UndefinedBehaviorSanitizer next to
//! AddressSanitizer, and `-fsanitize=fuzzer-no-link` (edge counters, PC table, comparison
//! tracing). Under a plain `cargo build` or `cargo test` it is compiled as `cc` would. See
//! [`flags`] for the exact choice and the `SEAM_*` variables that override it.

pub mod compiler;
pub mod error;
pub mod flags;

use std::path::{Path, PathBuf};

pub use error::Error;
pub use flags::{Instrumentation, Sanitizer};

/// A C library build, instrumented to match the Rust side. Mirrors the parts of `cc::Build`
/// that C targets use.
#[derive(Debug, Default)]
pub struct Build {
    files: Vec<PathBuf>,
    includes: Vec<PathBuf>,
    defines: Vec<(String, Option<String>)>,
    flags: Vec<String>,
}

impl Build {
    /// An empty build.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a C source file.
    pub fn file(&mut self, path: impl AsRef<Path>) -> &mut Self {
        self.files.push(path.as_ref().to_path_buf());
        self
    }

    /// Adds an include directory.
    pub fn include(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.includes.push(dir.as_ref().to_path_buf());
        self
    }

    /// Defines a preprocessor macro (`-DNAME` or `-DNAME=VALUE`).
    pub fn define(&mut self, name: &str, value: Option<&str>) -> &mut Self {
        self.defines.push((name.to_string(), value.map(str::to_string)));
        self
    }

    /// Adds a compiler flag used in every build, instrumented or not.
    pub fn flag(&mut self, flag: &str) -> &mut Self {
        self.flags.push(flag.to_string());
        self
    }

    /// Compiles and links the library into the crate, or prints what went wrong and what to
    /// do, and ends the build script with exit status 1.
    pub fn compile(&self, name: &str) {
        if let Err(e) = self.try_compile(name) {
            eprintln!("error: seam-build: {e}");
            println!("cargo:warning=seam-build: {e}");
            std::process::exit(1);
        }
    }

    /// Compiles and links the library into the crate.
    pub fn try_compile(&self, name: &str) -> Result<(), Error> {
        for var in flags::ENV_VARS.iter().chain(compiler::ENV_VARS) {
            println!("cargo:rerun-if-env-changed={var}");
        }
        for f in &self.files {
            println!("cargo:rerun-if-changed={}", f.display());
        }
        for dir in &self.includes {
            println!("cargo:rerun-if-changed={}", dir.display());
        }
        let env = |k: &str| std::env::var(k).ok();
        let inst = Instrumentation::from_env(&env)?;
        let mut cc = self.cc_build();
        if inst.is_instrumented() {
            let clang = compiler::find_clang(&env)?;
            cc.compiler(&clang).opt_level(1).debug(true);
            for f in inst.target_flags(compiler::Lang::C, &env) {
                cc.flag(&f);
            }
            println!("cargo:warning=seam-build: {name}: C instrumented ({})", inst.describe());
        }
        cc.try_compile(name).map_err(|e| Error::Compile {
            library: name.to_string(),
            files: self.files.clone(),
            message: e.to_string(),
        })
    }

    fn cc_build(&self) -> cc::Build {
        let mut cc = cc::Build::new();
        cc.files(&self.files).includes(&self.includes).warnings(true);
        for (k, v) in &self.defines {
            cc.define(k, v.as_deref());
        }
        for f in &self.flags {
            cc.flag(f);
        }
        cc
    }
}
