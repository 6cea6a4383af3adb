//! Grouping crashes into distinct bugs (by dedup key) and bugs into clusters.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::attribute::Attribution;
use crate::classify::Severity;
use crate::crash::Crash;
use crate::dedup;
use crate::frames::is_noise;
use crate::model::Frame;

/// Frames kept per bug.
pub const STACK_FRAMES: usize = 24;

/// One distinct bug: every crash with the same dedup key.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Bug {
    /// Short id within the report (`B1`, `B2`, ... by first appearance).
    pub id: String,
    /// Fuzz target.
    pub target: String,
    /// Dedup key.
    pub key: String,
    /// Stable fingerprint of the key.
    pub fingerprint: String,
    /// Cluster id (`C1`, ...): bugs of one type family at one boundary function.
    pub cluster: String,
    /// Crash type of the first crash.
    pub crash_type: String,
    /// Severity class.
    pub severity: Severity,
    /// CASR-style short type.
    pub severity_type: String,
    /// Security relevance.
    pub security: bool,
    /// Boundary call and fault side (of the representative crash).
    pub attribution: Attribution,
    /// Top frames.
    pub state: Vec<String>,
    /// The representative crash's stack (at most [`STACK_FRAMES`] frames, runtime noise kept
    /// out).
    pub stack: Vec<Frame>,
    /// The sanitizer's summary or the panic message.
    pub summary: Option<String>,
    /// Number of crashes that are this bug.
    pub hits: usize,
    /// The crashing inputs, shortest first.
    pub inputs: Vec<PathBuf>,
    /// The representative input (the shortest), after minimisation when it ran.
    pub reproducer: Option<PathBuf>,
    /// A regression test written for this bug.
    pub regression_test: Option<PathBuf>,
}

/// Groups analysed crashes into bugs; crashes with a `problem` and no report are left out
/// (the caller lists them separately, they are never dropped silently).
pub fn group(crashes: &[Crash]) -> Vec<Bug> {
    let mut order: Vec<String> = Vec::new();
    let mut by_key: BTreeMap<String, Vec<&Crash>> = BTreeMap::new();
    for c in crashes.iter().filter(|c| c.report.is_some()) {
        let k = format!("{}|{}", c.target, c.key);
        if !by_key.contains_key(&k) {
            order.push(k.clone());
        }
        by_key.entry(k).or_default().push(c);
    }
    let mut clusters: Vec<String> = Vec::new();
    let mut bugs = Vec::new();
    for (i, k) in order.iter().enumerate() {
        let group = &by_key[k];
        let mut inputs: Vec<PathBuf> = group.iter().filter_map(|c| c.input.clone()).collect();
        inputs.sort_by_key(|p| (std::fs::metadata(p).map(|m| m.len()).unwrap_or(u64::MAX), p.clone()));
        let rep = group
            .iter()
            .find(|c| c.input.as_ref() == inputs.first())
            .copied()
            .unwrap_or(group[0]);
        let ck = format!("{}|{}", rep.target, dedup::cluster_key(&rep.crash_type, rep.attribution.function.as_deref()));
        let cluster = match clusters.iter().position(|c| *c == ck) {
            Some(p) => p,
            None => {
                clusters.push(ck);
                clusters.len() - 1
            }
        };
        let stack = rep
            .report
            .as_ref()
            .map(|r| if r.leaks.is_empty() { &r.stack } else { &r.leaks[0].stack })
            .map(|s| s.iter().filter(|f| !is_noise(f)).take(STACK_FRAMES).cloned().collect())
            .unwrap_or_default();
        let summary = rep.report.as_ref().and_then(|r| r.message.clone().or_else(|| r.summary.clone()));
        bugs.push(Bug {
            id: format!("B{}", i + 1),
            target: rep.target.clone(),
            key: rep.key.clone(),
            fingerprint: dedup::fingerprint(&rep.key),
            cluster: format!("C{}", cluster + 1),
            crash_type: rep.crash_type.clone(),
            severity: rep.severity,
            severity_type: rep.severity_type.clone(),
            security: rep.security,
            attribution: rep.attribution.clone(),
            state: rep.state.clone(),
            stack,
            summary,
            hits: group.len(),
            reproducer: inputs.first().cloned(),
            inputs,
            regression_test: None,
        });
    }
    bugs
}
