//! Assertion-style deaths: the message a program prints just before it aborts itself. All are
//! `Tool::Other` messages (the abort that follows belongs to them):
//!
//! - kind `assert`: glibc/glib `file.c:860: f: Assertion `x' failed.`, libc++
//!   `vector:559: assertion !full() failed: <message>`, Google
//!   `F0812 ... ] assert.h assertion failed at path.cc:380 in Foo: x`, and
//!   `ASSERTION FAILED: x` / `assert failure: x`;
//! - kind `check-failure`: glog `F0813 ... file.cc:130] Check failed: x` and Chromium
//!   `[...:FATAL:file.cc(198)] Check failed: x`;
//! - kind `fatal-error`: any other glog fatal line, `F1110 ... file.cc:220] <message>`.
//!
//! The message is worded as ClusterFuzz words it: the assertion text, and for glog and Chromium
//! lines `<text> in <file>`.

use std::sync::OnceLock;

use regex::Regex;

use crate::model::Tool;
use crate::parse::{find_stack_start, note_skipped, read_stack, report_with_message, Log, Parsed, Role};

fn google_assert_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^F\d{4} [\d:.]+\s+\d+\s+[^\]]*\].*assertion failed at\s.*\sin\s*.*: (?P<msg>.*)$")
            .expect("valid regex")
    })
}

fn glog_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^F\d{4} [\d:.]+\s+\d+\s+(?P<file>[^\]\s:]+):\d+\]\s*(?P<text>.*)$").expect("valid regex")
    })
}

fn chromium_check_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^\[[^\]]*:FATAL:(?P<file>[^\]]+?)(?:\(\d+\)|:\d+)\]\s*Check failed:\s*(?P<msg>.*)$")
            .expect("valid regex")
    })
}

fn generic_assert_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?i)(?:^|[\s\]:])assert(?:ion)?\s+fail(?:ure|ed):\s*(?P<msg>.+)$").expect("valid regex")
    })
}

fn libcxx_assert_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r"(?i):\s*assertion .+? failed: (?P<msg>.+)$").expect("valid regex"))
}

