//! Rust runtime deaths, all reported under `Tool::RustPanic`:
//!
//! - panics, `thread '<unnamed>' (1234) panicked at src/store.rs:170:37:` and the message on the
//!   lines below, or the older `thread 'x' panicked at 'msg', src/lib.rs:22:17`; kind `panic`,
//!   message = the first line of the panic text, stack = the `RUST_BACKTRACE` backtrace (std's
//!   format, or sanitizer-style frames as on Fuchsia) or else the panic location as frame 0;
//! - allocation failures, `memory allocation of N bytes failed`; kind `out-of-memory`;
//! - stack overflows, `thread 'main' has overflowed its stack`; kind `stack-overflow`.
//!
//! Each is a message: the abort that follows (libFuzzer's `deadly signal`, a sanitizer `ABRT`)
//! belongs to it.

use std::sync::OnceLock;

use regex::Regex;

use crate::frames::{demangle, location_frame, parse_frame, parse_rust_frame, parse_rust_location};
use crate::model::{Frame, Report, Tool};
use crate::parse::{opens_report, report_with_message, Log, Parsed, Role};

fn panic_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"thread '(?P<thread>[^']*)'(?: \(\d+\))? panicked at (?P<rest>.*)$").expect("valid regex")
    })
}

fn old_form_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^'(?P<msg>.*)', (?P<loc>\S+:\d+(?::\d+)?)$").expect("valid regex"))
}

fn old_form_end_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"', \S+:\d+(?::\d+)?$").expect("valid regex"))
}

fn oom_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"memory allocation of \d+ bytes failed").expect("valid regex"))
}

fn overflow_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"thread '[^']*'(?: \(\d+\))? has overflowed its stack").expect("valid regex"))
}

/// How many lines a panic message may span.
const MAX_MESSAGE_LINES: usize = 64;

/// True when a line opens a Rust runtime death.
pub(crate) fn opens(line: &str) -> bool {
    (line.contains("panicked at") && panic_re().is_match(line))
        || (line.contains("memory allocation of") && oom_re().is_match(line))
        || (line.contains("has overflowed its stack") && overflow_re().is_match(line))
}

/// Parses the Rust runtime death at line `start`.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let line = log.line(start);
    if let Some(rest) = panic_re().captures(line).and_then(|c| c.name("rest")) {
        return parse_panic(log, start, rest.as_str().trim());
    }
    if let Some(m) = oom_re().find(line) {
        let report = report_with_message(Tool::RustPanic, "out-of-memory", m.as_str());
        return Parsed {
            report,
            end: start + 1,
            role: Role::Message,
        };
    }
    let text = overflow_re().find(line).map_or(line, |m| m.as_str());
    let report = report_with_message(Tool::RustPanic, "stack-overflow", text);
    let end = if log.line(start + 1).contains("fatal runtime error") {
        start + 2
    } else {
        start + 1
    };
    Parsed {
        report,
        end,
        role: Role::Message,
    }
}

fn parse_panic(log: &Log, start: usize, rest: &str) -> Parsed {
    let (message, location, mut i) = match rest.strip_prefix('\'') {
        Some(_) => old_form(log, start, rest),
        None => new_form(log, start, rest),
    };
    let mut report = report_with_message(Tool::RustPanic, "panic", message);
    while log.line(i).trim_start().starts_with("note: ") {
        i += 1;
    }
    if log.line(i).trim() == "stack backtrace:" {
        let (frames, next) = read_backtrace(log, i + 1);
        report.stack = frames;
        i = next;
    }
    if report.stack.is_empty() {
        report.stack.extend(location.map(|l| location_frame(&l)));
    }
    warn_if_cut(&mut report, i >= log.len());
    Parsed {
        report,
        end: i,
        role: Role::Message,
    }
}

fn warn_if_cut(report: &mut Report, at_end: bool) {
    if at_end && report.message.as_deref().is_none_or(str::is_empty) {
        report.warnings.push("the log ends before the panic message".into());
    }
}

/// `panicked at src/lib.rs:3:5:` and the message on the next lines: (first message line,
/// location, line after the message).
fn new_form(log: &Log, start: usize, rest: &str) -> (String, Option<String>, usize) {
    let location = rest.strip_suffix(':').unwrap_or(rest).trim().to_string();
    let mut i = start + 1;
    let first = log.line(i);
    if i >= log.len() || ends_message(first) {
        return (String::new(), Some(location), i);
    }
    while i < log.len() && i < start + MAX_MESSAGE_LINES && !ends_message(log.line(i)) {
        i += 1;
    }
    (first.trim_end().to_string(), Some(location), i)
}

fn ends_message(line: &str) -> bool {
    let text = line.trim();
    text.is_empty() || text.starts_with("note: ") || text == "stack backtrace:" || opens_report(line)
}

