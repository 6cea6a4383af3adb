//! Reproducers: a minimised crashing input per bug (libFuzzer's `-minimize_crash`, bounded) and
//! a ready Rust regression test that replays it through the fuzz binary and fails while the bug
//! exists.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::Context;
use proc_macro2::Span;
use quote::{format_ident, quote};

use super::bugs::Bug;
use super::replay::Replayer;

/// Crash types whose inputs are not minimised: each attempt costs a full timeout or an
/// allocation up to the memory limit.
fn minimisable(crash_type: &str) -> bool {
    !(crash_type.starts_with("Timeout") || crash_type.starts_with("Out-of-memory") || crash_type.starts_with("Leak"))
}

/// Minimises `input` for `target` with at most `runs` attempts into `out`; falls back to a copy
/// of the input when minimisation does not apply or does not help.
pub fn minimise(replayer: &Replayer, target: &str, crash_type: &str, input: &Path, out: &Path, runs: u64) -> anyhow::Result<PathBuf> {
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if runs > 0 && minimisable(crash_type) {
        let _ = std::fs::remove_file(out);
        let status = Command::new(replayer.binary(target))
            .arg("-minimize_crash=1")
            .arg(format!("-runs={runs}"))
            .arg(format!("-timeout={}", replayer.timeout.as_secs().max(1)))
            .arg(format!("-exact_artifact_path={}", out.display()))
            .args(&replayer.fuzzer_args)
            .arg(input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let smaller = |o: &Path| {
            let len = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(u64::MAX);
            len(o) < len(input)
        };
        if status.is_ok() && out.is_file() && smaller(out) {
            return Ok(out.to_path_buf());
        }
    }
    std::fs::copy(input, out).with_context(|| format!("copying {} to {}", input.display(), out.display()))?;
    Ok(out.to_path_buf())
}

/// A test function name for a bug: `seeded_parse_b1_heap_buffer_overflow_write`.
fn test_name(bug: &Bug) -> String {
    let raw = format!("{}_{}_{}", bug.target, bug.id, super::dedup::type_family(&bug.crash_type));
    let mut name: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    while name.contains("__") {
        name = name.replace("__", "_");
    }
    let name = name.trim_matches('_').to_string();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("bug_{name}")
    } else {
        name
    }
}

/// The source of a regression test for `bug` replaying `input` (std only: it compiles in any
/// crate's `tests/` folder, or alone with `rustc --test`).
pub fn regression_test(bug: &Bug, input: &[u8], bin_dir_hint: &str) -> anyhow::Result<String> {
    let target = &bug.target;
    let name = format_ident!("{}", test_name(bug));
    let bytes = syn::LitByteStr::new(input, Span::call_site());
    let what = format!(
        "bug {} ({}) at boundary call {} still reproduces",
        bug.id,
        bug.crash_type,
        bug.attribution.call.clone().or_else(|| bug.attribution.function.clone()).unwrap_or_else(|| "?".into())
    );
    let file = quote! {
        use std::path::PathBuf;
        use std::process::Command;

        const TARGET: &str = #target;
        const BIN_DIR: &str = #bin_dir_hint;
        const INPUT: &[u8] = #bytes;

        /// The fuzz binary: `SEAM_FUZZ_BIN`, else BIN_DIR/TARGET below the crate or one of its parents.
        fn fuzz_binary() -> PathBuf {
            if let Some(p) = std::env::var_os("SEAM_FUZZ_BIN") {
                return PathBuf::from(p);
            }
            let mut dir = PathBuf::from(option_env!("CARGO_MANIFEST_DIR").unwrap_or("."));
            loop {
                let candidate = dir.join(BIN_DIR).join(TARGET);
                if candidate.is_file() {
                    return candidate;
                }
                if !dir.pop() {
                    panic!("fuzz binary {BIN_DIR}/{TARGET} not found: build it with `cargo fuzz build -O {TARGET}` or set SEAM_FUZZ_BIN");
                }
            }
        }

        #[test]
        fn #name() {
            let input = std::env::temp_dir().join(format!("seam-regression-{}-{}", TARGET, std::process::id()));
            std::fs::write(&input, INPUT).expect("writing the reproducer");
            let out = Command::new(fuzz_binary())
                .arg("-timeout=30")
                .arg(&input)
                .output()
                .expect("running the fuzz binary");
            let _ = std::fs::remove_file(&input);
            assert!(out.status.success(), "{}:\n{}", #what, String::from_utf8_lossy(&out.stderr));
        }
    };
    let parsed: syn::File = syn::parse2(file).context("generated regression test does not parse")?;
    let header = format!(
        "//! Regression test for seam bug {} in fuzz target `{}`: {} (dedup key `{}`).\n\
         //! Generated by `seam triage`; it fails while the bug exists. Copy it into a `tests/`\n\
         //! folder, or run it alone: `rustc --test <file> -o t && ./t`.\n\n",
        bug.id, bug.target, bug.crash_type, bug.key
    );
    Ok(header + &prettyplease::unparse(&parsed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triage::attribute::{Attribution, Side};
    use crate::triage::classify::Severity;

    fn bug() -> Bug {
        Bug {
            id: "B1".into(),
            target: "seeded_parse".into(),
            key: "k".into(),
            fingerprint: "f".into(),
            cluster: "C1".into(),
            crash_type: "Heap-buffer-overflow WRITE 12".into(),
            severity: Severity::Exploitable,
            severity_type: "DestAv".into(),
            security: true,
            attribution: Attribution {
                function: Some("seeded_parse".into()),
                call: Some("seeded_parse(s=#1, len=40)".into()),
                op: Some(3),
                seq: Some(2),
                in_progress: true,
                side: Side::C,
                frame: None,
            },
            state: vec![],
            stack: vec![],
            summary: None,
            hits: 1,
            inputs: vec![],
            reproducer: None,
            regression_test: None,
        }
    }

    #[test]
    fn the_regression_test_embeds_the_input_and_names_the_bug() {
        let src = regression_test(&bug(), b"SEAM\x02\x00", "fuzz/target/x86_64-unknown-linux-gnu/release").unwrap();
        assert!(src.contains("fn seeded_parse_b1_heap_buffer_overflow_write()"), "{src}");
        assert!(src.contains(r#"b"SEAM\x02\0""#) || src.contains(r#"b"SEAM\x02\x00""#), "{src}");
        assert!(src.contains("seeded_parse(s=#1, len=40)"), "{src}");
        assert!(syn::parse_file(&src).is_ok());
    }

    #[test]
    fn timeouts_are_not_minimised() {
        assert!(!minimisable("Timeout"));
        assert!(minimisable("Heap-buffer-overflow WRITE 1"));
    }
}
