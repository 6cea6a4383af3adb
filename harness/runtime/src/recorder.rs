//! The boundary recorder: a thread-local ring of the most recent Rust-to-C calls.
//!
//! Every wrapper calls [`enter`] just before it crosses into C and marks the returned
//! [`Call`] when C returns. Recording copies a few words into a fixed ring; nothing is
//! formatted until the process dies (see [`crate::block`]) or tracing is switched on with
//! `SEAM_TRACE=1`, in which case every call is printed as it starts and as it returns.
//! Replaying an input with tracing on names the call in progress for deaths that no hook
//! sees (libFuzzer timeouts and out-of-memory exits).

use std::cell::Cell;
use std::sync::atomic::{AtomicU8, Ordering};

/// How many calls the ring keeps: the call in progress and the ones before it.
pub const RING_LEN: usize = 16;
/// Arguments kept per call; further ones are dropped.
pub const MAX_ARGS: usize = 6;

/// One recorded argument value. Only scalars and ids are kept, never the pointed-to data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Value {
    /// An unsigned integer (lengths, sizes, flags).
    Unsigned(u64),
    /// A signed integer.
    Signed(i64),
    /// A handle, by the small id the harness gave it (see [`next_handle`]).
    Handle(u32),
    /// A raw pointer value.
    Ptr(usize),
}

/// A named argument of a recorded call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arg {
    /// Parameter name as the C declaration spells it.
    pub name: &'static str,
    /// Its value at the time of the call.
    pub value: Value,
}

impl Arg {
    /// An unsigned argument.
    pub const fn unsigned(name: &'static str, v: u64) -> Self {
        Arg { name, value: Value::Unsigned(v) }
    }
    /// A signed argument.
    pub const fn signed(name: &'static str, v: i64) -> Self {
        Arg { name, value: Value::Signed(v) }
    }
    /// A handle argument, by id.
    pub const fn handle(name: &'static str, id: u32) -> Self {
        Arg { name, value: Value::Handle(id) }
    }
    /// A pointer argument.
    pub fn ptr<T>(name: &'static str, p: *const T) -> Self {
        Arg { name, value: Value::Ptr(p as usize) }
    }
}

/// Where a recorded call stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// C has not returned yet: this is the call the process died in.
    InProgress,
    /// C returned; the value is kept when the wrapper reported it.
    Returned(Option<i64>),
}

/// One slot of the ring.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// 1-based sequence number of the call within the current input.
    pub seq: u64,
    /// Index of the fuzz input's operation that made the call.
    pub op: u32,
    /// C function name.
    pub func: &'static str,
    /// Arguments; only the first `nargs` are meaningful.
    pub args: [Arg; MAX_ARGS],
    /// Number of recorded arguments.
    pub nargs: u8,
    /// Progress of the call.
    pub state: State,
}

impl Record {
    const EMPTY: Record = Record {
        seq: 0,
        op: 0,
        func: "",
        args: [Arg::unsigned("", 0); MAX_ARGS],
        nargs: 0,
        state: State::Returned(None),
    };

    /// The recorded arguments.
    pub fn args(&self) -> &[Arg] {
        &self.args[..self.nargs as usize]
    }
}

/// The ring. A call's progress is kept apart from its record (`states`), so that marking a
/// call as returned writes a few bytes instead of a whole record; the `state` field of a stored
/// record is not maintained and is filled in from `states` when the ring is read.
struct Ring {
    slots: [Cell<Record>; RING_LEN],
    states: [Cell<(u64, State)>; RING_LEN],
    seq: Cell<u64>,
    op: Cell<u32>,
    handles: Cell<u32>,
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY_SLOT: Cell<Record> = Cell::new(Record::EMPTY);
#[allow(clippy::declare_interior_mutable_const)]
const EMPTY_STATE: Cell<(u64, State)> = Cell::new((0, State::Returned(None)));

thread_local! {
    static RING: Ring = const {
        Ring {
            slots: [EMPTY_SLOT; RING_LEN],
            states: [EMPTY_STATE; RING_LEN],
            seq: Cell::new(0),
            op: Cell::new(0),
            handles: Cell::new(0),
        }
    };
}

impl Ring {
    /// The record in slot `i` with its current state.
    fn read(&self, i: usize) -> Record {
        let mut rec = self.slots[i].get();
        let (seq, state) = self.states[i].get();
        rec.state = if seq == rec.seq { state } else { State::Returned(None) };
        rec
    }
}

const TRACE_UNKNOWN: u8 = 0;
const TRACE_OFF: u8 = 1;
const TRACE_ON: u8 = 2;
static TRACE: AtomicU8 = AtomicU8::new(TRACE_UNKNOWN);

fn tracing() -> bool {
    match TRACE.load(Ordering::Relaxed) {
        TRACE_ON => true,
        TRACE_OFF => false,
        _ => {
            let on = std::env::var_os("SEAM_TRACE").is_some_and(|v| v != "0" && !v.is_empty());
            TRACE.store(if on { TRACE_ON } else { TRACE_OFF }, Ordering::Relaxed);
            on
        }
    }
}

/// Starts a new fuzz input: clears the ring, the op index and the handle ids, and installs the
/// death hooks on first use. Call it at the top of every fuzz target body.
pub fn begin_input() {
    crate::hooks::install();
    if cfg!(feature = "no-record") {
        return;
    }
    tracing();
    // Slots are not cleared: readers only take sequence numbers of the current input, and
    // every slot holding one of those was written by it.
    RING.with(|r| {
        r.seq.set(0);
        r.op.set(0);
        r.handles.set(0);
    });
}

/// Sets the index of the fuzz input's operation being run.
pub fn set_op(index: usize) {
    if cfg!(feature = "no-record") {
        return;
    }
    RING.with(|r| r.op.set(index.min(u32::MAX as usize) as u32));
}

/// Hands out the next handle id of the current input (1, 2, ...).
pub fn next_handle() -> u32 {
    RING.with(|r| {
        let id = r.handles.get() + 1;
        r.handles.set(id);
        id
    })
}

/// A call that has been recorded and not yet marked as returned.
#[must_use = "mark the call with `returned` once C returns"]
pub struct Call {
    seq: u64,
}

/// Records that `func` is about to be called with `args`. Keep the returned [`Call`] alive for
/// the duration of the C call and mark it with [`Call::returned`] afterwards.
///
/// Always inlined: the wrapper's argument array then stays in registers instead of becoming a
/// stack array the sanitizer has to guard on every call.
#[inline(always)]
pub fn enter(func: &'static str, args: &[Arg]) -> Call {
    if cfg!(feature = "no-record") {
        return Call { seq: 0 };
    }
    let n = args.len().min(MAX_ARGS);
    let seq = RING.with(|r| {
        let seq = r.seq.get() + 1;
        r.seq.set(seq);
        let i = (seq as usize) % RING_LEN;
        // SAFETY: the ring is thread-local, and no reference into the slot outlives this
        // block; writing the fields in place avoids copying a whole record per call.
        unsafe {
            let rec = &mut *r.slots[i].as_ptr();
            rec.seq = seq;
            rec.op = r.op.get();
            rec.func = func;
            rec.nargs = n as u8;
            rec.args[..n].copy_from_slice(&args[..n]);
        }
        r.states[i].set((seq, State::InProgress));
        seq
    });
    if TRACE.load(Ordering::Relaxed) == TRACE_ON {
        RING.with(|r| crate::block::trace_enter(&r.slots[(seq as usize) % RING_LEN].get()));
    }
    Call { seq }
}

impl Call {
    /// Marks the call as returned with the given value (a status code, a length, ...).
    #[inline(always)]
    pub fn returned(self, value: i64) {
        self.finish(Some(value));
    }

