//! Stack frames: one frame line in every form sanitizers, libFuzzer and Rust print, function
//! name demangling and cleanup, and the filter that tells runtime noise (sanitizer, libFuzzer,
//! libc, allocator, Rust std, seam's runtime) from the program's own frames.
//!
//! The filter follows ClusterFuzz's `STACK_FRAME_IGNORE_REGEXES`
//! (`src/clusterfuzz/stacktraces/constants.py`): function names by exact match and prefix, then
//! source paths and library names.

use crate::model::Frame;

/// Parses one sanitizer-style frame line: `#3 0x55d1 in f /p/f.c:117:12`,
/// `#0 0x4a in f (/lib/libc.so.6+0x29d90)`, `#1 0x7f in libc.so.6`, `#2 0x5555 (/bin+0x12)`,
/// `#0 0x7618899e78  frame1` (HWASan), `#0.3 0x21 in f file.rs:93 <>+0xb8bff` (Fuchsia),
/// `#3 133713371337ff in f()` (no `0x`). `None` for anything else, libFuzzer's `#1234 NEW`
/// progress lines included.
pub fn parse_frame(line: &str) -> Option<Frame> {
    let s = line.trim_start().strip_prefix('#')?;
    let (index, s) = leading_number(s)?;
    let s = skip_sub_index(s);
    if !s.starts_with(char::is_whitespace) {
        return None;
    }
    let (address, rest) = leading_address(s.trim_start())?;
    let mut frame = Frame {
        index,
        address: Some(address),
        ..Frame::default()
    };
    fill_location(&mut frame, rest.trim());
    Some(frame)
}

/// True when a frame line carries a sub-index (`#0.3`, Fuchsia's inlined frames).
pub fn has_sub_index(line: &str) -> bool {
    line.trim_start()
        .strip_prefix('#')
        .map(|s| s.trim_start_matches(|c: char| c.is_ascii_digit()))
        .is_some_and(|s| s.starts_with('.'))
}

/// Parses one entry line of a Rust std backtrace: `  12: core::panicking::panic_fmt` or, with
/// `RUST_BACKTRACE=full`, `  12:     0x55d1 - core::panicking::panic_fmt::h0123456789abcdef`.
pub fn parse_rust_frame(line: &str) -> Option<Frame> {
    let s = line.trim_start();
    let colon = s.find(':')?;
    let digits = &s[..colon];
    if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = &s[colon + 1..];
    if !rest.starts_with(' ') {
        return None;
    }
    let rest = rest.trim();
    let (address, name) = match rest.split_once(" - ") {
        Some((a, n)) if a.starts_with("0x") => (u64::from_str_radix(&a[2..], 16).ok(), n.trim()),
        _ => (None, rest),
    };
    if name.is_empty() {
        return None;
    }
    let mut frame = Frame {
        index: digits.parse().ok()?,
        address,
        ..Frame::default()
    };
    set_function(&mut frame, name);
    Some(frame)
}

/// Parses the location line under a Rust backtrace entry (`   at /rustc/.../panicking.rs:75:14`)
/// into `(file, line, column)`.
pub fn parse_rust_location(line: &str) -> Option<(String, Option<u32>, Option<u32>)> {
    let loc = line.trim_start().strip_prefix("at ")?.trim();
    if loc.is_empty() {
        return None;
    }
    Some(match parse_file_line(loc) {
        Some(FileLine { file, line, column }) => (file.unwrap_or_else(|| loc.to_string()), line, column),
        None => (loc.to_string(), None, None),
    })
}

/// A frame for a bare source location as UBSan and panics print it (`csrc/seeded.c:212:18`):
/// file, line and column, no function.
pub fn location_frame(text: &str) -> Frame {
    let text = text.trim();
    match parse_file_line(text) {
        Some(FileLine { file, line, column }) => Frame {
            file,
            line,
            column,
            ..Frame::default()
        },
        None => Frame {
            file: Some(text.to_string()),
            ..Frame::default()
        },
    }
}

/// Demangles and cleans a function name as a tool printed it: Rust legacy (`_ZN..17h<hash>E`)
/// and v0 (`_R..`) manglings, legacy names printed half-demangled (`Vec$LT$T$GT$::push::h<hash>`),
/// C++ Itanium nested names (`_ZN6fuzzer6Fuzzer4LoopE..`, parameters dropped). Strips the
/// `::h<hash>` suffix, LLVM's `.llvm.N` suffix and a `+0x1a` offset, and writes an inherent impl
/// path `<a::B>::f` as `a::B::f` so both Rust manglings give one name.
pub fn demangle(name: &str) -> String {
    let name = strip_offset(strip_llvm_suffix(name.trim()));
    let demangled = if is_mangled(name) {
        demangle_symbol(name)
    } else if is_legacy_printed(name) {
        redemangle_legacy(name)
    } else {
        None
    };
    let name = demangled.unwrap_or_else(|| name.to_string());
    unwrap_inherent_impl(strip_hash(&name))
}

