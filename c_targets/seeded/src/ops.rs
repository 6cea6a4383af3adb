//! `arbitrary`-driven operation sequences over live stores.
//!
//! A fuzz input decodes (with [`decode`]) to a list of [`Op`]s drawn from the kinds a [`Focus`]
//! allows; [`run`] applies them in order to up to [`MAX_STORES`] open stores. Ops address a
//! store by index modulo the number open, and are skipped when none is open, so every sequence
//! respects the API: a crash is a bug in the library (or its bindings), never a misuse by the
//! harness. Drawing only the allowed kinds (rather than decoding every kind and dropping some)
//! keeps the fuzzer's input bytes and coverage feedback on the API area under test.

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::store::Store;

/// Most stores open at once.
pub const MAX_STORES: usize = 4;
/// Most ops decoded from one input.
pub const MAX_OPS: usize = 64;

/// One API operation with fuzz-chosen arguments.
#[derive(Clone, Debug)]
pub enum Op {
    /// `seeded_open(capacity + 1)`.
    Open { capacity: u16 },
    /// `seeded_close`.
    Close { store: u8 },
    /// `seeded_write`.
    Write { store: u8, data: Vec<u8> },
    /// `seeded_parse`.
    Parse { store: u8, record: Vec<u8> },
    /// `seeded_set_kind`.
    SetKind { store: u8, kind: u32, flags: u16 },
    /// `seeded_header_get`.
    Header { store: u8 },
    /// `seeded_mark`.
    Mark { store: u8, offset: u16 },
    /// `seeded_peek`.
    Peek { store: u8 },
    /// `seeded_take`, then the taken bytes are read and freed with `seeded_buf_free`.
    Take { store: u8 },
    /// `seeded_buf_alloc` + `seeded_adopt` (+ `seeded_buf_free` when refused).
    Adopt { store: u8, data: Vec<u8> },
    /// `seeded_set_name`.
    SetName { store: u8, name: Vec<u8> },
    /// `seeded_checksum`.
    Checksum { store: u8, n: u8 },
    /// `seeded_scale`.
    Scale { store: u8, factor: i32 },
    /// `seeded_reserve`.
    Reserve { store: u8, bytes: u64 },
    /// `seeded_rehash`.
    Rehash { store: u8, rounds: u32 },
    /// `seeded_describe`.
    Describe { store: u8 },
}

/// The kinds of [`Op`], without arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpKind {
    Open,
    Close,
    Write,
    Parse,
    SetKind,
    Header,
    Mark,
    Peek,
    Take,
    Adopt,
    SetName,
    Checksum,
    Scale,
    Reserve,
    Rehash,
    Describe,
}

impl OpKind {
    /// Decodes the arguments of an op of this kind.
    fn decode(self, u: &mut Unstructured) -> Result<Op> {
        Ok(match self {
            OpKind::Open => Op::Open { capacity: u.arbitrary()? },
            OpKind::Close => Op::Close { store: u.arbitrary()? },
            OpKind::Write => Op::Write { store: u.arbitrary()?, data: bytes(u)? },
            OpKind::Parse => Op::Parse { store: u.arbitrary()?, record: bytes(u)? },
            OpKind::SetKind => {
                Op::SetKind { store: u.arbitrary()?, kind: u.arbitrary()?, flags: u.arbitrary()? }
            }
            OpKind::Header => Op::Header { store: u.arbitrary()? },
            OpKind::Mark => Op::Mark { store: u.arbitrary()?, offset: u.arbitrary()? },
            OpKind::Peek => Op::Peek { store: u.arbitrary()? },
            OpKind::Take => Op::Take { store: u.arbitrary()? },
            OpKind::Adopt => Op::Adopt { store: u.arbitrary()?, data: bytes(u)? },
            OpKind::SetName => Op::SetName { store: u.arbitrary()?, name: bytes(u)? },
            OpKind::Checksum => Op::Checksum { store: u.arbitrary()?, n: u.arbitrary()? },
            OpKind::Scale => Op::Scale { store: u.arbitrary()?, factor: u.arbitrary()? },
            OpKind::Reserve => Op::Reserve { store: u.arbitrary()?, bytes: u.arbitrary()? },
            OpKind::Rehash => Op::Rehash { store: u.arbitrary()?, rounds: u.arbitrary()? },
            OpKind::Describe => Op::Describe { store: u.arbitrary()? },
        })
    }
}

