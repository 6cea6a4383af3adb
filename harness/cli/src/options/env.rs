//! `seam env`: the exports that instrument the C inside third-party `-sys` crates.

use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::Args;
use seam_build::{Instrumentation, Sanitizer};

use crate::cc_wrapper::EXPECT_VAR;
use crate::options::SanitizerArg;

/// Print shell exports that make cc-based `-sys` crates compile their C with the same sanitizer
/// and libFuzzer coverage as the Rust side: `eval "$(seam env)"`, then `cargo fuzz build`.
#[derive(Args, Debug)]
pub struct Env {
    /// The sanitizer the fuzz build will use (as given to `cargo fuzz build --sanitizer`).
    #[arg(long, short, value_enum, default_value = "address")]
    pub sanitizer: SanitizerArg,
}

impl Env {
    /// Prints the exports.
    pub fn run(&self) -> anyhow::Result<()> {
        let here = std::env::current_exe().context("locating the seam binary")?;
        let dir = here.parent().context("the seam binary has no parent directory")?;
        print!("{}", exports(dir, self.sanitizer.into())?);
        Ok(())
    }
}

/// The export lines for the wrappers found in `bin_dir`.
pub fn exports(bin_dir: &Path, sanitizer: Sanitizer) -> anyhow::Result<String> {
    let wrapper = |name: &str| -> anyhow::Result<PathBuf> {
        let p = bin_dir.join(name);
        anyhow::ensure!(
            p.is_file(),
            "{} is missing: build it with `cargo build --release -p seam` (it ships next to seam)",
            p.display()
        );
        Ok(p)
    };
    let cc = wrapper("seam-cc")?;
    let cxx = wrapper("seam-cxx")?;
    let flags = Instrumentation::fuzzing(sanitizer).c_flags();
    Ok(format!(
        "# C and C++ of cc-based -sys crates get, in fuzz-target builds only:\n\
         #   {flags}\n\
         # (host builds such as build scripts are left alone, see seam-cc)\n\
         export CC={cc}\n\
         export CXX={cxx}\n\
         export {EXPECT_VAR}={name}\n",
        flags = flags.join(" "),
        cc = cc.display(),
        cxx = cxx.display(),
        name = sanitizer.name(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exports_point_at_the_wrappers_and_name_the_sanitizer() {
        let dir = tempfile::tempdir().unwrap();
        for n in ["seam-cc", "seam-cxx"] {
            std::fs::write(dir.path().join(n), "").unwrap();
        }
        let out = exports(dir.path(), Sanitizer::Memory).unwrap();
        assert!(out.contains(&format!("export CC={}/seam-cc\n", dir.path().display())));
        assert!(out.contains(&format!("export CXX={}/seam-cxx\n", dir.path().display())));
        assert!(out.contains("export SEAM_ENV_SANITIZER=memory\n"));
        assert!(out.contains("-fsanitize-memory-track-origins"));
    }

    #[test]
    fn a_missing_wrapper_says_how_to_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = exports(dir.path(), Sanitizer::Address).unwrap_err().to_string();
        assert!(err.contains("seam-cc") && err.contains("cargo build"), "{err}");
    }
}
