//! Classifying a parsed report: the crash type and security flag in ClusterFuzz's style, the
//! severity in CASR's, and the crash state (top frames) that deduplication keys on.
//!
//! A crash type carries the access on the same line: `Heap-buffer-overflow WRITE 4`,
//! `Null-dereference READ` (a SEGV's access has no size). A SEGV below address `0x1000` is a null
//! dereference, above it an `UNKNOWN` (wild) access.

use serde::{Deserialize, Serialize};

use crate::frames::{display_name, is_useful, truncate_chars};
use crate::model::{Access, Frame, Report, Tool};

/// Severity class, CASR style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// An attacker likely controls a write: out-of-bounds or use-after-free writes, double free,
    /// wild writes, command injection.
    Exploitable,
    /// Memory is corrupted or read out of bounds, but control is not evident: out-of-bounds and
    /// use-after-free reads, invalid free, wild reads, uninitialised reads, bad casts.
    ProbablyExploitable,
    /// A denial of service at worst: null dereference, leak, out-of-memory, timeout, stack
    /// overflow, UBSan arithmetic, panics, assertions.
    NotExploitable,
}

/// Addresses below this fault as null dereferences (ClusterFuzz's `NULL_DEREFERENCE_BOUNDARY`).
const NULL_BOUNDARY: u64 = 0x1000;

/// Frames in a crash state.
const STATE_FRAMES: usize = 3;

/// Characters per crash-state line.
const STATE_LINE_CHARS: usize = 80;

/// Memory-corruption kinds: (kind, CASR type for a read, CASR type for a write).
const CORRUPTIONS: &[(&str, &str, &str)] = &[
    (
        "heap-buffer-overflow",
        "heap-buffer-overflow(read)",
        "heap-buffer-overflow(write)",
    ),
    (
        "stack-buffer-overflow",
        "stack-buffer-overflow(read)",
        "stack-buffer-overflow(write)",
    ),
    (
        "stack-buffer-underflow",
        "stack-buffer-underflow(read)",
        "stack-buffer-underflow(write)",
    ),
    (
        "global-buffer-overflow",
        "global-buffer-overflow(read)",
        "global-buffer-overflow(write)",
    ),
    (
        "dynamic-stack-buffer-overflow",
        "dynamic-stack-buffer-overflow(read)",
        "dynamic-stack-buffer-overflow(write)",
    ),
    (
        "heap-use-after-free",
        "heap-use-after-free(read)",
        "heap-use-after-free(write)",
    ),
    (
        "stack-use-after-return",
        "stack-use-after-return(read)",
        "stack-use-after-return(write)",
    ),
    (
        "stack-use-after-scope",
        "stack-use-after-scope(read)",
        "stack-use-after-scope(write)",
    ),
    ("use-after-poison", "use-after-poison(read)", "use-after-poison(write)"),
    (
        "container-overflow",
        "container-overflow(read)",
        "container-overflow(write)",
    ),
    (
        "intra-object-overflow",
        "intra-object-overflow(read)",
        "intra-object-overflow(write)",
    ),
    ("unknown-crash", "SourceAv", "DestAv"),
    ("tag-mismatch", "tag-mismatch(read)", "tag-mismatch(write)"),
    (
        "allocation-tail-overwritten",
        "allocation-tail-overwritten",
        "allocation-tail-overwritten",
    ),
    ("memcpy-param-overlap", "param-overlap", "param-overlap"),
    ("strcpy-param-overlap", "param-overlap", "param-overlap"),
    ("strncpy-param-overlap", "param-overlap", "param-overlap"),
    ("strcat-param-overlap", "param-overlap", "param-overlap"),
    ("strncat-param-overlap", "param-overlap", "param-overlap"),
    ("negative-size-param", "negative-size-param", "negative-size-param"),
];