/// Decodes a byte buffer as one contiguous run of the input (`&[u8]`'s encoding), so that
/// the bytes C compares against appear verbatim in the fuzz input and libFuzzer's
/// comparison-guided mutations can find and replace them. (`Vec<u8>`'s own encoding
/// interleaves a continuation byte before every element.)
fn bytes(u: &mut Unstructured) -> Result<Vec<u8>> {
    Ok(<&[u8]>::arbitrary(u)?.to_vec())
}

/// The part of the API a fuzz target drives. Open and close are always allowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Focus {
    /// Every operation.
    All,
    /// Record parsing.
    Parse,
    /// Cursor and ownership hand-off of the stored bytes.
    Handoff,
    /// Buffers handed from Rust to C.
    Adopt,
    /// Naming.
    Name,
    /// Checksums over the stored bytes.
    Checksum,
    /// The shared header struct.
    Header,
    /// Arithmetic over the stored bytes.
    Scale,
    /// Text descriptions returned into a Rust buffer.
    Describe,
    /// Capacity requests taken from the caller.
    Reserve,
    /// Work counts taken from the caller.
    Rehash,
}

impl Focus {
    /// The op kinds a target with this focus draws from.
    pub fn kinds(self) -> &'static [OpKind] {
        use OpKind::*;
        match self {
            Focus::All => &[
                Open, Close, Write, Parse, SetKind, Header, Mark, Peek, Take, Adopt, SetName,
                Checksum, Scale, Reserve, Rehash, Describe,
            ],
            Focus::Parse => &[Open, Close, Parse],
            Focus::Handoff => &[Open, Close, Write, Mark, Peek, Take],
            Focus::Adopt => &[Open, Close, Adopt],
            Focus::Name => &[Open, Close, SetName],
            Focus::Checksum => &[Open, Close, Write, Checksum],
            Focus::Header => &[Open, Close, Write, SetKind, Header],
            Focus::Scale => &[Open, Close, Write, Scale],
            Focus::Describe => &[Open, Close, Write, Describe],
            Focus::Reserve => &[Open, Close, Reserve],
            Focus::Rehash => &[Open, Close, Write, Rehash],
        }
    }
}

