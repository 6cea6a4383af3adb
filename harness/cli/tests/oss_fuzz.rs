//! The OSS-Fuzz export, built the way OSS-Fuzz builds it, without a container: the exported
//! `build.sh` runs with `$SRC`, `$OUT`, `$WORK` and the compiler and Rust flags the Rust base
//! builder image sets for an AddressSanitizer libFuzzer build. Every fuzz target must come out
//! runnable, pass a short run over its seed corpus with its options, and ship well-formed
//! options and dictionary files; the C inside is instrumented (its functions are in the
//! coverage tables).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{root, tail};
use seam::dictionary;
use seam::package::{parse_options, FuzzPackage};

/// CFLAGS of OSS-Fuzz's base-builder for `SANITIZER=address FUZZING_ENGINE=libfuzzer`.
const OSS_FUZZ_CFLAGS: &str = "-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
     -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link";
/// RUSTFLAGS the base-builder's `compile` sets for an AddressSanitizer build.
const OSS_FUZZ_RUSTFLAGS: &str = "--cfg fuzzing -Zsanitizer=address -Cdebuginfo=1 -Cforce-frame-pointers";

/// libFuzzer flags an `.options` file may set here.
const KNOWN_FLAGS: &[&str] =
    &["dict", "max_len", "timeout", "rss_limit_mb", "malloc_limit_mb", "len_control", "use_value_profile", "only_ascii", "detect_leaks"];

/// Copies the repository's files (tracked and new, not ignored) into `dest`, rewriting only
/// those that changed so that cargo's incremental builds survive between runs.
fn mirror_sources(dest: &Path) {
    let out = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    assert!(out.status.success(), "git ls-files failed");
    for rel in out.stdout.split(|&b| b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).expect("UTF-8 path"));
        let (from, to) = (root().join(rel), dest.join(rel));
        let Ok(bytes) = std::fs::read(&from) else { continue }; // deleted in the work tree
        if std::fs::read(&to).ok().as_deref() != Some(bytes.as_slice()) {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(&to, &bytes).unwrap();
            let mode = std::fs::metadata(&from).unwrap().permissions();
            std::fs::set_permissions(&to, mode).unwrap();
        }
    }
}

fn unzip(zip: &Path, into: &Path) -> usize {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    std::fs::create_dir_all(into).unwrap();
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).unwrap();
        let name = f.enclosed_name().expect("a safe name inside the zip");
        let mut out = std::fs::File::create(into.join(name)).unwrap();
        std::io::copy(&mut f, &mut out).unwrap();
    }
    archive.len()
}

