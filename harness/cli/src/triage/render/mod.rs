//! Rendering triage reports: JSON, Markdown and SARIF 2.1.0.

pub mod markdown;
pub mod sarif;

use std::path::Path;

use anyhow::Context;

use super::report::TriageReport;

/// Writes `report.json`, `report.md` and `report.sarif` into `dir`. When `campaign` (the
/// target's `seam fuzz` folder) holds a campaign picture, it is copied beside the report and
/// the Markdown shows it with the campaign's totals.
pub fn write_all(report: &TriageReport, dir: &Path, campaign: Option<&Path>) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let write = |name: &str, text: String| {
        let p = dir.join(name);
        std::fs::write(&p, text).with_context(|| format!("writing {}", p.display()))
    };
    write("report.json", serde_json::to_string_pretty(report)? + "\n")?;
    let mut md = markdown::render(std::slice::from_ref(report));
    if let Some(c) = campaign.filter(|c| c.join("campaign.svg").is_file()) {
        std::fs::copy(c.join("campaign.svg"), dir.join("campaign.svg"))
            .with_context(|| format!("copying {}/campaign.svg", c.display()))?;
        let totals = std::fs::read_to_string(c.join("campaign.md")).unwrap_or_default();
        md.push_str(&markdown::campaign_section(&totals));
    }
    write("report.md", md)?;
    write("report.sarif", serde_json::to_string_pretty(&sarif::render(std::slice::from_ref(report)))? + "\n")?;
    Ok(())
}
