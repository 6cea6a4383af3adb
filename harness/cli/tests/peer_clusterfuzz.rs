//! Conformance with a mature peer: every row of ClusterFuzz's stack-analyzer cases
//! (`shared/peer/clusterfuzz/cases.tsv`, described in the README beside it) parsed and
//! classified by seam, and scored as the README advises: same crash type family, same access
//! kind and size where ClusterFuzz gives one, same first crash-state line, same security flag.
//! Exact crash-state equality is counted separately (it carries ClusterFuzz's own conventions).
//!
//! Every row that disagrees must be listed in `KNOWN_DISAGREEMENTS` with its reason, and every
//! listed row must still disagree, so the list stays honest. Run with `--nocapture` to see the
//! score.

use std::fs;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use seam::triage::classify::{crash_state, crash_type, is_security};
use seam::triage::frames::demangle;
use seam::triage::parse::parse;

/// The peer set, beside the repository clone (CI clones the repo as a sibling of `shared/`).
const PEER_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/peer/clusterfuzz");

/// Minimum share of scored rows that must agree.
const MIN_AGREEMENT: f64 = 0.90;

/// Rows (by ClusterFuzz test name) where seam answers differently, and why.
const KNOWN_DISAGREEMENTS: &[(&str, &str)] = &[
    (
        "test_oom4",
        "policy (better answer for seam): ClusterFuzz names an out-of-memory crash after the fuzz target when \
         FUZZ_TARGET is set; seam keeps the frames that allocated (opj_j2k_update_image_data), which say where the \
         memory went",
    ),
    (
        "test_asan_assert_failure",
        "policy: ClusterFuzz counts ASSERTs as security bugs by default (ASSERTS_HAVE_SECURITY_IMPLICATION); seam \
         does not, as ClusterFuzz itself does not under ASSERTS_HAVE_SECURITY_IMPLICATION=False",
    ),
    (
        "test_assert_google",
        "policy: assertion failures are not security bugs for seam (see test_asan_assert_failure)",
    ),
];

/// One row of `cases.tsv`.
struct Case {
    data_file: String,
    expected_type: String,
    expected_state: String,
    expected_security: bool,
    test_name: String,
    fuzz_target: Option<String>,
}

/// What seam made of a log.
struct Answer {
    crash_type: Option<String>,
    state: Vec<String>,
    security: bool,
}

/// How one scored row compares.
struct Score {
    agrees: bool,
    exact_state: bool,
    detail: String,
}

fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

fn load_cases(dir: &Path) -> Vec<Case> {
    let tsv = fs::read_to_string(dir.join("cases.tsv")).expect("read cases.tsv");
    let mut lines = tsv.lines();
    let header: Vec<&str> = lines.next().expect("header line").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (file, ty, state, security, test, env) = (
        col("data_file"),
        col("expected_type"),
        col("expected_state"),
        col("expected_security_flag"),
        col("test_name"),
        col("env"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| unescape(fields.get(i).copied().unwrap_or(""));
            let env = field(env);
            Case {
                data_file: field(file),
                expected_type: field(ty),
                expected_state: field(state),
                expected_security: field(security) == "true",
                test_name: field(test),
                fuzz_target: env
                    .split(';')
                    .find_map(|kv| kv.strip_prefix("FUZZ_TARGET="))
                    .map(str::to_string),
            }
        })
        .collect()
}

fn analyse(log: &str, fuzz_target: Option<&str>) -> Answer {
    match parse(log) {
        Some(r) => Answer {
            crash_type: Some(crash_type(&r)),
            state: crash_state(&r, fuzz_target),
            security: is_security(&r),
        },
        None => Answer {
            crash_type: None,
            state: Vec::new(),
            security: false,
        },
    }
}

/// A crash type as (family, access): `Heap-buffer-overflow\nREAD 1` and
/// `Heap-buffer-overflow READ 1` both give (`heap-buffer-overflow`, `READ 1`). Names that differ
/// only by convention map to one family: ClusterFuzz's `Heap-double-free`, `Unexpected-exit`,
/// `Direct-leak` and `ASSERT` (which it also calls Rust panics) are seam's `Double-free`,
/// `Fuzzer-exit`, `Leak` and `Panic`.
fn family(crash_type: &str) -> (String, Option<String>) {
    let mut words: Vec<&str> = crash_type.split_whitespace().collect();
    let mut access = Vec::new();
    if words.len() > 1 && words.last().is_some_and(|w| w.bytes().all(|b| b.is_ascii_digit())) {
        access.insert(0, words.pop().unwrap_or_default());
    }
    if words.len() > 1 && matches!(words.last(), Some(&"READ") | Some(&"WRITE")) {
        access.insert(0, words.pop().unwrap_or_default());
    }
    let name = words.join(" ").to_lowercase();
    let name = match name.as_str() {
        "heap-double-free" => "double-free".to_string(),
        "unexpected-exit" => "fuzzer-exit".to_string(),
        "direct-leak" | "indirect-leak" => "leak".to_string(),
        "panic" => "assert".to_string(),
        _ => name,
    };
    (name, (!access.is_empty()).then(|| access.join(" ")))
}

