//! seam's differential runtime (`seam_runtime::diverge`): two implementations of one API
//! disagreed on a call. The block names the op, the function and what differs, then the
//! process aborts (libFuzzer's deadly signal follows, as after a panic):
//!
//! ```text
//! ==seam== divergence v1 begin op=3 function=seeded_scale what=return
//! ==seam== left side=c ret=2147483647 outputs=0
//! ==seam== right side=rust ret=-123 outputs=0
//! ==seam== divergence v1 end
//! ```
//!
//! The report is `Tool::Divergence`, kind `divergence`, message `<function>: <what>`; its crash
//! type is `Divergence <function>: <what>`.

use crate::model::Tool;
use crate::parse::{report_with_message, Log, Parsed, Role};

const OPEN: &str = "==seam== divergence v";

/// True when a line opens a divergence block.
pub(crate) fn opens(line: &str) -> bool {
    line.trim_start().starts_with(OPEN) && line.contains(" begin ")
}

/// The value of `key=` in a block line; `what` runs to the end of the line.
fn field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = line.find(&format!(" {key}="))? + key.len() + 2;
    let rest = &line[at..];
    Some(if key == "what" { rest.trim_end() } else { rest.split_whitespace().next().unwrap_or("") })
}

/// Parses the block opening at line `start`; the side lines and the hex diff go into the
/// message's following lines.
pub(crate) fn parse(log: &Log, start: usize) -> Parsed {
    let head = log.line(start);
    let function = field(head, "function").unwrap_or("?");
    let what = field(head, "what").unwrap_or("?");
    let mut message = format!("{function}: {what}");
    let mut end = start + 1;
    let mut closed = false;
    while end < log.len() && end < start + 64 {
        let line = log.line(end).trim();
        end += 1;
        if line.starts_with(OPEN) && line.ends_with(" end") {
            closed = true;
            break;
        }
        if let Some(detail) = line.strip_prefix("==seam== ") {
            message.push('\n');
            message.push_str(detail);
        }
    }
    let mut report = report_with_message(Tool::Divergence, "divergence", message);
    if !closed {
        report.warnings.push("the divergence block has no end line: the log may be cut".into());
    }
    Parsed { report, end, role: Role::Message }
}

#[cfg(test)]
mod tests {
    use crate::classify::crash_type;
    use crate::parse::parse;

    const LOG: &str = "\
INFO: Seed: 1
==seam== divergence v1 begin op=3 function=seeded_scale what=return
==seam== left side=c ret=2147483647 outputs=0
==seam== right side=rust ret=-123 outputs=0
==seam== divergence v1 end
==seam== boundary v1 begin reason=divergence
==seam== input op=3 calls=5
==seam== call #5 op=3 rust::seeded_scale(s=#2, factor=99999) returned -123
==seam== boundary v1 end
==12== ERROR: libFuzzer: deadly signal
    #0 0x55 in abort
SUMMARY: libFuzzer: deadly signal
";

    #[test]
    fn a_divergence_is_its_own_crash_type() {
        let r = parse(LOG).expect("a report");
        assert_eq!(r.kind, "divergence");
        let message = r.message.as_deref().unwrap();
        assert!(message.starts_with("seeded_scale: return\nleft side=c ret=2147483647"), "{message}");
        assert_eq!(crash_type(&r), "Divergence seeded_scale: return");
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    }

    #[test]
    fn a_cut_block_still_names_the_divergence() {
        let cut = "==seam== divergence v1 begin op=0 function=f what=output 1\n==seam== left side=a";
        let r = parse(cut).expect("a report");
        assert_eq!(crash_type(&r), "Divergence f: output 1");
        assert!(!r.warnings.is_empty());
    }
}
