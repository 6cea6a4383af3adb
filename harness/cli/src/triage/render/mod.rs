//! Rendering triage reports: JSON, Markdown and SARIF 2.1.0.

pub mod markdown;
pub mod sarif;

use std::path::Path;

use anyhow::Context;

use super::report::TriageReport;

/// Writes `report.json`, `report.md` and `report.sarif` into `dir`.
pub fn write_all(report: &TriageReport, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))
    };
    write("report.json", serde_json::to_string_pretty(report)? + "\n")?;
    write("report.md", markdown::render(std::slice::from_ref(report)))?;
    write("report.sarif", serde_json::to_string_pretty(&sarif::render(std::slice::from_ref(report)))? + "\n")?;
    Ok(())
}
