//! Differential runs: the same op sequence against two implementations of one API. When their
//! outcomes for one call differ in a way the contract does not tolerate, [`report`] prints a
//! divergence block (which op, which call on each side, both outcomes, bytes as a short hex
//! diff) and the boundary block, then aborts, so libFuzzer keeps the input as a crash artifact
//! and `seam triage` files it as `Divergence <function>: <what differs>`.
//!
//! ```text
//! ==seam== divergence v1 begin op=3 function=seeded_checksum what=return
//! ==seam== left side=c ret=1234 outputs=1
//! ==seam== right side=rust ret=1240 outputs=1
//! ==seam== output 0 differs at 5: left 68656c6c6f (len 9) right 68656c4c6f (len 9)
//! ==seam== divergence v1 end
//! ```

use std::fmt::Write as _;

use crate::block::{print_block, PREFIX};
use crate::output::Sink;

/// Version of the divergence block format.
pub const VERSION: u32 = 1;

/// One side's outcome of a call, as the contract compares it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The return value, after the contract's error-class mapping; `None` when not compared.
    pub ret: Option<i64>,
    /// The bytes the call produced, in output order.
    pub outputs: Vec<Vec<u8>>,
}

impl Outcome {
    /// Forgets the last call's outcome, keeping the output list's memory for the next.
    #[inline]
    pub fn clear(&mut self) {
        self.ret = None;
        self.outputs.clear();
    }
}

/// One side of a differential run's op: it reads the earlier outputs both sides consume (see
/// [`crate::run::run_diff`]) and records its own outcome.
pub struct Compared<'a> {
    /// The earlier outputs, the same for both sides.
    pub feed: &'a crate::input::Produced,
    /// This side's outcome of the call.
    pub outcome: &'a mut Outcome,
}

impl Sink for Compared<'_> {
    fn feed(&self) -> &crate::input::Produced {
        self.feed
    }
    fn ret(&mut self, value: i64) {
        self.outcome.ret = Some(value);
    }
    fn output(&mut self, bytes: Vec<u8>) {
        self.outcome.outputs.push(bytes);
    }
}

/// What differs between two outcomes, if anything: `"return"`, `"output N"`, or
/// `"output count"`.
pub fn difference(left: &Outcome, right: &Outcome) -> Option<String> {
    differing(left.ret, right.ret, Some((&left.outputs, &right.outputs)), |a, b| a == b)
}

/// What differs between two return values and, when given, two output lists whose elements
/// `same` compares.
fn differing(
    left: Option<i64>,
    right: Option<i64>,
    outputs: Option<(&[Vec<u8>], &[Vec<u8>])>,
    same: impl Fn(&[u8], &[u8]) -> bool,
) -> Option<String> {
    if left != right {
        return Some("return".into());
    }
    let (left, right) = outputs?;
    if left.len() != right.len() {
        return Some("output count".into());
    }
    left.iter().zip(right).position(|(a, b)| !same(a, b)).map(|i| format!("output {i}"))
}

/// How a return value is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetRule {
    /// Equal values.
    Exact,
    /// Not compared.
    Ignore,
    /// Equal classes: `(name, lo, hi)` ranges; a value in none is its own class.
    Classes(&'static [(&'static str, i64, i64)]),
}

/// How outputs are compared.
#[derive(Clone, Copy, Debug)]
pub enum OutputRule {
    /// Equal bytes.
    Exact,
    /// Not compared.
    Ignore,
    /// Equal after decoding with this function (two compressors agree on what their streams
    /// decompress to, not on the streams). An empty output, a call that produced nothing, is
    /// not compared; two outputs that do not decode are equal.
    Decoded(fn(&[u8]) -> Option<Vec<u8>>),
}

impl OutputRule {
    /// Whether two outputs are equal under this rule.
    fn same(self, left: &[u8], right: &[u8]) -> bool {
        match self {
            OutputRule::Exact => left == right,
            OutputRule::Ignore => true,
            OutputRule::Decoded(decode) => left.is_empty() || right.is_empty() || decode(left) == decode(right),
        }
    }

    /// What the report shows of an output: itself, or what it decodes to.
    fn shown(self, bytes: &[u8]) -> (&'static str, Vec<u8>) {
        match self {
            OutputRule::Decoded(decode) => ("decoded output", decode(bytes).unwrap_or_default()),
            _ => ("output", bytes.to_vec()),
        }
    }
}

/// How one function's outcomes are compared.
#[derive(Clone, Copy, Debug)]
pub struct Rule {
    /// The return value.
    pub ret: RetRule,
    /// The outputs.
    pub outputs: OutputRule,
    /// Differences declared as known and documented.
    pub tolerated: &'static [Tolerance],
}

