//! Which instrumentation the C side gets, read from how cargo builds the Rust side.
//!
//! Inputs, in order of precedence:
//! * `SEAM_SANITIZER` = `address` | `memory` | `thread` | `leak` | `none`: overrides the sanitizer.
//! * `CARGO_ENCODED_RUSTFLAGS`: `-Zsanitizer=X` / `-Csanitizer=X` (also as two arguments),
//!   `--cfg fuzzing`, `-Cpasses=sancov-module`, `-Cllvm-args=-sanitizer-coverage-*` (what
//!   `cargo fuzz build` and `cargo afl build` pass). `cargo afl build`'s
//!   `-sanitizer-coverage-trace-pc-guard` (or its `afl-compiler-rt.o` link argument) selects
//!   AFL++ coverage: AFL++'s runtime implements the trace-pc-guard and compare callbacks, not
//!   libFuzzer's counters and PC tables.
//! * `CARGO_CFG_SANITIZE`, `CARGO_CFG_FUZZING`: the cfgs cargo derives from those flags.
//! * `SEAM_COVERAGE` = `0` | `1`: force libFuzzer coverage off or on (default: on when fuzzing).
//! * `SEAM_UBSAN` = `0` | `1`: UndefinedBehaviorSanitizer in C next to AddressSanitizer
//!   (default on; rustc's ASan runtime carries the UBSan handlers, other runtimes do not).
//! * `-Cinstrument-coverage` in the Rust flags (`cargo fuzz coverage`, `seam cov`): the C gets
//!   clang's source-based coverage too, so one profile counts C and Rust lines.
//! * `SEAM_TARGET_CFLAGS` / `SEAM_TARGET_CXXFLAGS`: flags chosen elsewhere (OSS-Fuzz's `CFLAGS`
//!   and `CXXFLAGS`, handed over by `seam env --from-env`) replace seam's choice for
//!   fuzz-target compilations; host compilations still get none of them.

use crate::compiler::Lang;
use crate::Error;

/// Environment variables read here; a build script must rerun when any changes.
pub const ENV_VARS: &[&str] = &[
    "SEAM_SANITIZER",
    "SEAM_COVERAGE",
    "SEAM_UBSAN",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_CFG_SANITIZE",
    "CARGO_CFG_FUZZING",
    "SEAM_TARGET_CFLAGS",
    "SEAM_TARGET_CXXFLAGS",
];

/// A sanitizer runtime the Rust side links and the C side must be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sanitizer {
    /// No sanitizer.
    None,
    /// AddressSanitizer (with LeakSanitizer).
    Address,
    /// MemorySanitizer, with origin tracking.
    Memory,
    /// ThreadSanitizer.
    Thread,
    /// Standalone LeakSanitizer: no compile-time instrumentation.
    Leak,
}

impl Sanitizer {
    /// Names accepted by [`Sanitizer::parse`].
    pub const NAMES: &'static [&'static str] = &["address", "memory", "thread", "leak", "none"];

    /// Parses a sanitizer name as cargo-fuzz and rustc spell it.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "address" => Sanitizer::Address,
            "memory" => Sanitizer::Memory,
            "thread" => Sanitizer::Thread,
            "leak" => Sanitizer::Leak,
            "none" | "" => Sanitizer::None,
            _ => return None,
        })
    }

    /// The name as cargo-fuzz spells it.
    pub fn name(self) -> &'static str {
        match self {
            Sanitizer::None => "none",
            Sanitizer::Address => "address",
            Sanitizer::Memory => "memory",
            Sanitizer::Thread => "thread",
            Sanitizer::Leak => "leak",
        }
    }
}

/// The instrumentation chosen for C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Instrumentation {
    /// The sanitizer shared with the Rust side.
    pub sanitizer: Sanitizer,
    /// UndefinedBehaviorSanitizer (diagnosing, non-recoverable) in C.
    pub ubsan: bool,
    /// Coverage for the fuzzer: edges and comparison tracing.
    pub coverage: bool,
    /// The coverage is AFL++'s (trace-pc-guard callbacks) rather than libFuzzer's.
    pub afl: bool,
    /// Source-based coverage (line and region counts for reports), as the Rust side's
    /// `-Cinstrument-coverage`.
    pub profile: bool,
}