/// The short name a crash state shows: no `(anonymous namespace)::`, no parameter list, at most
/// 80 characters (`foo::Bar(std::string_view) const` gives `foo::Bar`).
pub fn display_name(function: &str) -> String {
    let name = function.replace("(anonymous namespace)::", "");
    let cut = params_start(&name).unwrap_or(name.len());
    truncate_chars(name[..cut].trim(), 80)
}

/// Cuts `text` to at most `max` characters.
pub fn truncate_chars(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// True for frames that say nothing about the program under test: sanitizer runtimes,
/// libFuzzer, libc and the allocator, abort and signal machinery, Rust's std/core/alloc and
/// panic machinery, libfuzzer-sys, seam's own runtime, and frames with neither a function nor a
/// source file. `LLVMFuzzerTestOneInput` is not noise by name (it is a C harness's entry), only
/// when it is libfuzzer-sys's Rust wrapper.
pub fn is_noise(frame: &Frame) -> bool {
    let file_noise = frame.file.as_deref().is_some_and(file_is_noise);
    let module_noise = frame.module.as_deref().is_some_and(module_is_noise);
    match frame.function.as_deref() {
        Some(function) => function_is_noise(function) || file_noise || module_noise,
        None => frame.file.is_none() || file_noise,
    }
}

/// True for a frame worth showing: it has a function name and is not noise.
pub fn is_useful(frame: &Frame) -> bool {
    frame.function.is_some() && !is_noise(frame)
}

/// A source location parsed from `file:line[:col]` (`file` is `None` for `??`).
struct FileLine {
    file: Option<String>,
    line: Option<u32>,
    column: Option<u32>,
}

fn leading_number(s: &str) -> Option<(usize, &str)> {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    if end == 0 || end > 9 {
        return None;
    }
    Some((s[..end].parse().ok()?, &s[end..]))
}

fn skip_sub_index(s: &str) -> &str {
    match s.strip_prefix('.') {
        Some(rest) => rest.trim_start_matches(|c: char| c.is_ascii_digit()),
        None => s,
    }
}

/// `0x` and at least one hex digit, or at least six bare hex digits; followed by a space or the
/// end of the line.
fn leading_address(s: &str) -> Option<(u64, &str)> {
    let (body, min) = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(body) => (body, 1),
        None => (s, 6),
    };
    let end = body.find(|c: char| !c.is_ascii_hexdigit()).unwrap_or(body.len());
    let rest = &body[end..];
    if end < min || end > 16 || !(rest.is_empty() || rest.starts_with(char::is_whitespace)) {
        return None;
    }
    Some((u64::from_str_radix(&body[..end], 16).ok()?, rest))
}

fn fill_location(frame: &mut Frame, rest: &str) {
    let mut rest = strip_build_id(rest);
    rest = rest.strip_prefix("in ").unwrap_or(rest).trim();
    if let Some((before, module)) = split_fuchsia_module(rest) {
        frame.module = Some(module.to_string());
        rest = before;
    }
    if let Some((before, module)) = split_paren_module(rest) {
        frame.module = Some(module.to_string());
        rest = before;
    }
    rest = strip_discriminator(rest);
    let (function, location) = split_file(rest);
    if let Some(loc) = location {
        frame.file = loc.file;
        frame.line = loc.line;
        frame.column = loc.column;
    }
    set_function(frame, function);
}

/// Sets the function, or the module when the "function" is a library name (`in libc.so.6`).
fn set_function(frame: &mut Frame, text: &str) {
    let text = text.trim();
    if matches!(text, "" | "<unknown>" | "??" | "<null>") {
        return;
    }
    if frame.file.is_none() && looks_like_library(text) {
        frame.module.get_or_insert_with(|| text.to_string());
        return;
    }
    frame.function = Some(demangle(text));
}

fn strip_build_id(rest: &str) -> &str {
    match rest.find(" (BuildId:").or_else(|| rest.find("(BuildId:")) {
        Some(at) => rest[..at].trim_end(),
        None => rest,
    }
}

/// Fuchsia's `... <libc.so>+0x9840e` (or `<>+0x...` for the main binary).
fn split_fuchsia_module(rest: &str) -> Option<(&str, &str)> {
    let (before, token) = rest.rsplit_once(' ')?;
    let module = token.strip_prefix('<')?.split_once(">+0x")?.0;
    Some((before.trim_end(), module))
}

