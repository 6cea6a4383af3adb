//! Decoding helpers shared by the harnesses `seam gen` writes: byte buffers taken verbatim from
//! the fuzz input, buffers fed from what earlier calls produced, large buffers expanded from a
//! short recipe, output capacities, flag sets, and live-handle lookup.
//!
//! Byte buffers are decoded as one contiguous run of the input (`&[u8]`'s `arbitrary`
//! encoding), so bytes C compares against appear verbatim in the input and libFuzzer's
//! comparison-guided mutations can replace them; `Vec<u8>`'s encoding would interleave a
//! continuation byte before every element.

use std::cell::Cell;
use std::sync::OnceLock;

use arbitrary::{Result, Unstructured};

use crate::output::Sink;

/// Most bytes all [`Recipe`]s of one input may build together: large inputs stay reachable
/// without a long op sequence of megabyte buffers turning into timeouts that are not bugs.
pub const EXPAND_BUDGET: usize = 2 << 20;

/// Variable that sets another per-input budget, in bytes, for a whole run: long campaigns on
/// slow libraries trade input size for executions. An input found under one budget may build
/// other bytes under another, so replay it with the same value.
pub const BUDGET_VAR: &str = "SEAM_EXPAND_BUDGET";

thread_local! {
    static BUDGET: Cell<usize> = const { Cell::new(EXPAND_BUDGET) };
}

/// The per-input budget of this process: [`BUDGET_VAR`] when it is set to a number, else
/// [`EXPAND_BUDGET`].
pub fn budget() -> usize {
    static CHOSEN: OnceLock<usize> = OnceLock::new();
    *CHOSEN.get_or_init(|| std::env::var(BUDGET_VAR).ok().and_then(|v| v.parse().ok()).unwrap_or(EXPAND_BUDGET))
}

/// Gives the next input a fresh [`budget`]; generated harnesses call it per input.
pub fn reset_budget() {
    BUDGET.with(|b| b.set(budget()));
}

/// Most outputs [`Produced`] keeps.
pub const PRODUCED_KEPT: usize = 8;

/// Outputs of earlier calls of one run, newest last, for later calls to consume (compressed
/// data reaching a decompressor, a serialised record reaching its parser).
#[derive(Debug, Default)]
pub struct Produced {
    outputs: Vec<Vec<u8>>,
}

impl Produced {
    /// Keeps `bytes` (empty outputs are not kept), dropping the oldest beyond
    /// [`PRODUCED_KEPT`].
    #[inline]
    pub fn push(&mut self, bytes: Vec<u8>) {
        if bytes.is_empty() {
            return;
        }
        if self.outputs.len() == PRODUCED_KEPT {
            self.outputs.remove(0);
        }
        self.outputs.push(bytes);
    }

    /// The output `back` steps from the newest (wrapping), or nothing when none was kept.
    #[inline]
    pub fn get(&self, back: u8) -> &[u8] {
        match self.outputs.len() {
            0 => &[],
            n => &self.outputs[n - 1 - usize::from(back) % n],
        }
    }
}

/// A single-sided run keeps outputs for later calls and compares nothing.
impl Sink for Produced {
    #[inline]
    fn feed(&self) -> &Produced {
        self
    }
    #[inline]
    fn ret(&mut self, _: i64) {}
    #[inline]
    fn output(&mut self, bytes: Vec<u8>) {
        self.push(bytes);
    }
}

/// An input buffer: fresh bytes from the fuzz input, or an earlier call's output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bytes<'a> {
    /// Bytes taken verbatim from the fuzz input.
    Fresh(&'a [u8]),
    /// The output [`Produced::get`] returns for this index.
    Produced(u8),
}

impl<'a> Bytes<'a> {
    /// Decodes fresh bytes, at most `max`.
    #[inline]
    pub fn fresh(u: &mut Unstructured<'a>, max: usize) -> Result<Self> {
        Ok(Bytes::Fresh(slice(u, max)?))
    }

    /// Decodes fresh bytes (at most `max`) or, one time in four, an earlier output.
    #[inline]
    pub fn fresh_or_produced(u: &mut Unstructured<'a>, max: usize) -> Result<Self> {
        let tag: u8 = u.arbitrary()?;
        if tag >= 192 {
            Ok(Bytes::Produced(tag - 192))
        } else {
            Bytes::fresh(u, max)
        }
    }

    /// The bytes, looking produced ones up in `produced`.
    #[inline]
    pub fn get<'b>(&'b self, produced: &'b Produced) -> &'b [u8] {
        match self {
            Bytes::Fresh(b) => b,
            Bytes::Produced(i) => produced.get(*i),
        }
    }
}

/// Decodes a contiguous byte slice of the input, cut to `max`.
#[inline]
pub fn slice<'a>(u: &mut Unstructured<'a>, max: usize) -> Result<&'a [u8]> {
    let b: &[u8] = u.arbitrary()?;
    Ok(&b[..b.len().min(max)])
}

