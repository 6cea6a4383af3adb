//! The loop every generated harness runs: a fuzz input decoded into ops, the ops applied in
//! order to fresh live handles, on one side or on two sides compared op by op.

use arbitrary::{Result, Unstructured};

use crate::diverge::{judge, report, Compared, Outcome, Rule};
use crate::input::{reset_budget, Produced};
use crate::output::Sink;
use crate::recorder::{begin_input, set_op};

/// The live handles of one side of a generated harness.
pub trait Apply<Op>: Default {
    /// Applies one op, reading earlier outputs from the sink's feed and giving it what the call
    /// returned and produced; ops whose handles are not live are skipped.
    fn apply<S: Sink>(&mut self, op: &Op, sink: &mut S);
}

/// Decodes `data` into at most `max_ops` ops: a byte picks each op's decoder, which reads its
/// arguments. Decoding stops at the first op the remaining bytes cannot complete.
pub fn decode<'a, Op, D: Fn(&mut Unstructured<'a>) -> Result<Op>>(data: &'a [u8], decoders: &[D], max_ops: usize) -> Vec<Op> {
    let mut u = Unstructured::new(data);
    let mut ops = Vec::new();
    while ops.len() < max_ops && !u.is_empty() {
        match u.choose(decoders).and_then(|decode| decode(&mut u)) {
            Ok(op) => ops.push(op),
            Err(_) => break,
        }
    }
    ops
}

/// Runs `ops` against fresh handles of one side, recording every call; outputs stay for later
/// ops to consume.
pub fn run<Op, L: Apply<Op>>(ops: &[Op]) {
    begin_input();
    reset_budget();
    let mut live = L::default();
    let mut produced = Produced::default();
    for (index, op) in ops.iter().enumerate() {
        set_op(index);
        live.apply(op, &mut produced);
    }
}

