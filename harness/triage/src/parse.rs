//! Finding THE crash report in a whole fuzzer log.
//!
//! The log is scanned once, line by line, for the first line that opens a report of some family
//! (sanitizer, UBSan diagnostic, libFuzzer death, Rust panic, assertion, signal, ...); that
//! family's parser reads the report from there. Then two rules, ClusterFuzz's, pick THE report:
//!
//! - an assertion, CHECK or panic message is followed by the abort it causes (a sanitizer `ABRT`,
//!   libFuzzer's `deadly signal`): the report is the message, with the abort's stack when that
//!   one is better symbolised; a real memory error after the message wins instead;
//! - a LeakSanitizer report without a direct leak takes the leaks of the next leak reports
//!   (one per process).
//!
//! Parsing never panics: truncated, interleaved or garbled input gives a partial report with
//! `warnings`, or `None` when no report opens at all.

use std::borrow::Cow;

use crate::frames::{has_sub_index, is_useful, parse_frame};
use crate::model::{Frame, Report, Tool};
use crate::{assertion, divergence, libfuzzer, other, panic, sanitizer, ubsan};

/// Finds and parses the crash report in a fuzzer log; `None` when the log holds none.
pub fn parse(log: &str) -> Option<Report> {
    let log = Log::new(log);
    let first = find_report(&log, 0)?;
    let mut chosen = match first.role {
        Role::Message => settle_message(&log, first),
        Role::Report | Role::DeathNotice => first,
    };
    if chosen.report.kind == "leak" {
        merge_leak_reports(&log, &mut chosen);
    }
    if chosen.end >= log.len() && !log.ends_with_newline {
        chosen
            .report
            .warnings
            .push("the log ends mid-line: the last line of the report may be cut".into());
    }
    Some(chosen.report)
}

/// A log split into lines, with CR line ends and ANSI colour codes removed.
pub(crate) struct Log<'a> {
    lines: Vec<Cow<'a, str>>,
    ends_with_newline: bool,
}

impl<'a> Log<'a> {
    fn new(text: &'a str) -> Self {
        let body = text.strip_suffix('\n').unwrap_or(text);
        let lines = if text.is_empty() {
            Vec::new()
        } else {
            body.split('\n').map(clean_line).collect()
        };
        Log {
            lines,
            ends_with_newline: text.is_empty() || text.ends_with('\n'),
        }
    }

    /// Number of lines.
    pub(crate) fn len(&self) -> usize {
        self.lines.len()
    }

    /// Line `i`, or `""` past the end.
    pub(crate) fn line(&self, i: usize) -> &str {
        self.lines.get(i).map_or("", |l| l.as_ref())
    }
}

fn clean_line(line: &str) -> Cow<'_, str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    if line.contains('\x1b') {
        Cow::Owned(strip_ansi(line))
    } else {
        Cow::Borrowed(line)
    }
}

