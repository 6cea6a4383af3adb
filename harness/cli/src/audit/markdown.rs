//! `audit.md`: a summary line and one table row per finding, worst first.

use std::fmt::Write as _;

use super::finding::Location;
use super::report::AuditReport;

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// Escapes a table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn loc(l: Option<&Location>) -> String {
    l.map_or_else(|| "-".to_string(), |l| cell(&l.to_string()))
}

/// Renders the report as Markdown.
pub fn render(r: &AuditReport) -> String {
    let s = &r.summary;
    let mut out = String::new();
    let _ = writeln!(out, "# seam audit: `{}` against `{}`\n", cell(&r.inputs.rust), cell(&r.inputs.header));
    let _ = writeln!(
        out,
        "{} and {} compared: {}, {}, {}.\n",
        plural(s.functions_compared, "function"),
        plural(s.structs_compared, "struct"),
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.notes, "note"),
    );
    if r.findings.is_empty() {
        out.push_str("No disagreements found.\n");
        return out;
    }
    out.push_str("| severity | kind | item | detail | Rust | C |\n|---|---|---|---|---|---|\n");
    for f in &r.findings {
        let _ = writeln!(
            out,
            "| {} | {} | `{}` | {} | {} | {} |",
            f.severity.name(),
            f.kind.name(),
            cell(&f.item),
            cell(&f.detail),
            loc(f.rust_location.as_ref()),
            loc(f.c_location.as_ref()),
        );
    }
    out
}