#[test]
#[ignore = "full OSS-Fuzz-style build; run by make test"]
fn the_simulated_oss_fuzz_build_produces_runnable_well_formed_targets() {
    let base = root().join("target/e2e/oss-fuzz");
    let (src, out, work) = (base.join("src"), base.join("out"), base.join("work"));
    let project = tempfile::tempdir().unwrap();
    let _ = std::fs::remove_dir_all(&out);
    for d in [&src, &out, &work] {
        std::fs::create_dir_all(d).unwrap();
    }
    mirror_sources(&src.join("seam"));

    // The project as `seam oss-fuzz export` writes it; OSS-Fuzz copies build.sh into $SRC.
    let export = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["oss-fuzz", "export", "--repo", "https://example.org/seam.git", "--contact", "fuzz@example.org", "--oss-fuzz"])
        .arg(project.path().join("projects/seam"))
        .arg("--root")
        .arg(project.path())
        .current_dir(root())
        .output()
        .unwrap();
    assert!(export.status.success(), "{}", String::from_utf8_lossy(&export.stderr));
    let yaml = std::fs::read_to_string(project.path().join("projects/seam/project.yaml")).unwrap();
    for line in ["language: rust", "  - address", "  - memory", "  - libfuzzer", "  - afl"] {
        assert!(yaml.lines().any(|l| l == line), "project.yaml lacks `{line}`:\n{yaml}");
    }
    std::fs::copy(project.path().join("projects/seam/build.sh"), src.join("build.sh")).unwrap();

    let mut build = Command::new("bash");
    build.arg("-eu").arg(src.join("build.sh"));
    for v in common::SCRUB {
        build.env_remove(v);
    }
    let build = build
        .env("SRC", &src)
        .env("OUT", &out)
        .env("WORK", &work)
        .env("SANITIZER", "address")
        .env("FUZZING_ENGINE", "libfuzzer")
        .env("FUZZING_LANGUAGE", "rust")
        .env("ARCHITECTURE", "x86_64")
        .env("CC", "clang-19")
        .env("CXX", "clang++-19")
        .env("CFLAGS", OSS_FUZZ_CFLAGS)
        .env("CXXFLAGS", OSS_FUZZ_CFLAGS)
        .env("RUSTFLAGS", OSS_FUZZ_RUSTFLAGS)
        .env("LIB_FUZZING_ENGINE", "-fsanitize=fuzzer")
        // The base image's default toolchain is nightly; its own prebuilt libFuzzer
        // (CUSTOM_LIBFUZZER_PATH) is not on this machine, so libfuzzer-sys builds its copy.
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .output()
        .expect("running build.sh");
    let log = format!("{}{}", String::from_utf8_lossy(&build.stdout), String::from_utf8_lossy(&build.stderr));
    assert!(build.status.success(), "build.sh failed:\n{}", tail(&log, 6000));

    let package = FuzzPackage::read(&root().join("fuzz")).unwrap();
    let runs = tempfile::tempdir().unwrap();
    for target in &package.targets {
        let bin = out.join(target);
        assert!(bin.is_file(), "{target}: no binary in $OUT");
        // Options: a [libfuzzer] section of flags libFuzzer knows; the dictionary it names is
        // in $OUT and parses.
        let mut args: Vec<String> = Vec::new();
        let options = out.join(format!("{target}.options"));
        if options.exists() {
            for (k, v) in parse_options(&std::fs::read_to_string(&options).unwrap(), target).unwrap() {
                assert!(KNOWN_FLAGS.contains(&k.as_str()), "{target}.options: unknown flag {k}");
                if k == "dict" {
                    let entries = dictionary::read(&out.join(&v)).unwrap();
                    assert!(!entries.is_empty(), "{target}: empty dictionary {v}");
                    args.push(format!("-dict={}", out.join(&v).display()));
                } else {
                    args.push(format!("-{k}={v}"));
                }
            }
        }
        let seeds = runs.path().join(target);
        let zip = out.join(format!("{target}_seed_corpus.zip"));
        assert!(zip.is_file(), "{target}: no seed corpus");
        let n = unzip(&zip, &seeds);
        assert!(n > 0, "{target}: empty seed corpus");
        // A run over the seed corpus with the target's options: every seed executes, none
        // crashes (the seeded library's bugs are a few mutations away from some seeds, so no
        // mutation runs here: a crashing seed would be a finding of its own).
        let scratch = runs.path().join(format!("{target}-new"));
        std::fs::create_dir_all(&scratch).unwrap();
        let run = common::fuzzer(&bin)
            .args(["-seed=1", "-runs=0", "-print_coverage=1"])
            .arg(format!("-artifact_prefix={}/", runs.path().display()))
            .args(&args)
            .arg(&scratch)
            .arg(&seeds)
            .output()
            .unwrap();
        let log = String::from_utf8_lossy(&run.stderr);
        assert!(run.status.success(), "{target} failed its short run over {n} seeds:\n{}", tail(&log, 4000));
        assert!(log.contains(&format!("INFO: seed corpus: files: {n}")) || log.contains("INITED"), "{target}: seeds not read:\n{}", tail(&log, 2000));
        if args.iter().any(|a| a.starts_with("-dict=")) {
            assert!(log.contains("Dictionary: "), "{target}: the dictionary was not loaded:\n{}", tail(&log, 2000));
        }
        // The C under test was built with OSS-Fuzz's flags: its functions are in the PC tables.
        let c_file = match target.split('_').next().unwrap() {
            "seeded" => Some("/seeded.c:"),
            "zlib" => Some("/adler32.c:"),
            "bzip2" => Some("/bzlib.c:"),
            "onig" => Some("/regcomp.c:"),
            _ => None,
        };
        if let Some(f) = c_file {
            let listed = log.lines().any(|l| l.contains("COVERED_FUNC") && l.contains(f));
            assert!(listed, "{target}: no C function of {f} in the coverage tables:\n{}", tail(&log, 3000));
        }
    }
}

/// `seam oss-fuzz export --check` is what keeps the committed ClusterFuzzLite files current.
#[test]
fn the_committed_clusterfuzzlite_files_are_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_seam"))
        .args(["oss-fuzz", "export", "--check"])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let build_sh: PathBuf = root().join(".clusterfuzzlite/build.sh");
    use std::os::unix::fs::PermissionsExt;
    assert_ne!(std::fs::metadata(build_sh).unwrap().permissions().mode() & 0o111, 0, "build.sh is executable");
}