impl Instrumentation {
    /// Reads the instrumentation from the build environment (see the module docs).
    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, Error> {
        let rustflags: Vec<String> = env("CARGO_ENCODED_RUSTFLAGS")
            .map(|s| s.split('\x1f').filter(|f| !f.is_empty()).map(str::to_string).collect())
            .unwrap_or_default();
        let from_flags = RustFlags::parse(&rustflags)?;

        let sanitizer = match env("SEAM_SANITIZER").filter(|s| !s.is_empty()) {
            Some(name) => Sanitizer::parse(&name)
                .ok_or(Error::UnknownSanitizer { name, source: "SEAM_SANITIZER" })?,
            None => match from_flags.sanitizer {
                Some(s) => s,
                None => match env("CARGO_CFG_SANITIZE").filter(|s| !s.is_empty()) {
                    Some(list) => first_sanitizer(&list, "CARGO_CFG_SANITIZE")?,
                    None => Sanitizer::None,
                },
            },
        };
        let fuzzing = from_flags.fuzzing || env("CARGO_CFG_FUZZING").is_some();
        let coverage = switch(env, "SEAM_COVERAGE")?.unwrap_or(fuzzing);
        let default = Instrumentation::fuzzing(sanitizer);
        let ubsan = default.ubsan && switch(env, "SEAM_UBSAN")?.unwrap_or(true);
        Ok(Instrumentation { sanitizer, ubsan, coverage, afl: from_flags.afl, profile: from_flags.profile })
    }

    /// True when C must be compiled by clang with extra flags.
    pub fn is_instrumented(&self) -> bool {
        self.sanitizer != Sanitizer::None || self.coverage || self.profile
    }

    /// The flags for one fuzz-target compilation in `lang`: the ones handed over in
    /// `SEAM_TARGET_CFLAGS` / `SEAM_TARGET_CXXFLAGS` when set, else [`Instrumentation::c_flags`].
    pub fn target_flags(&self, lang: Lang, env: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
        let var = match lang {
            Lang::C => "SEAM_TARGET_CFLAGS",
            Lang::Cxx => "SEAM_TARGET_CXXFLAGS",
        };
        match env(var) {
            Some(given) => given.split_whitespace().map(str::to_string).collect(),
            None => self.c_flags(),
        }
    }

    /// The compiler flags for C (clang), beyond include paths and defines.
    pub fn c_flags(&self) -> Vec<String> {
        let mut f: Vec<&str> = Vec::new();
        if !self.is_instrumented() {
            return Vec::new();
        }
        f.extend(["-g", "-O1", "-fno-omit-frame-pointer"]);
        match self.sanitizer {
            Sanitizer::Address => f.push("-fsanitize=address"),
            Sanitizer::Memory => {
                f.extend(["-fsanitize=memory", "-fsanitize-memory-track-origins"])
            }
            Sanitizer::Thread => f.push("-fsanitize=thread"),
            Sanitizer::Leak | Sanitizer::None => {}
        }
        if self.ubsan {
            // vptr checks need the C++ UBSan runtime, which rustc's ASan runtime lacks.
            f.extend(["-fsanitize=undefined", "-fno-sanitize=vptr", "-fno-sanitize-recover=undefined"]);
        }
        match (self.coverage, self.afl) {
            (true, false) => f.push("-fsanitize=fuzzer-no-link"),
            (true, true) => f.push("-fsanitize-coverage=trace-pc-guard,trace-cmp"),
            (false, _) => {}
        }
        if self.profile {
            f.extend(["-fprofile-instr-generate", "-fcoverage-mapping"]);
        }
        f.into_iter().map(str::to_string).collect()
    }

