//! Sanitizer reports that open with `ERROR: <Tool>Sanitizer: <kind>` (or `WARNING:` for MSan
//! and TSan): AddressSanitizer, HWAddressSanitizer, LeakSanitizer, MemorySanitizer,
//! ThreadSanitizer, and UBSan's signal reports (`ERROR: UndefinedBehaviorSanitizer: ILL`).
//!
//! The body gives the access (`READ of size 4 at ...`, or `The signal is caused by a WRITE memory
//! access.`), the crash stack (the first stack after the header), `freed by thread` and
//! `previously allocated by thread` stacks, leaks with their allocation stacks, and MSan's origin
//! (`Uninitialized value was created by ...`, else the first `... stored to memory at`). The
//! report ends at its `SUMMARY:` or `==PID==ABORTING` line.

use std::sync::OnceLock;

use regex::Regex;

use crate::frames::parse_frame;
use crate::model::{Access, Frame, Leak, Report, Tool};
use crate::parse::{note_skipped, opens_report, read_stack, signal_role, truncated_warning, Log, Parsed};

fn header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:.*?==\d+==\s*|\s*)(?:ERROR|WARNING):\s*(?P<tool>[A-Za-z]*Sanitizer):\s*(?P<rest>.*)$")
            .expect("valid regex")
    })
}

fn address_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"(?:\bon (?:unknown address |address )?|-ed: )0x([0-9a-fA-F]{1,16})\b").expect("valid regex")
    })
}

fn access_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?:Atomic )?(?P<rw>READ|WRITE|Read|Write|read|write) of size (?P<size>\d+) at 0x(?P<addr>[0-9a-fA-F]{1,16})\b")
            .expect("valid regex")
    })
}

fn leak_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^(?P<kind>Direct|Indirect) leak of (?P<bytes>\d+) byte\(s\) in (?P<objects>\d+) object\(s\)")
            .expect("valid regex")
    })
}

/// True when a line opens a sanitizer report. Text that merely mentions a sanitizer does not.
pub(crate) fn opens(line: &str) -> bool {
    line.contains("Sanitizer:") && header_re().is_match(line)
}

/// Parses the sanitizer report that opens at line `start`.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let mut report = header(log.line(start));
    let mut reader = Reader::new(&report.kind);
    let mut i = start + 1;
    let mut closed = false;
    while i < log.len() {
        let line = log.line(i);
        if parse_frame(line).is_some() {
            let stack = read_stack(log, i);
            note_skipped(&mut report, &stack);
            reader.take(&mut report, stack.frames);
            i = stack.next;
            continue;
        }
        let text = line.trim();
        if opens_report(line) {
            report
                .warnings
                .push(format!("another report is interleaved with this one: {text}"));
            if !report.stack.is_empty() {
                break;
            }
            i += 1;
            continue;
        }
        i += 1;
        if let Some(summary) = text.strip_prefix("SUMMARY: ") {
            report.summary = Some(summary.to_string());
            closed = true;
            break;
        }
        if text.ends_with("==ABORTING") {
            closed = true;
            break;
        }
        reader.marker(&mut report, text);
    }
    if !closed && i >= log.len() {
        report.warnings.push(truncated_warning("SUMMARY line"));
    }
    reader.finish(&mut report);
    let role = signal_role(&report.kind);
    Parsed { report, end: i, role }
}

/// The stack a leak report shows: the first direct leak's, else the first leak's.
pub(crate) fn leak_stack(report: &Report) -> Vec<Frame> {
    report
        .leaks
        .iter()
        .find(|l| l.direct)
        .or_else(|| report.leaks.first())
        .map(|l| l.stack.clone())
        .unwrap_or_else(|| report.stack.clone())
}

/// The report that a header line opens: tool, kind and address.
fn header(line: &str) -> Report {
    let Some(caps) = header_re().captures(line) else {
        return Report::new(Tool::Other, "unknown");
    };
    let rest = caps.name("rest").map_or("", |m| m.as_str());
    let mut report = Report::new(tool_of(caps.name("tool").map_or("", |m| m.as_str())), kind_of(rest));
    report.address = address_re()
        .captures(rest)
        .and_then(|c| c.get(1))
        .and_then(|m| u64::from_str_radix(m.as_str(), 16).ok());
    report
}

