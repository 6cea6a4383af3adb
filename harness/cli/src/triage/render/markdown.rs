//! The Markdown report a person reads first: one row per distinct bug.

use std::fmt::Write as _;

use crate::triage::attribute::Side;
use crate::triage::report::TriageReport;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The campaign section of a target's report: the totals table of its `campaign.md` (without
/// its title and picture line) and the picture, copied beside the report.
pub fn campaign_section(campaign_md: &str) -> String {
    let table: Vec<&str> = campaign_md.lines().filter(|l| l.starts_with('|')).collect();
    let mut out = String::from("\n## Campaign\n\n");
    if !table.is_empty() {
        out.push_str(&table.join("\n"));
        out.push_str("\n\n");
    }
    out.push_str("![coverage and exec/s over time](campaign.svg)\n");
    out
}

/// Renders one table over the bugs of all given reports, then the inputs that could not be
/// analysed.
pub fn render(reports: &[TriageReport]) -> String {
    let mut out = String::from("# seam triage\n\n");
    let bugs: usize = reports.iter().map(|r| r.bugs.len()).sum();
    let crashes: usize = reports.iter().map(|r| r.crashes).sum();
    let _ = writeln!(out, "{bugs} distinct bug(s) from {crashes} crash(es) in {} target(s).\n", reports.len());
    out.push_str("| bug | target | type | severity | boundary call | op | side | hits | reproducer |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|\n");
    for r in reports {
        for b in &r.bugs {
            let a = &b.attribution;
            let call = match (&a.call, &a.function) {
                (Some(c), _) => format!("`{}`{}", cell(c), if a.in_progress { " (in progress)" } else { "" }),
                (None, Some(f)) => format!("`{}` (from the stack)", cell(f)),
                (None, None) => "-".into(),
            };
            let side = match a.side {
                Side::C => "C",
                Side::Rust => "Rust",
                Side::Unknown => "?",
                Side::Both => "both",
            };
            let repro = b.reproducer.as_ref().map(|p| format!("`{}`", p.display())).unwrap_or_else(|| "-".into());
            let _ = writeln!(
                out,
                "| {}/{} | {} | {} | {:?} ({}) | {} | {} | {} | {} | {} |",
                b.id,
                b.cluster,
                cell(&b.target),
                cell(&b.crash_type),
                b.severity,
                b.severity_type,
                call,
                a.op.map(|o| o.to_string()).unwrap_or_else(|| "-".into()),
                side,
                b.hits,
                repro
            );
        }
    }
    let problems: Vec<_> = reports.iter().flat_map(|r| r.problems.iter().map(move |p| (&r.target, p))).collect();
    if !problems.is_empty() {
        out.push_str("\n## Not analysed\n\n");
        for (t, p) in problems {
            let what = p.input.as_ref().or(p.log.as_ref()).map(|x| x.display().to_string()).unwrap_or_default();
            let _ = writeln!(out, "- {t}: `{what}`: {}", p.problem);
        }
    }
    let tests: Vec<_> = reports.iter().flat_map(|r| r.bugs.iter()).filter_map(|b| b.regression_test.as_ref().map(|t| (b, t))).collect();
    if !tests.is_empty() {
        out.push_str("\n## Regression tests\n\n");
        for (b, t) in tests {
            let _ = writeln!(out, "- {} {}: `{}`", b.target, b.id, t.display());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_section_keeps_the_totals_and_shows_the_picture() {
        let md = "# Campaign: t\n\n| engine | x |\n|---|---|\n| AFL++ | 1 |\n\n![p](campaign.svg)\n";
        let s = campaign_section(md);
        assert_eq!(s, "\n## Campaign\n\n| engine | x |\n|---|---|\n| AFL++ | 1 |\n\n![coverage and exec/s over time](campaign.svg)\n");
    }
}