/// Decodes a fuzz input into at most [`MAX_OPS`] ops of the kinds `focus` allows. Decoding
/// stops at the first op the remaining bytes cannot complete.
pub fn decode(data: &[u8], focus: Focus) -> Vec<Op> {
    let mut u = Unstructured::new(data);
    let kinds = focus.kinds();
    let mut ops = Vec::new();
    while ops.len() < MAX_OPS && !u.is_empty() {
        match u.choose(kinds).and_then(|k| k.decode(&mut u)) {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    ops
}

/// Decodes and runs one fuzz input: the body of every seeded fuzz target.
pub fn fuzz(data: &[u8], focus: Focus) {
    run(&decode(data, focus));
}

/// Runs `ops` against fresh stores, recording every call.
pub fn run(ops: &[Op]) {
    seam_runtime::begin_input();
    let mut stores: Vec<Store> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        seam_runtime::set_op(index);
        apply(op, &mut stores);
    }
}

fn apply(op: &Op, stores: &mut Vec<Store>) {
    use std::hint::black_box;
    if let Op::Open { capacity } = *op {
        if stores.len() < MAX_STORES {
            stores.extend(Store::open(u32::from(capacity) + 1));
        }
        return;
    }
    if stores.is_empty() {
        return;
    }
    let i = usize::from(store_of(op)) % stores.len();
    let s = &mut stores[i];
    match op {
        Op::Open { .. } => unreachable!("handled above"),
        Op::Close { .. } => drop(stores.swap_remove(i)),
        Op::Write { data, .. } => {
            black_box(s.write(data));
        }
        Op::Parse { record, .. } => {
            black_box(s.parse(record));
        }
        Op::SetKind { kind, flags, .. } => s.set_kind(*kind, *flags),
        Op::Header { .. } => {
            black_box(s.header());
        }
        Op::Mark { offset, .. } => {
            black_box(s.mark(usize::from(*offset)));
        }
        Op::Peek { .. } => {
            black_box(s.peek());
        }
        Op::Take { .. } => {
            if let Some(bytes) = s.take() {
                black_box(bytes.iter().map(|&b| u32::from(b)).sum::<u32>());
            }
        }
        Op::Adopt { data, .. } => {
            black_box(s.adopt(data));
        }
        Op::SetName { name, .. } => {
            black_box(s.set_name(name));
        }
        Op::Checksum { n, .. } => {
            black_box(s.checksum(usize::from(*n)));
        }
        Op::Scale { factor, .. } => {
            black_box(s.scale(*factor));
        }
        Op::Reserve { bytes, .. } => {
            black_box(s.reserve(*bytes));
        }
        Op::Rehash { rounds, .. } => {
            black_box(s.rehash(*rounds));
        }
        Op::Describe { .. } => {
            black_box(s.describe());
        }
    }
}

/// The store index an op names (0 for `Open`, which names none).
fn store_of(op: &Op) -> u8 {
    match *op {
        Op::Open { .. } => 0,
        Op::Close { store }
        | Op::Write { store, .. }
        | Op::Parse { store, .. }
        | Op::SetKind { store, .. }
        | Op::Header { store }
        | Op::Mark { store, .. }
        | Op::Peek { store }
        | Op::Take { store }
        | Op::Adopt { store, .. }
        | Op::SetName { store, .. }
        | Op::Checksum { store, .. }
        | Op::Scale { store, .. }
        | Op::Reserve { store, .. }
        | Op::Rehash { store, .. }
        | Op::Describe { store } => store,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds_of(ops: &[Op]) -> Vec<std::mem::Discriminant<Op>> {
        ops.iter().map(std::mem::discriminant).collect()
    }

    #[test]
    fn decoding_draws_only_the_focused_kinds() {
        let data: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        let ops = decode(&data, Focus::Parse);
        assert!(!ops.is_empty());
        assert!(ops.iter().all(|op| matches!(op, Op::Open { .. } | Op::Close { .. } | Op::Parse { .. })));
        let all = decode(&data, Focus::All);
        assert!(kinds_of(&all).len() > 3);
        assert!(all.len() <= MAX_OPS);
    }

    #[test]
    fn decoding_is_a_pure_function_of_the_input() {
        let data = b"some fuzz input bytes, long enough for a few ops";
        assert_eq!(format!("{:?}", decode(data, Focus::All)), format!("{:?}", decode(data, Focus::All)));
        assert!(decode(b"", Focus::All).is_empty());
    }

    #[test]
    fn ops_without_an_open_store_are_skipped() {
        run(&[Op::Peek { store: 3 }, Op::Write { store: 1, data: vec![1] }]);
        let (_, calls) = seam_runtime::recorder::snapshot().unwrap();
        assert!(calls.is_empty(), "no C call without a live handle");
    }

    #[test]
    fn a_sequence_records_calls_with_op_indices() {
        let ops = [
            Op::Open { capacity: 15 },
            Op::Write { store: 0, data: b"hello".to_vec() },
            Op::Checksum { store: 0, n: 3 },
        ];
        run(&ops);
        let (op, calls) = seam_runtime::recorder::snapshot().unwrap();
        let names: Vec<_> = calls.iter().map(|c| (c.func, c.op)).collect();
        assert_eq!(
            names,
            [("seeded_open", 0), ("seeded_write", 1), ("seeded_checksum", 2), ("seeded_close", 2)]
        );
        assert_eq!(op, 2);
    }
}