fn glibc_assert_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"(?i):\s*assertion [`'"]?(?P<msg>.*?)[`'"]? failed\.?$"#).expect("valid regex"))
}

/// How far below the message the program's own stack dump may start.
const STACK_LOOKAHEAD: usize = 8;

/// True when a line is an assertion, CHECK or fatal-log message.
pub(crate) fn opens(line: &str) -> bool {
    let bytes = line.as_bytes();
    let glog = bytes.first() == Some(&b'F') && bytes.get(1).is_some_and(u8::is_ascii_digit);
    (glog || line.contains("ssert") || line.contains("SSERT") || line.contains("Check failed"))
        && classify(line).is_some()
}

/// Parses the message at line `start`, with the stack the program printed right below it.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let line = log.line(start);
    let (kind, message) = classify(line).unwrap_or(("assert", line.trim().to_string()));
    let mut report = report_with_message(Tool::Other, kind, message);
    let mut end = start + 1;
    if let Some(at) = find_stack_start(log, end, STACK_LOOKAHEAD) {
        let stack = read_stack(log, at);
        note_skipped(&mut report, &stack);
        report.stack = stack.frames;
        end = stack.next;
    }
    Parsed {
        report,
        end,
        role: Role::Message,
    }
}

/// The kind and message of an assertion-style line.
fn classify(line: &str) -> Option<(&'static str, String)> {
    let line = strip_deadly_signal(line.trim_end());
    if let Some(c) = google_assert_re().captures(line) {
        return Some(("assert", c["msg"].trim().to_string()));
    }
    if let Some(c) = chromium_check_re().captures(line) {
        return Some(("check-failure", in_file(&c["msg"], &c["file"])));
    }
    if let Some(c) = glog_re().captures(line) {
        return Some(match c["text"].strip_prefix("Check failed:") {
            Some(msg) => ("check-failure", in_file(msg, &c["file"])),
            None => ("fatal-error", in_file(&c["text"], &c["file"])),
        });
    }
    [generic_assert_re(), libcxx_assert_re(), glibc_assert_re()]
        .iter()
        .find_map(|re| re.captures(line))
        .map(|c| ("assert", c["msg"].trim().to_string()))
}

/// `<text> in <file name>`.
fn in_file(text: &str, path: &str) -> String {
    let file = path.rsplit(['/', '\\']).next().unwrap_or(path);
    format!("{} in {file}", text.trim())
}

/// A sanitizer's `AddressSanitizer:DEADLYSIGNAL` glued to the end of the message line.
fn strip_deadly_signal(line: &str) -> &str {
    const TOOLS: [&str; 10] = [
        "HWAddressSanitizer",
        "AddressSanitizer",
        "UndefinedBehaviorSanitizer",
        "MemorySanitizer",
        "ThreadSanitizer",
        "LeakSanitizer",
        "ASAN",
        "UBSAN",
        "MSAN",
        "TSAN",
    ];
    let Some(head) = line.strip_suffix(":DEADLYSIGNAL") else {
        return line;
    };
    TOOLS.iter().find_map(|t| head.strip_suffix(t)).unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(line: &str) -> Option<(&'static str, String)> {
        classify(line)
    }

    #[test]
    fn assertion_dialects() {
        let cases = [
            (
                "chewing_default_fuzzer: tree.c:860: RecordNode *f(const RecordNode *): Assertion `record failed.",
                ("assert", "record"),
            ),
            (
                "CRITICAL ERROR : gst_vorbis_tag_add: assertion 'g_utf8_validate (tag, -1, NULL)' failed",
                ("assert", "g_utf8_validate (tag, -1, NULL)"),
            ),
            (
                "third_party/include/c++/v1/vector:559:assertion !full() failed: sample_function() called on an empty vectorAddressSanitizer:DEADLYSIGNAL",
                ("assert", "sample_function() called on an empty vector"),
            ),
            (
                "F0812 21:22:15.159294   61315 logging.cc:89] assert.h assertion failed at file/path.cc:380 in Foo: Blah.empty() && \"Failure!\"",
                ("assert", "Blah.empty() && \"Failure!\""),
            ),
            (
                "[2018-05-17 07:01:35.506][1][critical][assert] source/common/network/address_impl.cc:87] assert failure: ss_len == 0",
                ("assert", "ss_len == 0"),
            ),
            (
                "F0813 00:29:27.775753  384244 file.cc:130] Check failed: std::is_sorted(foo.begin(), foo.end())",
                ("check-failure", "std::is_sorted(foo.begin(), foo.end()) in file.cc"),
            ),
            (
                "[0908/073950.845878:FATAL:content/browser/x_fuzzer.cc:40] Check failed: a == b",
                ("check-failure", "a == b in x_fuzzer.cc"),
            ),
            ("[1222/164952:FATAL:ftp_util.cc(198)] Check failed: 1 == x", ("check-failure", "1 == x in ftp_util.cc")),
            (
                "F1110 15:37:25.280898 2384071 profile_expansion_util_fuzzer.cc:220] INTERNAL: Found a difference",
                ("fatal-error", "INTERNAL: Found a difference in profile_expansion_util_fuzzer.cc"),
            ),
        ];
        for (line, (kind, text)) in cases {
            assert_eq!(msg(line), Some((kind, text.to_string())), "{line}");
            assert!(opens(line));
        }
    }

    #[test]
    fn mentions_are_not_assertions() {
        for line in [
            "ASSERT should not be triggered when type is changed in focus event.",
            "[0115/090948.959721:FATAL:SkMutex.h(41)] check(fOwner == kIllegalThreadID)",
            "static_assert(sizeof(int) == 4)",
            "Fuzzing with 4 workers",
        ] {
            assert!(!opens(line), "{line}");
        }
    }
}
