//! Parsing seam's boundary block and call trace (format documented in
//! `seam_runtime::block`).

use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

/// Where a recorded call stood when the process died.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case", tag = "state", content = "value")]
pub enum CallState {
    /// C had not returned.
    InProgress,
    /// C returned this value (or nothing, for a void function).
    Returned(Option<i64>),
}

/// One recorded Rust-to-C call.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BoundaryCall {
    /// Sequence number within the input (1-based).
    pub seq: u64,
    /// Index of the fuzz input's operation that made the call.
    pub op: u32,
    /// C function.
    pub function: String,
    /// Arguments as `name=value` text (`#N` handle ids, `0x...` pointers).
    pub args: Vec<(String, String)>,
    /// State at death.
    pub state: CallState,
}

impl BoundaryCall {
    /// `func(a=1, b=#2)`.
    pub fn signature(&self) -> String {
        let args: Vec<String> = self.args.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("{}({})", self.function, args.join(", "))
    }
}

/// The boundary calls known at a death: from a block, or rebuilt from a trace.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Boundary {
    /// `sanitizer`, `panic`, `divergence`, or `trace` when rebuilt from trace lines.
    pub reason: String,
    /// Op index at death.
    pub op: Option<u32>,
    /// Calls, oldest first.
    pub calls: Vec<BoundaryCall>,
}

impl Boundary {
    /// The call in progress, if the process died inside C.
    pub fn in_progress(&self) -> Option<&BoundaryCall> {
        self.calls.iter().rev().find(|c| c.state == CallState::InProgress)
    }

    /// The call the death belongs to: the one in progress, else the last one made.
    pub fn current(&self) -> Option<&BoundaryCall> {
        self.in_progress().or_else(|| self.calls.last())
    }
}

fn call_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^==seam== call #(\d+) op=(\d+) ([A-Za-z_][A-Za-z0-9_:]*)\((.*)\) (in-progress|returned(?: (-?\d+))?)\s*$")
            .expect("valid regex")
    })
}

fn trace_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r"^==seam== trace (?:enter #(\d+) op=(\d+) ([A-Za-z_][A-Za-z0-9_:]*)\((.*)\)|return #(\d+)(?: (-?\d+))?)\s*$")
            .expect("valid regex")
    })
}

fn parse_args(text: &str) -> Vec<(String, String)> {
    text.split(", ")
        .filter(|a| !a.is_empty())
        .map(|a| match a.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (String::new(), a.to_string()),
        })
        .collect()
}

/// Finds the last complete boundary block in a log; when there is none, rebuilds one from
/// trace lines (`SEAM_TRACE=1` replays). Lines may carry other output around them; a block cut
/// short (no `end` line) still yields the calls read so far.
pub fn parse(log: &str) -> Option<Boundary> {
    parse_block(log).or_else(|| parse_trace(log))
}

fn parse_block(log: &str) -> Option<Boundary> {
    let mut found: Option<Boundary> = None;
    let mut current: Option<Boundary> = None;
    for line in log.lines() {
        let line = line.trim_end();
        if let Some(rest) = line.strip_prefix("==seam== boundary v1 begin") {
            let reason = rest.trim().strip_prefix("reason=").unwrap_or("unknown").to_string();
            if let Some(done) = current.take() {
                found = Some(done);
            }
            current = Some(Boundary { reason, op: None, calls: Vec::new() });
        } else if line.starts_with("==seam== boundary v1 end") {
            if let Some(done) = current.take() {
                found = Some(done);
            }
        } else if let Some(b) = current.as_mut() {
            if let Some(rest) = line.strip_prefix("==seam== input op=") {
                b.op = rest.split_whitespace().next().and_then(|n| n.parse().ok());
            } else if let Some(c) = call_re().captures(line) {
                let state = if &c[5] == "in-progress" {
                    CallState::InProgress
                } else {
                    CallState::Returned(c.get(6).and_then(|v| v.as_str().parse().ok()))
                };
                b.calls.push(BoundaryCall {
                    seq: c[1].parse().unwrap_or(0),
                    op: c[2].parse().unwrap_or(0),
                    function: c[3].to_string(),
                    args: parse_args(&c[4]),
                    state,
                });
            }
        }
    }
    let mut b = current.or(found)?;
    b.calls.sort_by_key(|c| c.seq);
    Some(b)
}