/// UBSan kinds: (kind, ClusterFuzz crash type, security).
const UBSAN: &[(&str, &str, bool)] = &[
    ("signed-integer-overflow", "Integer-overflow", false),
    ("unsigned-integer-overflow", "Unsigned-integer-overflow", false),
    ("integer-divide-by-zero", "Divide-by-zero", false),
    ("float-cast-overflow", "Float-cast-overflow", false),
    ("index-out-of-bounds", "Index-out-of-bounds", true),
    ("invalid-bool-load", "Invalid-bool-value", false),
    ("invalid-enum-load", "Invalid-enum-value", false),
    ("invalid-builtin-use", "Invalid-builtin-use", false),
    ("misaligned-address", "Misaligned-address", false),
    ("missing-return", "No-return-value", false),
    ("nonnull-attribute", "Invalid-null-argument", false),
    ("null-pointer-use", "Null-dereference", false),
    ("null-pointer-member-access", "Null-dereference", false),
    ("object-size", "Object-size", true),
    ("pointer-overflow", "Pointer-overflow", false),
    ("returns-nonnull-attribute", "Invalid-null-return", false),
    ("shift-out-of-bounds", "Undefined-shift", false),
    ("unreachable", "Unreachable code", false),
    ("non-positive-vla-bound", "Non-positive-vla-bound-value", true),
    ("assumption-violation", "Assumption-violation", false),
    ("alignment-assumption", "Alignment-assumption", false),
    ("upcast-of-null", "Upcast-of-null-pointer", false),
    ("bad-cast", "Bad-cast", true),
    ("function-type-mismatch", "Incorrect-function-pointer-type", true),
    ("implicit-conversion", "Implicit-conversion", false),
    ("undefined-behavior", "UNKNOWN", false),
];

/// What a report is, for classification.
#[derive(Clone, Copy, Debug)]
enum Category {
    Corruption(&'static (&'static str, &'static str, &'static str)),
    DoubleFree,
    BadFree,
    Segv,
    StackOverflow,
    Fpe,
    Ill,
    Abrt,
    Bus,
    Trap,
    OutOfMemory,
    Leak,
    Uninit,
    DataRace,
    Ubsan(&'static (&'static str, &'static str, bool)),
    Timeout,
    FatalSignal,
    FuzzerExit,
    ConstInput,
    Panic,
    Assert,
    Check,
    Fatal,
    CommandInjection,
    Dns,
    MissingLibrary,
    Divergence,
    Other,
}

fn category(r: &Report) -> Category {
    use Category::*;
    if r.tool == Tool::Divergence {
        return Divergence;
    }
    match r.kind.as_str() {
        "double-free" => DoubleFree,
        "bad-free" | "invalid-free" => BadFree,
        "SEGV" | "access-violation" => Segv,
        "stack-overflow" => StackOverflow,
        "FPE" => Fpe,
        "ILL" => Ill,
        "ABRT" => Abrt,
        "BUS" => Bus,
        "TRAP" | "breakpoint" => Trap,
        "out-of-memory"
        | "allocation-size-too-big"
        | "calloc-overflow"
        | "reallocarray-overflow"
        | "pvalloc-overflow"
        | "rss-limit-exceeded" => OutOfMemory,
        "leak" => Leak,
        "use-of-uninitialized-value" => Uninit,
        "data-race" => DataRace,
        "timeout" => Timeout,
        "deadly-signal" => FatalSignal,
        "fuzz-target-exited" => FuzzerExit,
        "overwrites-const-input" => ConstInput,
        "panic" => Panic,
        "assert" => Assert,
        "check-failure" => Check,
        "fatal-error" => Fatal,
        "command-injection" => CommandInjection,
        "arbitrary-dns-resolution" => Dns,
        "missing-library" => MissingLibrary,
        kind => {
            if let Some(entry) = CORRUPTIONS.iter().find(|e| e.0 == kind) {
                Corruption(entry)
            } else if r.tool == Tool::UndefinedBehaviorSanitizer {
                Ubsan(ubsan_entry(kind))
            } else {
                Other
            }
        }
    }
}

fn ubsan_entry(kind: &str) -> &'static (&'static str, &'static str, bool) {
    let unknown = &UBSAN[UBSAN.len() - 1];
    UBSAN.iter().find(|e| e.0 == kind).unwrap_or(unknown)
}

