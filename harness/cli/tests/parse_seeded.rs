//! Golden tests on real logs from seam's own seeded library (`tests/data/seeded/*.log`, one per
//! report family), and the same logs damaged: cut short, interleaved, coloured, prefixed with
//! binary garbage, CRLF-ended, and buried in 50 MB of fuzzer output.

use std::fs;
use std::time::{Duration, Instant};

use seam::triage::boundary;
use seam::triage::classify::{crash_state, crash_type, is_security, severity, Severity};
use seam::triage::frames::is_useful;
use seam::triage::model::{Access, Report, Tool};
use seam::triage::parse::parse;

fn read(name: &str) -> String {
    let path = format!("{}/tests/data/seeded/{name}.log", env!("CARGO_MANIFEST_DIR"));
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

fn parsed(log: &str) -> Report {
    parse(log).expect("a report")
}

/// The first frame worth showing (not runtime noise).
fn first_frame(stack: &[seam::triage::model::Frame]) -> Option<&str> {
    stack.iter().find(|f| is_useful(f)).and_then(|f| f.function.as_deref())
}

/// What a seeded log must parse into.
struct Golden {
    log: &'static str,
    tool: Tool,
    kind: &'static str,
    crash_type: &'static str,
    access: Option<Access>,
    frame: Option<&'static str>,
    security: bool,
    severity: Severity,
}

const fn access(write: bool, size: u64) -> Option<Access> {
    Some(Access { write, size })
}

const GOLDEN: &[Golden] = &[
    Golden {
        log: "parse",
        tool: Tool::AddressSanitizer,
        kind: "heap-buffer-overflow",
        crash_type: "Heap-buffer-overflow WRITE 68",
        access: access(true, 68),
        frame: Some("seeded_parse"),
        security: true,
        severity: Severity::Exploitable,
    },
    Golden {
        log: "handoff",
        tool: Tool::AddressSanitizer,
        kind: "heap-use-after-free",
        crash_type: "Heap-use-after-free READ 1",
        access: access(false, 1),
        frame: Some("seeded_peek"),
        security: true,
        severity: Severity::ProbablyExploitable,
    },
    Golden {
        log: "adopt",
        tool: Tool::AddressSanitizer,
        kind: "double-free",
        crash_type: "Double-free",
        access: None,
        frame: Some("drop"),
        security: true,
        severity: Severity::Exploitable,
    },
    Golden {
        log: "name",
        tool: Tool::LeakSanitizer,
        kind: "leak",
        crash_type: "Leak",
        access: None,
        frame: Some("seeded_set_name"),
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "header",
        tool: Tool::AddressSanitizer,
        kind: "stack-buffer-overflow",
        crash_type: "Stack-buffer-overflow WRITE 8",
        access: access(true, 8),
        frame: Some("seeded_header_get"),
        security: true,
        severity: Severity::Exploitable,
    },
    Golden {
        log: "scale",
        tool: Tool::UndefinedBehaviorSanitizer,
        kind: "signed-integer-overflow",
        crash_type: "Integer-overflow",
        access: None,
        frame: None,
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "describe",
        tool: Tool::RustPanic,
        kind: "panic",
        crash_type: "Panic",
        access: None,
        frame: Some("seam_seeded::store::Store::describe"),
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "msan",
        tool: Tool::MemorySanitizer,
        kind: "use-of-uninitialized-value",
        crash_type: "Use-of-uninitialized-value",
        access: None,
        frame: Some("seeded_checksum"),
        security: true,
        severity: Severity::ProbablyExploitable,
    },
    Golden {
        log: "reserve",
        tool: Tool::LibFuzzer,
        kind: "out-of-memory",
        crash_type: "Out-of-memory",
        access: None,
        frame: Some("seeded_reserve"),
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "reserve-replay",
        tool: Tool::LibFuzzer,
        kind: "out-of-memory",
        crash_type: "Out-of-memory",
        access: None,
        frame: Some("seeded_reserve"),
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "rehash",
        tool: Tool::LibFuzzer,
        kind: "timeout",
        crash_type: "Timeout",
        access: None,
        frame: Some("seeded_rehash"),
        security: false,
        severity: Severity::NotExploitable,
    },
    Golden {
        log: "rehash-replay",
        tool: Tool::LibFuzzer,
        kind: "timeout",
        crash_type: "Timeout",
        access: None,
        frame: Some("seeded_rehash"),
        security: false,
        severity: Severity::NotExploitable,
    },
];

#[test]
fn every_seeded_log_parses_to_its_golden_report() {
    for g in GOLDEN {
        let r = parsed(&read(g.log));
        assert_eq!((r.tool, r.kind.as_str()), (g.tool, g.kind), "{}", g.log);
        assert_eq!(crash_type(&r), g.crash_type, "{}", g.log);
        assert_eq!(r.access, g.access, "{}", g.log);
        assert_eq!(first_frame(&r.stack), g.frame, "{}", g.log);
        assert_eq!(is_security(&r), g.security, "{}", g.log);
        assert_eq!(severity(&r), g.severity, "{}", g.log);
        assert!(r.warnings.is_empty(), "{}: {:?}", g.log, r.warnings);
        assert!(r.summary.is_some(), "{}: no summary", g.log);
    }
}

#[test]
fn use_after_free_has_its_free_and_allocation_stacks() {
    let r = parsed(&read("handoff"));
    assert_eq!(r.address, Some(0x7e42_4d61_0400));
    assert_eq!(first_frame(&r.free_stack), Some("drop"));
    assert_eq!(first_frame(&r.alloc_stack), Some("seeded_open"));
    assert_eq!(
        r.stack[0].file.as_deref(),
        Some("/work/main/c_targets/seeded/csrc/seeded.c")
    );
    assert_eq!((r.stack[0].line, r.stack[0].column), (Some(117), Some(12)));
    assert_eq!(
        crash_state(&r, Some("seeded_handoff")),
        ["seeded_peek", "peek", "apply"]
    );
}

#[test]
fn double_free_is_attributed_past_the_allocator() {
    let r = parsed(&read("adopt"));
    assert_eq!(r.stack[0].function.as_deref(), Some("free"));
    assert_eq!(
        crash_state(&r, None),
        ["drop", "seam_seeded::store::Store::adopt", "apply"]
    );
    assert_eq!(first_frame(&r.alloc_stack), Some("copy_of"));
}

#[test]
fn stack_overflow_write_skips_the_frame_description() {
    let r = parsed(&read("header"));
    // "Address ... is located in stack of thread T0 ... in frame #0 seam_seeded::ops::run" is
    // not the crash stack.
    assert_eq!(r.stack.len(), 21);
    assert!(r.alloc_stack.is_empty());
}

#[test]
fn leak_report_lists_its_leaks() {
    let r = parsed(&read("name"));
    assert_eq!(r.leaks.len(), 1);
    let leak = &r.leaks[0];
    assert!(leak.direct);
    assert_eq!((leak.bytes, leak.objects), (3, 1));
    assert_eq!(first_frame(&leak.stack), Some("seeded_set_name"));
    assert_eq!(r.stack, leak.stack);
}

#[test]
fn msan_origin_is_the_allocation() {
    let r = parsed(&read("msan"));
    assert_eq!(first_frame(&r.alloc_stack), Some("seeded_open"));
    assert_eq!(r.alloc_stack[0].function.as_deref(), Some("malloc"));
}

#[test]
fn ubsan_without_stack_keeps_its_location() {
    let log = read("scale");
    let r = parsed(&log);
    assert_eq!(
        r.message.as_deref(),
        Some("signed integer overflow: 164 * -2004318072 cannot be represented in type 'int32_t' (aka 'int')")
    );
    assert_eq!(r.stack.len(), 1);
    let at = &r.stack[0];
    assert_eq!(
        (at.file.as_deref(), at.line, at.column, at.function.as_deref()),
        (Some("csrc/seeded.c"), Some(212), Some(18), None)
    );
    assert_eq!(crash_state(&r, Some("seeded_scale")), ["seeded_scale"]);
    let call = boundary::parse(&log).and_then(|b| b.in_progress().map(|c| c.function.clone()));
    assert_eq!(call.as_deref(), Some("seeded_scale"));
}

#[test]
fn panic_is_the_report_not_the_deadly_signal() {
    let r = parsed(&read("describe"));
    assert_eq!(
        r.message.as_deref(),
        Some("range end index 71 out of range for slice of length 64")
    );
    assert_eq!(r.summary.as_deref(), Some("libFuzzer: deadly signal"));
    assert_eq!(
        crash_state(&r, None),
        [
            "range end index 71 out of range for slice of length 64",
            "seam_seeded::store::Store::describe",
            "apply"
        ]
    );
}

#[test]
fn libfuzzer_deaths_keep_their_message() {
    assert_eq!(
        parsed(&read("reserve")).message.as_deref(),
        Some("out-of-memory (malloc(181984767))")
    );
    assert_eq!(
        parsed(&read("rehash-replay")).message.as_deref(),
        Some("timeout after 1 seconds")
    );
}

/// The byte range of a log's report: from its first line to the start of its closing line.
fn report_span(log: &str) -> (usize, usize) {
    const OPENERS: [&str; 6] = [
        "==ERROR: ",
        "WARNING: MemorySanitizer",
        ": runtime error: ",
        "panicked at",
        "ERROR: libFuzzer",
        "==ERROR:",
    ];
    let start = OPENERS
        .iter()
        .filter_map(|o| log.find(o))
        .min()
        .expect("a report opener");
    let start = log[..start].rfind('\n').map_or(0, |n| n + 1);
    let close = ["SUMMARY: ", "note: Some details"]
        .iter()
        .filter_map(|c| log[start..].find(c))
        .min()
        .expect("a closer");
    (start, start + close)
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[test]
fn logs_cut_short_give_partial_reports_with_warnings() {
    for g in GOLDEN {
        let log = read(g.log);
        let (start, end) = report_span(&log);
        let first_line_end = start + log[start..].find('\n').expect("newline") + 1;
        let mut cuts: Vec<usize> = (1..=12)
            .map(|k| first_line_end + (end - first_line_end) * k / 13)
            .collect();
        cuts.extend(
            log[first_line_end..end]
                .match_indices('\n')
                .map(|(i, _)| first_line_end + i + 1)
                .step_by(5),
        );
        for cut in cuts {
            let cut = floor_char_boundary(&log, cut);
            let head = &log[..cut];
            let r = parse(head).unwrap_or_else(|| panic!("{} cut at {cut}: no report", g.log));
            assert_eq!((r.tool, r.kind.as_str()), (g.tool, g.kind), "{} cut at {cut}", g.log);
            let mid_line = !head.ends_with('\n');
            let closes = g.kind != "panic";
            if mid_line || closes {
                assert!(!r.warnings.is_empty(), "{} cut at {cut}: no warning", g.log);
            }
        }
        for cut in [1, start / 2, start] {
            let _ = parse(&log[..floor_char_boundary(&log, cut)]);
        }
    }
}

/// Two logs merged line by line, and where each line of each lands.
fn interleave(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let mut out = String::new();
    for i in 0..la.len().max(lb.len()) {
        for line in [la.get(i), lb.get(i)].into_iter().flatten() {
            out.push_str(line);
            out.push('\n');
        }
    }
    out
}

/// The merged position of line `i` of the log whose partner has `other_len` lines.
fn merged_index(i: usize, first: bool, other_len: usize) -> usize {
    match (i < other_len, first) {
        (true, true) => 2 * i,
        (true, false) => 2 * i + 1,
        (false, _) => other_len + i,
    }
}

fn opener_line(log: &str) -> usize {
    let (start, _) = report_span(log);
    log[..start].matches('\n').count()
}

fn closer_line(log: &str) -> usize {
    let (_, end) = report_span(log);
    log[..end].matches('\n').count()
}

#[test]
fn two_interleaved_logs_give_the_first_report() {
    let pairs = [
        ("parse", "handoff"),
        ("header", "name"),
        ("describe", "msan"),
        ("rehash", "reserve"),
        ("adopt", "scale"),
    ];
    for (a, b) in pairs {
        let (la, lb) = (read(a), read(b));
        let (ga, gb) = (GOLDEN.iter().find(|g| g.log == a), GOLDEN.iter().find(|g| g.log == b));
        let (Some(ga), Some(gb)) = (ga, gb) else {
            panic!("no golden for {a} or {b}")
        };
        let (na, nb) = (la.lines().count(), lb.lines().count());
        let open_a = merged_index(opener_line(&la), true, nb);
        let open_b = merged_index(opener_line(&lb), false, na);
        let (first, second_open, first_close) = if open_a < open_b {
            (ga, open_b, merged_index(closer_line(&la), true, nb))
        } else {
            (gb, open_a, merged_index(closer_line(&lb), false, na))
        };
        let r = parsed(&interleave(&la, &lb));
        assert_eq!(r.kind, first.kind, "{a} + {b}");
        assert_eq!(
            first_frame(&r.stack),
            first.frame,
            "{a} + {b}: the first report's stack comes apart from the other"
        );
        if second_open < first_close && first.kind != "panic" {
            assert!(
                !r.warnings.is_empty(),
                "{a} + {b}: the reports overlap but nothing warns"
            );
        }
    }
}

#[test]
fn colours_crlf_and_garbage_do_not_change_the_report() {
    let garbage: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let garbage = String::from_utf8_lossy(&garbage).into_owned();
    for g in GOLDEN {
        let log = read(g.log);
        let clean = parsed(&log);
        let coloured: String = log.lines().map(|l| format!("\x1b[1m\x1b[31m{l}\x1b[0m\n")).collect();
        assert_eq!(parsed(&coloured), clean, "{} coloured", g.log);
        assert_eq!(parsed(&log.replace('\n', "\r\n")), clean, "{} CRLF", g.log);
        let dirty = parsed(&format!("{garbage}\n{log}"));
        assert_eq!(
            (crash_type(&dirty), crash_state(&dirty, None)),
            (crash_type(&clean), crash_state(&clean, None)),
            "{}",
            g.log
        );
    }
}

#[test]
fn garbage_alone_never_panics() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for len in [0usize, 1, 2, 7, 64, 513, 4096, 65_537] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed >> 24) as u8
            })
            .collect();
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse(&text);
        let salted = text.replace(
            '\u{fffd}',
            "\n#0 0x1 in ==1==ERROR: AddressSanitizer: SEGV on unknown address 0x",
        );
        let _ = parse(&salted);
    }
}

/// Release builds parse 50 MB in tens of milliseconds; unoptimised test builds get more room.
const FIFTY_MB_BUDGET: Duration = if cfg!(debug_assertions) {
    Duration::from_secs(10)
} else {
    Duration::from_millis(500)
};

#[test]
fn a_fifty_megabyte_log_parses_quickly() {
    let log = read("parse");
    let chatter = "[1537171:1537204:0214/065240.734167:ERROR:bus.cc(397)] Failed to connect to the bus: No such file\n";
    let progress: String = log
        .lines()
        .filter(|l| l.starts_with('#') || l.starts_with('\t'))
        .flat_map(|l| [l, "\n", chatter])
        .collect();
    let mut big = String::with_capacity(52 << 20);
    while big.len() < 50 << 20 {
        big.push_str(&progress);
    }
    big.push_str(&log);
    let started = Instant::now();
    let r = parsed(&big);
    let took = started.elapsed();
    assert_eq!(crash_type(&r), "Heap-buffer-overflow WRITE 68");
    eprintln!("50 MB parsed in {took:?}");
    assert!(took < FIFTY_MB_BUDGET, "50 MB took {took:?}");
}
