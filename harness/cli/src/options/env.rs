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
    /// Keep the compiler and flags the environment already chose (`CC`, `CXX`, `CFLAGS`,
    /// `CXXFLAGS`, as OSS-Fuzz and ClusterFuzzLite set them) and apply them to fuzz-target C
    /// only, instead of seam's own flags: build scripts and host tools then compile plainly.
    #[arg(long)]
    pub from_env: bool,
}

impl Env {
    /// Prints the exports.
    pub fn run(&self) -> anyhow::Result<()> {
        let here = std::env::current_exe().context("locating the seam binary")?;
        let dir = here.parent().context("the seam binary has no parent directory")?;
        let mut out = exports(dir, self.sanitizer.into())?;
        if self.from_env {
            out.push_str(&handover(&|k| std::env::var(k).ok())?);
        }
        print!("{out}");
        Ok(())
    }
}

/// The exports that hand the environment's compiler and flags to the wrappers: the compilers
/// become `SEAM_CLANG`/`SEAM_CLANGXX`, the flags `SEAM_TARGET_CFLAGS`/`SEAM_TARGET_CXXFLAGS`
/// (applied to fuzz-target compilations only), and `CFLAGS`/`CXXFLAGS` are unset so that host
/// compilations do not get them.
pub fn handover(env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<String> {
    let mut out = String::from("# the environment's compilers and flags, for fuzz-target C only\n");
    for (from, to) in [("CC", "SEAM_CLANG"), ("CXX", "SEAM_CLANGXX")] {
        if let Some(v) = env(from).filter(|v| !v.is_empty()) {
            anyhow::ensure!(
                !v.contains("seam-cc") && !v.contains("seam-cxx"),
                "{from}={v} already points at seam's wrapper: `seam env --from-env` must see the original compiler \
                 (run it once, before any other `seam env` export)"
            );
            out.push_str(&format!("export {to}={}\n", shell_quote(&v)));
        }
    }
    for (from, to) in [("CFLAGS", "SEAM_TARGET_CFLAGS"), ("CXXFLAGS", "SEAM_TARGET_CXXFLAGS")] {
        out.push_str(&format!("export {to}={}\n", shell_quote(&env(from).unwrap_or_default())));
    }
    out.push_str("unset CFLAGS CXXFLAGS\n");
    Ok(out)
}

/// `s` as one shell word.
fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The variables that make cargo compile `-sys` crates' C through the wrappers found in
/// `bin_dir`, for a fuzz build with `sanitizer`.
pub fn wrapper_env(bin_dir: &Path, sanitizer: Sanitizer) -> anyhow::Result<Vec<(&'static str, String)>> {
    let wrapper = |name: &str| -> anyhow::Result<PathBuf> {
        let p = bin_dir.join(name);
        anyhow::ensure!(
            p.is_file(),
            "{} is missing: build it with `cargo build --release -p seam` (it ships next to seam)",
            p.display()
        );
        Ok(p)
    };
    Ok(vec![
        ("CC", wrapper("seam-cc")?.display().to_string()),
        ("CXX", wrapper("seam-cxx")?.display().to_string()),
        (EXPECT_VAR, sanitizer.name().to_string()),
    ])
}

/// The wrapper variables for a fuzz build with `sanitizer`, beside the running `seam` binary.
pub fn own_wrapper_env(sanitizer: Sanitizer) -> anyhow::Result<Vec<(&'static str, String)>> {
    let here = std::env::current_exe().context("locating the seam binary")?;
    wrapper_env(here.parent().context("the seam binary has no parent directory")?, sanitizer)
}

/// The export lines for the wrappers found in `bin_dir`.
pub fn exports(bin_dir: &Path, sanitizer: Sanitizer) -> anyhow::Result<String> {
    let flags = Instrumentation::fuzzing(sanitizer).c_flags();
    let mut out = format!(
        "# C and C++ of cc-based -sys crates get, in fuzz-target builds only:\n\
         #   {flags}\n\
         # (host builds such as build scripts are left alone, see seam-cc)\n",
        flags = flags.join(" "),
    );
    for (k, v) in wrapper_env(bin_dir, sanitizer)? {
        out.push_str(&format!("export {k}={v}\n"));
    }
    Ok(out)
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
    fn the_environments_compiler_and_flags_are_handed_to_the_wrappers() {
        let env = |k: &str| match k {
            "CC" => Some("clang".to_string()),
            "CXX" => Some("clang++".to_string()),
            "CFLAGS" => Some("-O1 -fsanitize=address -DNAME='x y'".to_string()),
            _ => None,
        };
        let out = handover(&env).unwrap();
        assert!(out.contains("export SEAM_CLANG='clang'\n"), "{out}");
        assert!(out.contains("export SEAM_CLANGXX='clang++'\n"), "{out}");
        assert!(out.contains(r"export SEAM_TARGET_CFLAGS='-O1 -fsanitize=address -DNAME='\''x y'\'''"), "{out}");
        assert!(out.contains("export SEAM_TARGET_CXXFLAGS=''\n"), "{out}");
        assert!(out.ends_with("unset CFLAGS CXXFLAGS\n"), "{out}");
    }

    #[test]
    fn handing_over_the_wrapper_itself_is_refused() {
        let env = |k: &str| (k == "CC").then(|| "/x/target/release/seam-cc".to_string());
        let err = handover(&env).unwrap_err().to_string();
        assert!(err.contains("already points at seam's wrapper"), "{err}");
    }

    #[test]
    fn a_missing_wrapper_says_how_to_build_it() {
        let dir = tempfile::tempdir().unwrap();
        let err = exports(dir.path(), Sanitizer::Address).unwrap_err().to_string();
        assert!(err.contains("seam-cc") && err.contains("cargo build"), "{err}");
    }
}