/// The crash type, ClusterFuzz style, with the access on the same line:
/// `Heap-buffer-overflow WRITE 4`, `Heap-use-after-free READ 1`, `Double-free`,
/// `Null-dereference WRITE`, `UNKNOWN READ`, `Stack-overflow`, `Leak`, `Integer-overflow`,
/// `Timeout`, `Out-of-memory`, `Panic`, `ASSERT`, `CHECK failure`, `Fuzzer-exit`, ...
pub fn crash_type(r: &Report) -> String {
    use Category::*;
    let fixed = match category(r) {
        Corruption(e) if e.0 == "unknown-crash" => return with_access("UNKNOWN", r.access),
        Corruption(e) => return with_access(&capitalize(e.0), r.access),
        Segv => return with_access(if is_null(r) { "Null-dereference" } else { "UNKNOWN" }, r.access),
        DataRace => return with_access("Data race", r.access),
        Ubsan(e) if e.0 == "null-pointer-use" => return with_access(e.1, r.access),
        Ubsan(e) => e.1,
        Other => return with_access(&capitalize(&r.kind), r.access),
        DoubleFree => "Double-free",
        BadFree => "Invalid-free",
        StackOverflow => "Stack-overflow",
        Fpe => "Floating-point-exception",
        Ill => "Ill",
        Abrt => "Abrt",
        Bus => "Bus-error",
        Trap => "Breakpoint",
        OutOfMemory => "Out-of-memory",
        Leak => "Leak",
        Uninit => "Use-of-uninitialized-value",
        Timeout => "Timeout",
        FatalSignal => "Fatal-signal",
        FuzzerExit => "Fuzzer-exit",
        ConstInput => "Overwrites-const-input",
        Panic => "Panic",
        Assert => "ASSERT",
        Check => "CHECK failure",
        Fatal => "Fatal error",
        CommandInjection => "Command injection",
        Dns => "Arbitrary DNS resolution",
        MissingLibrary => "Missing-library",
        Divergence => {
            let what = r.message.as_deref().and_then(|m| m.lines().next()).unwrap_or("");
            return format!("Divergence {what}").trim_end().to_string();
        }
    };
    fixed.to_string()
}

/// Security relevance, ClusterFuzz's notion: memory corruption, invalid and double frees, wild
/// or unknown accesses, uninitialised reads, bad casts, command injection are security bugs;
/// null dereferences, self-raised signals, leaks, stack overflows, out-of-memory, timeouts,
/// races, most UBSan arithmetic, panics and assertions are not.
pub fn is_security(r: &Report) -> bool {
    use Category::*;
    match category(r) {
        Corruption(_) | DoubleFree | BadFree | Uninit | CommandInjection | Dns => true,
        Segv => !is_null(r) && !self_raised(r),
        Ubsan(e) => e.2,
        _ => false,
    }
}

/// Severity class, CASR style (see [`Severity`]).
pub fn severity(r: &Report) -> Severity {
    use Category::*;
    match category(r) {
        Corruption(e) if is_write(r.access) || e.1 == "param-overlap" => Severity::Exploitable,
        Corruption(_) | BadFree | Uninit | Dns => Severity::ProbablyExploitable,
        DoubleFree | CommandInjection => Severity::Exploitable,
        Segv if is_null(r) || self_raised(r) => Severity::NotExploitable,
        Segv if is_write(r.access) => Severity::Exploitable,
        Segv => Severity::ProbablyExploitable,
        Ubsan(e) if e.2 => Severity::ProbablyExploitable,
        _ => Severity::NotExploitable,
    }
}

/// A short CASR-like type: `heap-buffer-overflow(write)`, `double-free`, `DestAv`, `SourceAv`,
/// `SourceAvNearNull`, `NullDeref`, `StackOverflow`, `AbortSignal`, `memory-leaks`,
/// `out-of-memory`, `timeout`, `RustPanic`, or the UBSan kind (`signed-integer-overflow`).
pub fn severity_type(r: &Report) -> &'static str {
    use Category::*;
    match category(r) {
        Corruption(e) => match r.access {
            Some(a) if a.write => e.2,
            Some(_) => e.1,
            None => e.0,
        },
        Segv => segv_type(r),
        Ubsan(e) => e.0,
        OutOfMemory => out_of_memory_type(&r.kind),
        DoubleFree => "double-free",
        BadFree => "bad-free",
        StackOverflow => "StackOverflow",
        Fpe => "FPE",
        Ill => "BadInstruction",
        Abrt | Assert | Check | Fatal => "AbortSignal",
        Bus => "AccessViolation",
        Trap => "Breakpoint",
        Leak => "memory-leaks",
        Uninit => "use-of-uninitialized-value",
        DataRace => "data-race",
        Timeout => "timeout",
        FatalSignal => "DeadlySignal",
        FuzzerExit => "fuzz target exited",
        ConstInput => "overwrites-const-input",
        Panic => "RustPanic",
        CommandInjection => "command-injection",
        Dns => "dns-resolution",
        MissingLibrary => "missing-library",
        Divergence => "divergence",
        Other => "Unknown",
    }
}

