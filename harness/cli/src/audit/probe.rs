//! The C side's struct layouts, as the C compiler sees them: a generated C file includes the
//! header and prints `sizeof`, `_Alignof` and each field's `offsetof` (and size and alignment);
//! clang compiles it with the audit's `-I`/`-D` flags and it runs once.
//!
//! A record is first spelled `struct NAME` (`union NAME`); if clang rejects that line, it is
//! spelled `NAME` (a typedef of an anonymous struct) on the next attempt; a record that fails
//! both ways is reported as not probed, with clang's diagnostic.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context};

use super::decls::RecordKind;

/// One field to probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeField {
    /// Its C name.
    pub name: String,
    /// A flexible array member: it has an offset but no `sizeof`.
    pub flexible: bool,
}

/// One record to probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeRequest {
    /// Its name in bindgen's output: the tag, or the typedef of an anonymous record.
    pub name: String,
    /// Struct or union.
    pub kind: RecordKind,
    /// The fields to locate.
    pub fields: Vec<ProbeField>,
}

/// Where a field sits in C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CField {
    /// `offsetof`.
    pub offset: u64,
    /// `sizeof` of the member (0 for a flexible array member).
    pub size: u64,
    /// `__alignof__` of the member (0 for a flexible array member).
    pub align: u64,
}

/// A record's C layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CRecord {
    /// `sizeof`.
    pub size: u64,
    /// `_Alignof`.
    pub align: u64,
    /// Fields by C name.
    pub fields: HashMap<String, CField>,
}

/// What the probe found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeOutcome {
    /// Layouts by record name.
    pub records: HashMap<String, CRecord>,
    /// Records clang would not take, with its first diagnostic.
    pub failed: Vec<(String, String)>,
}

/// The compiler invocation shared by every attempt.
pub struct Probe<'a> {
    /// clang.
    pub clang: &'a Path,
    /// The header, by absolute path.
    pub header: &'a Path,
    /// `-I`/`-D` flags.
    pub args: &'a [String],
}

