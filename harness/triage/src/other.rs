//! Deaths reported outside the sanitizers, all `Tool::Other` unless noted:
//!
//! - a plain signal handler's `Received signal 11 SEGV_MAPERR 7f6b0c580000` (kinds `SEGV`, `ILL`,
//!   `FPE`, `BUS`, `ABRT`, `TRAP`), with the stack printed below it; followed by
//!   `CFI: Most likely a control flow integrity violation` it is UBSan's CFI `bad-cast`;
//! - SystemSan's `===BUG DETECTED: Shell corruption===` (`command-injection`) and
//!   `===BUG DETECTED: Arbitrary domain name resolution===` (`arbitrary-dns-resolution`), messages
//!   whose abort follows;
//! - the dynamic loader's `error while loading shared libraries: libx.so.1: cannot open shared
//!   object file` (`missing-library`, message = the library).

use std::sync::OnceLock;

use regex::Regex;

use crate::model::{Report, Tool};
use crate::parse::{
    find_stack_start, note_skipped, read_stack, report_with_message, signal_role, Log, Parsed, Role,
};

fn signal_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"Received signal (?P<num>\d+) (?:(?P<code>[A-Z_]+|<unknown>) )?(?:0x)?(?P<addr>[0-9a-fA-F]{1,16})\b",
        )
        .expect("valid regex")
    })
}

fn bug_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"===BUG DETECTED: (?P<what>.+?)===").expect("valid regex"))
}

fn library_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"error while loading shared libraries: (?P<lib>[^:]+): cannot open shared object file")
            .expect("valid regex")
    })
}

/// How far below a signal line its CFI note and its stack may start.
const SIGNAL_LOOKAHEAD: usize = 12;

/// True when a line opens one of these deaths.
pub(crate) fn opens(line: &str) -> bool {
    (line.contains("Received signal ") && signal_re().is_match(line))
        || (line.contains("BUG DETECTED") && bug_re().is_match(line))
        || (line.contains("error while loading shared libraries") && library_re().is_match(line))
}

/// Parses the death at line `start`.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let line = log.line(start);
    if let Some(caps) = bug_re().captures(line) {
        let what = caps["what"].trim();
        let report = report_with_message(Tool::Other, bug_kind(what), what);
        return Parsed {
            report,
            end: start + 1,
            role: Role::Message,
        };
    }
    if let Some(caps) = library_re().captures(line) {
        let report = report_with_message(Tool::Other, "missing-library", caps["lib"].trim());
        return Parsed {
            report,
            end: start + 1,
            role: Role::Report,
        };
    }
    parse_signal(log, start)
}

fn bug_kind(what: &str) -> String {
    match what {
        "Shell corruption" | "Shell injection" => "command-injection".into(),
        "Arbitrary domain name resolution" => "arbitrary-dns-resolution".into(),
        other => other.to_lowercase().replace(' ', "-"),
    }
}

fn parse_signal(log: &Log, start: usize) -> Parsed {
    let caps = signal_re().captures(log.line(start));
    let number: u32 = caps
        .as_ref()
        .and_then(|c| c.name("num"))
        .and_then(|m| m.as_str().parse().ok())
        .unwrap_or(0);
    let cfi = (start + 1..start + 4).any(|i| {
        log.line(i)
            .contains("CFI: Most likely a control flow integrity violation")
    });
    let mut report = if cfi {
        Report::new(Tool::UndefinedBehaviorSanitizer, "bad-cast")
    } else {
        Report::new(Tool::Other, signal_kind(number))
    };
    report.address = caps
        .as_ref()
        .and_then(|c| c.name("addr"))
        .and_then(|m| u64::from_str_radix(m.as_str(), 16).ok());
    let mut end = start + 1;
    if let Some(at) = find_stack_start(log, end, SIGNAL_LOOKAHEAD) {
        let stack = read_stack(log, at);
        note_skipped(&mut report, &stack);
        report.stack = stack.frames;
        end = stack.next;
    }
    let role = if cfi { Role::Report } else { signal_role(&report.kind) };
    Parsed { report, end, role }
}

/// The sanitizer-style name of a signal number (Linux numbering).
fn signal_kind(number: u32) -> String {
    match number {
        4 => "ILL".into(),
        5 => "TRAP".into(),
        6 => "ABRT".into(),
        7 => "BUS".into(),
        8 => "FPE".into(),
        11 => "SEGV".into(),
        n => format!("signal-{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse as parse_log;

    #[test]
    fn signals() {
        let r = parse_log("Received signal 11 SEGV_MAPERR 7f6b0c580000\n==== C stack trace ===\n[0x7f6b13882bf1]\n")
            .unwrap();
        assert_eq!(
            (r.tool, r.kind.as_str(), r.address),
            (Tool::Other, "SEGV", Some(0x7f6b_0c58_0000))
        );
        let r = parse_log(
            "Received signal 4 ILL_ILLOPN 7fdf1d27c590\nCFI: Most likely a control flow integrity violation; see:\n\
             #0 0x7fdf1ae337a8 in abc::def() /blah/blah.cc:111\n#1 0x7fdf14feb340 in foo() /blah/hello.cc:3\n",
        )
        .unwrap();
        assert_eq!(
            (r.tool, r.kind.as_str()),
            (Tool::UndefinedBehaviorSanitizer, "bad-cast")
        );
        assert_eq!(r.stack.len(), 2);
    }

    #[test]
    fn a_signal_line_needs_its_address() {
        assert!(!opens("Received signal 15, shutting down"));
        assert!(opens("Received signal 6 <unknown> 000000003039"));
    }

    #[test]
    fn bugs_and_libraries() {
        let r = parse_log("===BUG DETECTED: Shell corruption===\n").unwrap();
        assert_eq!(r.kind, "command-injection");
        let r = parse_log("./test: error while loading shared libraries: libtest.so.1: cannot open shared object file: No such file or directory").unwrap();
        assert_eq!(
            (r.kind.as_str(), r.message.as_deref()),
            ("missing-library", Some("libtest.so.1"))
        );
    }
}