fn segv_type(r: &Report) -> &'static str {
    if self_raised(r) {
        return "AbortSignal";
    }
    match (is_null(r), r.access) {
        (true, Some(a)) if a.write => "DestAvNearNull",
        (true, Some(_)) => "SourceAvNearNull",
        (true, None) => "NullDeref",
        (false, Some(a)) if a.write => "DestAv",
        (false, Some(_)) => "SourceAv",
        (false, None) => "AccessViolation",
    }
}

fn out_of_memory_type(kind: &str) -> &'static str {
    match kind {
        "allocation-size-too-big" => "allocation-size-too-big",
        "calloc-overflow" => "calloc-overflow",
        _ => "out-of-memory",
    }
}

/// The crash state: the top 3 frame names after runtime noise is dropped, each cut to 80
/// characters (`LLVMFuzzerTestOneInput` shows as its source file's name). For a stack overflow
/// the frames start where the recursion starts. When no frame is left and a fuzz target is
/// given, the target's name stands in. Panics, assertions, CHECKs and fatal logs put their
/// message first; a CFI bad cast puts `Bad-cast to <type>` first; a missing library its name.
pub fn crash_state(r: &Report, fuzz_target: Option<&str>) -> Vec<String> {
    let mut state: Vec<String> = state_head(r)
        .into_iter()
        .map(|h| truncate_chars(&h, STATE_LINE_CHARS))
        .collect();
    let mut frames = state_frames(&r.stack);
    if matches!(category(r), Category::StackOverflow) {
        frames = from_recursion(frames);
    }
    if frames.is_empty() {
        state.extend(fuzz_target.map(str::to_string));
    }
    state.extend(frames);
    state.truncate(STATE_FRAMES);
    state
}

fn state_head(r: &Report) -> Option<String> {
    use Category::*;
    let message = r
        .message
        .as_deref()
        .and_then(|m| m.lines().next())
        .map(str::trim)
        .filter(|m| !m.is_empty());
    match category(r) {
        Panic | Assert | Check | Fatal | MissingLibrary | Divergence => message.map(str::to_string),
        Ubsan(e) if e.0 == "bad-cast" => message.and_then(cfi_type).map(|t| format!("Bad-cast to {t}")),
        _ => None,
    }
}

/// The type in `control flow integrity check for type '<type>' failed during ...`.
fn cfi_type(message: &str) -> Option<&str> {
    let rest = message.split_once("check for type '")?.1;
    Some(rest.rsplit_once("' failed")?.0)
}

fn state_frames(stack: &[Frame]) -> Vec<String> {
    stack.iter().filter(|f| is_useful(f)).filter_map(state_name).collect()
}

fn state_name(frame: &Frame) -> Option<String> {
    let name = display_name(frame.function.as_deref()?);
    if name != "LLVMFuzzerTestOneInput" {
        return Some(name);
    }
    let file = frame.file.as_deref()?;
    Some(truncate_chars(
        file.rsplit(['/', '\\']).next().unwrap_or(file),
        STATE_LINE_CHARS,
    ))
}

/// Longest recursion cycle looked for, and how often it must repeat (ClusterFuzz's values).
const MAX_CYCLE: usize = 10;
const CYCLE_REPEATS: usize = 3;

/// The frames from the first one where a cycle of at most 10 frames repeats 3 times.
fn from_recursion(names: Vec<String>) -> Vec<String> {
    let start = (0..names.len()).find(|&s| (1..=MAX_CYCLE).any(|len| repeats(&names[s..], len)));
    match start {
        Some(s) => names[s..].to_vec(),
        None => names,
    }
}

