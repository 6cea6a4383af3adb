//! The boundary block: how the recorder's ring reaches a crash report.
//!
//! When the process dies of a sanitizer report or a Rust panic, the recorder prints one
//! delimited, versioned block to stderr, newest call first:
//!
//! ```text
//! ==seam== boundary v1 begin reason=sanitizer
//! ==seam== input op=4 calls=9
//! ==seam== call #9 op=4 seeded_peek(s=#1) in-progress
//! ==seam== call #8 op=3 seeded_take(s=#1) returned 0
//! ==seam== call #7 op=2 seeded_mark(s=#1, off=3) returned
//! ==seam== boundary v1 end
//! ```
//!
//! * `reason` is `sanitizer` (printed from `__sanitizer_report_error_summary`, so ASan, MSan,
//!   UBSan and LeakSanitizer reports all carry it) or `panic` (printed from the panic hook).
//! * `input op=N` is the index of the fuzz input's operation running at death; `calls=N` the
//!   number of C calls the input made so far.
//! * Each `call` line gives the call's sequence number, the op that made it, the C function
//!   with its scalar arguments (`#N` is a handle id, `0x...` a pointer; what a call takes
//!   through a struct's fields is shown as `strm.avail_in=N`) and its state:
//!   `in-progress` (C had not returned: the process died inside this call), `returned V` or
//!   `returned` (a void function).
//!
//! With `SEAM_TRACE=1` every call is also printed as it happens, for deaths no hook sees
//! (libFuzzer timeouts and out-of-memory exits):
//!
//! ```text
//! ==seam== trace enter #9 op=4 seeded_peek(s=#1)
//! ==seam== trace return #9 0
//! ```
//!
//! Lines are formatted into a fixed stack buffer and written with one `write` each: nothing is
//! allocated, so the block can be printed from inside a sanitizer report.

use std::fmt::{self, Write as _};
use std::io::Write as _;

use crate::recorder::{for_each_newest_first, position, Record, State, Value};

/// Version of the block format; bumped on any incompatible change.
pub const VERSION: u32 = 1;
/// Prefix of every line the recorder prints.
pub const PREFIX: &str = "==seam==";

/// A line buffer on the stack; text past its end is cut, never reallocated.
struct Line {
    buf: [u8; 1024],
    len: usize,
}

impl Line {
    fn new() -> Self {
        Line { buf: [0; 1024], len: 0 }
    }

    fn emit(mut self) {
        if self.len == self.buf.len() {
            self.len -= 1;
        }
        self.buf[self.len] = b'\n';
        let _ = std::io::stderr().lock().write_all(&self.buf[..=self.len]);
    }
}

impl fmt::Write for Line {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = self.buf.len() - self.len;
        let n = s.len().min(room);
        self.buf[self.len..self.len + n].copy_from_slice(&s.as_bytes()[..n]);
        self.len += n;
        Ok(())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Unsigned(v) => write!(f, "{v}"),
            Value::Signed(v) => write!(f, "{v}"),
            Value::Handle(id) => write!(f, "#{id}"),
            Value::Ptr(p) => write!(f, "{p:#x}"),
        }
    }
}

/// Writes `func(name=value, ...)`.
fn write_call(out: &mut impl fmt::Write, rec: &Record) -> fmt::Result {
    write!(out, "{}(", rec.func)?;
    for (i, a) in rec.args().iter().enumerate() {
        if i > 0 {
            out.write_str(", ")?;
        }
        write!(out, "{}={}", a.name, a.value)?;
    }
    out.write_str(")")
}

/// Prints the boundary block for the current thread's ring.
pub fn print_block(reason: &str) {
    let mut head = Line::new();
    let _ = write!(head, "{PREFIX} boundary v{VERSION} begin reason={reason}");
    head.emit();
    if let Some((op, calls)) = position() {
        let mut input = Line::new();
        let _ = write!(input, "{PREFIX} input op={op} calls={calls}");
        input.emit();
    }
    for_each_newest_first(|rec| {
        let mut line = Line::new();
        let _ = write!(line, "{PREFIX} call #{} op={} ", rec.seq, rec.op);
        let _ = write_call(&mut line, rec);
        let _ = match rec.state {
            State::InProgress => line.write_str(" in-progress"),
            State::Returned(Some(v)) => write!(line, " returned {v}"),
            State::Returned(None) => line.write_str(" returned"),
        };
        line.emit();
    });
    let mut end = Line::new();
    let _ = write!(end, "{PREFIX} boundary v{VERSION} end");
    end.emit();
}

/// Prints the trace line of a call that is starting.
pub(crate) fn trace_enter(rec: &Record) {
    let mut line = Line::new();
    let _ = write!(line, "{PREFIX} trace enter #{} op={} ", rec.seq, rec.op);
    let _ = write_call(&mut line, rec);
    line.emit();
}

/// Prints the trace line of a call that returned.
pub(crate) fn trace_return(seq: u64, value: Option<i64>) {
    let mut line = Line::new();
    let _ = match value {
        Some(v) => write!(line, "{PREFIX} trace return #{seq} {v}"),
        None => write!(line, "{PREFIX} trace return #{seq}"),
    };
    line.emit();
}