/// Runs `ops` against both sides. `rule` gives an op's comparison rule and the function it
/// calls; the first difference the rule does not tolerate is reported under the two sides'
/// names and aborts the run. A declared difference marked `stop` ends the run quietly: from
/// there on the two sides' states may differ.
///
/// Both sides consume the same earlier outputs, so every later call compares the two on one
/// input. Where an op's outputs differ (a tolerated difference: two compressors' streams), the
/// left side's and the right side's are kept in turn: zlib's stream is then inflated by both
/// zlib and zlib-rs, the next differing stream is zlib-rs's, and each side reads the other's.
pub fn run_diff<Op, L: Apply<Op>, R: Apply<Op>>(ops: &[Op], rule: impl Fn(&Op) -> (Rule, &'static str), sides: [&str; 2]) {
    begin_input();
    reset_budget();
    let (mut left, mut right) = (L::default(), R::default());
    let mut shared = Shared::default();
    let (mut a, mut b) = (Outcome::default(), Outcome::default());
    for (index, op) in ops.iter().enumerate() {
        set_op(index);
        a.clear();
        b.clear();
        left.apply(op, &mut Compared { feed: &shared.pool, outcome: &mut a });
        right.apply(op, &mut Compared { feed: &shared.pool, outcome: &mut b });
        let (rule, function) = rule(op);
        match judge(&rule, &a, &b) {
            Err(what) => report(&rule, index, function, &what, (sides[0], &a), (sides[1], &b)),
            // A declared difference after which the two sides' objects may be in different
            // states (one stream finished, the other not): later calls on them would differ
            // by construction. The comparison of this input ends here.
            Ok(true) => return,
            Ok(false) => {}
        }
        shared.keep(&mut a, &mut b);
    }
}

/// The outputs both sides of a differential run consume.
#[derive(Default)]
struct Shared {
    pool: Produced,
    /// Whether the last differing pair kept the left side's output (the next keeps the
    /// right side's).
    left_kept_last: bool,
}

impl Shared {
    /// Keeps one op's outputs for later ops, one of each pair: equal outputs once, an output
    /// only one side made (one compressor's stream fits a buffer, the other's does not) as it
    /// is, and of two differing outputs the left side's and the right side's in turn. When
    /// the sides made different numbers of outputs, none is kept.
    fn keep(&mut self, a: &mut Outcome, b: &mut Outcome) {
        if a.outputs.len() != b.outputs.len() {
            a.outputs.clear();
            b.outputs.clear();
            return;
        }
        for (x, y) in a.outputs.drain(..).zip(b.outputs.drain(..)) {
            let kept = if x == y || y.is_empty() {
                x
            } else if x.is_empty() {
                y
            } else {
                self.left_kept_last = !self.left_kept_last;
                if self.left_kept_last { x } else { y }
            };
            self.pool.push(kept);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy API: `Put(n)` returns n and outputs n bytes; `Echo` returns the length of the
    /// newest output it was fed.
    #[derive(Debug, PartialEq)]
    enum Op {
        Put(u8),
        Echo,
    }

    #[derive(Default)]
    struct Toy;

    impl Apply<Op> for Toy {
        fn apply<S: Sink>(&mut self, op: &Op, sink: &mut S) {
            match op {
                Op::Put(n) => {
                    sink.ret(i64::from(*n));
                    sink.output(vec![0; usize::from(*n)]);
                }
                Op::Echo => sink.ret(sink.feed().get(0).len() as i64),
            }
        }
    }

    #[test]
    fn decoders_are_picked_by_a_byte_up_to_the_op_limit() {
        let decoders: [fn(&mut Unstructured<'_>) -> Result<Op>; 2] = [|u| Ok(Op::Put(u.arbitrary()?)), |_| Ok(Op::Echo)];
        assert_eq!(decode(&[0, 7, 1], &decoders, 8), [Op::Put(7), Op::Echo]);
        assert_eq!(decode(&[1, 1, 1], &decoders, 2).len(), 2);
        assert!(decode(&[], &decoders, 8).is_empty());
    }

    /// `Toy`, except that `Put` of an odd count produces nothing.
    #[derive(Default)]
    struct EvenOnly;

    impl Apply<Op> for EvenOnly {
        fn apply<S: Sink>(&mut self, op: &Op, sink: &mut S) {
            match op {
                Op::Put(n) => {
                    sink.ret(i64::from(*n));
                    sink.output(if n % 2 == 0 { vec![0; usize::from(*n)] } else { Vec::new() });
                }
                Op::Echo => sink.ret(sink.feed().get(0).len() as i64),
            }
        }
    }

    #[test]
    fn both_sides_consume_one_output_of_each_pair() {
        use crate::diverge::Tolerance;
        const TOLERANT: Rule = Rule { tolerated: &[Tolerance { what: "output 0", returns: &[], stop: false }], ..Rule::EXACT };
        let rule = |op: &Op| match op {
            Op::Put(_) => (TOLERANT, "put"),
            Op::Echo => (Rule::EXACT, "echo"),
        };
        // Put(3): the tolerated difference (3 bytes against none). Toy's 3 bytes reach both
        // Echos, which agree; had each side read its own pool, they would differ (3 against 2)
        // and the run abort.
        run_diff::<Op, Toy, EvenOnly>(&[Op::Put(2), Op::Put(3), Op::Echo], rule, ["toy", "even"]);

        let mut shared = Shared::default();
        let (mut a, mut b) = (Outcome::default(), Outcome::default());
        a.outputs = vec![vec![1], vec![2], vec![5], vec![7], vec![8]];
        b.outputs = vec![vec![], vec![3], vec![6], vec![7], vec![9]];
        shared.keep(&mut a, &mut b);
        let kept: Vec<&[u8]> = (0..5).rev().map(|back| shared.pool.get(back)).collect();
        assert_eq!(
            kept,
            [&[1u8][..], &[2], &[6], &[7], &[8]],
            "one side's only output; differing pairs left, right, left in turn; equal once"
        );
        a.outputs = vec![vec![1]];
        shared.keep(&mut a, &mut b);
        assert!(a.outputs.is_empty() && b.outputs.is_empty());
        assert_eq!(shared.pool.get(0), [8u8], "counts differ: nothing kept");
    }

    /// `Toy`, except that `Put(3)` returns 4 and `Echo` returns 99.
    #[derive(Default)]
    struct Liar;

    impl Apply<Op> for Liar {
        fn apply<S: Sink>(&mut self, op: &Op, sink: &mut S) {
            match op {
                Op::Put(n) => {
                    sink.ret(if *n == 3 { 4 } else { i64::from(*n) });
                    sink.output(vec![0; usize::from(*n)]);
                }
                Op::Echo => sink.ret(99),
            }
        }
    }

    #[test]
    fn a_declared_difference_marked_stop_ends_the_comparison() {
        use crate::diverge::Tolerance;
        const TOLERANT: Rule = Rule { tolerated: &[Tolerance { what: "return", returns: &[(3, 4)], stop: true }], ..Rule::EXACT };
        let rule = |op: &Op| match op {
            Op::Put(_) => (TOLERANT, "put"),
            Op::Echo => (Rule::EXACT, "echo"),
        };
        // Put(3) differs as declared; the Echo after it, which differs too, is not compared.
        // (Were it compared, the run would abort the test process.)
        run_diff::<Op, Toy, Liar>(&[Op::Put(2), Op::Put(3), Op::Echo], rule, ["toy", "liar"]);
    }

    #[test]
    fn two_equal_sides_run_to_the_end_feeding_each_other() {
        run::<Op, Toy>(&[Op::Put(3), Op::Echo]);
        run_diff::<Op, Toy, Toy>(&[Op::Put(3), Op::Echo, Op::Put(0)], |_| (Rule::EXACT, "toy"), ["a", "b"]);
    }
}