fn repeats(names: &[String], len: usize) -> bool {
    names.len() >= len * CYCLE_REPEATS && (0..len * (CYCLE_REPEATS - 1)).all(|k| names[k] == names[k + len])
}

fn is_null(r: &Report) -> bool {
    r.address.is_some_and(|a| a < NULL_BOUNDARY)
}

fn is_write(access: Option<Access>) -> bool {
    access.is_some_and(|a| a.write)
}

/// A SEGV whose innermost frame raises a signal: the process killed itself, no access faulted.
fn self_raised(r: &Report) -> bool {
    let Some(function) = r.stack.first().and_then(|f| f.function.as_deref()) else {
        return false;
    };
    matches!(
        function,
        "gsignal" | "raise" | "abort" | "tgkill" | "pthread_kill" | "kill"
    ) || function.starts_with("__pthread_kill")
}

/// `base READ 4`, `base WRITE` (size unknown), or `base`.
fn with_access(base: &str, access: Option<Access>) -> String {
    match access {
        Some(Access { write, size }) => {
            let rw = if write { "WRITE" } else { "READ" };
            if size == 0 {
                format!("{base} {rw}")
            } else {
                format!("{base} {rw} {size}")
            }
        }
        None => base.to_string(),
    }
}

fn capitalize(kind: &str) -> String {
    let mut chars = kind.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tool: Tool, kind: &str, access: Option<(bool, u64)>, address: Option<u64>) -> Report {
        let mut r = Report::new(tool, kind);
        r.access = access.map(|(write, size)| Access { write, size });
        r.address = address;
        r
    }

    fn frame(function: &str, file: &str) -> Frame {
        Frame {
            function: Some(function.into()),
            file: Some(file.into()),
            ..Frame::default()
        }
    }

    #[test]
    fn memory_errors() {
        let r = report(
            Tool::AddressSanitizer,
            "heap-buffer-overflow",
            Some((true, 4)),
            Some(0x6020),
        );
        assert_eq!(crash_type(&r), "Heap-buffer-overflow WRITE 4");
        assert!(is_security(&r));
        assert_eq!(
            (severity(&r), severity_type(&r)),
            (Severity::Exploitable, "heap-buffer-overflow(write)")
        );
        let r = report(
            Tool::AddressSanitizer,
            "heap-use-after-free",
            Some((false, 1)),
            Some(0x6020),
        );
        assert_eq!(crash_type(&r), "Heap-use-after-free READ 1");
        assert_eq!(
            (severity(&r), severity_type(&r)),
            (Severity::ProbablyExploitable, "heap-use-after-free(read)")
        );
        let r = report(Tool::AddressSanitizer, "double-free", None, Some(0x6020));
        assert_eq!(
            (crash_type(&r).as_str(), severity(&r)),
            ("Double-free", Severity::Exploitable)
        );
        let r = report(Tool::AddressSanitizer, "bad-free", None, Some(0x6020));
        assert_eq!(
            (crash_type(&r).as_str(), severity(&r)),
            ("Invalid-free", Severity::ProbablyExploitable)
        );
    }

    #[test]
    fn segv_by_address_and_access() {
        let cases = [
            (
                Some((true, 0)),
                Some(0x178),
                "Null-dereference WRITE",
                false,
                Severity::NotExploitable,
                "DestAvNearNull",
            ),
            (
                Some((false, 0)),
                Some(0x18),
                "Null-dereference READ",
                false,
                Severity::NotExploitable,
                "SourceAvNearNull",
            ),
            (
                None,
                Some(0x530),
                "Null-dereference",
                false,
                Severity::NotExploitable,
                "NullDeref",
            ),
            (
                Some((false, 0)),
                Some(0x10008),
                "UNKNOWN READ",
                true,
                Severity::ProbablyExploitable,
                "SourceAv",
            ),
            (
                Some((true, 0)),
                Some(0x10178),
                "UNKNOWN WRITE",
                true,
                Severity::Exploitable,
                "DestAv",
            ),
            (
                None,
                None,
                "UNKNOWN",
                true,
                Severity::ProbablyExploitable,
                "AccessViolation",
            ),
        ];
        for (access, address, ty, security, sev, casr) in cases {
            let r = report(Tool::AddressSanitizer, "SEGV", access, address);
            assert_eq!(crash_type(&r), ty);
            assert_eq!(
                (is_security(&r), severity(&r), severity_type(&r)),
                (security, sev, casr),
                "{ty}"
            );
        }
        let mut r = report(Tool::AddressSanitizer, "SEGV", None, Some(0x03e9_0000_39cd));
        r.stack.push(frame("gsignal", "/build/glibc-x/raise.c"));
        assert_eq!(
            (crash_type(&r).as_str(), is_security(&r), severity_type(&r)),
            ("UNKNOWN", false, "AbortSignal")
        );
    }

    #[test]
    fn not_security() {
        for (tool, kind, ty) in [
            (Tool::AddressSanitizer, "stack-overflow", "Stack-overflow"),
            (Tool::LeakSanitizer, "leak", "Leak"),
            (Tool::LibFuzzer, "timeout", "Timeout"),
            (Tool::LibFuzzer, "out-of-memory", "Out-of-memory"),
            (Tool::AddressSanitizer, "allocation-size-too-big", "Out-of-memory"),
            (
                Tool::UndefinedBehaviorSanitizer,
                "signed-integer-overflow",
                "Integer-overflow",
            ),
            (Tool::RustPanic, "panic", "Panic"),
            (Tool::Other, "assert", "ASSERT"),
            (Tool::Other, "check-failure", "CHECK failure"),
            (Tool::LibFuzzer, "fuzz-target-exited", "Fuzzer-exit"),
            (Tool::ThreadSanitizer, "data-race", "Data race"),
        ] {
            let r = report(tool, kind, None, None);
            assert_eq!(crash_type(&r), ty);
            assert!(!is_security(&r), "{ty}");
            assert_eq!(severity(&r), Severity::NotExploitable, "{ty}");
        }
        let r = report(Tool::MemorySanitizer, "use-of-uninitialized-value", None, None);
        assert!(is_security(&r));
        let r = report(Tool::UndefinedBehaviorSanitizer, "bad-cast", None, None);
        assert!(is_security(&r));
    }

    #[test]
    fn state_drops_noise_and_parameters() {
        let mut r = report(Tool::AddressSanitizer, "heap-buffer-overflow", Some((false, 1)), None);
        r.stack = vec![
            frame("__asan_memcpy", "/x/compiler-rt/lib/asan/asan_interceptors.cpp"),
            frame("foo::Bar(std::string_view)", "foo/bar.cc"),
            frame("blah::(anonymous namespace)::Foo(int)", "foo/blah.cc"),
            frame("LLVMFuzzerTestOneInput", "/src/fuzz/my_fuzzer.cc"),
            frame("fourth", "x.c"),
        ];
        assert_eq!(crash_state(&r, Some("t")), ["foo::Bar", "blah::Foo", "my_fuzzer.cc"]);
        r.stack.truncate(1);
        assert_eq!(crash_state(&r, Some("t")), ["t"]);
        assert!(crash_state(&r, None).is_empty());
    }

    #[test]
    fn state_of_messages_and_recursion() {
        let mut r = report(Tool::RustPanic, "panic", None, None);
        r.message = Some("boom\nmore".into());
        r.stack = vec![frame("my::f", "src/lib.rs")];
        assert_eq!(crash_state(&r, None), ["boom", "my::f"]);
        let mut r = report(Tool::AddressSanitizer, "stack-overflow", None, None);
        let names = ["a", "b", "c", "r", "s", "r", "s", "r", "s", "r"];
        r.stack = names.iter().map(|n| frame(n, "x.c")).collect();
        assert_eq!(crash_state(&r, None), ["r", "s", "r"]);
        let mut r = report(Tool::UndefinedBehaviorSanitizer, "bad-cast", None, None);
        r.message =
            Some("control flow integrity check for type 'void (*)(int)' failed during indirect function call".into());
        assert_eq!(crash_state(&r, None), ["Bad-cast to void (*)(int)"]);
    }
}
