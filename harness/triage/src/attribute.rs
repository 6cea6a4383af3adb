//! Attribution: which boundary call a crash belongs to, and on which side of the boundary the
//! fault is.
//!
//! The stack decides the side: after dropping runtime noise (sanitizer, libFuzzer, std), the
//! innermost frame is C or Rust. The C frames above the innermost Rust-to-C transition are the
//! C side of the call; the outermost of them is the C function Rust called. The boundary block
//! (or trace) decides the call: the call in progress when the process died inside C, the last
//! call made when it died in Rust after C returned, and for a leak the recorded call whose
//! function appears among the C frames that allocated the memory. A death during a C call whose
//! stack shows no C frame at all (the C function tail-called into `free` or `memcpy`) is C's.

use serde::{Deserialize, Serialize};

use crate::boundary::{Boundary, BoundaryCall};
use crate::frames::is_noise;
use crate::model::{Frame, Report};

/// Which side of the boundary the fault is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The innermost meaningful frame is C.
    C,
    /// The innermost meaningful frame is Rust.
    Rust,
    /// No usable frame.
    Unknown,
    /// A divergence: the two implementations of a differential target disagree.
    Both,
}

/// The boundary call a crash is attributed to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attribution {
    /// C function of the boundary call.
    pub function: Option<String>,
    /// The call with its arguments, `seeded_peek(s=#1)`.
    pub call: Option<String>,
    /// Index of the op in the fuzz input.
    pub op: Option<u32>,
    /// Sequence number of the call within the input.
    pub seq: Option<u64>,
    /// Whether the call was still in progress (the process died inside C).
    pub in_progress: bool,
    /// Fault side.
    pub side: Side,
    /// The innermost meaningful frame (where a fix starts looking).
    pub frame: Option<Frame>,
}

/// The language of a frame: `Some(true)` for C/C++, `Some(false)` for Rust, `None` when the
/// frame says nothing.
pub fn is_c_frame(f: &Frame) -> Option<bool> {
    if let Some(file) = &f.file {
        let ext = file.rsplit('.').next().unwrap_or("");
        if ext == "rs" {
            return Some(false);
        }
        if matches!(ext, "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "inc") {
            return Some(true);
        }
    }
    let func = f.function.as_deref()?;
    if func.contains("::") || func.starts_with('<') || func.starts_with("_ZN") || func.starts_with("_R") {
        Some(false)
    } else {
        Some(true)
    }
}

/// The frames that matter, innermost first.
fn meaningful(stack: &[Frame]) -> impl Iterator<Item = &Frame> {
    stack.iter().filter(|f| !is_noise(f))
}

/// The C function Rust called: the outermost C frame of the innermost run of C frames.
fn c_entry(stack: &[Frame]) -> Option<&str> {
    let mut entry = None;
    for f in meaningful(stack) {
        match is_c_frame(f) {
            Some(true) => entry = f.function.as_deref().or(entry),
            Some(false) => break,
            None => {}
        }
    }
    entry
}

/// Attributes a parsed report to a boundary call.
pub fn attribute(report: &Report, boundary: Option<&Boundary>) -> Attribution {
    let stack = if report.leaks.is_empty() { &report.stack } else { &report.leaks[0].stack };
    let frame = meaningful(stack).next().cloned();
    // A divergence names its function itself (the first side's call, the C name).
    let diverged = (report.tool == crate::model::Tool::Divergence)
        .then(|| report.message.as_deref().and_then(|m| m.split(": ").next()))
        .flatten();
    let entry = diverged.or_else(|| c_entry(stack));
    let call = boundary.and_then(|b| choose_call(b, report, entry));
    let in_progress = call.is_some_and(|c| c.state == crate::boundary::CallState::InProgress);
    let no_c_frame = !meaningful(stack).any(|f| is_c_frame(f) == Some(true));
    let side = match frame.as_ref().and_then(is_c_frame) {
        _ if diverged.is_some() => Side::Both,
        Some(true) => Side::C,
        // Died during a C call with no C frame left on the stack: the C function tail-called
        // into the runtime (free, memcpy, ...), so the fault is C's.
        Some(false) if in_progress && no_c_frame => Side::C,
        Some(false) => Side::Rust,
        None => Side::Unknown,
    };
    Attribution {
        function: call.map(|c| c.function.clone()).or_else(|| entry.map(str::to_string)),
        call: call.map(BoundaryCall::signature),
        op: call.map(|c| c.op),
        seq: call.map(|c| c.seq),
        in_progress,
        side,
        frame,
    }
}