fn tool_of(name: &str) -> Tool {
    match name {
        "AddressSanitizer" => Tool::AddressSanitizer,
        "HWAddressSanitizer" => Tool::HwAddressSanitizer,
        "LeakSanitizer" => Tool::LeakSanitizer,
        "MemorySanitizer" => Tool::MemorySanitizer,
        "ThreadSanitizer" => Tool::ThreadSanitizer,
        "UndefinedBehaviorSanitizer" => Tool::UndefinedBehaviorSanitizer,
        _ => Tool::Other,
    }
}

/// The sanitizer's name for the error, from the header text after `Sanitizer: `.
fn kind_of(rest: &str) -> String {
    const PHRASES: [(&str, &str); 8] = [
        ("attempting double-free", "double-free"),
        ("attempting free on address which was not malloc()-ed", "bad-free"),
        ("attempting to call malloc_usable_size()", "bad-malloc_usable_size"),
        ("requested allocation size", "allocation-size-too-big"),
        ("allocator is out of memory", "out-of-memory"),
        ("out of memory:", "out-of-memory"),
        ("calloc parameters overflow", "calloc-overflow"),
        ("detected memory leaks", "leak"),
    ];
    if let Some((_, kind)) = PHRASES.iter().find(|(phrase, _)| rest.starts_with(phrase)) {
        return kind.to_string();
    }
    let end = [" on ", ":", " (", ";"]
        .iter()
        .filter_map(|sep| rest.find(sep))
        .min()
        .unwrap_or(rest.len());
    let kind = rest[..end].trim().replace(' ', "-");
    if kind.is_empty() {
        "unknown".into()
    } else {
        kind
    }
}

/// Where the next stack of the report goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Crash,
    Free,
    Alloc,
    OriginCreated,
    OriginStored,
    Leak,
    Ignore,
}

/// Reading state for one report body.
struct Reader {
    section: Section,
    stored_origin: Vec<Frame>,
}

impl Reader {
    fn new(kind: &str) -> Self {
        let section = if kind == "leak" {
            Section::Ignore
        } else {
            Section::Crash
        };
        Reader {
            section,
            stored_origin: Vec::new(),
        }
    }

    /// Files a stack under the current section; later stacks of a section are ignored.
    fn take(&mut self, report: &mut Report, frames: Vec<Frame>) {
        let slot = match self.section {
            Section::Crash => Some(&mut report.stack),
            Section::Free => Some(&mut report.free_stack),
            Section::Alloc | Section::OriginCreated => Some(&mut report.alloc_stack),
            Section::OriginStored => Some(&mut self.stored_origin),
            Section::Leak => report.leaks.last_mut().map(|l| &mut l.stack),
            Section::Ignore => None,
        };
        if let Some(slot) = slot.filter(|s| s.is_empty()) {
            *slot = frames;
        }
        self.section = Section::Ignore;
    }

    /// Reads one non-frame line of the body.
    fn marker(&mut self, report: &mut Report, text: &str) {
        if let Some((access, address)) = access_line(text) {
            report.access.get_or_insert(access);
            if report.address.is_none() {
                report.address = address;
            }
        } else if let Some(access) = signal_access(text) {
            if report.access.is_none() {
                report.access = access;
            }
        } else if let Some(leak) = leak_line(text) {
            report.leaks.push(leak);
            self.section = Section::Leak;
        } else if let Some(section) = section_of(text) {
            self.section = section;
        }
    }

    fn finish(self, report: &mut Report) {
        if report.alloc_stack.is_empty() {
            report.alloc_stack = self.stored_origin;
        }
        if report.kind == "leak" {
            report.stack = leak_stack(report);
        }
    }
}

/// `READ of size 4 at 0x...`, TSan's `Write of size 8 at 0x... by thread T1:`.
fn access_line(text: &str) -> Option<(Access, Option<u64>)> {
    if !text.contains(" of size ") {
        return None;
    }
    let caps = access_re().captures(text)?;
    let write = caps["rw"].eq_ignore_ascii_case("write");
    let size = caps["size"].parse().ok()?;
    Some((Access { write, size }, u64::from_str_radix(&caps["addr"], 16).ok()))
}

/// `The signal is caused by a READ memory access.`: the access kind, size unknown (0).
fn signal_access(text: &str) -> Option<Option<Access>> {
    let rest = text.split("The signal is caused by a ").nth(1)?;
    Some(match rest.split(' ').next() {
        Some("READ") => Some(Access { write: false, size: 0 }),
        Some("WRITE") => Some(Access { write: true, size: 0 }),
        _ => None,
    })
}

