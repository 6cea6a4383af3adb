//! `audit.sarif`: SARIF 2.1.0 for code scanning. One rule per finding kind, results at the
//! Rust declaration (at the header for functions Rust does not bind), the header's declaration
//! as a related location, `partialFingerprints` that survive moving code, and
//! `security-severity` from the kind (layout and size disagreements corrupt memory; constness
//! is low).

use serde_json::{json, Value};

use super::finding::{AuditFinding, FindingKind, Location, Severity};
use super::report::AuditReport;
use crate::sarif::{artifact_location, SCHEMA_URI};

/// The `partialFingerprints` key.
pub const FINGERPRINT_KEY: &str = "seamAudit/v1";

fn physical(l: &Location) -> Value {
    let mut region = json!({ "startLine": l.line.max(1) });
    if let Some(c) = l.column.filter(|c| *c > 0) {
        region["startColumn"] = json!(c);
    }
    json!({ "artifactLocation": artifact_location(&l.file), "region": region })
}

fn rule(kind: FindingKind) -> Value {
    let security = !matches!(kind, FindingKind::MissingInRust | FindingKind::PointerConstness);
    let mut tags = vec!["ffi", "correctness"];
    if security {
        tags.push("security");
    }
    let level = match kind {
        FindingKind::MissingInRust => "note",
        FindingKind::PointerConstness => "warning",
        _ => "error",
    };
    json!({
        "id": kind.name(),
        "name": kind.name(),
        "shortDescription": { "text": kind.name() },
        "fullDescription": { "text": kind.description() },
        "defaultConfiguration": { "level": level },
        "properties": { "security-severity": kind.security_severity(), "tags": tags }
    })
}

/// A result's own security-severity: the rule's for errors, capped for milder findings.
fn result_security(f: &AuditFinding) -> String {
    let base: f64 = f.kind.security_severity().parse().unwrap_or(0.0);
    let v = match f.severity {
        Severity::Error => base,
        Severity::Warning => base.min(4.0),
        Severity::Note => 0.0,
    };
    format!("{v:.1}")
}

fn result(f: &AuditFinding) -> Value {
    let index = FindingKind::ALL.iter().position(|k| *k == f.kind).unwrap_or(0);
    let mut r = json!({
        "ruleId": f.kind.name(),
        "ruleIndex": index,
        "level": f.severity.name(),
        "message": { "text": format!("{}: {}", f.item, f.detail) },
        "partialFingerprints": { FINGERPRINT_KEY: f.fingerprint() },
        "properties": { "security-severity": result_security(f), "seam.item": f.item }
    });
    if let Some(s) = &f.subject {
        r["properties"]["seam.subject"] = json!(s);
    }
    let c_decl = |c: &Location, id: u32| json!({ "id": id, "message": { "text": "the C declaration" }, "physicalLocation": physical(c) });
    match (&f.rust_location, &f.c_location) {
        (Some(rust), c) => {
            r["locations"] = json!([{ "physicalLocation": physical(rust) }]);
            if let Some(c) = c {
                r["relatedLocations"] = json!([c_decl(c, 1)]);
            }
        }
        (None, Some(c)) => r["locations"] = json!([c_decl(c, 0)]),
        (None, None) => {}
    }
    r
}

/// Renders the report as one SARIF log with one run.
pub fn render(report: &AuditReport) -> Value {
    json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "seam-audit",
                "fullName": "seam audit: Rust FFI declarations against the C header",
                "informationUri": "https://crates.io/crates/seam",
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": FindingKind::ALL.iter().map(|k| rule(*k)).collect::<Vec<_>>()
            }},
            "columnKind": "unicodeCodePoints",
            "originalUriBaseIds": { "%SRCROOT%": { "description": { "text": "the directory seam audit ran in" } } },
            "results": report.findings.iter().map(result).collect::<Vec<_>>()
        }]
    })
}