fn choose_call<'a>(b: &'a Boundary, report: &Report, entry: Option<&str>) -> Option<&'a BoundaryCall> {
    if !report.leaks.is_empty() {
        let c_functions: Vec<&str> = report
            .leaks
            .iter()
            .flat_map(|l| meaningful(&l.stack))
            .filter(|f| is_c_frame(f) == Some(true))
            .filter_map(|f| f.function.as_deref())
            .collect();
        if let Some(call) = b.calls.iter().rev().find(|c| c_functions.contains(&c.function.as_str())) {
            return Some(call);
        }
    }
    if let Some(cur) = b.in_progress().filter(|_| report.tool != crate::model::Tool::Divergence) {
        return Some(cur);
    }
    if let Some(entry) = entry {
        if let Some(call) = b.calls.iter().rev().find(|c| c.function == entry) {
            return Some(call);
        }
    }
    b.current()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::boundary::{BoundaryCall, CallState};
    use crate::model::{Leak, Tool};

    fn frame(function: &str, file: &str) -> Frame {
        Frame { function: Some(function.into()), file: Some(file.into()), ..Frame::default() }
    }

    fn call(seq: u64, function: &str, state: CallState) -> BoundaryCall {
        BoundaryCall { seq, op: seq as u32, function: function.into(), args: vec![], state }
    }

    fn boundary(calls: Vec<BoundaryCall>) -> Boundary {
        Boundary { reason: "sanitizer".into(), op: None, calls }
    }

    #[test]
    fn a_crash_inside_c_is_c_side_at_the_call_in_progress() {
        let mut r = Report::new(Tool::AddressSanitizer, "heap-use-after-free");
        r.stack = vec![
            frame("seeded_peek", "/x/seeded.c"),
            frame("seam_seeded::store::Store::peek", "/x/store.rs"),
            frame("seam_seeded::ops::run", "/x/ops.rs"),
        ];
        let b = boundary(vec![call(1, "seeded_take", CallState::Returned(Some(0))), call(2, "seeded_peek", CallState::InProgress)]);
        let a = attribute(&r, Some(&b));
        assert_eq!((a.side, a.function.as_deref(), a.seq, a.in_progress), (Side::C, Some("seeded_peek"), Some(2), true));
    }

    #[test]
    fn a_panic_after_c_returned_is_rust_side_at_the_last_call() {
        let mut r = Report::new(Tool::RustPanic, "panic");
        r.stack = vec![frame("seam_seeded::store::Store::describe", "/x/store.rs")];
        let b = boundary(vec![call(1, "seeded_write", CallState::Returned(Some(3))), call(2, "seeded_describe", CallState::Returned(Some(71)))]);
        let a = attribute(&r, Some(&b));
        assert_eq!((a.side, a.function.as_deref(), a.in_progress), (Side::Rust, Some("seeded_describe"), false));
    }

    #[test]
    fn a_c_tail_call_into_the_runtime_is_still_c_side() {
        let mut r = Report::new(Tool::AddressSanitizer, "double-free");
        r.stack = vec![frame("free", "asan_malloc_linux.cpp"), frame("<seam_seeded::store::CBuf as core::ops::drop::Drop>::drop", "/x/store.rs")];
        let b = boundary(vec![call(1, "seeded_adopt", CallState::Returned(Some(-1))), call(2, "seeded_buf_free", CallState::InProgress)]);
        let a = attribute(&r, Some(&b));
        assert_eq!((a.side, a.function.as_deref()), (Side::C, Some("seeded_buf_free")));
    }

    #[test]
    fn a_rust_callback_called_from_c_is_rust_side() {
        let mut r = Report::new(Tool::RustPanic, "panic");
        r.stack = vec![frame("my_crate::alloc_cb", "/x/cb.rs"), frame("lib_run", "/x/lib.c"), frame("my_crate::run", "/x/lib.rs")];
        let b = boundary(vec![call(1, "lib_run", CallState::InProgress)]);
        assert_eq!(attribute(&r, Some(&b)).side, Side::Rust);
    }

    #[test]
    fn a_leak_goes_to_the_call_that_allocated() {
        let mut r = Report::new(Tool::LeakSanitizer, "leak");
        r.leaks = vec![Leak {
            bytes: 3,
            objects: 1,
            direct: true,
            stack: vec![frame("malloc", "asan_malloc_linux.cpp"), frame("seeded_set_name", "/x/seeded.c"), frame("seam_seeded::store::Store::set_name", "/x/store.rs")],
        }];
        let b = boundary(vec![
            call(1, "seeded_set_name", CallState::Returned(Some(-1))),
            call(2, "seeded_close", CallState::Returned(None)),
        ]);
        let a = attribute(&r, Some(&b));
        assert_eq!((a.side, a.function.as_deref(), a.seq), (Side::C, Some("seeded_set_name"), Some(1)));
    }

    #[test]
    fn without_a_block_the_c_entry_frame_names_the_function() {
        let mut r = Report::new(Tool::AddressSanitizer, "heap-buffer-overflow");
        r.stack = vec![frame("inner", "/x/lib.c"), frame("lib_parse", "/x/lib.c"), frame("my_crate::parse", "/x/lib.rs")];
        let a = attribute(&r, None);
        assert_eq!((a.side, a.function.as_deref(), a.call), (Side::C, Some("lib_parse"), None));
    }
}