    /// What a fuzz build with `sanitizer` gets by default (UBSan next to ASan, coverage on).
    pub fn fuzzing(sanitizer: Sanitizer) -> Self {
        Instrumentation { sanitizer, ubsan: sanitizer == Sanitizer::Address, coverage: true, afl: false, profile: false }
    }

    /// A short human description, e.g. `address+undefined, libFuzzer coverage`.
    pub fn describe(&self) -> String {
        let mut s = self.sanitizer.name().to_string();
        if self.ubsan {
            s.push_str("+undefined");
        }
        match (self.coverage, self.afl) {
            (true, false) => s.push_str(", libFuzzer coverage"),
            (true, true) => s.push_str(", AFL++ coverage"),
            (false, _) => {}
        }
        if self.profile {
            s.push_str(", source-based coverage");
        }
        s
    }
}

/// What the Rust flags say about the build.
#[derive(Debug, Default, PartialEq, Eq)]
struct RustFlags {
    sanitizer: Option<Sanitizer>,
    fuzzing: bool,
    afl: bool,
    profile: bool,
}

impl RustFlags {
    fn parse(flags: &[String]) -> Result<Self, Error> {
        let mut out = RustFlags::default();
        let mut prev: Option<&str> = None;
        for flag in flags {
            let joined;
            let arg = match prev {
                Some(p @ ("-Z" | "-C" | "--cfg")) => {
                    joined = format!("{p}{flag}");
                    joined.as_str()
                }
                _ => flag.as_str(),
            };
            if let Some(list) =
                arg.strip_prefix("-Zsanitizer=").or_else(|| arg.strip_prefix("-Csanitizer="))
            {
                out.sanitizer = Some(first_sanitizer(list, "CARGO_ENCODED_RUSTFLAGS")?);
            }
            if arg == "--cfgfuzzing"
                || arg == "--cfg=fuzzing"
                || arg == "-Cpasses=sancov-module"
                || arg.starts_with("-Cllvm-args=-sanitizer-coverage")
            {
                out.fuzzing = true;
            }
            if arg == "-Cllvm-args=-sanitizer-coverage-trace-pc-guard"
                || (arg.starts_with("-Clink-arg=") && arg.ends_with("afl-compiler-rt.o"))
            {
                out.afl = true;
            }
            if arg == "-Cinstrument-coverage" || arg == "-Zinstrument-coverage" || arg.starts_with("-Cinstrument-coverage=") {
                out.profile = true;
            }
            prev = Some(flag.as_str());
        }
        Ok(out)
    }
}

/// The first sanitizer of a comma list such as `address,leak`.
fn first_sanitizer(list: &str, source: &'static str) -> Result<Sanitizer, Error> {
    let mut chosen = Sanitizer::None;
    for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let s = Sanitizer::parse(name)
            .ok_or_else(|| Error::UnknownSanitizer { name: name.to_string(), source })?;
        if chosen == Sanitizer::None || chosen == Sanitizer::Leak {
            chosen = s;
        }
    }
    Ok(chosen)
}

