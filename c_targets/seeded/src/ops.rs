//! The hand-written harness of the seeded library's cursor and hand-off API (open, write,
//! mark, peek, take, close), the baseline the generated `seeded_handoff` is benchmarked
//! against.
//!
//! It reads the input format the generated target reads (one op kind chosen from the same
//! list, the same fields in the same order, byte buffers taken verbatim or fed from what
//! earlier takes handed out) and makes the same C calls through the hand-written wrappers of
//! [`crate::store`], so one corpus drives both harnesses through identical call sequences and
//! their exec/s compare the harness code alone. Ops address a store by index modulo the number
//! open and are skipped when none is, so a sequence never misuses the API.

use arbitrary::{Result, Unstructured};

use crate::store::Store;

/// Most stores open at once.
pub const MAX_STORES: usize = 4;
/// Most ops decoded from one input.
pub const MAX_OPS: usize = 64;
/// Most bytes of one fresh buffer.
pub const MAX_BYTES: usize = 4096;
/// Most taken buffers kept for later writes.
pub const KEPT: usize = 8;

/// One API operation with fuzz-chosen arguments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op<'a> {
    /// `seeded_open(capacity)`.
    Open { capacity: u32 },
    /// `seeded_write`.
    Write { store: u8, data: Data<'a> },
    /// `seeded_mark`.
    Mark { store: u8, offset: u64 },
    /// `seeded_peek`.
    Peek { store: u8 },
    /// `seeded_take`; a copy of the taken bytes is kept for later writes.
    Take { store: u8 },
    /// `seeded_close`.
    Close { store: u8 },
}

/// The bytes of a write: fresh from the input, or a buffer an earlier take handed out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data<'a> {
    /// Verbatim input bytes.
    Fresh(&'a [u8]),
    /// The kept buffer this many steps back from the newest (wrapping).
    Taken(u8),
}

/// Decodes the fields of one op kind.
type Decode = for<'a> fn(&mut Unstructured<'a>) -> Result<Op<'a>>;

/// The op kinds, in the order the input's kind byte picks them.
const KINDS: [Decode; 6] = [
    |u| Ok(Op::Open { capacity: u.int_in_range(0..=65537)? }),
    |u| Ok(Op::Write { store: u.arbitrary()?, data: data(u)? }),
    |u| Ok(Op::Mark { store: u.arbitrary()?, offset: u.int_in_range(0..=65536)? }),
    |u| Ok(Op::Peek { store: u.arbitrary()? }),
    |u| Ok(Op::Take { store: u.arbitrary()? }),
    |u| Ok(Op::Close { store: u.arbitrary()? }),
];

/// A tag byte (192 and up: a kept buffer), then fresh bytes as one contiguous run.
fn data<'a>(u: &mut Unstructured<'a>) -> Result<Data<'a>> {
    let tag: u8 = u.arbitrary()?;
    if tag >= 192 {
        return Ok(Data::Taken(tag - 192));
    }
    let bytes: &[u8] = u.arbitrary()?;
    Ok(Data::Fresh(&bytes[..bytes.len().min(MAX_BYTES)]))
}

/// Decodes a fuzz input into at most [`MAX_OPS`] ops; decoding stops at the first op the
/// remaining bytes cannot complete.
pub fn decode(data: &[u8]) -> Vec<Op<'_>> {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    while ops.len() < MAX_OPS && !u.is_empty() {
        match u.choose(&KINDS).and_then(|decode| decode(&mut u)) {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    ops
}

/// Decodes and runs one fuzz input: the body of the `seeded_baseline` fuzz target.
pub fn fuzz(data: &[u8]) {
    run(&decode(data));
}

