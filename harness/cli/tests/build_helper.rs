//! seam-build end to end: what lands in the C objects, and what a user sees when something is
//! wrong (no clang, an unknown sanitizer, a C compile error).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{build, cargo, root, ASAN};

/// The newest `*seeded.o` under a cargo target directory.
fn seeded_object(target_dir: &Path) -> PathBuf {
    let mut found: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    let mut stack = vec![target_dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with("seeded.o") && p.to_string_lossy().contains("seam-seeded") {
                found.push((e.metadata().and_then(|m| m.modified()).expect("mtime"), p));
            }
        }
    }
    found.sort();
    found.pop().unwrap_or_else(|| panic!("no seeded.o under {}", target_dir.display())).1
}

fn undefined_symbols(object: &Path) -> String {
    let out = Command::new("nm").arg("-u").arg(object).output().expect("running nm");
    assert!(out.status.success(), "nm failed on {}", object.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn c_objects_of_a_fuzz_build_are_instrumented_and_of_a_plain_build_are_not() {
    let fuzz_dir = build(ASAN);
    let fuzz_obj = seeded_object(fuzz_dir.parent().unwrap());
    let syms = undefined_symbols(&fuzz_obj);
    for want in ["__asan_report_store", "__sanitizer_cov_trace_const_cmp4", "__sanitizer_cov_8bit_counters_init", "__ubsan_handle_mul_overflow"] {
        assert!(syms.contains(want), "{} lacks {want}:\n{syms}", fuzz_obj.display());
    }

    let plain_dir = root().join("target/e2e/plain");
    let out = cargo(None)
        .current_dir(root())
        .args(["build", "-p", "seam-seeded", "--target-dir"])
        .arg(&plain_dir)
        .output()
        .expect("cargo build");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plain_obj = seeded_object(&plain_dir);
    let syms = undefined_symbols(&plain_obj);
    for absent in ["__asan", "__sanitizer_cov", "__ubsan", "__msan"] {
        assert!(!syms.contains(absent), "{} has {absent}:\n{syms}", plain_obj.display());
    }
}

/// Builds a one-file C crate that uses seam-build; returns (success, stderr).
fn build_c_crate(c_source: &str, env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("temp crate");
    let seam_build = root().join("harness/build");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"probe\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[build-dependencies]\nseam-build = {{ path = {:?} }}\n\n[workspace]\n",
            seam_build.display().to_string()
        ),
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("src")).unwrap();
    std::fs::write(dir.path().join("src/lib.rs"), "").unwrap();
    std::fs::write(dir.path().join("probe.c"), c_source).unwrap();
    std::fs::write(
        dir.path().join("build.rs"),
        "fn main() { seam_build::Build::new().file(\"probe.c\").compile(\"probe\"); }\n",
    )
    .unwrap();
    let out = cargo(None)
        .current_dir(dir.path())
        .args(["build", "--offline", "--target-dir"])
        .arg(root().join("target/e2e/probe"))
        .envs(env.iter().copied())
        .output()
        .expect("cargo build");
    (out.status.success(), String::from_utf8_lossy(&out.stderr).into_owned())
}

const GOOD_C: &str = "int probe(int x) { return x + 1; }\n";

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn a_c_compile_error_names_the_file_and_line() {
    let (ok, err) = build_c_crate("int probe(int x) {\n  return x +;\n}\n", &[]);
    assert!(!ok);
    assert!(err.contains("probe.c:2"), "no file:line in:\n{err}");
    assert!(err.contains("seam-build: compiling C library `probe`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn a_missing_clang_says_how_to_install_it() {
    let (ok, err) = build_c_crate(GOOD_C, &[("SEAM_SANITIZER", "address"), ("SEAM_CLANG", "/nonexistent/clang-19")]);
    assert!(!ok);
    assert!(err.contains("no clang found") && err.contains("scripts/setup.sh"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn an_unknown_sanitizer_lists_the_known_ones() {
    let (ok, err) = build_c_crate(GOOD_C, &[("SEAM_SANITIZER", "hwaddress")]);
    assert!(!ok);
    assert!(err.contains("unknown sanitizer `hwaddress`") && err.contains("address, memory"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn an_instrumented_build_succeeds_with_clang() {
    let (ok, err) = build_c_crate(GOOD_C, &[("SEAM_SANITIZER", "address"), ("SEAM_COVERAGE", "1")]);
    assert!(ok, "{err}");
}