fn parse_trace(log: &str) -> Option<Boundary> {
    let mut calls: Vec<BoundaryCall> = Vec::new();
    for line in log.lines() {
        let Some(c) = trace_re().captures(line.trim_end()) else { continue };
        if let Some(seq) = c.get(1) {
            let seq: u64 = seq.as_str().parse().unwrap_or(0);
            if seq == 1 {
                calls.clear(); // libFuzzer may run the input more than once; keep the last run
            }
            calls.push(BoundaryCall {
                seq,
                op: c[2].parse().unwrap_or(0),
                function: c[3].to_string(),
                args: parse_args(&c[4]),
                state: CallState::InProgress,
            });
        } else if let Some(seq) = c.get(5) {
            let seq: u64 = seq.as_str().parse().unwrap_or(0);
            let value = c.get(6).and_then(|v| v.as_str().parse().ok());
            if let Some(call) = calls.iter_mut().rev().find(|call| call.seq == seq) {
                call.state = CallState::Returned(value);
            }
        }
    }
    let op = calls.last().map(|c| c.op);
    (!calls.is_empty()).then(|| Boundary { reason: "trace".into(), op, calls })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = "\
SUMMARY: AddressSanitizer: heap-use-after-free seeded.c:117:12 in seeded_peek
==seam== boundary v1 begin reason=sanitizer
==seam== input op=7 calls=8
==seam== call #8 op=7 seeded_peek(s=#1) in-progress
==seam== call #7 op=5 seeded_take(s=#1) returned -1
==seam== call #6 op=4 seeded_buf_free(buf=0x7ea50dfca400) returned
==seam== boundary v1 end
==1==ABORTING
";

    #[test]
    fn block_gives_calls_oldest_first_and_the_call_in_progress() {
        let b = parse(BLOCK).unwrap();
        assert_eq!(b.reason, "sanitizer");
        assert_eq!(b.op, Some(7));
        assert_eq!(b.calls.iter().map(|c| c.seq).collect::<Vec<_>>(), [6, 7, 8]);
        let cur = b.in_progress().unwrap();
        assert_eq!(cur.signature(), "seeded_peek(s=#1)");
        assert_eq!(b.calls[1].state, CallState::Returned(Some(-1)));
        assert_eq!(b.calls[0].state, CallState::Returned(None));
        assert_eq!(b.calls[0].args, [("buf".to_string(), "0x7ea50dfca400".to_string())]);
    }

    #[test]
    fn truncated_block_keeps_what_was_read() {
        let cut = &BLOCK[..BLOCK.find("==seam== call #7").unwrap()];
        let b = parse(cut).unwrap();
        assert_eq!(b.calls.len(), 1);
        assert_eq!(b.current().unwrap().function, "seeded_peek");
    }

    #[test]
    fn trace_gives_the_call_that_never_returned() {
        let log = "\
==seam== trace enter #1 op=0 seeded_open(capacity=10)
==seam== trace return #1 1234
==seam== trace enter #2 op=3 seeded_rehash(s=#1, rounds=4000000000)
ALARM: working on the last Unit for 1 seconds
";
        let b = parse(log).unwrap();
        assert_eq!(b.reason, "trace");
        assert_eq!(b.in_progress().unwrap().function, "seeded_rehash");
        assert_eq!(b.op, Some(3));
    }

    #[test]
    fn garbage_gives_nothing_and_never_panics() {
        assert!(parse("").is_none());
        assert!(parse("==seam== call #x op=? f(").is_none());
        assert!(parse("==seam== boundary v1 begin\n==seam== call #99999999999999999999999 op=1 f() in-progress").is_some());
    }
}
