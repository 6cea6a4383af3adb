//! UndefinedBehaviorSanitizer diagnostics: `csrc/seeded.c:212:18: runtime error: signed integer
//! overflow: ...`, with the `note:` lines, the stack and the `SUMMARY:` line that may follow.
//! The kind is a stable slug of the diagnostic (`signed-integer-overflow`, `pointer-overflow`,
//! `bad-cast`, ...); the message is the diagnostic text. Without a stack, the diagnostic's source
//! location is frame 0.

use std::sync::OnceLock;

use regex::Regex;

use crate::frames::{location_frame, parse_frame};
use crate::model::{Access, Report, Tool};
use crate::parse::{
    note_skipped, opens_report, read_stack, report_with_message, truncated_warning, Log, Parsed, Role,
};

fn runtime_error_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"^\s*(?P<loc>\S.*?): runtime error: (?P<msg>.*)$").expect("valid regex"))
}

/// How many `note:` lines may stand between the diagnostic and its stack.
const MAX_NOTES: usize = 8;

/// True when a line is a UBSan diagnostic (its location looks like a source location, so Go's
/// `panic: runtime error:` is not one).
pub(crate) fn opens(line: &str) -> bool {
    line.contains(": runtime error: ")
        && runtime_error_re()
            .captures(line)
            .and_then(|c| c.name("loc"))
            .is_some_and(|loc| looks_like_location(loc.as_str()))
}

fn looks_like_location(loc: &str) -> bool {
    loc.contains(['/', '\\', '.', ':']) || loc == "<unknown>"
}

/// Parses the diagnostic at line `start`.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let line = log.line(start);
    let caps = runtime_error_re().captures(line);
    let loc = caps.as_ref().and_then(|c| c.name("loc")).map_or("", |m| m.as_str());
    let msg = caps
        .as_ref()
        .and_then(|c| c.name("msg"))
        .map_or("", |m| m.as_str())
        .trim();
    let mut report = report_with_message(Tool::UndefinedBehaviorSanitizer, kind_of(msg), msg);
    report.access = null_access(msg);
    let mut i = skip_notes(log, start + 1);
    if parse_frame(log.line(i)).is_some() {
        let stack = read_stack(log, i);
        note_skipped(&mut report, &stack);
        report.stack = stack.frames;
        i = stack.next;
    }
    let closed = read_summary(log, &mut i, &mut report);
    if report.stack.is_empty() {
        report.stack.push(location_frame(loc));
    }
    if !closed && i >= log.len() {
        report.warnings.push(truncated_warning("SUMMARY line"));
    } else if !closed && opens_report(log.line(i)) {
        report
            .warnings
            .push(format!("another report cuts into this one: {}", log.line(i).trim()));
    }
    Parsed {
        report,
        end: i,
        role: Role::Report,
    }
}

fn skip_notes(log: &Log, mut i: usize) -> usize {
    let limit = i + MAX_NOTES;
    while i < log.len() && i < limit && log.line(i).contains("note: ") {
        i += 1;
    }
    i
}

/// Reads the `SUMMARY: UndefinedBehaviorSanitizer` line at `i` (one blank line may come first).
fn read_summary(log: &Log, i: &mut usize, report: &mut Report) -> bool {
    let at = if log.line(*i).trim().is_empty() { *i + 1 } else { *i };
    match log.line(at).trim().strip_prefix("SUMMARY: ") {
        Some(summary) if summary.starts_with("UndefinedBehaviorSanitizer") => {
            report.summary = Some(summary.to_string());
            *i = at + 1;
            true
        }
        _ => false,
    }
}

/// `load of null pointer` reads, `store to null pointer` writes; the size is not printed (0).
fn null_access(msg: &str) -> Option<Access> {
    if msg.contains("load of null pointer") {
        Some(Access { write: false, size: 0 })
    } else if msg.contains("store to null pointer") {
        Some(Access { write: true, size: 0 })
    } else {
        None
    }
}