/// A crash-state line, with Rust legacy names demangled on both sides (`f::h<hash>` is `f`).
fn frame_key(line: &str) -> Option<String> {
    let line = line.trim();
    (!line.is_empty() && line != "NULL").then(|| demangle(line))
}

fn score(case: &Case, answer: &Answer) -> Score {
    let ours_type = answer.crash_type.as_deref().unwrap_or("(none)");
    let (exp_family, exp_access) = family(&case.expected_type);
    let (our_family, our_access) = family(ours_type);
    let exp_first = frame_key(case.expected_state.lines().next().unwrap_or(""));
    let our_first = answer.state.first().and_then(|s| frame_key(s));
    let mut problems = Vec::new();
    if exp_family != our_family {
        problems.push(format!("type {exp_family:?} vs ours {our_family:?}"));
    }
    if exp_access.is_some() && exp_access != our_access {
        problems.push(format!("access {exp_access:?} vs ours {our_access:?}"));
    }
    if exp_first != our_first {
        problems.push(format!("first frame {exp_first:?} vs ours {our_first:?}"));
    }
    if case.expected_security != answer.security {
        problems.push(format!(
            "security {} vs ours {}",
            case.expected_security, answer.security
        ));
    }
    let ours_state = if answer.state.is_empty() {
        "NULL".to_string()
    } else {
        answer.state.iter().map(|s| format!("{s}\n")).collect()
    };
    Score {
        agrees: problems.is_empty(),
        exact_state: ours_state == case.expected_state,
        detail: problems.join("; "),
    }
}

#[test]
fn seam_agrees_with_clusterfuzz_on_the_peer_cases() {
    let dir = Path::new(PEER_DIR);
    assert!(
        dir.join("cases.tsv").is_file(),
        "the ClusterFuzz peer set is missing: expected {}/cases.tsv (shared/ must sit beside the repository clone)",
        dir.display()
    );
    let cases = load_cases(dir);
    assert!(cases.len() >= 50, "only {} rows in cases.tsv", cases.len());
    let (mut scored, mut agreeing, mut exact) = (0usize, 0usize, 0usize);
    let mut failures = Vec::new();
    let mut disagreeing = Vec::new();
    for case in &cases {
        let log = fs::read(dir.join("data").join(&case.data_file)).expect("read log");
        let log = String::from_utf8_lossy(&log);
        let answer = catch_unwind(AssertUnwindSafe(|| analyse(&log, case.fuzz_target.as_deref())));
        let Ok(answer) = answer else {
            failures.push(format!("{}: the parser panicked", case.test_name));
            continue;
        };
        if case.expected_type.is_empty() {
            if answer.security {
                failures.push(format!(
                    "{}: not a crash for ClusterFuzz, a security bug for seam",
                    case.test_name
                ));
            }
            continue;
        }
        scored += 1;
        let s = score(case, &answer);
        exact += usize::from(s.exact_state);
        if s.agrees {
            agreeing += 1;
        } else {
            disagreeing.push(case.test_name.clone());
            eprintln!("disagree {}: {}", case.test_name, s.detail);
            if !KNOWN_DISAGREEMENTS.iter().any(|(name, _)| *name == case.test_name) {
                failures.push(format!("{}: unlisted disagreement: {}", case.test_name, s.detail));
            }
        }
    }
    for (name, reason) in KNOWN_DISAGREEMENTS {
        if !disagreeing.iter().any(|d| d == name) {
            failures.push(format!(
                "{name}: listed as a disagreement ({reason}) but now agrees: drop it from the list"
            ));
        }
    }
    let share = agreeing as f64 / scored.max(1) as f64;
    eprintln!(
        "ClusterFuzz peer cases: {agreeing}/{scored} scored rows agree ({:.1}%); exact crash state {exact}/{scored}; {} rows unscored (no crash for ClusterFuzz)",
        share * 100.0,
        cases.len() - scored
    );
    assert!(
        failures.is_empty(),
        "peer conformance failures:\n{}",
        failures.join("\n")
    );
    assert!(
        share >= MIN_AGREEMENT,
        "agreement {:.1}% is below {:.0}%",
        share * 100.0,
        MIN_AGREEMENT * 100.0
    );
}

#[test]
fn family_splits_type_and_access() {
    assert_eq!(
        family("Heap-buffer-overflow\nREAD 1"),
        ("heap-buffer-overflow".into(), Some("READ 1".into()))
    );
    assert_eq!(
        family("Null-dereference WRITE"),
        ("null-dereference".into(), Some("WRITE".into()))
    );
    assert_eq!(family("UNKNOWN"), ("unknown".into(), None));
    assert_eq!(family("Heap-double-free"), family("Double-free"));
    assert_eq!(family("CHECK failure"), ("check failure".into(), None));
    assert_eq!(unescape(r"a\nb\\n\t"), "a\nb\\n\t");
}
