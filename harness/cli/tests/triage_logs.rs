//! Triage over saved logs (no replay): the seeded library's captured reports give one bug each
//! with the right type, side and boundary function, and the SARIF output validates against the
//! official SARIF 2.1.0 schema.

mod common;

use std::path::{Path, PathBuf};

use seam::triage::attribute::Side;
use seam::triage::report::TriageReport;
use seam::triage::run::{run, Input};

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/seeded")
}

fn triage_logs() -> (tempfile::TempDir, Vec<TriageReport>) {
    let out = tempfile::tempdir().unwrap();
    let reports = run(&Input::Logs(data()), out.path()).unwrap();
    (out, reports)
}

#[test]
fn each_captured_seeded_report_is_one_attributed_bug() {
    let (_out, reports) = triage_logs();
    let expect: &[(&str, &str, Side, &str)] = &[
        ("parse", "Heap-buffer-overflow WRITE", Side::C, "seeded_parse"),
        ("handoff", "Heap-use-after-free READ 1", Side::C, "seeded_peek"),
        ("adopt", "Double-free", Side::C, "seeded_buf_free"),
        ("name", "Leak", Side::C, "seeded_set_name"),
        ("header", "Stack-buffer-overflow WRITE 8", Side::C, "seeded_header_get"),
        ("scale", "Integer-overflow", Side::C, "seeded_scale"),
        ("describe", "Panic", Side::Rust, "seeded_describe"),
        ("msan", "Use-of-uninitialized-value", Side::C, "seeded_checksum"),
        ("reserve-replay", "Out-of-memory", Side::C, "seeded_reserve"),
        ("rehash-replay", "Timeout", Side::C, "seeded_rehash"),
    ];
    for (target, ty, side, func) in expect {
        let r = reports.iter().find(|r| r.target == *target).unwrap_or_else(|| panic!("no report for {target}"));
        assert_eq!(r.bugs.len(), 1, "{target}: {:#?}", r.bugs);
        let b = &r.bugs[0];
        assert!(b.crash_type.starts_with(ty), "{target}: type {} (want {ty})", b.crash_type);
        assert_eq!(b.attribution.side, *side, "{target}: {:?}", b.attribution);
        assert_eq!(b.attribution.function.as_deref(), Some(*func), "{target}: {:?}", b.attribution);
    }
    let mut keys: Vec<&str> = reports.iter().filter(|r| !r.target.ends_with("replay")).flat_map(|r| r.bugs.iter().map(|b| b.key.as_str())).collect();
    let n = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), n, "two different bugs share a dedup key");
}

#[test]
fn the_sarif_report_validates_against_the_official_schema() {
    let (out, reports) = triage_logs();
    for r in &reports {
        let path = out.path().join(&r.target).join("report.sarif");
        let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let problems = common::sarif::problems(&sarif);
        assert!(problems.is_empty(), "{}: {problems:#?}", path.display());
        let results = sarif["runs"][0]["results"].as_array().unwrap();
        assert_eq!(results.len(), r.bugs.len());
        for res in results {
            assert!(res["partialFingerprints"]["seamDedupKey/v1"].is_string());
            let rule = &sarif["runs"][0]["tool"]["driver"]["rules"][res["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], res["ruleId"]);
            assert!(rule["properties"]["security-severity"].as_str().unwrap().parse::<f64>().is_ok());
        }
    }
}

#[test]
fn reports_are_written_as_json_markdown_and_sarif() {
    let (out, reports) = triage_logs();
    let r = reports.iter().find(|r| r.target == "handoff").unwrap();
    let dir = out.path().join("handoff");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "seam-triage/1");
    assert_eq!(json["bugs"][0]["attribution"]["function"], "seeded_peek");
    assert_eq!(json["bugs"].as_array().unwrap().len(), r.bugs.len());
    let md = std::fs::read_to_string(dir.join("report.md")).unwrap();
    assert!(md.contains("| bug | target | type |") && md.contains("`seeded_peek(s=#1)` (in progress)"), "{md}");
}

#[test]
fn a_log_without_a_report_is_listed_not_dropped() {
    let logs = tempfile::tempdir().unwrap();
    std::fs::write(logs.path().join("quiet.log"), "INFO: Running with entropic power schedule\nDone 100 runs in 0 second(s)\n").unwrap();
    std::fs::write(logs.path().join("cut.log"), "==1==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020").unwrap();
    let out = tempfile::tempdir().unwrap();
    let reports = run(&Input::Logs(logs.path().to_path_buf()), out.path()).unwrap();
    let quiet = reports.iter().find(|r| r.target == "quiet").unwrap();
    assert!(quiet.bugs.is_empty());
    assert_eq!(quiet.problems.len(), 1, "{:?}", quiet.problems);
    let cut = reports.iter().find(|r| r.target == "cut").unwrap();
    assert_eq!(cut.crashes, 1);
    assert_eq!(cut.bugs.len() + cut.problems.len(), 1);
}
