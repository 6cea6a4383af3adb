//! libFuzzer's own deaths: `==PID== ERROR: libFuzzer: <what>` with the stack that follows and a
//! closing `SUMMARY: libFuzzer: ...`. Kinds: `timeout`, `out-of-memory` (`malloc(N)`, the RSS
//! limit and `-malloc_limit_mb` alike), `deadly-signal`, `fuzz-target-exited`,
//! `overwrites-const-input`. The message is libFuzzer's text (`timeout after 1 seconds`).

use std::sync::OnceLock;

use regex::Regex;

use crate::frames::parse_frame;
use crate::model::Tool;
use crate::parse::{
    note_skipped, opens_report, read_stack, report_with_message, signal_role, truncated_warning, Log, Parsed,
};

fn error_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^(?:.*?==\d+==\s*|\s*)ERROR:\s*libFuzzer:\s*(?P<rest>.*)$").expect("valid regex"))
}

/// How far past the header (or past the stack) the `SUMMARY:` line is looked for.
const BODY_LINES: usize = 40;

/// True when a line opens a libFuzzer death report.
pub(crate) fn opens(line: &str) -> bool {
    line.contains("libFuzzer:") && error_re().is_match(line)
}

/// Parses the libFuzzer report at line `start`.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let rest = error_re()
        .captures(log.line(start))
        .and_then(|c| c.name("rest"))
        .map_or("", |m| m.as_str().trim());
    let mut report = report_with_message(Tool::LibFuzzer, kind_of(rest), rest);
    let mut i = start + 1;
    let mut limit = i + BODY_LINES;
    let mut closed = false;
    while i < log.len() && i < limit {
        let line = log.line(i);
        if report.stack.is_empty() && parse_frame(line).is_some() {
            let stack = read_stack(log, i);
            note_skipped(&mut report, &stack);
            report.stack = stack.frames;
            i = stack.next;
            limit = i + BODY_LINES;
            continue;
        }
        if let Some(summary) = line.trim().strip_prefix("SUMMARY: ") {
            report.summary = Some(summary.to_string());
            i += 1;
            closed = true;
            break;
        }
        if opens_report(line) {
            report
                .warnings
                .push(format!("another report cuts into this one: {}", line.trim()));
            break;
        }
        i += 1;
    }
    if !closed && i >= log.len() {
        report.warnings.push(truncated_warning("SUMMARY line"));
    }
    let role = signal_role(&report.kind);
    Parsed { report, end: i, role }
}

/// The kind of a libFuzzer death from its text.
fn kind_of(rest: &str) -> String {
    const KINDS: [(&str, &str); 5] = [
        ("timeout", "timeout"),
        ("out-of-memory", "out-of-memory"),
        ("deadly signal", "deadly-signal"),
        ("fuzz target exited", "fuzz-target-exited"),
        ("fuzz target overwrites its const input", "overwrites-const-input"),
    ];
    if let Some((_, kind)) = KINDS.iter().find(|(phrase, _)| rest.starts_with(phrase)) {
        return kind.to_string();
    }
    let end = [" (", ":"]
        .iter()
        .filter_map(|sep| rest.find(sep))
        .min()
        .unwrap_or(rest.len());
    match rest[..end].trim() {
        "" => "unknown".into(),
        text => text.replace(' ', "-"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds() {
        assert_eq!(kind_of("timeout after 1 seconds"), "timeout");
        assert_eq!(kind_of("out-of-memory (malloc(181984767))"), "out-of-memory");
        assert_eq!(
            kind_of("out-of-memory (used: 2049Mb; exceeds: 2048Mb)"),
            "out-of-memory"
        );
        assert_eq!(kind_of("deadly signal"), "deadly-signal");
        assert_eq!(kind_of("fuzz target exited"), "fuzz-target-exited");
        assert_eq!(
            kind_of("fuzz target overwrites its const input"),
            "overwrites-const-input"
        );
        assert_eq!(kind_of("something new (x)"), "something-new");
        assert_eq!(kind_of(""), "unknown");
    }

    #[test]
    fn opens_only_on_error_lines() {
        assert!(opens("==11220== ERROR: libFuzzer: out-of-memory (malloc(181984767))"));
        assert!(opens("ERROR: libFuzzer: deadly signal"));
        assert!(!opens("INFO: libFuzzer disabled leak detection after every mutation."));
        assert!(!opens("SUMMARY: libFuzzer: timeout"));
    }
}