    /// Marks the call as returned without a value (a `void` function).
    #[inline(always)]
    pub fn done(self) {
        self.finish(None);
    }

    #[inline(always)]
    fn finish(self, value: Option<i64>) {
        if cfg!(feature = "no-record") {
            return;
        }
        RING.with(|r| {
            let state = &r.states[(self.seq as usize) % RING_LEN];
            if state.get().0 == self.seq {
                state.set((self.seq, State::Returned(value)));
            }
        });
        if TRACE.load(Ordering::Relaxed) == TRACE_ON {
            crate::block::trace_return(self.seq, value);
        }
    }
}

/// A snapshot of the ring, oldest call first, and the current op index.
pub fn snapshot() -> Option<(u32, Vec<Record>)> {
    RING.try_with(|r| {
        let last = r.seq.get();
        let first = last.saturating_sub(RING_LEN as u64 - 1).max(1);
        let mut recs: Vec<Record> =
            (0..RING_LEN).map(|i| r.read(i)).filter(|rec| (first..=last).contains(&rec.seq)).collect();
        recs.sort_by_key(|rec| rec.seq);
        (r.op.get(), recs)
    })
    .ok()
}

/// The current op index and the number of calls made by the current input.
pub(crate) fn position() -> Option<(u32, u64)> {
    RING.try_with(|r| (r.op.get(), r.seq.get())).ok()
}

/// Visits the ring newest call first without allocating (safe inside a sanitizer report).
pub(crate) fn for_each_newest_first(mut f: impl FnMut(&Record)) {
    let _ = RING.try_with(|r| {
        let last = r.seq.get();
        let first = last.saturating_sub(RING_LEN as u64 - 1).max(1);
        for seq in (first..=last).rev() {
            let rec = r.read((seq as usize) % RING_LEN);
            if rec.seq == seq {
                f(&rec);
            }
        }
    });
}
#[cfg(all(test, not(feature = "no-record")))]
mod tests {
    use super::*;

    #[test]
    fn ring_keeps_the_last_calls_in_order_with_their_state() {
        begin_input();
        set_op(0);
        let h = next_handle();
        enter("lib_open", &[Arg::unsigned("cap", 8)]).returned(0);
        for i in 0..20u64 {
            set_op(i as usize + 1);
            enter("lib_write", &[Arg::handle("s", h), Arg::unsigned("len", i)]).returned(i as i64);
        }
        let _open = enter("lib_peek", &[Arg::handle("s", h)]);
        let (op, recs) = snapshot().unwrap();
        assert_eq!(op, 20);
        assert_eq!(recs.len(), RING_LEN);
        let last = recs.last().unwrap();
        assert_eq!((last.seq, last.func, last.state), (22, "lib_peek", State::InProgress));
        assert_eq!(last.args(), &[Arg::handle("s", 1)]);
        let before = &recs[RING_LEN - 2];
        assert_eq!(before.func, "lib_write");
        assert_eq!(before.state, State::Returned(Some(19)));
        assert_eq!(recs[0].seq, 22 - RING_LEN as u64 + 1);
    }

    #[test]
    fn begin_input_resets_sequence_and_handles() {
        begin_input();
        assert_eq!(next_handle(), 1);
        enter("f", &[]).done();
        begin_input();
        assert_eq!(next_handle(), 1);
        assert!(snapshot().unwrap().1.is_empty());
        enter("g", &[]).done();
        assert_eq!(snapshot().unwrap().1[0].seq, 1);
    }

    #[test]
    fn extra_arguments_are_dropped_not_overflowed() {
        begin_input();
        let args: Vec<Arg> = (0..10).map(|i| Arg::unsigned("a", i)).collect();
        enter("many", &args).done();
        assert_eq!(snapshot().unwrap().1[0].args().len(), MAX_ARGS);
    }
}