fn leak_line(text: &str) -> Option<Leak> {
    let caps = leak_re().captures(text)?;
    Some(Leak {
        bytes: caps["bytes"].parse().unwrap_or(0),
        objects: caps["objects"].parse().unwrap_or(0),
        direct: &caps["kind"] == "Direct",
        stack: Vec::new(),
    })
}

/// Lines that announce the next stack of the body.
fn section_of(text: &str) -> Option<Section> {
    if text.contains("freed by thread") {
        Some(Section::Free)
    } else if text.contains("Uninitialized value was created by") {
        Some(Section::OriginCreated)
    } else if text.contains("Uninitialized value was stored to memory at") {
        Some(Section::OriginStored)
    } else if text.contains("allocated by thread") || text.starts_with("previously allocated here") {
        Some(Section::Alloc)
    } else if text.starts_with("Previous ")
        || text.contains("is located in stack of thread")
        || text.starts_with("Location is")
        || text.starts_with("Mutex ")
        || (text.starts_with("Thread T") && text.contains("created by"))
    {
        Some(Section::Ignore)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(rest: &str) -> String {
        kind_of(rest)
    }

    #[test]
    fn kinds_from_headers() {
        assert_eq!(
            kind("heap-buffer-overflow on address 0x6020 at pc 0x1 bp 0x2 sp 0x3"),
            "heap-buffer-overflow"
        );
        assert_eq!(
            kind("attempting double-free on 0x7bd8dd412790 in thread T0:"),
            "double-free"
        );
        assert_eq!(
            kind("attempting free on address which was not malloc()-ed: 0xa in thread T0"),
            "bad-free"
        );
        assert_eq!(kind("SEGV on unknown address 0x000000000018 (pc 0x1 T0)"), "SEGV");
        assert_eq!(
            kind("requested allocation size 0x3ff00000000 exceeds maximum supported size"),
            "allocation-size-too-big"
        );
        assert_eq!(
            kind("memcpy-param-overlap: memory ranges [0x1,0x2) and [0x1, 0x2) overlap"),
            "memcpy-param-overlap"
        );
        assert_eq!(kind("data race (pid=18457)c"), "data-race");
        assert_eq!(
            kind("alloc-dealloc-mismatch (malloc vs operator delete) on 0x6020"),
            "alloc-dealloc-mismatch"
        );
        assert_eq!(kind("detected memory leaks"), "leak");
        assert_eq!(kind(""), "unknown");
    }

    #[test]
    fn header_gives_tool_and_address() {
        let r = header("==8076==ERROR: AddressSanitizer: heap-use-after-free on address 0x7e424d610400 at pc 0x55a9");
        assert_eq!((r.tool, r.address), (Tool::AddressSanitizer, Some(0x7e42_4d61_0400)));
        let r = header("==1==ERROR: AddressSanitizer: attempting free on address which was not malloc()-ed: 0x00000a5742f0 in thread T0");
        assert_eq!(r.address, Some(0xa5742f0));
        let r = header("==10682==WARNING: MemorySanitizer: use-of-uninitialized-value");
        assert_eq!(
            (r.tool, r.kind.as_str(), r.address),
            (Tool::MemorySanitizer, "use-of-uninitialized-value", None)
        );
        let r = header("==7320==ERROR: MemorySanitizer: requested allocation size 0x3ff00000000 exceeds maximum");
        assert_eq!(r.address, None);
    }

    #[test]
    fn mentions_do_not_open_reports() {
        assert!(!opens(
            "Mac OS X using AddressSanitizer # (http://dev.chromium.org/developers/testing/addresssanitizer)."
        ));
        assert!(!opens(
            "#FailureMessage Object: 0x7f080986b060AddressSanitizer:DEADLYSIGNAL"
        ));
        assert!(!opens(
            "==1==WARNING: AddressSanitizer failed to allocate 0x202020202020200c bytes"
        ));
        assert!(!opens(
            "SUMMARY: AddressSanitizer: heap-buffer-overflow /src/a.c:1 in f"
        ));
        assert!(opens(
            "ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x7f24 T0)"
        ));
        assert!(opens("==18306== WARNING: MemorySanitizer: use-of-uninitialized-value"));
    }
}