/// Most pieces in one [`Recipe`].
pub const RECIPE_PIECES: usize = 8;

/// One step of a [`Recipe`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// These bytes, `times` times over.
    Repeat {
        /// The bytes.
        bytes: &'a [u8],
        /// How often.
        times: u32,
    },
    /// `len` bytes copied from `distance` bytes back in the output (an LZ77 back-reference;
    /// overlapping copies repeat a pattern).
    Back {
        /// How far back, at least 1.
        distance: u32,
        /// How many bytes.
        len: u32,
    },
}

/// A large buffer described by a short input: literal runs repeated and back-references,
/// so bugs that need megabytes of input stay within reach of a few fuzz bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recipe<'a> {
    pieces: Vec<Piece<'a>>,
    max: usize,
    /// The bytes, once built: both sides of a differential run get the same ones, and the
    /// input's budget is charged once.
    built: std::cell::OnceCell<Vec<u8>>,
}

impl<'a> Recipe<'a> {
    /// Decodes a recipe of at most [`RECIPE_PIECES`] pieces whose output is cut to `max` bytes.
    pub fn decode(u: &mut Unstructured<'a>, max: usize) -> Result<Self> {
        let count = u.int_in_range(1..=RECIPE_PIECES as u8)?;
        let mut pieces = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let tag: u8 = u.arbitrary()?;
            // The high bits pick a scale so that 16-bit counts reach megabytes.
            let scale = 1u32 << (u32::from(tag >> 4) & 0x7);
            pieces.push(if tag & 1 == 0 {
                let times = u32::from(u.arbitrary::<u16>()?).saturating_mul(scale).max(1);
                Piece::Repeat { bytes: slice(u, 4096)?, times }
            } else {
                let distance = u32::from(u.arbitrary::<u16>()?).max(1);
                let len = u32::from(u.arbitrary::<u16>()?).saturating_mul(scale);
                Piece::Back { distance, len }
            });
        }
        Ok(Recipe { pieces, max, built: std::cell::OnceCell::new() })
    }

    /// The bytes the recipe describes, cut to what was left of the input's [`budget`]
    /// when they were first asked for (built then, the same bytes on every later call).
    pub fn build(&self) -> &[u8] {
        self.built.get_or_init(|| {
            let max = self.max.min(BUDGET.with(Cell::get));
            let out = self.build_within(max);
            BUDGET.with(|b| b.set(b.get() - out.len()));
            out
        })
    }

    fn build_within(&self, max: usize) -> Vec<u8> {
        let mut out: Vec<u8> = Vec::new();
        for piece in &self.pieces {
            let room = max - out.len();
            match *piece {
                Piece::Repeat { bytes, times } => {
                    if bytes.is_empty() {
                        continue;
                    }
                    let want = (bytes.len() as u64 * u64::from(times)).min(room as u64) as usize;
                    out.extend(bytes.iter().cycle().take(want));
                }
                Piece::Back { distance, len } => {
                    let distance = distance as usize;
                    if distance > out.len() {
                        continue;
                    }
                    let start = out.len() - distance;
                    for i in 0..(len as usize).min(room) {
                        out.push(out[start + i]);
                    }
                }
            }
            if out.len() >= max {
                break;
            }
        }
        out
    }
}

/// Decodes an output capacity in `0..=max`: exact sizes, too-small buffers and empty ones are
/// all reachable. The magnitude is chosen first (a power of two), then the value below it, so
/// small buffers are as likely as large ones and a large `max` does not make every call
/// allocate (and zero) a megabyte.
pub fn capacity(u: &mut Unstructured<'_>, max: usize) -> Result<usize> {
    let bits = u.int_in_range(0..=(usize::BITS - max.leading_zeros()))?;
    let limit = if bits >= usize::BITS { max } else { ((1usize << bits) - 1).min(max) };
    u.int_in_range(0..=limit)
}

/// Decodes a bitwise OR of a subset of `flags`.
pub fn flags(u: &mut Unstructured<'_>, flags: &[i64]) -> Result<i64> {
    let pick: u32 = u.arbitrary()?;
    Ok(flags.iter().enumerate().filter(|(i, _)| pick & (1 << (i % 32)) != 0).fold(0, |acc, (_, f)| acc | f))
}

/// The live handle an op's index addresses (index modulo the number live), if any is live.
#[inline]
pub fn pick<T>(live: &mut [T], index: u8) -> Option<&mut T> {
    match live.len() {
        0 => None,
        n => live.get_mut(usize::from(index) % n),
    }
}