/// A difference declared as known and documented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tolerance {
    /// What may differ: `"return"`, `"output N"` or `"output count"`.
    pub what: &'static str,
    /// With `"return"`: only these (left, right) pairs of return values; empty: any.
    pub returns: &'static [(i64, i64)],
    /// The two sides' states may differ after this difference: the run ends there.
    pub stop: bool,
}

impl Tolerance {
    /// Whether this tolerance covers difference `what` between `left` and `right`.
    fn covers(&self, what: &str, left: &Outcome, right: &Outcome) -> bool {
        self.what == what
            && (self.returns.is_empty() || left.ret.zip(right.ret).is_some_and(|pair| self.returns.contains(&pair)))
    }
}

impl Rule {
    /// Return value and outputs compared exactly, nothing tolerated.
    pub const EXACT: Rule = Rule { ret: RetRule::Exact, outputs: OutputRule::Exact, tolerated: &[] };
}

fn class_of(rule: RetRule, v: Option<i64>) -> Option<i64> {
    match (rule, v) {
        (RetRule::Ignore, _) => None,
        (RetRule::Classes(classes), Some(v)) => {
            Some(classes.iter().position(|(_, lo, hi)| (*lo..=*hi).contains(&v)).map_or(v, |i| i64::MIN + i as i64))
        }
        (_, v) => v,
    }
}

/// The first difference between two outcomes as `rule` compares them, if any.
fn first_difference(rule: &Rule, left: &Outcome, right: &Outcome) -> Option<String> {
    let outputs = match rule.outputs {
        OutputRule::Ignore => None,
        _ => Some((&left.outputs[..], &right.outputs[..])),
    };
    differing(class_of(rule.ret, left.ret), class_of(rule.ret, right.ret), outputs, |a, b| rule.outputs.same(a, b))
}

/// Two outcomes judged under `rule`, comparing them once: `Err` names the difference the rule
/// does not tolerate; `Ok(true)` is a declared difference marked `stop` (the two sides' states
/// may differ after it, so the comparison of the input ends there); `Ok(false)` goes on.
pub fn judge(rule: &Rule, left: &Outcome, right: &Outcome) -> Result<bool, String> {
    let Some(what) = first_difference(rule, left, right) else { return Ok(false) };
    let covering: Vec<&Tolerance> = rule.tolerated.iter().filter(|t| t.covers(&what, left, right)).collect();
    if covering.is_empty() {
        Err(what)
    } else {
        Ok(covering.iter().any(|t| t.stop))
    }
}

/// The difference `rule` does not tolerate between two outcomes, if any.
pub fn check(rule: &Rule, left: &Outcome, right: &Outcome) -> Option<String> {
    judge(rule, left, right).err()
}

/// Bytes shown on each side of the first difference.
const SHOWN: usize = 16;

/// The hex diff line of two byte strings (`label` names them, `index` is their place among
/// the outputs): the first differing offset and up to 16 bytes from there on each side.
pub fn hex_diff(label: &str, index: usize, left: &[u8], right: &[u8]) -> String {
    let at = left.iter().zip(right).position(|(a, b)| a != b).unwrap_or(left.len().min(right.len()));
    let hex = |b: &[u8]| b[at.min(b.len())..b.len().min(at + SHOWN)].iter().fold(String::new(), |mut s, x| {
        let _ = write!(s, "{x:02x}");
        s
    });
    format!(
        "{label} {index} differs at {at}: left {} (len {}) right {} (len {})",
        hex(left),
        left.len(),
        hex(right),
        right.len()
    )
}

fn side_line(role: &str, side: &str, o: &Outcome) -> String {
    let ret = o.ret.map_or_else(|| "-".to_string(), |r| r.to_string());
    format!("{PREFIX} {role} side={side} ret={ret} outputs={}", o.outputs.len())
}

/// The divergence block's lines; outputs that differ under `rule` get a hex diff.
pub fn block(rule: &Rule, op: usize, function: &str, what: &str, left: (&str, &Outcome), right: (&str, &Outcome)) -> Vec<String> {
    let mut lines = vec![
        format!("{PREFIX} divergence v{VERSION} begin op={op} function={function} what={what}"),
        side_line("left", left.0, left.1),
        side_line("right", right.0, right.1),
    ];
    for (i, (a, b)) in left.1.outputs.iter().zip(&right.1.outputs).enumerate() {
        if !rule.outputs.same(a, b) {
            let ((label, a), (_, b)) = (rule.outputs.shown(a), rule.outputs.shown(b));
            lines.push(format!("{PREFIX} {}", hex_diff(label, i, &a, &b)));
        }
    }
    lines.push(format!("{PREFIX} divergence v{VERSION} end"));
    lines
}