/// `panicked at 'msg', src/lib.rs:22:17`, or a message spanning lines up to `', file:line:col`.
fn old_form(log: &Log, start: usize, rest: &str) -> (String, Option<String>, usize) {
    if let Some(caps) = old_form_re().captures(rest) {
        return (caps["msg"].to_string(), Some(caps["loc"].to_string()), start + 1);
    }
    let first = rest.strip_prefix('\'').unwrap_or(rest).to_string();
    let mut i = start + 1;
    while i < log.len() && i < start + MAX_MESSAGE_LINES {
        let line = log.line(i);
        i += 1;
        if let Some(m) = old_form_end_re().find(line) {
            let loc = m.as_str().trim_start_matches("', ").to_string();
            return (first, Some(loc), i);
        }
    }
    (first, None, i)
}

/// Reads a backtrace: std's `  12: name` / `at file:line:col` lines (with inlined names on
/// unnumbered lines), sanitizer-style frames, and Fuchsia's `[[[ELF module ...]]]` markup.
fn read_backtrace(log: &Log, mut i: usize) -> (Vec<Frame>, usize) {
    let mut frames: Vec<Frame> = Vec::new();
    while i < log.len() {
        let line = log.line(i);
        let text = line.trim_start();
        if let Some(frame) = parse_rust_frame(line).or_else(|| parse_frame(line)) {
            frames.push(frame);
        } else if let Some((file, line_no, column)) = parse_rust_location(line) {
            if let Some(last) = frames.last_mut().filter(|f| f.file.is_none()) {
                (last.file, last.line, last.column) = (Some(file), line_no, column);
            }
        } else if text.starts_with("[[[") || text.starts_with("{{{") {
            // Fuchsia symbolizer markup.
        } else if let Some(frame) = inlined_frame(line, frames.last()) {
            frames.push(frame);
        } else {
            break;
        }
        i += 1;
    }
    (frames, i)
}

/// An unnumbered, deeply indented name under a numbered entry: a frame inlined into it.
fn inlined_frame(line: &str, last: Option<&Frame>) -> Option<Frame> {
    let last = last?;
    let text = line.trim();
    let indented = line.len() - line.trim_start().len() >= 6;
    (indented && !text.is_empty() && !text.starts_with("at ")).then(|| Frame {
        index: last.index,
        function: Some(demangle(text)),
        ..Frame::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::parse::parse as parse_log;

    #[test]
    fn new_form_with_backtrace() {
        let log = "thread '<unnamed>' (8138) panicked at /w/src/store.rs:170:37:\n\
                   range end index 71 out of range for slice of length 64\n\
                   stack backtrace:\n   0: __rustc::rust_begin_unwind\n             at /rustc/e5/library/std/src/panicking.rs:689:5\n\
                   \x20  7: describe\n             at /w/src/store.rs:170:37\n\
                   \x20     seam_seeded::ops::apply\n             at /w/src/ops.rs:227:25\n\
                   note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n";
        let r = parse_log(log).unwrap();
        assert_eq!(
            r.message.as_deref(),
            Some("range end index 71 out of range for slice of length 64")
        );
        let names: Vec<_> = r.stack.iter().filter_map(|f| f.function.as_deref()).collect();
        assert_eq!(
            names,
            ["__rustc::rust_begin_unwind", "describe", "seam_seeded::ops::apply"]
        );
        assert_eq!(r.stack[1].file.as_deref(), Some("/w/src/store.rs"));
        assert_eq!((r.stack[2].index, r.stack[2].line), (7, Some(227)));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn old_form_and_location_frame() {
        let r =
            parse_log("thread 'main' panicked at 'it works!', src/lib.rs:22:17\nnote: run with `RUST_BACKTRACE=1`\n")
                .unwrap();
        assert_eq!(r.message.as_deref(), Some("it works!"));
        assert_eq!(
            (r.stack[0].file.as_deref(), r.stack[0].line),
            (Some("src/lib.rs"), Some(22))
        );
        let r = parse_log("thread 'main' panicked at 'two\nlines', src/lib.rs:1:2\n").unwrap();
        assert_eq!(r.message.as_deref(), Some("two"));
        assert_eq!(r.stack[0].line, Some(1));
    }

    #[test]
    fn allocation_failure_and_stack_overflow() {
        let r =
            parse_log("memory allocation of 2314885530818453516 bytes failedAddressSanitizer:DEADLYSIGNAL\n").unwrap();
        assert_eq!(
            (r.kind.as_str(), r.message.as_deref()),
            (
                "out-of-memory",
                Some("memory allocation of 2314885530818453516 bytes failed")
            )
        );
        let r = parse_log("\nthread 'main' has overflowed its stack\nfatal runtime error: stack overflow\n").unwrap();
        assert_eq!(r.kind, "stack-overflow");
    }

    #[test]
    fn a_cut_panic_warns() {
        let r = parse_log("thread 'main' panicked at src/main.rs:2:5:\n").unwrap();
        assert_eq!(r.message.as_deref(), Some(""));
        assert!(!r.warnings.is_empty());
    }
}
