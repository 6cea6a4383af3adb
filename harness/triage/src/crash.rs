//! One crash: a log (captured at fuzz time or by replaying an artifact) analysed into a report,
//! its boundary call, its type and severity, and its dedup key.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::attribute::{attribute, Attribution};
use crate::boundary::{self, Boundary};
use crate::classify::{crash_state, crash_type, is_security, severity, severity_type, Severity};
use crate::dedup;
use crate::model::Report;
use crate::parse::parse;

/// One analysed crash.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Crash {
    /// Fuzz target.
    pub target: String,
    /// The crashing input, when known.
    pub input: Option<PathBuf>,
    /// The log the analysis read, when it was kept on disk.
    pub log: Option<PathBuf>,
    /// The parsed report; `None` when the log held none (see `problem`).
    pub report: Option<Report>,
    /// The boundary calls at death.
    pub boundary: Option<Boundary>,
    /// The boundary call and fault side.
    pub attribution: Attribution,
    /// Crash type, ClusterFuzz style (`Heap-buffer-overflow WRITE 4`).
    pub crash_type: String,
    /// Severity class, CASR style.
    pub severity: Severity,
    /// CASR-style short type (`DestAv`, `SourceAv`, ...).
    pub severity_type: String,
    /// Security relevance, ClusterFuzz style.
    pub security: bool,
    /// Top frames after runtime noise is dropped.
    pub state: Vec<String>,
    /// Dedup key.
    pub key: String,
    /// Why this crash could not be analysed fully (no report, replay failed, ...).
    pub problem: Option<String>,
}

impl Crash {
    /// Analyses one log.
    pub fn analyze(target: &str, input: Option<PathBuf>, log_path: Option<PathBuf>, log: &str) -> Crash {
        let report = parse(log);
        let boundary = boundary::parse(log);
        let attribution = match &report {
            Some(r) => attribute(r, boundary.as_ref()),
            None => attribute(&Report::new(crate::model::Tool::Other, "unknown"), boundary.as_ref()),
        };
        let (crash_type, severity, severity_type, security, state) = match &report {
            Some(r) => (crash_type(r), severity(r), severity_type(r).to_string(), is_security(r), crash_state(r, Some(target))),
            None => ("Unreproducible".to_string(), Severity::NotExploitable, "NotExploitable".to_string(), false, Vec::new()),
        };
        let key = dedup::key(&crash_type, attribution.function.as_deref(), &state);
        let problem = report.is_none().then(|| "no crash report found in the log".to_string());
        Crash {
            target: target.to_string(),
            input,
            log: log_path,
            report,
            boundary,
            attribution,
            crash_type,
            severity,
            severity_type,
            security,
            state,
            key,
            problem,
        }
    }
}