impl Probe<'_> {
    /// Compiles and runs the probe for `requests`.
    pub fn run(&self, requests: &[ProbeRequest]) -> anyhow::Result<ProbeOutcome> {
        let mut outcome = ProbeOutcome::default();
        if requests.is_empty() {
            return Ok(outcome);
        }
        let dir = tempfile::tempdir().context("creating a directory for the C layout probe")?;
        let source = dir.path().join("seam_layout_probe.c");
        let exe = dir.path().join("seam_layout_probe");
        // Index of the spelling each request is tried with; `None` once it has failed both.
        let mut spelling: Vec<Option<usize>> = vec![Some(0); requests.len()];
        for _ in 0..=SPELLINGS {
            let (text, owner) = self.source(requests, &spelling);
            std::fs::write(&source, text).with_context(|| format!("writing {}", source.display()))?;
            let out = Command::new(self.clang)
                .args(["-std=gnu11", "-w", "-ferror-limit=0", "-o"])
                .arg(&exe)
                .arg(&source)
                .args(self.args)
                .output()
                .with_context(|| format!("running {}", self.clang.display()))?;
            if out.status.success() {
                return self.collect(&exe, requests, outcome);
            }
            let stderr = String::from_utf8_lossy(&out.stderr);
            let errors = diagnostics(&stderr, &source);
            if errors.is_empty() || errors.iter().any(|(line, _)| owner.get(*line).copied().flatten().is_none()) {
                let first = stderr.lines().find(|l| l.contains("error")).unwrap_or("no diagnostic");
                bail!("the C layout probe for {} does not compile: {first}", self.header.display());
            }
            let mut failing: Vec<(usize, String)> = Vec::new();
            for (line, msg) in errors {
                if let Some(i) = owner.get(line).copied().flatten() {
                    if !failing.iter().any(|(j, _)| *j == i) {
                        failing.push((i, msg));
                    }
                }
            }
            for (i, msg) in failing {
                match spelling[i] {
                    Some(s) if s + 1 < SPELLINGS => spelling[i] = Some(s + 1),
                    Some(_) => {
                        spelling[i] = None;
                        outcome.failed.push((requests[i].name.clone(), msg));
                    }
                    None => {}
                }
            }
            if spelling.iter().all(Option::is_none) {
                return Ok(outcome);
            }
        }
        bail!("the C layout probe for {} did not settle", self.header.display())
    }

    /// The probe's C text, and for each (0-based) line the request it belongs to.
    fn source(&self, requests: &[ProbeRequest], spelling: &[Option<usize>]) -> (String, Vec<Option<usize>>) {
        let mut text = String::new();
        let mut owner = Vec::new();
        let mut line = |text: &mut String, s: &str, who: Option<usize>| {
            text.push_str(s);
            text.push('\n');
            owner.push(who);
        };
        line(&mut text, "#include <stddef.h>", None);
        line(&mut text, "#include <stdio.h>", None);
        line(&mut text, &format!("#include \"{}\"", c_string(&self.header.display().to_string())), None);
        line(&mut text, "int main(void) {", None);
        for (i, r) in requests.iter().enumerate() {
            let Some(s) = spelling[i] else { continue };
            let ty = match (s, r.kind) {
                (0, kind) => format!("{} {}", kind.keyword(), r.name),
                _ => r.name.clone(),
            };
            let mut stmt = String::new();
            let _ = write!(stmt, "  printf(\"R\\t%d\\t%zu\\t%zu\\n\", {i}, sizeof({ty}), (size_t)_Alignof({ty}));");
            line(&mut text, &stmt, Some(i));
            for (j, f) in r.fields.iter().enumerate() {
                let member = format!("(({ty} *)0)->{}", f.name);
                let (size, align) = if f.flexible {
                    ("(size_t)0".to_string(), "(size_t)0".to_string())
                } else {
                    (format!("sizeof({member})"), format!("(size_t)__alignof__({member})"))
                };
                let stmt = format!(
                    "  printf(\"F\\t%d\\t%d\\t%zu\\t%zu\\t%zu\\n\", {i}, {j}, offsetof({ty}, {}), {size}, {align});",
                    f.name
                );
                line(&mut text, &stmt, Some(i));
            }
        }
        line(&mut text, "  return 0;", None);
        line(&mut text, "}", None);
        (text, owner)
    }

    /// Runs the compiled probe and reads its output.
    fn collect(&self, exe: &Path, requests: &[ProbeRequest], mut outcome: ProbeOutcome) -> anyhow::Result<ProbeOutcome> {
        let out = Command::new(exe).output().with_context(|| format!("running {}", exe.display()))?;
        if !out.status.success() {
            bail!("the C layout probe for {} failed: {}", self.header.display(), out.status);
        }
        for l in String::from_utf8_lossy(&out.stdout).lines() {
            let cols: Vec<&str> = l.split('\t').collect();
            let num = |k: usize| cols.get(k).and_then(|s| s.parse::<u64>().ok());
            let req = |k: usize| num(k).and_then(|i| requests.get(usize::try_from(i).ok()?));
            match cols.first() {
                Some(&"R") => {
                    if let (Some(r), Some(size), Some(align)) = (req(1), num(2), num(3)) {
                        outcome.records.insert(r.name.clone(), CRecord { size, align, fields: HashMap::new() });
                    }
                }
                Some(&"F") => {
                    let field = req(1).and_then(|r| Some((r, r.fields.get(usize::try_from(num(2)?).ok()?)?)));
                    if let (Some((r, f)), Some(offset), Some(size), Some(align)) = (field, num(3), num(4), num(5)) {
                        if let Some(rec) = outcome.records.get_mut(&r.name) {
                            rec.fields.insert(f.name.clone(), CField { offset, size, align });
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(outcome)
    }
}

/// How many spellings a record is tried with: `struct NAME`, then `NAME`.
const SPELLINGS: usize = 2;

/// The probe's error diagnostics: (0-based line, message).
fn diagnostics(stderr: &str, source: &Path) -> Vec<(usize, String)> {
    let prefix = format!("{}:", source.display());
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix(&prefix)?;
            let mut parts = rest.splitn(3, ':');
            let line: usize = parts.next()?.parse().ok()?;
            let _column = parts.next()?;
            let msg = parts.next()?.trim();
            if !msg.starts_with("error") {
                return None;
            }
            Some((line.checked_sub(1)?, l.to_string()))
        })
        .collect()
}

/// Escapes a path for a C string literal.
fn c_string(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}