/// A trailing `(module+0xoff)` or `(<unknown module>)`.
fn split_paren_module(rest: &str) -> Option<(&str, &str)> {
    let inner_end = rest.strip_suffix(')')?;
    let open = inner_end.rfind('(')?;
    let group = &inner_end[open + 1..];
    if open > 0 && !inner_end[..open].ends_with(' ') {
        return None;
    }
    let is_module = group == "<unknown module>"
        || (!group.contains(' ')
            && (group.contains("+0x") || group.contains('/') || group.contains('\\') || looks_like_library(group)));
    if !is_module {
        return None;
    }
    let module = group.split("+0x").next().unwrap_or(group);
    Some((inner_end[..open].trim_end(), module))
}

fn strip_discriminator(rest: &str) -> &str {
    match rest.find(" (discriminator ") {
        Some(at) if rest.ends_with(')') => rest[..at].trim_end(),
        _ => rest,
    }
}

/// Splits `function file:line:col` at the last space when the last token is a location.
fn split_file(rest: &str) -> (&str, Option<FileLine>) {
    let Some((head, token)) = rest.rsplit_once(' ') else {
        return (rest, None);
    };
    let head = head.trim_end();
    if head.is_empty() {
        return (rest, None);
    }
    if let Some(loc) = parse_file_line(token) {
        return (head, Some(loc));
    }
    if looks_like_path(token) {
        return (
            head,
            Some(FileLine {
                file: Some(token.to_string()),
                line: None,
                column: None,
            }),
        );
    }
    (rest, None)
}

/// `file:line[:col]`, `??:0`, `??:?`, `??`. The file is the text before the first colon that is
/// followed only by digits (so `C:\src\a.cc:12:3` keeps its drive).
fn parse_file_line(token: &str) -> Option<FileLine> {
    if token == "??" || token.starts_with("??:") {
        return Some(FileLine {
            file: None,
            line: None,
            column: None,
        });
    }
    for (at, _) in token.match_indices(':') {
        let file = &token[..at];
        let mut nums = token[at + 1..].split(':');
        let line = nums.next().and_then(|n| n.parse::<u32>().ok());
        let column = match nums.next() {
            Some(n) => match n.parse::<u32>() {
                Ok(c) => Some(c),
                Err(_) => continue,
            },
            None => None,
        };
        if !file.is_empty() && line.is_some() && nums.next().is_none() {
            return Some(FileLine {
                file: Some(file.to_string()),
                line,
                column,
            });
        }
    }
    None
}

fn looks_like_path(token: &str) -> bool {
    if token.contains('(') || token.contains('<') {
        return false;
    }
    const SOURCE: [&str; 11] = [
        ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".rs", ".S", ".s", ".inc", ".inl",
    ];
    token.contains('/') || token.contains('\\') || token.contains("-cgu.") || SOURCE.iter().any(|e| token.ends_with(e))
}

fn looks_like_library(text: &str) -> bool {
    if text.contains(' ') || text.contains('(') {
        return false;
    }
    let base = basename(text);
    base.ends_with(".so")
        || base.contains(".so.")
        || [".dll", ".DLL", ".dylib", ".exe", ".EXE"]
            .iter()
            .any(|e| base.ends_with(e))
}

fn basename(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn strip_llvm_suffix(name: &str) -> &str {
    let name = match name.find(" (.llvm.") {
        Some(at) => name[..at].trim_end(),
        None => name,
    };
    match name.find(".llvm.") {
        Some(at) if name[at + 6..].bytes().all(|b| b.is_ascii_digit()) => &name[..at],
        _ => name,
    }
}

/// `func+0x1a` as some symbolizers print it.
fn strip_offset(name: &str) -> &str {
    match name.rfind("+0x") {
        Some(at) if at > 0 && name[at + 3..].bytes().all(|b| b.is_ascii_hexdigit()) && name.len() > at + 3 => {
            &name[..at]
        }
        _ => name,
    }
}

fn is_mangled(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with("_Z")
        || name.starts_with("__Z")
        || (name.starts_with("_R") && bytes.len() > 2 && (bytes[2].is_ascii_uppercase() || bytes[2].is_ascii_digit()))
}

fn demangle_symbol(name: &str) -> Option<String> {
    if let Ok(d) = rustc_demangle::try_demangle(name) {
        return Some(format!("{d:#}"));
    }
    demangle_itanium(name.strip_prefix('_').filter(|n| n.starts_with("_Z")).unwrap_or(name))
}

/// A Rust legacy symbol printed with its `$LT$`/`..` escapes or its hash left in:
/// `alloc::vec::Vec$LT$T$GT$::reserve::h76c1ff3ca24d558b`.
fn is_legacy_printed(name: &str) -> bool {
    name.contains("::")
        && !name.contains(' ')
        && !name.contains('<')
        && (name.contains('$') || hash_suffix_start(name).is_some())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'.' | b':'))
}