/// A pointer to `bytes` that C may do arithmetic on: an empty slice's own pointer is Rust's
/// dangling `0x1`, and `p - 1` on it is undefined behaviour that UBSan reports as the
/// library's, so empty slices point at a real (static, never written) byte instead.
#[inline]
pub fn as_ptr(bytes: &[u8]) -> *const u8 {
    static EMPTY: [u8; 1] = [0];
    if bytes.is_empty() {
        EMPTY.as_ptr()
    } else {
        bytes.as_ptr()
    }
}

/// A zeroed output buffer of `cap` bytes whose pointer is real even when `cap` is 0 (see
/// [`as_ptr`]): one spare byte is allocated and never reported.
pub fn out_buffer(cap: usize) -> Vec<u8> {
    let mut v = vec![0u8; cap + 1];
    v.truncate(cap);
    v
}

/// An owned copy of `bytes` followed by a NUL, for `const char *` parameters. Interior NULs
/// stay: C sees the string up to the first one.
pub fn nul_terminated(bytes: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(bytes.len() + 1);
    v.extend_from_slice(bytes);
    v.push(0);
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buffers_are_contiguous_runs_of_the_input() {
        let data = [3u8, b'a', b'b', b'c', 0, 0, 0, 3];
        // `&[u8]` takes its length from the input's last bytes when not the last field.
        let mut u = Unstructured::new(&data);
        let b = slice(&mut u, 100).unwrap();
        assert!(data.windows(b.len()).any(|w| w == b), "a verbatim run of the input");
        let mut u = Unstructured::new(&data);
        assert!(slice(&mut u, 1).unwrap().len() <= 1);
    }

    #[test]
    fn produced_outputs_are_kept_newest_last() {
        let mut p = Produced::default();
        assert_eq!(p.get(0), b"");
        for i in 0..10u8 {
            p.push(vec![i]);
        }
        p.push(Vec::new());
        assert_eq!(p.get(0), [9]);
        assert_eq!(p.get(1), [8]);
        assert_eq!(p.get(PRODUCED_KEPT as u8), [9], "indices wrap over the kept outputs");
        assert_eq!(Bytes::Produced(2).get(&p), [7]);
        assert_eq!(Bytes::Fresh(b"x").get(&p), b"x");
    }

    #[test]
    fn recipes_expand_short_inputs_within_the_limit() {
        let recipe = |pieces: Vec<Piece<'static>>, max| Recipe { pieces, max, built: std::cell::OnceCell::new() };
        let r = recipe(vec![Piece::Repeat { bytes: b"ab", times: 3 }, Piece::Back { distance: 2, len: 3 }], 100);
        assert_eq!(r.build(), b"ababababa", "an overlapping back-reference repeats the pattern");
        reset_budget();
        let big = || recipe(vec![Piece::Repeat { bytes: b"xyz", times: u32::MAX }], 3 << 19);
        let first = big();
        assert_eq!(first.build().len(), 3 << 19);
        assert_eq!(first.build().len(), 3 << 19, "built once: the same bytes again, budget charged once");
        assert_eq!(big().build().len(), EXPAND_BUDGET - (3 << 19), "the input's budget caps the second");
        assert!(big().build().is_empty());
        reset_budget();
        let far = recipe(vec![Piece::Back { distance: 5, len: 5 }], 10);
        assert!(far.build().is_empty(), "a reference before the start is skipped");
        let data: Vec<u8> = (0..200u32).map(|i| (i * 37) as u8).collect();
        let r = Recipe::decode(&mut Unstructured::new(&data), 4096).unwrap();
        assert!(r.build().len() <= 4096);
    }

    #[test]
    fn flags_capacity_and_pick() {
        let mut u = Unstructured::new(&[0b101, 0, 0, 0]);
        assert_eq!(flags(&mut u, &[1, 2, 4]).unwrap(), 5);
        let mut u = Unstructured::new(&[0xff, 0xff]);
        assert!(capacity(&mut u, 10).unwrap() <= 10);
        let caps: Vec<usize> = (0..=255u8)
            .map(|b| capacity(&mut Unstructured::new(&[b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), 1 << 20).unwrap())
            .collect();
        assert!(caps.iter().all(|&c| c <= 1 << 20));
        assert!(caps.iter().filter(|&&c| c < 256).count() > 20, "small capacities stay likely: {caps:?}");
        let mut live = vec![10, 20, 30];
        assert_eq!(pick(&mut live, 4), Some(&mut 20));
        assert_eq!(pick::<i32>(&mut [], 4), None);
        assert_eq!(nul_terminated(b"a\0b"), b"a\0b\0");
        assert_ne!(as_ptr(&[]) as usize, 1, "not the dangling pointer");
        let b = [1u8, 2];
        assert_eq!(as_ptr(&b), b.as_ptr());
        let mut out = out_buffer(0);
        assert!(out.is_empty() && out.capacity() >= 1 && out.as_mut_ptr() as usize != 1);
    }
}