/// Runs `ops` against fresh stores, recording every call.
pub fn run(ops: &[Op<'_>]) {
    seam_runtime::begin_input();
    let mut stores: Vec<Store> = Vec::new();
    let mut taken: Vec<Vec<u8>> = Vec::new();
    for (index, op) in ops.iter().enumerate() {
        seam_runtime::set_op(index);
        apply(op, &mut stores, &mut taken);
    }
}

fn apply(op: &Op<'_>, stores: &mut Vec<Store>, taken: &mut Vec<Vec<u8>>) {
    use std::hint::black_box;
    let store = match *op {
        Op::Open { capacity } => {
            if stores.len() < MAX_STORES {
                stores.extend(Store::open(capacity));
            }
            return;
        }
        Op::Write { store, .. }
        | Op::Mark { store, .. }
        | Op::Peek { store }
        | Op::Take { store }
        | Op::Close { store } => store,
    };
    if stores.is_empty() {
        return;
    }
    let i = usize::from(store) % stores.len();
    let s = &mut stores[i];
    match op {
        Op::Open { .. } => unreachable!("handled above"),
        Op::Write { data, .. } => {
            let bytes: &[u8] = match *data {
                Data::Fresh(bytes) => bytes,
                Data::Taken(back) => match taken.len() {
                    0 => &[],
                    n => &taken[n - 1 - usize::from(back) % n],
                },
            };
            black_box(s.write(bytes));
        }
        Op::Mark { offset, .. } => {
            black_box(s.mark(*offset as usize));
        }
        Op::Peek { .. } => {
            black_box(s.peek());
        }
        Op::Take { .. } => {
            // Copied out and freed at once (dropping the CBuf), as the generated harness does.
            if let Some(bytes) = s.take().map(|buf| buf.to_vec()).filter(|b| !b.is_empty()) {
                if taken.len() == KEPT {
                    taken.remove(0);
                }
                taken.push(bytes);
            }
        }
        Op::Close { .. } => drop(stores.swap_remove(i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoding_is_a_pure_function_of_the_input() {
        let data: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        let ops = decode(&data);
        assert!(!ops.is_empty() && ops.len() <= MAX_OPS);
        assert_eq!(ops, decode(&data));
        assert!(decode(b"").is_empty());
    }

    #[test]
    fn the_input_format_is_the_generated_targets() {
        use crate::generated::{self, targets};
        let mut written = 0;
        for k in 1..64u32 {
            let data: Vec<u8> = (0..2048u32).map(|i| (i.wrapping_mul(k).wrapping_mul(2246822519) >> 11) as u8).collect();
            let hand = decode(&data);
            let gen = generated::decode(&data, &targets::HANDOFF);
            assert_eq!(hand.len(), gen.len());
            hand.iter().zip(&gen).for_each(|(h, g)| same_op(h, g));
            written += hand.iter().filter(|op| matches!(op, Op::Write { .. })).count();
        }
        assert!(written > 0, "the inputs reach writes");
    }

    /// Asserts that the two decoders read one op the same way.
    fn same_op(h: &Op<'_>, g: &crate::generated::Op<'_>) {
        use crate::generated::Op as G;
        use seam_runtime::input::Bytes;
        let same = match (h, g) {
            (Op::Open { capacity }, G::SeededOpen { capacity: c }) => capacity == c,
            (Op::Write { store, data }, G::SeededWrite { s, data: d }) => {
                store == s
                    && match (data, d) {
                        (Data::Fresh(a), Bytes::Fresh(b)) => a == b,
                        (Data::Taken(a), Bytes::Produced(b)) => a == b,
                        _ => false,
                    }
            }
            (Op::Mark { store, offset }, G::SeededMark { s, off }) => store == s && offset == off,
            (Op::Peek { store }, G::SeededPeek { s }) => store == s,
            (Op::Take { store }, G::SeededTake { s }) => store == s,
            (Op::Close { store }, G::DestroyStore { index }) => store == index,
            _ => false,
        };
        assert!(same, "{h:?} decoded as {g:?} by the generated target");
    }

    #[test]
    fn ops_without_an_open_store_are_skipped() {
        run(&[Op::Peek { store: 3 }, Op::Write { store: 1, data: Data::Fresh(&[1]) }]);
        let (_, calls) = seam_runtime::recorder::snapshot().unwrap();
        assert!(calls.is_empty(), "no C call without a live handle");
    }

    #[test]
    fn taken_bytes_feed_later_writes() {
        let ops = [
            Op::Open { capacity: 16 },
            Op::Write { store: 0, data: Data::Fresh(b"hello") },
            Op::Take { store: 0 },
            Op::Write { store: 0, data: Data::Taken(0) },
            Op::Peek { store: 0 },
        ];
        run(&ops);
        let (op, calls) = seam_runtime::recorder::snapshot().unwrap();
        let names: Vec<_> = calls.iter().map(|c| (c.func, c.op)).collect();
        assert_eq!(
            names,
            [
                ("seeded_open", 0),
                ("seeded_write", 1),
                ("seeded_take", 2),
                ("seeded_buf_free", 2),
                ("seeded_write", 3),
                ("seeded_peek", 4),
                ("seeded_close", 4)
            ]
        );
        assert_eq!(op, 4);
        let write = calls.iter().filter(|c| c.func == "seeded_write").last().unwrap();
        let len = seam_runtime::recorder::Value::Unsigned(5);
        assert!(write.args().iter().any(|a| a.name == "len" && a.value == len), "{write:?}");
    }
}