fn redemangle_legacy(name: &str) -> Option<String> {
    let mut symbol = String::from("_ZN");
    for part in name.split("::") {
        if part.is_empty() {
            return None;
        }
        symbol.push_str(&part.len().to_string());
        symbol.push_str(part);
    }
    symbol.push('E');
    rustc_demangle::try_demangle(&symbol).ok().map(|d| format!("{d:#}"))
}

fn hash_suffix_start(name: &str) -> Option<usize> {
    let at = name.len().checked_sub(19)?;
    let tail = name.get(at..)?;
    let hex = tail.strip_prefix("::h")?;
    (hex.len() == 16 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then_some(at)
}

fn strip_hash(name: &str) -> &str {
    match hash_suffix_start(name) {
        Some(at) => &name[..at],
        None => name,
    }
}

/// `<seam_seeded::store::Store>::describe` (v0) is `seam_seeded::store::Store::describe` (legacy).
fn unwrap_inherent_impl(name: &str) -> String {
    let Some(inner) = name.strip_prefix('<') else {
        return name.to_string();
    };
    let Some(close) = matching_angle(inner) else {
        return name.to_string();
    };
    let (path, rest) = (&inner[..close], &inner[close + 1..]);
    let plain_path = path.starts_with(|c: char| c.is_alphabetic() || c == '_') && !path.contains(" as ");
    if plain_path && rest.starts_with("::") {
        format!("{path}{rest}")
    } else {
        name.to_string()
    }
}

/// The index of the `>` closing an already-opened `<` in `s`.
fn matching_angle(s: &str) -> Option<usize> {
    let mut depth = 1usize;
    for (i, c) in s.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the parameter list starts: the first `(` outside template brackets, or the first `(`
/// after an `operator` (`Test::Ex::operator()(List*)` gives `Test::Ex::operator`).
fn params_start(name: &str) -> Option<usize> {
    if let Some(at) = name.find("operator") {
        let after = at + "operator".len();
        if name[after..].starts_with(|c: char| !c.is_alphanumeric() && c != '_') {
            return name[after..].find('(').map(|p| after + p);
        }
    }
    let mut depth = 0usize;
    for (i, c) in name.char_indices() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            '(' if depth == 0 && i > 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// Demangles the common Itanium case, `_Z[N [K] <source-name>+ E] <params>`, to its qualified
/// name without parameters. Anything with templates or substitutions is left as it was.
fn demangle_itanium(symbol: &str) -> Option<String> {
    let rest = symbol.strip_prefix("_Z")?;
    let (nested, mut rest) = match rest.strip_prefix('N') {
        Some(r) => (true, r.trim_start_matches(['K', 'V', 'r'])),
        None => (false, rest),
    };
    let mut parts: Vec<String> = Vec::new();
    if let Some(r) = rest.strip_prefix("St") {
        parts.push("std".into());
        rest = r;
    }
    loop {
        if nested && rest.starts_with('E') {
            break;
        }
        let (part, r) = itanium_part(rest, parts.last())?;
        parts.push(part);
        rest = r;
        if !nested {
            break;
        }
    }
    (!parts.is_empty()).then(|| parts.join("::"))
}

/// One `<source-name>` (`6fuzzer`), constructor (`C1`) or destructor (`D2`).
fn itanium_part<'a>(s: &'a str, last: Option<&String>) -> Option<(String, &'a str)> {
    let bytes = s.as_bytes();
    match bytes.first()? {
        b'C' | b'D' if bytes.len() > 1 && bytes[1].is_ascii_digit() => {
            let class = last?;
            let name = if bytes[0] == b'C' {
                class.clone()
            } else {
                format!("~{class}")
            };
            Some((name, &s[2..]))
        }
        b'0'..=b'9' => {
            let (len, r) = leading_number(s)?;
            let part = r.get(..len)?;
            Some((part.to_string(), &r[len..]))
        }
        _ => None,
    }
}

const NOISE_EXACT: &[&str] = &[
    "abort",
    "exit",
    "_exit",
    "raise",
    "gsignal",
    "tgkill",
    "pthread_kill",
    "pthread_create",
    "start_thread",
    "clone",
    "clone3",
    "main",
    "_start",
    "malloc",
    "free",
    "cfree",
    "calloc",
    "realloc",
    "reallocarray",
    "valloc",
    "pvalloc",
    "memalign",
    "posix_memalign",
    "aligned_alloc",
    "malloc_usable_size",
    "rust_panic",
    "rust_begin_unwind",
    "rust_oom",
    "ExitCallback",
    "TestOneProtoInput",
    "<unknown>",
];

const NOISE_PREFIX: &[&str] = &[
    // Sanitizer runtimes.
    "__asan",
    "__interceptor_",
    "___interceptor_",
    "__sanitizer",
    "__ubsan",
    "__msan",
    "__lsan",
    "__tsan",
    "__hwasan",
    "__dfsan",
    "_asan_",
    "_msan_",
    "_lsan_",
    "_tsan_",
    "_ubsan_",
    "asan_",
    "__cfi_",
    // libc, abort and the allocator.
    "__libc_",
    "__GI_",
    "__assert_",
    "__pthread_kill",
    "__run_exit_handlers",
    "__cxa_throw",
    "__cxa_rethrow",
    "__cxa_atexit",
    "__restore_rt",
    "_L_unlock_",
    "memcpy",
    "memmove",
    "memset",
    "memcmp",
    "strcmp",
    "strcpy",
    "strdup",
    "strlen",
    "strncpy",
    "__memcpy",
    "__memmove",
    "__memset",
    "__memcmp",
    "__strcmp",
    "__strcpy",
    "__strdup",
    "__strlen",
    "__strncpy",
    "__aeabi_",
    "g_log",
    // libFuzzer, libfuzzer-sys, FuzzTest.
    "fuzzer::",
    "libfuzzer_sys::",
    "fuzztest::internal::",
    "auto fuzztest::internal::",
    // Rust runtime: std, core, alloc, panic machinery.
    "std::",
    "core::",
    "alloc::",
    "<std::",
    "<core::",
    "<alloc::",
    "__rust_",
    "__rustc::",
    "panic_abort::",
    "panic_unwind::",
    // seam's own runtime.
    "seam_runtime::",
    "<seam_runtime::",
    // Logging and crash helpers (Chromium, Abseil).
    "logging::LogMessage",
    "logging::CheckError",
    "logging::ErrnoLogMessage",
    "base::debug::BreakDebugger",
    "base::debug::StackTrace::StackTrace",
    "base::debug::CollectStackTrace",
    "absl::log_internal::",
];

const NOISE_PATH: &[&str] = &[
    "compiler-rt/",
    "/sanitizer_common/",
    "/libfuzzer-sys-",
    "/libfuzzer-sys/",
    "rustlib/src/rust/",
    "libc++/",
    "/libc++",
    "libstdc++",
    "/gcc/",
    "/crosstool/",
    "/glibc-",
    "/tcmalloc/",
    "/jemalloc/",
    "/llvm-build/",
    "libhfuzz/",
    "/vctools/crt/",
    "/minkernel/crts/",
    "/harness/runtime/src/",
    "/seam-runtime-",
];

const NOISE_LIBRARY: &[&str] = &[
    "libc.so",
    "libc-",
    "libc++",
    "libstdc++",
    "libpthread",
    "libgcc_s",
    "ld-linux",
    "ld-musl",
    "libclang_rt",
    "libdl",
    "libm.so",
    "libm-",
    "linux-vdso",
    "[vdso]",
    "libsystem_",
    "ntdll.dll",
    "KERNEL32",
    "kernel32",
];

fn function_is_noise(function: &str) -> bool {
    let base = function.split('(').next().unwrap_or(function).trim();
    NOISE_EXACT.contains(&base)
        || NOISE_PREFIX.iter().any(|p| function.starts_with(p))
        || is_free_operator(function)
        || (function.starts_with('<') && function.contains(" as core::ops::function::Fn"))
}

/// An unqualified operator (`operator new(unsigned long)`, a lambda's `operator()`, libc++'s
/// `operator->`): allocation or library plumbing, never the place a bug is.
fn is_free_operator(function: &str) -> bool {
    function
        .strip_prefix("operator")
        .is_some_and(|rest| rest.starts_with(|c: char| !c.is_alphanumeric() && c != '_'))
}

fn file_is_noise(file: &str) -> bool {
    let rust_std = file.contains("/rustc/") && (file.contains("/library/") || file.contains("/src/lib"));
    let base = basename(file);
    let libfuzzer = base.starts_with("Fuzzer") && (base.ends_with(".cpp") || base.ends_with(".h"));
    rust_std || libfuzzer || NOISE_PATH.iter().any(|p| file.contains(p))
}

fn module_is_noise(module: &str) -> bool {
    let base = basename(module);
    NOISE_LIBRARY.iter().any(|p| base.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(line: &str) -> Frame {
        parse_frame(line).unwrap_or_else(|| panic!("not a frame: {line}"))
    }

    #[test]
    fn symbolised_frame_with_file_line_column() {
        let f = frame("    #3 0x55d1 in seeded_peek /work/main/c_targets/seeded/csrc/seeded.c:117:12");
        assert_eq!(f.index, 3);
        assert_eq!(f.address, Some(0x55d1));
        assert_eq!(f.function.as_deref(), Some("seeded_peek"));
        assert_eq!(f.file.as_deref(), Some("/work/main/c_targets/seeded/csrc/seeded.c"));
        assert_eq!((f.line, f.column), (Some(117), Some(12)));
        assert_eq!(f.module, None);
    }

    #[test]
    fn module_forms() {
        let f = frame("#0 0x4a in func (/lib/libc.so.6+0x29d90)");
        assert_eq!(f.function.as_deref(), Some("func"));
        assert_eq!(f.module.as_deref(), Some("/lib/libc.so.6"));
        let f = frame("#1 0x7f in libc.so.6");
        assert_eq!((f.function.as_deref(), f.module.as_deref()), (None, Some("libc.so.6")));
        let f = frame("    #2 0x5555 (/path/bin+0x1234)");
        assert_eq!((f.function.as_deref(), f.module.as_deref()), (None, Some("/path/bin")));
        let f = frame("    #21 0x55771105dbf0 in _start (/work/bin/seeded_parse+0x92bf0) (BuildId: 96c641ccea757507b6f6b0be9217180b7a51af0f)");
        assert_eq!(
            (f.function.as_deref(), f.module.as_deref()),
            (Some("_start"), Some("/work/bin/seeded_parse"))
        );
        let f = frame("    #4 0x7f043d45a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f) (BuildId: 93ac61ec)");
        assert_eq!(f.module.as_deref(), Some("/lib/x86_64-linux-gnu/libc.so.6"));
        let f = frame("    #0 0x631000001000  (<unknown module>)");
        assert_eq!((f.function, f.module.as_deref()), (None, Some("<unknown module>")));
    }

    #[test]
    fn other_frame_dialects() {
        let f = frame("    #0 0x7618899e78  frame1");
        assert_eq!(f.function.as_deref(), Some("frame1"));
        let f = frame("#3 133713371337ff in hack() /blah/hack.cc:55");
        assert_eq!(
            (f.address, f.function.as_deref(), f.line),
            (Some(0x0013_3713_3713_37ff), Some("hack()"), Some(55))
        );
        let f = frame("    #9 0x55771112e43b in __rust_try libfuzzer_sys.30dc70d2723b9ab6-cgu.0");
        assert_eq!(f.file.as_deref(), Some("libfuzzer_sys.30dc70d2723b9ab6-cgu.0"));
        let f = frame("    #0.3  0x00002113208e3bff in std::backtrace_rs::backtrace::trace::h9331d8ca7346313e rustlib/src/rust/library/std/src/x.rs:93 <>+0xb8bff");
        assert_eq!(f.function.as_deref(), Some("std::backtrace_rs::backtrace::trace"));
        assert_eq!((f.line, f.module.as_deref()), (Some(93), Some("")));
        let f = frame("    #0 0x7f3b595f8acb in __interceptor_malloc ??:?");
        assert_eq!(
            (f.function.as_deref(), f.file.as_deref()),
            (Some("__interceptor_malloc"), None)
        );
        let f = frame("    #18 0x7fefa1c9d040 in Builtin_impl /b/src/builtins.cc:1115 (discriminator 1)");
        assert_eq!((f.function.as_deref(), f.line), (Some("Builtin_impl"), Some(1115)));
        let f = frame(r"    #0 0x7ff6a3b1 in foo C:\src\foo.cc:12:3");
        assert_eq!(
            (f.file.as_deref(), f.line, f.column),
            (Some(r"C:\src\foo.cc"), Some(12), Some(3))
        );
        let f = frame("#13 0x0000004264e3 <unknown>");
        assert_eq!((f.function, f.file), (None, None));
    }

    #[test]
    fn not_frames() {
        for line in [
            "#1234\tNEW    cov: 101 ft: 106 corp: 2/3b lim: 4 exec/s: 0 rss: 34Mb",
            "#2\tINITED cov: 66 ft: 66 corp: 1/1b exec/s: 0 rss: 33Mb",
            "#8\tDONE   cov: 1",
            "    #0 0xsfsdf908908 in raise (/usr/lib64/libc.so.6+0x90890sdf)",
            "# Fatal error in ../../src/d8/d8.cc, line 3943",
            "#READY",
            "#",
            "",
        ] {
            assert_eq!(parse_frame(line), None, "{line}");
        }
    }

    #[test]
    fn rust_backtrace_frames() {
        let f = parse_rust_frame("  12: core::panicking::panic_fmt").unwrap();
        assert_eq!(
            (f.index, f.function.as_deref()),
            (12, Some("core::panicking::panic_fmt"))
        );
        let f = parse_rust_frame("  3:     0x55d1a2 - seam::f::h0123456789abcdef").unwrap();
        assert_eq!((f.address, f.function.as_deref()), (Some(0x55d1a2), Some("seam::f")));
        let f = parse_rust_frame("  18: _ZN6fuzzer6Fuzzer15ExecuteCallbackEPKhm").unwrap();
        assert_eq!(f.function.as_deref(), Some("fuzzer::Fuzzer::ExecuteCallback"));
        assert_eq!(parse_rust_frame("note: run with `RUST_BACKTRACE=1`"), None);
        assert_eq!(parse_rust_frame("thread 'x' panicked at src/a.rs:1:2:"), None);
        let loc = parse_rust_location("             at /rustc/e50a/library/core/src/panicking.rs:80:14").unwrap();
        assert_eq!(
            loc,
            (
                "/rustc/e50a/library/core/src/panicking.rs".to_string(),
                Some(80),
                Some(14)
            )
        );
    }

    #[test]
    fn demangling() {
        assert_eq!(
            demangle("_ZN4core9panicking9panic_fmt17h1234567890abcdefE"),
            "core::panicking::panic_fmt"
        );
        assert_eq!(demangle("_RNvCs1234_7mycrate3foo"), "mycrate::foo");
        assert_eq!(
            demangle("_ZN6fuzzer6Fuzzer4LoopERSt6vectorINS_9SizedFileESaIS2_EE"),
            "fuzzer::Fuzzer::Loop"
        );
        assert_eq!(demangle("_ZN3foo3BarC2Ev"), "foo::Bar::Bar");
        assert_eq!(demangle("_ZN3foo3BarD0Ev"), "foo::Bar::~Bar");
        assert_eq!(demangle("_Z4mainiPPc"), "main");
        assert_eq!(
            demangle("mp4parse::fallible::TryVec$LT$T$GT$::reserve::h1159314b25b06f7c"),
            "mp4parse::fallible::TryVec<T>::reserve"
        );
        assert_eq!(
            demangle("_$LT$mp4parse..BMFFBox$LT$T$GT$$u20$as$u20$mp4parse..fallible..TryRead$GT$::try_read_to_end::h37ff3f8c67f3ab87"),
            "<mp4parse::BMFFBox<T> as mp4parse::fallible::TryRead>::try_read_to_end"
        );
        assert_eq!(
            demangle("std::sys::unix::abort_internal::h3e3f989126541ea9 (.llvm.14040283905672493915)"),
            "std::sys::unix::abort_internal"
        );
        assert_eq!(
            demangle("<seam_seeded::store::Store>::describe"),
            "seam_seeded::store::Store::describe"
        );
        assert_eq!(
            demangle("<&[u8] as arbitrary::Arbitrary>::arbitrary"),
            "<&[u8] as arbitrary::Arbitrary>::arbitrary"
        );
        assert_eq!(demangle("foo+0x1a"), "foo");
        assert_eq!(demangle("_Rust_is_not_mangled"), "_Rust_is_not_mangled");
        assert_eq!(demangle("_ZN3foo3barIiEEvv"), "_ZN3foo3barIiEEvv");
    }

    #[test]
    fn display_names_drop_parameters() {
        assert_eq!(
            display_name("foo::Bar(std::__u::basic_string_view<char>) const"),
            "foo::Bar"
        );
        assert_eq!(display_name("blah::(anonymous namespace)::Foo(int)"), "blah::Foo");
        assert_eq!(display_name("Test::Ex::operator()(Test::List*)"), "Test::Ex::operator");
        assert_eq!(
            display_name("gfx::Point::operator+=(gfx::Vector2d const&)"),
            "gfx::Point::operator+="
        );
        assert_eq!(display_name("operator->"), "operator->");
        assert_eq!(
            display_name("Start<views::MenuController>"),
            "Start<views::MenuController>"
        );
        assert_eq!(
            display_name("<F as core::ops::function::FnOnce<(A,)>>::call_once"),
            "<F as core::ops::function::FnOnce<(A,)>>::call_once"
        );
        assert_eq!(display_name(&"x".repeat(100)).len(), 80);
    }

    #[test]
    fn noise_filter() {
        let noise = [
            "    #0 0x1 in __asan_memcpy /rustc/llvm/src/llvm-project/compiler-rt/lib/asan/asan_interceptors_memintrinsics.cpp:65:3",
            "    #0 0x1 in __interceptor_cfree.localalias.0 /src/asan_malloc_linux.cc:54",
            "    #0 0x1 in ___interceptor_malloc",
            "    #1 0x1 in fuzzer::Fuzzer::ExecuteCallback(unsigned char const*, unsigned long) /src/FuzzerLoop.cpp:619:15",
            "    #1 0x1 in ExitCallback third_party/llvm/lib/Fuzzer/FuzzerLoop.cpp:211:5",
            "    #1 0x1 in malloc /rustc/llvm/src/llvm-project/compiler-rt/lib/asan/asan_malloc_linux.cpp:67:3",
            "    #1 0x1 in operator new(unsigned long)",
            "    #4 0x1 in operator() base/logging.cc:740:7",
            "    #1 0x1 in gsignal /build/glibc-LK5gWL/glibc-2.23/signal/raise.c:54",
            "    #1 0x1 in __libc_start_main csu/../csu/libc-start.c:360:3",
            "    #1 0x1 in _start (/bin/x+0x92bf0)",
            "    #1 0x1 in std::panicking::begin_panic::h2194e36e9d0a3237 /rustc/b8ce/src/libstd/panicking.rs:399:4",
            "    #1 0x1 in core::slice::index::slice_index_fail /rustc/e50a/library/core/src/panic.rs:177:9",
            "    #1 0x1 in index<u8> /root/.rustup/toolchains/n/lib/rustlib/src/rust/library/core/src/slice/index.rs:443:13",
            "    #1 0x1 in __rustc::rust_begin_unwind /rustc/e50a/library/std/src/panicking.rs:689:5",
            "    #1 0x1 in rust_fuzzer_test_input /root/.cargo/registry/src/x/libfuzzer-sys-0.4.13/src/lib.rs:276:60",
            "    #1 0x1 in LLVMFuzzerTestOneInput /root/.cargo/registry/src/x/libfuzzer-sys-0.4.13/src/lib.rs:60:22",
            "    #1 0x1 in libfuzzer_sys::initialize::{closure#0} /x/lib.rs:94:9",
            "    #1 0x1 in <alloc::boxed::Box<dyn Fn()> as core::ops::function::Fn<()>>::call /x.rs:1",
            "    #1 0x1 in <F as core::ops::function::FnOnce<A>>::call_once /src/x.rs:1",
            "    #1 0x1 in seam_runtime::recorder::enter /work/main/harness/runtime/src/recorder.rs:10:5",
            "    #4 0x7f043d45a04f  (/lib/x86_64-linux-gnu/libc.so.6+0x3c04f)",
            "    #0 0x631000001000  (<unknown module>)",
            "    #0 0x7f in libgcc_s.so.1",
        ];
        for line in noise {
            assert!(is_noise(&frame(line)), "should be noise: {line}");
        }
        let useful = [
            "    #1 0x557711127155 in seeded_parse /work/main/c_targets/seeded/csrc/seeded.c:74:5",
            "    #22 0x1 in <seam_seeded::store::Store>::describe /work/main/c_targets/seeded/src/store.rs:170:37",
            "    #4 0x45e3ec in LLVMFuzzerTestOneInput /src/gnutls/devel/fuzz/gnutls_x509_parser_fuzzer.cc:40:15",
            "    #13 0x561b88f84b6b in getaddrinfo (/usr/local/target_dns+0x88b6b)",
            "    #2 0x1 in Frame(int) file/path.cc:48:11",
            "    #2 0x1 in mainloop_run /src/x.c:1",
            "    #2 0x1 in operator_table_lookup /src/x.c:1",
            "    #2 0x1 in Foo::operator()(int) const /src/x.cc:1",
        ];
        for line in useful {
            assert!(!is_noise(&frame(line)), "should be kept: {line}");
            assert!(is_useful(&frame(line)));
        }
        let source_only = Frame {
            file: Some("csrc/seeded.c".into()),
            line: Some(212),
            ..Frame::default()
        };
        assert!(!is_noise(&source_only));
        assert!(!is_useful(&source_only));
    }
}