/// Removes ANSI escape sequences (`ESC [ ... final`, and two-byte `ESC x`).
fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.next_if_eq(&'[').is_some() {
            for n in chars.by_ref() {
                if ('@'..='~').contains(&n) {
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// What a parsed report is to the choice of THE report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    /// A crash report in its own right.
    Report,
    /// A message that announces a crash (panic, assertion, CHECK): the abort follows.
    Message,
    /// An abort that only carries out an earlier message (ABRT, ILL, libFuzzer's deadly signal).
    DeathNotice,
}

/// One report read from the log.
pub(crate) struct Parsed {
    /// The report.
    pub(crate) report: Report,
    /// The line after the report's last line.
    pub(crate) end: usize,
    /// Its role.
    pub(crate) role: Role,
}

/// The report families, in the order a line is tried.
#[derive(Clone, Copy, Debug)]
enum Family {
    Divergence,
    Sanitizer,
    LibFuzzer,
    Ubsan,
    Panic,
    Assertion,
    Other,
}

fn detect(line: &str) -> Option<Family> {
    if is_numbered(line) {
        None
    } else if divergence::opens(line) {
        Some(Family::Divergence)
    } else if sanitizer::opens(line) {
        Some(Family::Sanitizer)
    } else if libfuzzer::opens(line) {
        Some(Family::LibFuzzer)
    } else if ubsan::opens(line) {
        Some(Family::Ubsan)
    } else if panic::opens(line) {
        Some(Family::Panic)
    } else if assertion::opens(line) {
        Some(Family::Assertion)
    } else if other::opens(line) {
        Some(Family::Other)
    } else {
        None
    }
}

/// True for `#<digits>` lines, libFuzzer's progress lines and stack frames (most of a log):
/// no report opens on them.
fn is_numbered(line: &str) -> bool {
    line.trim_start()
        .strip_prefix('#')
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// True when a line opens a report of any family.
pub(crate) fn opens_report(line: &str) -> bool {
    detect(line).is_some()
}

/// The first report at or after line `from`.
fn find_report(log: &Log, from: usize) -> Option<Parsed> {
    (from..log.len()).find_map(|i| {
        let family = detect(log.line(i))?;
        Some(match family {
            Family::Divergence => divergence::parse(log, i),
            Family::Sanitizer => sanitizer::parse(log, i),
            Family::LibFuzzer => libfuzzer::parse(log, i),
            Family::Ubsan => ubsan::parse(log, i),
            Family::Panic => panic::parse(log, i),
            Family::Assertion => assertion::parse(log, i),
            Family::Other => other::parse(log, i),
        })
    })
}

/// How many further messages a message looks past for its abort.
const MESSAGE_LOOKAHEAD: usize = 4;

/// A message takes the abort that follows it; a real report after it wins.
fn settle_message(log: &Log, mut message: Parsed) -> Parsed {
    let mut from = message.end;
    for _ in 0..MESSAGE_LOOKAHEAD {
        let Some(next) = find_report(log, from) else { break };
        match next.role {
            Role::DeathNotice => {
                absorb(&mut message, next);
                break;
            }
            Role::Message => {
                message.report.warnings.push(format!(
                    "a second {} follows the first; kept the first",
                    next.report.kind
                ));
                from = next.end;
            }
            Role::Report => {
                let mut report = next;
                let what = message
                    .report
                    .message
                    .as_deref()
                    .unwrap_or(&message.report.kind)
                    .to_string();
                report
                    .report
                    .warnings
                    .push(format!("preceded by {}: {what}", message.report.kind));
                return report;
            }
        }
    }
    message
}

/// Gives a message the abort's stack when that stack has frames worth showing.
fn absorb(message: &mut Parsed, notice: Parsed) {
    if notice.report.stack.iter().any(is_useful) {
        message.report.stack = notice.report.stack;
    }
    if message.report.summary.is_none() {
        message.report.summary = notice.report.summary;
    }
    message.end = notice.end;
}

/// Appends the leaks of the next leak reports until one holds a direct leak.
fn merge_leak_reports(log: &Log, chosen: &mut Parsed) {
    let mut from = chosen.end;
    while !chosen.report.leaks.iter().any(|l| l.direct) {
        let Some(next) = find_report(log, from) else { break };
        from = next.end;
        if next.report.kind == "leak" {
            chosen.report.leaks.extend(next.report.leaks);
            chosen
                .report
                .warnings
                .push("merged the leaks of a later LeakSanitizer report".into());
        }
    }
    chosen.report.stack = sanitizer::leak_stack(&chosen.report);
}

/// A run of frame lines read from the log.
pub(crate) struct Stack {
    /// The frames, innermost first.
    pub(crate) frames: Vec<Frame>,
    /// The line after the run.
    pub(crate) next: usize,
    /// Frame lines skipped because their numbering went backwards (interleaved output).
    pub(crate) skipped: usize,
}

/// Reads the run of frame lines that starts at `start`. One foreign line inside the run (a line
/// wrapped by the terminal, another process's output) is stepped over when the numbering goes
/// on after it; frame lines whose numbering goes backwards are skipped, so two stacks printed
/// line by line into each other come apart.
pub(crate) fn read_stack(log: &Log, start: usize) -> Stack {
    let mut stack = Stack {
        frames: Vec::new(),
        next: start,
        skipped: 0,
    };
    let mut last: Option<(usize, bool)> = None;
    let mut i = start;
    while i < log.len() {
        let line = log.line(i);
        let Some(frame) = parse_frame(line) else {
            if continues_after(log, i, last) {
                i += 1;
                continue;
            }
            break;
        };
        let sub = has_sub_index(line);
        let in_order = match last {
            None => true,
            Some((prev, prev_sub)) => frame.index > prev || (frame.index == prev && (sub || prev_sub)),
        };
        if in_order {
            last = Some((frame.index, sub));
            stack.frames.push(frame);
        } else {
            stack.skipped += 1;
        }
        i += 1;
    }
    stack.next = i;
    stack
}

/// True when line `i` is not a frame but the stack goes on right after it.
fn continues_after(log: &Log, i: usize, last: Option<(usize, bool)>) -> bool {
    let Some((prev, _)) = last else { return false };
    let line = log.line(i);
    if line.trim().is_empty() || opens_report(line) {
        return false;
    }
    parse_frame(log.line(i + 1)).is_some_and(|f| f.index > prev)
}

/// The role of a report by its kind: an abort, a trap or an illegal instruction carries out an
/// earlier message; anything else is a report in its own right.
pub(crate) fn signal_role(kind: &str) -> Role {
    match kind {
        "ABRT" | "ILL" | "TRAP" | "breakpoint" | "deadly-signal" => Role::DeathNotice,
        _ => Role::Report,
    }
}

/// A `Report` with a warning when a stack read skipped frame lines.
pub(crate) fn note_skipped(report: &mut Report, stack: &Stack) {
    if stack.skipped > 0 {
        report.warnings.push(format!(
            "skipped {} frame line(s) whose numbering went backwards (interleaved or garbled output)",
            stack.skipped
        ));
    }
}

/// The index of the first frame line at or after `from`, looking at most `limit` lines ahead and
/// stopping at a line that opens another report.
pub(crate) fn find_stack_start(log: &Log, from: usize, limit: usize) -> Option<usize> {
    let end = log.len().min(from.saturating_add(limit));
    for i in from..end {
        let line = log.line(i);
        if parse_frame(line).is_some() {
            return Some(i);
        }
        if opens_report(line) {
            return None;
        }
    }
    None
}

/// The warning for a report that runs into the end of the log without its closing line.
pub(crate) fn truncated_warning(what: &str) -> String {
    format!("the log ends inside the report (no {what}): it looks truncated")
}

/// A report from a tool and kind, with a message.
pub(crate) fn report_with_message(tool: Tool, kind: impl Into<String>, message: impl Into<String>) -> Report {
    let mut report = Report::new(tool, kind);
    report.message = Some(message.into());
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_empty_or_plain_logs() {
        assert_eq!(parse(""), None);
        assert_eq!(parse("\n\n\r\n"), None);
        assert_eq!(
            parse("INFO: Seed: 1\n#2\tINITED cov: 3 ft: 3 corp: 1/1b exec/s: 0 rss: 30Mb\n"),
            None
        );
    }

    #[test]
    fn ansi_colours_and_crlf_are_ignored() {
        let log =
            "\x1b[1m\x1b[31m==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x602 at pc 0x1\x1b[0m\r\n\
                   \x1b[1m\x1b[34mREAD of size 4 at 0x602 thread T0\x1b[0m\r\n    #0 0x1 in victim /src/v.c:3:7\r\n\
                   SUMMARY: AddressSanitizer: heap-use-after-free /src/v.c:3:7 in victim\r\n";
        let r = parse(log).unwrap();
        assert_eq!(r.kind, "heap-use-after-free");
        assert_eq!(r.address, Some(0x602));
        assert_eq!(r.stack[0].function.as_deref(), Some("victim"));
        assert_eq!(r.stack[0].column, Some(7));
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn strip_ansi_handles_broken_sequences() {
        assert_eq!(strip_ansi("a\x1b[31mb\x1b[0mc"), "abc");
        assert_eq!(strip_ansi("a\x1b[31"), "a");
        assert_eq!(strip_ansi("a\x1b"), "a");
        assert_eq!(strip_ansi("\x1b(Bx"), "Bx");
    }

    #[test]
    fn interleaved_stacks_come_apart() {
        let log = "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x1 T0)\n\
                   ==1==The signal is caused by a WRITE memory access.\n\
                   #0 0x1 in first_a /a.c:1\n#0 0x2 in first_b /b.c:1\n#1 0x3 in second_a /a.c:2\n\
                   #1 0x4 in second_b /b.c:2\nSUMMARY: AddressSanitizer: SEGV /a.c:1 in first_a\n";
        let r = parse(log).unwrap();
        let names: Vec<_> = r.stack.iter().filter_map(|f| f.function.as_deref()).collect();
        assert_eq!(names, ["first_a", "second_a"]);
        assert!(r.warnings.iter().any(|w| w.contains("interleaved")), "{:?}", r.warnings);
    }

    #[test]
    fn two_reports_from_two_threads_give_the_first_with_a_warning() {
        let log = "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc 0x1 bp 0x2 sp 0x3\n\
                   ==7==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 T2)\n\
                   READ of size 8 at 0x6020 thread T1\n    #0 0x1 in use_it /u.c:1\n    #1 0x2 in thread_one /u.c:9\n\
                   SUMMARY: AddressSanitizer: heap-use-after-free /u.c:1 in use_it\n";
        let r = parse(log).unwrap();
        assert_eq!(r.kind, "heap-use-after-free");
        assert_eq!(r.access, Some(crate::model::Access { write: false, size: 8 }));
        assert_eq!(r.stack.len(), 2);
        assert!(r.warnings.iter().any(|w| w.contains("interleaved")), "{:?}", r.warnings);
    }

    #[test]
    fn a_wrapped_line_inside_a_stack_is_stepped_over() {
        let log = "ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x1 T0)\n\
                   \x20 #4 0x512b27 in LLVMFuzzerTestOneInput\n  /src/fuzzer.cpp:45:13\n  #5 0x5122e3 in main /src/driver.cpp:287:7\n";
        let r = parse(log).unwrap();
        assert_eq!(r.stack.len(), 2);
    }

    #[test]
    fn a_panic_takes_the_deadly_signal_stack_and_stays_the_report() {
        let log = "thread '<unnamed>' (9) panicked at src/lib.rs:3:5:\nboom\n\
                   ==9== ERROR: libFuzzer: deadly signal\n    #0 0x1 in __sanitizer_print_stack_trace /x/compiler-rt/lib/asan/asan_stack.cpp:87:3\n\
                   \x20   #1 0x2 in my_crate::explode /src/lib.rs:3:5\nSUMMARY: libFuzzer: deadly signal\n";
        let r = parse(log).unwrap();
        assert_eq!(
            (r.tool, r.kind.as_str(), r.message.as_deref()),
            (Tool::RustPanic, "panic", Some("boom"))
        );
        assert_eq!(r.stack[1].function.as_deref(), Some("my_crate::explode"));
        assert_eq!(r.summary.as_deref(), Some("libFuzzer: deadly signal"));
    }

    #[test]
    fn a_memory_error_after_an_assertion_wins() {
        let log = "[1:1:0101/000000:FATAL:foo.cc(1)] Check failed: x\n\
                   ==2==ERROR: AddressSanitizer: SEGV on unknown address 0x000000001234 (pc 0x1 T0)\n    #0 0x1 in f /f.c:1\n";
        let r = parse(log).unwrap();
        assert_eq!(r.kind, "SEGV");
        assert!(
            r.warnings.iter().any(|w| w.contains("check-failure")),
            "{:?}",
            r.warnings
        );
    }

    #[test]
    fn garbage_never_panics() {
        let inputs = [
            "#",
            "#0",
            "#0 0x",
            "==1==ERROR: AddressSanitizer:",
            "ERROR: libFuzzer:",
            ": runtime error: ",
            "thread '",
            "thread 'x' panicked at",
            "thread 'x' panicked at '",
            "Received signal 11",
            "===BUG DETECTED: ===",
            "F0101 ",
            "\u{0}\u{1}\u{fffd}\u{7f}==1==ERROR: AddressSanitizer: heap-buffer-overflow on address 0xzz",
            "READ of size 99999999999999999999999 at 0x1",
        ];
        for input in inputs {
            let _ = parse(input);
            let _ = parse(&input.repeat(3));
        }
    }
}