/// Reports a divergence at op `op` in `function` under `rule` and aborts the process.
pub fn report(rule: &Rule, op: usize, function: &str, what: &str, left: (&str, &Outcome), right: (&str, &Outcome)) -> ! {
    for line in block(rule, op, function, what, left, right) {
        eprintln!("{line}");
    }
    print_block("divergence");
    std::process::abort()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differences_are_named() {
        let a = Outcome { ret: Some(0), outputs: vec![b"abc".to_vec()] };
        assert_eq!(difference(&a, &a.clone()), None);
        assert_eq!(difference(&a, &Outcome { ret: Some(-1), ..a.clone() }).as_deref(), Some("return"));
        assert_eq!(difference(&a, &Outcome { outputs: vec![b"abd".to_vec()], ..a.clone() }).as_deref(), Some("output 0"));
        assert_eq!(difference(&a, &Outcome { outputs: vec![], ..a.clone() }).as_deref(), Some("output count"));
    }

    #[test]
    fn rules_ignore_classes_and_tolerate() {
        let a = Outcome { ret: Some(-3), outputs: vec![b"x".to_vec()] };
        let b = Outcome { ret: Some(-5), outputs: vec![b"y".to_vec()] };
        assert_eq!(check(&Rule::EXACT, &a, &b).as_deref(), Some("return"));
        let classes = Rule { ret: RetRule::Classes(&[("error", i64::MIN, -1)]), ..Rule::EXACT };
        assert_eq!(check(&classes, &a, &b).as_deref(), Some("output 0"), "both errors: same class");
        let ok = Outcome { ret: Some(0), ..a.clone() };
        assert_eq!(check(&classes, &a, &ok).as_deref(), Some("return"), "an error against a success");
        let lenient = Rule { ret: RetRule::Ignore, outputs: OutputRule::Ignore, tolerated: &[] };
        assert_eq!(check(&lenient, &a, &b), None);
        let tolerant = Rule {
            tolerated: &[Tolerance { what: "return", returns: &[], stop: false }, Tolerance { what: "output 0", returns: &[], stop: false }],
            ..Rule::EXACT
        };
        assert_eq!(check(&tolerant, &a, &b), None, "declared differences are not reported");
        // A tolerance narrowed to return pairs covers those pairs only.
        let narrow = Rule { tolerated: &[Tolerance { what: "return", returns: &[(0, -2)], stop: false }], ..Rule::EXACT };
        let (zero, minus2) = (Outcome { ret: Some(0), ..a.clone() }, Outcome { ret: Some(-2), ..a.clone() });
        assert_eq!(check(&narrow, &zero, &minus2), None);
        assert_eq!(check(&narrow, &minus2, &zero).as_deref(), Some("return"), "the pair is ordered: left, right");
        assert_eq!(check(&narrow, &a, &minus2).as_deref(), Some("return"));
    }

    #[test]
    fn the_block_shows_both_sides_and_a_hex_diff() {
        let l = Outcome { ret: Some(9), outputs: vec![b"hello".to_vec()] };
        let r = Outcome { ret: Some(9), outputs: vec![b"helLo!".to_vec()] };
        let lines = block(&Rule::EXACT, 3, "f", "output 0", ("c", &l), ("rust", &r));
        assert_eq!(lines[0], "==seam== divergence v1 begin op=3 function=f what=output 0");
        assert_eq!(lines[1], "==seam== left side=c ret=9 outputs=1");
        assert_eq!(lines[3], "==seam== output 0 differs at 3: left 6c6f (len 5) right 4c6f21 (len 6)");
        assert_eq!(lines.last().unwrap(), "==seam== divergence v1 end");
        assert_eq!(hex_diff("output", 0, b"ab", b"abc"), "output 0 differs at 2: left  (len 2) right 63 (len 3)");
    }

    /// A toy encoding: every byte doubled.
    fn undouble(b: &[u8]) -> Option<Vec<u8>> {
        (b.len() % 2 == 0 && b.chunks(2).all(|p| p[0] == p[1])).then(|| b.iter().step_by(2).copied().collect())
    }

    #[test]
    fn decoded_outputs_compare_by_what_they_decode_to() {
        let rule = Rule { outputs: OutputRule::Decoded(undouble), ..Rule::EXACT };
        let out = |b: &[u8]| Outcome { ret: Some(0), outputs: vec![b.to_vec()] };
        assert_eq!(check(&rule, &out(b"aabb"), &out(b"aabb")), None);
        assert_eq!(check(&rule, &out(b"aabb"), &out(b"")), None, "an empty output is not compared");
        assert_eq!(check(&rule, &out(b"aab"), &out(b"xyz")), None, "neither decodes");
        assert_eq!(check(&rule, &out(b"aabb"), &out(b"aabc")).as_deref(), Some("output 0"));
        assert_eq!(check(&Rule::EXACT, &out(b"aabb"), &out(b"aabb")), None);
        let lines = block(&rule, 1, "f", "output 0", ("c", &out(b"aabb")), ("rust", &out(b"aacc")));
        assert_eq!(lines[3], "==seam== decoded output 0 differs at 1: left 62 (len 2) right 63 (len 2)");
    }
}