/// Diagnostic phrases and their kinds, most specific first.
const KINDS: &[(&str, &str)] = &[
    ("control flow integrity check", "bad-cast"),
    ("upcast of null pointer", "upcast-of-null"),
    ("misaligned address", "misaligned-address"),
    ("member access within null pointer", "null-pointer-member-access"),
    ("member call on null pointer", "null-pointer-member-access"),
    ("load of null pointer", "null-pointer-use"),
    ("store to null pointer", "null-pointer-use"),
    ("reference binding to null pointer", "null-pointer-use"),
    ("null pointer passed as argument", "nonnull-attribute"),
    (
        "null pointer returned from function declared to never return null",
        "returns-nonnull-attribute",
    ),
    ("applying non-zero offset", "pointer-overflow"),
    ("applying zero offset to null pointer", "pointer-overflow"),
    ("pointer index expression with base", "pointer-overflow"),
    ("of unsigned offset", "pointer-overflow"),
    ("which does not point to an object of type", "bad-cast"),
    ("unsigned integer overflow", "unsigned-integer-overflow"),
    ("signed integer overflow", "signed-integer-overflow"),
    ("division by zero", "integer-divide-by-zero"),
    ("shift exponent", "shift-out-of-bounds"),
    ("left shift of", "shift-out-of-bounds"),
    ("out of bounds for type", "index-out-of-bounds"),
    ("is outside the range of representable values", "float-cast-overflow"),
    ("not a valid value for type 'bool'", "invalid-bool-load"),
    ("not a valid value for type 'BOOL'", "invalid-bool-load"),
    ("not a valid value for type", "invalid-enum-load"),
    (
        "variable length array bound evaluates to non-positive value",
        "non-positive-vla-bound",
    ),
    ("assumption is violated", "assumption-violation"),
    ("alignment assumption", "alignment-assumption"),
    ("execution reached an unreachable program point", "unreachable"),
    ("reached the end of a value-returning function", "missing-return"),
    ("through pointer to incorrect function type", "function-type-mismatch"),
    ("which is not a valid argument", "invalid-builtin-use"),
    ("implicit conversion from type", "implicit-conversion"),
    ("with insufficient space for an object of type", "object-size"),
];

/// The kind slug of a diagnostic text; `undefined-behavior` when the text is not known.
pub(crate) fn kind_of(msg: &str) -> &'static str {
    if let Some((_, kind)) = KINDS.iter().find(|(phrase, _)| msg.contains(phrase)) {
        return kind;
    }
    let overflow = msg.contains("cannot be represented in type");
    if overflow && (msg.starts_with("negation of") || msg.starts_with("division of")) {
        return if msg.contains("in type 'unsigned") {
            "unsigned-integer-overflow"
        } else {
            "signed-integer-overflow"
        };
    }
    "undefined-behavior"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_of_diagnostics() {
        let cases = [
            (
                "signed integer overflow: 2 * 1500000000 cannot be represented in type 'int'",
                "signed-integer-overflow",
            ),
            (
                "unsigned integer overflow: 175 + 15 cannot be represented in type 'unsigned long'",
                "unsigned-integer-overflow",
            ),
            (
                "negation of -2147483648 cannot be represented in type int; cast to an unsigned type",
                "signed-integer-overflow",
            ),
            (
                "division of -2147483648 by -1 cannot be represented in type 'int'",
                "signed-integer-overflow",
            ),
            ("division by zero", "integer-divide-by-zero"),
            (
                "member access within null pointer of type 'struct S'",
                "null-pointer-member-access",
            ),
            (
                "member access within misaligned address 0x1 for type 'S'",
                "misaligned-address",
            ),
            ("load of null pointer of type 'int'", "null-pointer-use"),
            ("applying non-zero offset 255 to null pointer", "pointer-overflow"),
            (
                "shift exponent 40 is too large for 32-bit type 'int'",
                "shift-out-of-bounds",
            ),
            ("index 5 out of bounds for type 'int[4]'", "index-out-of-bounds"),
            (
                "load of value 7, which is not a valid value for type 'bool'",
                "invalid-bool-load",
            ),
            (
                "load of value 9, which is not a valid value for type 'enum E'",
                "invalid-enum-load",
            ),
            (
                "variable length array bound evaluates to non-positive value -2",
                "non-positive-vla-bound",
            ),
            ("assumption is violated during execution", "assumption-violation"),
            ("upcast of null pointer of type 'Type::Exp'", "upcast-of-null"),
            (
                "control flow integrity check for type 'A' failed during indirect function call",
                "bad-cast",
            ),
            (
                "downcast of address 0x1 which does not point to an object of type 'B'",
                "bad-cast",
            ),
            ("execution reached an unreachable program point", "unreachable"),
            (
                "unsupported ubsan error that needs a new signature",
                "undefined-behavior",
            ),
        ];
        for (msg, kind) in cases {
            assert_eq!(kind_of(msg), kind, "{msg}");
        }
    }

    #[test]
    fn go_runtime_errors_are_not_ubsan() {
        assert!(!opens("panic: runtime error: index out of range [5] with length 3"));
        assert!(opens(
            "csrc/seeded.c:212:18: runtime error: signed integer overflow: 1 + 1"
        ));
        assert!(opens("<unknown>: runtime error: division by zero"));
    }
}
