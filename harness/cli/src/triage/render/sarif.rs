//! SARIF 2.1.0 output, shaped for GitHub code scanning: one rule per crash type family,
//! results located at the innermost meaningful frame, the crash stack as a SARIF `stack`,
//! `partialFingerprints` from the dedup key and `security-severity` from the severity class.

use serde_json::{json, Value};

use crate::sarif::{artifact_location, SCHEMA_URI};
use crate::triage::bugs::Bug;
use crate::triage::classify::Severity;
use crate::triage::dedup::type_family;
use crate::triage::model::Frame;
use crate::triage::report::TriageReport;

fn rule_id(crash_type: &str) -> String {
    let slug: String = type_family(crash_type)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    format!("seam/{}", slug.trim_matches('-'))
}

fn security_severity(b: &Bug) -> &'static str {
    match (b.severity, b.security) {
        (Severity::Exploitable, _) => "9.0",
        (Severity::ProbablyExploitable, _) => "7.5",
        (Severity::NotExploitable, true) => "5.0",
        (Severity::NotExploitable, false) => "3.0",
    }
}

fn location(f: &Frame) -> Option<Value> {
    let mut phys = json!({ "artifactLocation": artifact_location(f.file.as_deref()?) });
    if let Some(line) = f.line.filter(|l| *l > 0) {
        let mut region = json!({ "startLine": line });
        if let Some(col) = f.column.filter(|c| *c > 0) {
            region["startColumn"] = json!(col);
        }
        phys["region"] = region;
    }
    let mut loc = json!({ "physicalLocation": phys });
    if let Some(func) = &f.function {
        loc["logicalLocations"] = json!([{ "fullyQualifiedName": func, "kind": "function" }]);
    }
    Some(loc)
}

fn result(b: &Bug, rule_index: usize, stack: &[Frame]) -> Value {
    let a = &b.attribution;
    let call = a.call.clone().or_else(|| a.function.clone()).unwrap_or_else(|| "an unknown call".into());
    let side = match a.side {
        crate::triage::attribute::Side::C => "C",
        crate::triage::attribute::Side::Rust => "Rust",
        crate::triage::attribute::Side::Unknown => "unknown",
        crate::triage::attribute::Side::Both => "both",
    };
    let mut text = format!("{} at boundary call {call} (fault on the {side} side), target {}", b.crash_type, b.target);
    if let Some(op) = a.op {
        text.push_str(&format!(", op {op}"));
    }
    if let Some(s) = &b.summary {
        text.push_str(&format!(": {s}"));
    }
    let mut r = json!({
        "ruleId": rule_id(&b.crash_type),
        "ruleIndex": rule_index,
        "level": if b.security { "error" } else { "warning" },
        "message": { "text": text },
        "partialFingerprints": { "seamDedupKey/v1": b.fingerprint },
        "properties": {
            "seam.bug": b.id,
            "seam.cluster": b.cluster,
            "seam.hits": b.hits,
            "seam.severity": format!("{:?}", b.severity),
            "seam.severityType": b.severity_type,
            "seam.side": side,
            "seam.dedupKey": b.key,
        }
    });
    let top = a.frame.as_ref().and_then(location).or_else(|| stack.iter().find_map(location));
    if let Some(loc) = top {
        r["locations"] = json!([loc]);
    }
    let frames: Vec<Value> = stack
        .iter()
        .map(|f| {
            let mut fr = json!({});
            if let Some(loc) = location(f) {
                fr["location"] = loc;
            } else if let Some(func) = &f.function {
                fr["location"] = json!({ "message": { "text": func } });
            }
            if let Some(m) = &f.module {
                fr["module"] = json!(m);
            }
            fr
        })
        .filter(|fr| fr.get("location").is_some())
        .collect();
    if !frames.is_empty() {
        r["stacks"] = json!([{ "message": { "text": "crash stack" }, "frames": frames }]);
    }
    if let Some(p) = &b.reproducer {
        r["properties"]["seam.reproducer"] = json!(p.display().to_string());
    }
    r
}

/// Renders one SARIF log with one run over the bugs of all given reports.
pub fn render(reports: &[TriageReport]) -> Value {
    let mut rules: Vec<String> = Vec::new();
    let mut rule_objs: Vec<Value> = Vec::new();
    let mut results = Vec::new();
    for b in reports.iter().flat_map(|r| r.bugs.iter()) {
        let id = rule_id(&b.crash_type);
        let idx = match rules.iter().position(|r| *r == id) {
            Some(i) => i,
            None => {
                rules.push(id.clone());
                let family = type_family(&b.crash_type).to_string();
                let mut tags = vec!["fuzzing", "ffi"];
                if b.security {
                    tags.push("security");
                }
                rule_objs.push(json!({
                    "id": id,
                    "name": family.replace([' ', '-'], ""),
                    "shortDescription": { "text": family },
                    "fullDescription": { "text": format!("{family}: found by fuzzing the Rust/C boundary") },
                    "defaultConfiguration": { "level": if b.security { "error" } else { "warning" } },
                    "properties": { "security-severity": security_severity(b), "tags": tags }
                }));
                rules.len() - 1
            }
        };
        results.push(result(b, idx, &b.stack));
    }
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "seam",
                "informationUri": "https://crates.io/crates/seam",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rule_objs
            }},
            "results": results
        }]
    })
}