/// Reads a `0`/`1` switch; `None` when unset.
fn switch(env: &dyn Fn(&str) -> Option<String>, var: &'static str) -> Result<Option<bool>, Error> {
    match env(var).as_deref() {
        None | Some("") => Ok(None),
        Some("1" | "on" | "true" | "yes") => Ok(Some(true)),
        Some("0" | "off" | "false" | "no") => Ok(Some(false)),
        Some(other) => Err(Error::BadSwitch { var, value: other.to_string(), expected: "0 or 1" }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> =
            pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    }

    /// The flags cargo-fuzz 0.13 passes for `cargo fuzz build --sanitizer <s>`.
    fn cargo_fuzz_flags(sanitizer: &str) -> String {
        [
            "-Cpasses=sancov-module",
            "-Cllvm-args=-sanitizer-coverage-level=4",
            "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
            "-Cllvm-args=-sanitizer-coverage-pc-table",
            "-Cllvm-args=-sanitizer-coverage-trace-compares",
            "--cfg",
            "fuzzing",
            &format!("-Zsanitizer={sanitizer}"),
            "-Cdebug-assertions",
        ]
        .join("\x1f")
    }

    #[test]
    fn cargo_afl_flags_select_afl_coverage() {
        // What `RUSTFLAGS=-Zsanitizer=address cargo +nightly afl build` passes (cargo-afl 0.18).
        let afl = [
            "-C", "debug-assertions", "-C", "passes=sancov-module",
            "-C", "llvm-args=-sanitizer-coverage-level=3",
            "-C", "llvm-args=-sanitizer-coverage-trace-pc-guard",
            "-C", "llvm-args=-sanitizer-coverage-trace-compares",
            "--cfg", "fuzzing",
            "-Clink-arg=/root/.local/share/afl.rs/rustc-1.97.0-nightly-e50aa6f/afl.rs-0.18.2/afl-llvm/afl-compiler-rt.o",
            "-Zsanitizer=address",
        ]
        .join("\x1f");
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", &afl)]);
        assert_eq!(i, Instrumentation { sanitizer: Sanitizer::Address, ubsan: true, coverage: true, afl: true, profile: false });
        let f = i.c_flags();
        assert!(f.contains(&"-fsanitize-coverage=trace-pc-guard,trace-cmp".to_string()), "{f:?}");
        assert!(!f.contains(&"-fsanitize=fuzzer-no-link".to_string()), "AFL++'s runtime has no libFuzzer counters");
        assert_eq!(i.describe(), "address+undefined, AFL++ coverage");
        let libfuzzer = inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("address"))]);
        assert!(!libfuzzer.afl);
    }

    fn inst(pairs: &[(&str, &str)]) -> Instrumentation {
        Instrumentation::from_env(&env_of(pairs)).unwrap()
    }

    #[test]
    fn plain_build_is_not_instrumented() {
        let i = inst(&[]);
        assert!(!i.is_instrumented());
        assert!(i.c_flags().is_empty());
    }

    #[test]
    fn address_fuzz_build_gets_asan_ubsan_and_coverage() {
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("address"))]);
        assert_eq!(i, Instrumentation { sanitizer: Sanitizer::Address, ubsan: true, coverage: true, afl: false, profile: false });
        let f = i.c_flags();
        for want in [
            "-fsanitize=address",
            "-fsanitize=undefined",
            "-fno-sanitize-recover=undefined",
            "-fsanitize=fuzzer-no-link",
            "-O1",
            "-g",
            "-fno-omit-frame-pointer",
        ] {
            assert!(f.iter().any(|x| x == want), "{want} missing from {f:?}");
        }
        // Never a flag that links a runtime: rustc links the sanitizer and libFuzzer runtimes.
        assert!(!f.iter().any(|x| x == "-fsanitize=fuzzer"));
        assert!(!f.iter().any(|x| x.contains("minimal-runtime")));
    }

    #[test]
    fn memory_fuzz_build_gets_msan_with_origins_and_no_ubsan() {
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("memory"))]);
        let f = i.c_flags();
        assert!(f.contains(&"-fsanitize=memory".to_string()));
        assert!(f.contains(&"-fsanitize-memory-track-origins".to_string()));
        assert!(!f.iter().any(|x| x.contains("address") || x.contains("undefined")));
        assert!(f.contains(&"-fsanitize=fuzzer-no-link".to_string()));
    }

    #[test]
    fn thread_and_leak_and_none() {
        let t = inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("thread"))]).c_flags();
        assert!(t.contains(&"-fsanitize=thread".to_string()));
        let l = inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("leak"))]).c_flags();
        assert!(!l.iter().any(|x| x.starts_with("-fsanitize=") && x != "-fsanitize=fuzzer-no-link"));
        let n = inst(&[("CARGO_ENCODED_RUSTFLAGS", "--cfg\x1ffuzzing")]).c_flags();
        assert_eq!(n.iter().filter(|x| x.starts_with("-fsanitize")).count(), 1);
    }

    #[test]
    fn split_and_stable_spellings_are_understood() {
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", "-Z\x1fsanitizer=memory")]);
        assert_eq!(i.sanitizer, Sanitizer::Memory);
        assert!(!i.coverage);
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", "-Csanitizer=address,leak")]);
        assert_eq!(i.sanitizer, Sanitizer::Address);
    }

    #[test]
    fn cfg_variables_are_read_when_flags_are_absent() {
        let i = inst(&[("CARGO_CFG_SANITIZE", "address"), ("CARGO_CFG_FUZZING", "")]);
        assert_eq!(i, Instrumentation { sanitizer: Sanitizer::Address, ubsan: true, coverage: true, afl: false, profile: false });
    }

    #[test]
    fn seam_switches_override() {
        let flags = cargo_fuzz_flags("address");
        let i = inst(&[
            ("CARGO_ENCODED_RUSTFLAGS", &flags),
            ("SEAM_COVERAGE", "0"),
            ("SEAM_UBSAN", "0"),
        ]);
        assert_eq!(i, Instrumentation { sanitizer: Sanitizer::Address, ubsan: false, coverage: false, afl: false, profile: false });
        assert!(!i.c_flags().iter().any(|x| x.contains("fuzzer") || x.contains("undefined")));
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", &flags), ("SEAM_SANITIZER", "memory")]);
        assert_eq!(i.sanitizer, Sanitizer::Memory);
    }

    #[test]
    fn coverage_builds_give_c_source_based_coverage() {
        // `cargo fuzz coverage` keeps the fuzzing flags and adds -Cinstrument-coverage.
        let flags = format!("{}\x1f-Cinstrument-coverage", cargo_fuzz_flags("address"));
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", &flags)]);
        assert!(i.profile);
        let f = i.c_flags();
        assert!(f.contains(&"-fprofile-instr-generate".to_string()) && f.contains(&"-fcoverage-mapping".to_string()), "{f:?}");
        // A coverage build without a sanitizer or fuzzing still instruments the C.
        let i = inst(&[("CARGO_ENCODED_RUSTFLAGS", "-C\x1finstrument-coverage")]);
        assert!(i.is_instrumented() && i.profile);
        assert!(!inst(&[("CARGO_ENCODED_RUSTFLAGS", &cargo_fuzz_flags("address"))]).profile);
    }

    #[test]
    fn flags_handed_over_replace_seams_choice() {
        let rust = cargo_fuzz_flags("address");
        let env = env_of(&[
            ("CARGO_ENCODED_RUSTFLAGS", &rust),
            ("SEAM_TARGET_CFLAGS", "-O1 -fsanitize=address  -fsanitize=fuzzer-no-link"),
        ]);
        let i = Instrumentation::from_env(&env).unwrap();
        assert_eq!(i.target_flags(Lang::C, &env), ["-O1", "-fsanitize=address", "-fsanitize=fuzzer-no-link"]);
        // C++ has its own variable; without it seam's choice stands.
        assert_eq!(i.target_flags(Lang::Cxx, &env), i.c_flags());
    }

    #[test]
    fn unknown_sanitizer_is_a_clear_error() {
        let err = Instrumentation::from_env(&env_of(&[("SEAM_SANITIZER", "hwaddress")]))
            .unwrap_err()
            .to_string();
        assert!(err.contains("hwaddress") && err.contains("SEAM_SANITIZER"), "{err}");
        assert!(err.contains("address, memory"), "{err}");
        let err = Instrumentation::from_env(&env_of(&[(
            "CARGO_ENCODED_RUSTFLAGS",
            "-Zsanitizer=cfi",
        )]))
        .unwrap_err()
        .to_string();
        assert!(err.contains("`cfi`") && err.contains("CARGO_ENCODED_RUSTFLAGS"), "{err}");
    }

    #[test]
    fn bad_switch_value_is_an_error() {
        let err = Instrumentation::from_env(&env_of(&[("SEAM_COVERAGE", "maybe")])).unwrap_err();
        assert!(err.to_string().contains("SEAM_COVERAGE"));
    }
}
