//! Helpers of the end-to-end tests: fuzz builds of the repository's `fuzz/` package in
//! per-variant target directories, and bounded, seeded fuzz runs.
#![allow(dead_code)] // each test binary uses a different part

pub mod sarif;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::sync::{Mutex, OnceLock};

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().expect("repository root")
}

/// A fuzz build configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Directory name under `target/e2e/`.
    pub name: &'static str,
    /// `--sanitizer` for cargo fuzz.
    pub sanitizer: &'static str,
    /// Cargo features of the fuzz package.
    pub features: &'static str,
    /// Fuzz targets to build (empty: all).
    pub targets: &'static [&'static str],
    /// Whether the `seam env` exports are set (instrumenting third-party -sys crates).
    pub seam_env: bool,
}

/// AddressSanitizer, seeded bugs in.
pub const ASAN: Variant =
    Variant { name: "asan", sanitizer: "address", features: "", targets: &[], seam_env: true };
/// AddressSanitizer, every seeded bug fixed.
pub const ASAN_FIXED: Variant =
    Variant { name: "asan-fixed", sanitizer: "address", features: "fixed", targets: &[], seam_env: true };
/// MemorySanitizer (std rebuilt with -Zbuild-std), the checksum target only.
pub const MSAN: Variant = Variant {
    name: "msan",
    sanitizer: "memory",
    features: "",
    targets: &["seeded_checksum"],
    seam_env: true,
};
/// MemorySanitizer, fixed: the checksum target and the whole generated API.
pub const MSAN_FIXED: Variant = Variant {
    name: "msan-fixed",
    sanitizer: "memory",
    features: "fixed",
    targets: &["seeded_checksum", "seeded_ops"],
    seam_env: true,
};

/// Environment a child cargo must not inherit from the test process.
pub const SCRUB: &[&str] = &[
    "RUSTUP_TOOLCHAIN",
    "CARGO_TARGET_DIR",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_TARGET",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTDOC",
    "CC",
    "CXX",
    "CFLAGS",
    "SEAM_SANITIZER",
    "SEAM_COVERAGE",
    "SEAM_UBSAN",
    "SEAM_TRACE",
];

/// A cargo command with a clean environment.
pub fn cargo(toolchain: Option<&str>) -> Command {
    let mut cmd = Command::new("cargo");
    for v in SCRUB {
        cmd.env_remove(v);
    }
    if let Some(t) = toolchain {
        cmd.arg(format!("+{t}"));
    }
    cmd
}

/// The `seam env` exports as (name, value) pairs, for the test's own wrapper binaries.
pub fn seam_env(sanitizer: &str) -> Vec<(String, String)> {
    vec![
        ("CC".into(), env!("CARGO_BIN_EXE_seam-cc").into()),
        ("CXX".into(), env!("CARGO_BIN_EXE_seam-cxx").into()),
        ("SEAM_ENV_SANITIZER".into(), sanitizer.into()),
    ]
}

/// Builds a variant once per test process (builds never overlap) and returns the directory of
/// its fuzz binaries.
pub fn build(v: Variant) -> PathBuf {
    static BUILT: OnceLock<Mutex<HashMap<Variant, PathBuf>>> = OnceLock::new();
    let map = BUILT.get_or_init(|| Mutex::new(HashMap::new()));
    let mut built = map.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = built.get(&v) {
        return dir.clone();
    }
    let target_dir = root().join("target/e2e").join(v.name);
    let targets: Vec<Option<&str>> =
        if v.targets.is_empty() { vec![None] } else { v.targets.iter().map(|t| Some(*t)).collect() };
    for target in targets {
        let mut cmd = cargo(Some("nightly"));
        cmd.current_dir(root().join("fuzz"))
            .args(["fuzz", "build", "-O", "--sanitizer", v.sanitizer, "--target-dir"])
            .arg(&target_dir);
        if !v.features.is_empty() {
            cmd.args(["--features", v.features]);
        }
        if v.seam_env {
            cmd.envs(seam_env(v.sanitizer));
        }
        cmd.args(target);
        let out = cmd.output().expect("running cargo fuzz build");
        assert!(
            out.status.success(),
            "cargo fuzz build ({}) failed:\n{}",
            v.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let dir = target_dir.join("x86_64-unknown-linux-gnu/release");
    built.insert(v, dir.clone());
    dir
}

/// The outcome of one fuzz run.
pub struct Run {
    /// Exit status of the fuzzer.
    pub status: ExitStatus,
    /// Its stderr and stdout.
    pub log: String,
    /// Artifact files written (crash-, leak-, oom-, timeout-).
    pub artifacts: Vec<PathBuf>,
    /// Kept alive so the artifacts stay on disk for the test.
    pub dir: tempfile::TempDir,
}

/// A command running a fuzz binary with address-space randomisation off when the kernel allows
/// it (`setarch -R`). libFuzzer's `-seed` alone does not make a run repeatable: the compare
/// tracing of Rust code records heap addresses (pointer arithmetic in `Vec`, slices and
/// `arbitrary`), and the mutator splices recorded values into inputs, so under ASLR the same
/// seed takes a different path on every run. With a fixed layout it takes the same one.
pub fn fuzzer(bin: &Path) -> Command {
    static FIXED_LAYOUT: OnceLock<bool> = OnceLock::new();
    let fixed = *FIXED_LAYOUT.get_or_init(|| {
        Command::new("setarch").args(["-R", "true"]).output().is_ok_and(|o| o.status.success())
    });
    if fixed {
        let mut cmd = Command::new("setarch");
        cmd.arg("-R").arg(bin);
        cmd
    } else {
        Command::new(bin)
    }
}

/// Runs a fuzz binary with a fixed seed and a bounded number of runs, from an empty corpus.
pub fn fuzz(bin: &Path, seed: u64, runs: u64, extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().expect("artifact dir");
    let out = fuzzer(bin)
        .arg(format!("-seed={seed}"))
        .arg(format!("-runs={runs}"))
        .arg(format!("-artifact_prefix={}/", dir.path().display()))
        .args(extra)
        .env_remove("SEAM_TRACE")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    let mut artifacts: Vec<PathBuf> =
        std::fs::read_dir(dir.path()).expect("artifact dir").map(|e| e.expect("entry").path()).collect();
    artifacts.sort();
    let log = format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout));
    Run { status: out.status, log, artifacts, dir }
}

/// Replays one input with call tracing on; returns the log.
pub fn replay_traced(bin: &Path, input: &Path, extra: &[&str]) -> String {
    let out = Command::new(bin)
        .args(extra)
        .arg(input)
        .env("SEAM_TRACE", "1")
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", bin.display()));
    format!("{}{}", String::from_utf8_lossy(&out.stderr), String::from_utf8_lossy(&out.stdout))
}

/// The last `limit` bytes of a log, for assertion messages.
pub fn tail(log: &str, limit: usize) -> &str {
    let start = log.len().saturating_sub(limit);
    let start = (start..log.len()).find(|&i| log.is_char_boundary(i)).unwrap_or(log.len());
    &log[start..]
}
