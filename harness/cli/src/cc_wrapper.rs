//! The compiler wrapper behind `seam env`: `CC`/`CXX` for third-party `-sys` crates.
//!
//! A global `CFLAGS=-fsanitize=...` cannot be used: host and target triples are equal here, so
//! it also reaches C compiled for build scripts and their dependencies, which then fail to link
//! (`undefined symbol __asan_init`). The wrapper instead looks at the Rust flags of the crate
//! whose build script runs it (`CARGO_ENCODED_RUSTFLAGS`, inherited): under `cargo fuzz build`
//! the fuzz target's crates carry `-Zsanitizer=...` and `--cfg fuzzing`, host crates carry
//! nothing. It then adds exactly the flags `seam-build` uses for C targets, and runs clang.
//! The fuzzing runtimes' own C++ (libFuzzer inside `libfuzzer-sys`) is never instrumented:
//! coverage of the fuzzer itself would only be noise.

use std::ffi::OsString;
use std::process::Command;

use seam_build::compiler::{find_compiler, Lang};
use seam_build::Instrumentation;

/// Variable `seam env` sets to the sanitizer it was asked for; a fuzz build with another
/// sanitizer is refused rather than half instrumented.
pub const EXPECT_VAR: &str = "SEAM_ENV_SANITIZER";

/// Crates whose C or C++ is the fuzzing runtime itself, identified by `CARGO_PKG_NAME` of the
/// build script that runs the compiler.
const RUNTIME_CRATES: &[&str] = &["libfuzzer-sys", "afl"];

/// Decides the compiler command for one invocation.
pub fn command(lang: Lang, args: Vec<OsString>, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Command> {
    let inst = Instrumentation::from_env(env)?;
    if let Some(expected) = env(EXPECT_VAR).filter(|s| !s.is_empty()) {
        if inst.is_instrumented() && inst.sanitizer.name() != expected {
            anyhow::bail!(
                "this fuzz build uses --sanitizer {} but the exports came from `seam env --sanitizer {expected}`; \
                 run `eval \"$(seam env --sanitizer {})\"` and build again",
                inst.sanitizer.name(),
                inst.sanitizer.name()
            );
        }
    }
    let compiler = find_compiler(lang, env)?;
    let mut cmd = Command::new(compiler);
    let runtime = env("CARGO_PKG_NAME").is_some_and(|p| RUNTIME_CRATES.contains(&p.as_str()));
    if inst.is_instrumented() && !runtime {
        cmd.args(inst.target_flags(lang, env));
    }
    cmd.args(args);
    Ok(cmd)
}

/// Entry point of the `seam-cc` and `seam-cxx` binaries: runs the compiler, exits with its status.
pub fn main(lang: Lang) -> ! {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let env = |k: &str| std::env::var(k).ok();
    let status = command(lang, args, &env).and_then(|mut cmd| Ok(cmd.status()?));
    match status {
        Ok(s) => std::process::exit(s.code().unwrap_or(1)),
        Err(e) => {
            eprintln!("seam-cc: error: {e:#}");
            std::process::exit(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: Vec<(&'static str, String)>) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(pk, _)| *pk == k).map(|(_, v)| v.clone())
    }

    fn args_of(cmd: &Command) -> Vec<String> {
        cmd.get_args().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    fn fake_clang() -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("clang-19"), "").unwrap();
        let path = dir.path().to_str().unwrap().to_string();
        (dir, path)
    }

    #[test]
    fn fuzz_target_compilations_are_instrumented() {
        let (_d, path) = fake_clang();
        let env = env_of(vec![
            ("PATH", path),
            ("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1ffuzzing\x1f-Zsanitizer=address".into()),
        ]);
        let cmd = command(Lang::C, vec!["-c".into(), "inflate.c".into()], &env).unwrap();
        let args = args_of(&cmd);
        assert!(args.contains(&"-fsanitize=address".into()));
        assert!(args.contains(&"-fsanitize=fuzzer-no-link".into()));
        assert_eq!(args[args.len() - 2..], ["-c", "inflate.c"]);
    }

    #[test]
    fn the_fuzzer_runtime_is_left_alone() {
        let (_d, path) = fake_clang();
        let env = env_of(vec![
            ("PATH", path),
            ("CARGO_PKG_NAME", "libfuzzer-sys".into()),
            ("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1ffuzzing\x1f-Zsanitizer=address".into()),
        ]);
        let cmd = command(Lang::C, vec!["-c".into(), "FuzzerLoop.cpp".into()], &env).unwrap();
        assert_eq!(args_of(&cmd), ["-c", "FuzzerLoop.cpp"]);
    }

    #[test]
    fn host_compilations_are_left_alone() {
        let (_d, path) = fake_clang();
        let env = env_of(vec![("PATH", path), ("SEAM_ENV_SANITIZER", "address".into())]);
        let cmd = command(Lang::C, vec!["-c".into(), "x.c".into()], &env).unwrap();
        assert_eq!(args_of(&cmd), ["-c", "x.c"]);
    }

    #[test]
    fn a_sanitizer_other_than_the_exported_one_is_refused() {
        let (_d, path) = fake_clang();
        let env = env_of(vec![
            ("PATH", path),
            ("SEAM_ENV_SANITIZER", "address".into()),
            ("CARGO_ENCODED_RUSTFLAGS", "-Zsanitizer=memory".into()),
        ]);
        let err = command(Lang::C, vec![], &env).unwrap_err().to_string();
        assert!(err.contains("seam env --sanitizer memory"), "{err}");
    }
}
