//! Comparing the two sides: functions by symbol name (arity, parameter and return types), then
//! the `#[repr(C)]` structs the header also defines (size, alignment, fields).

use std::path::Path;

use super::decls::{c_name, Decls, FnDecl, Pos, RecordDecl};
use super::finding::{AuditFinding, FindingKind, Location, Severity};
use super::layout::{Layout, RecordLayout, RustLayouts};
use super::locate::CSource;
use super::probe::{CRecord, ProbeField, ProbeOutcome, ProbeRequest};
use super::types::{c_declaration, c_spelling, relate, rust_spelling, CType, Relation, Resolver};

/// Both sides, ready to compare.
pub struct Sides<'a> {
    /// The Rust file's declarations.
    pub rust: &'a Decls,
    /// The Rust file, as named on the command line.
    pub rust_file: &'a Path,
    /// Normalises Rust types (canonicalising record names through the C side).
    pub rust_types: &'a Resolver<'a>,
    /// The header's declarations (bindgen's rendering).
    pub c: &'a Decls,
    /// Normalises C types.
    pub c_types: &'a Resolver<'a>,
    /// The header's text, for locations.
    pub c_src: &'a CSource,
    /// The header, as named on the command line.
    pub header: &'a Path,
}

/// What a type disagreement is about.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Param,
    Return,
    Field,
}

impl Sides<'_> {
    fn rust_loc(&self, pos: Pos) -> Option<Location> {
        Some(Location::new(self.rust_file, pos.line, Some(pos.column)))
    }

    /// Compares every Rust extern function with the header's, and lists the header's functions
    /// that Rust does not bind. Returns the findings and how many functions were compared.
    pub fn functions(&self) -> (Vec<AuditFinding>, usize) {
        let mut out = Vec::new();
        let mut compared = 0;
        for f in &self.rust.functions {
            let c_loc = self.c_src.function(&f.name);
            match self.c.functions.iter().find(|c| c.name == f.name) {
                None => out.push(
                    AuditFinding::new(
                        FindingKind::MissingInC,
                        Severity::Error,
                        &f.name,
                        None,
                        format!(
                            "`{}` is declared in a Rust extern block, but {} does not declare it: the symbol may not exist or may have another name",
                            f.name,
                            self.header.display()
                        ),
                    )
                    .at(self.rust_loc(f.pos), None),
                ),
                Some(c) => {
                    compared += 1;
                    out.extend(self.function(f, c, c_loc));
                }
            }
        }
        for c in &self.c.functions {
            if self.rust.functions.iter().any(|f| f.name == c.name) {
                continue;
            }
            // Only the audited header's own API: bindgen also renders what it includes.
            if let Some(loc) = self.c_src.function(&c.name) {
                out.push(
                    AuditFinding::new(
                        FindingKind::MissingInRust,
                        Severity::Note,
                        &c.name,
                        None,
                        format!("{} declares `{}`; the Rust file does not bind it", self.header.display(), c_signature(c)),
                    )
                    .at(None, Some(loc)),
                );
            }
        }
        (out, compared)
    }

    fn function(&self, f: &FnDecl, c: &FnDecl, c_loc: Option<Location>) -> Vec<AuditFinding> {
        let mut out = Vec::new();
        let finding = |kind, severity, subject: Option<String>, detail: String, pos: Pos| {
            AuditFinding::new(kind, severity, &f.name, subject, detail).at(self.rust_loc(pos), c_loc.clone())
        };
        if f.params.len() != c.params.len() || f.variadic != c.variadic {
            let count = |n: usize, variadic: bool| {
                format!("{n} parameter{}{}", if n == 1 { "" } else { "s" }, if variadic { " and `...`" } else { "" })
            };
            out.push(finding(
                FindingKind::Arity,
                Severity::Error,
                None,
                format!(
                    "C takes {} (`{}`), Rust declares {}",
                    count(c.params.len(), c.variadic),
                    c_signature(c),
                    count(f.params.len(), f.variadic)
                ),
                f.pos,
            ));
        } else {
            for (i, (rp, cp)) in f.params.iter().zip(&c.params).enumerate() {
                let (r, ct) = (self.rust_types.normalise(&rp.ty), self.c_types.normalise(&cp.ty));
                if let Some((kind, severity, why)) = judge(&relate(&r, &ct), Place::Param, FindingKind::ParamType) {
                    let what = format!("parameter {} `{}`", i + 1, rp.name);
                    let detail = describe(&what, &c_spelling(&cp.ty), &ct, &rust_spelling(&rp.ty), &r, &why);
                    out.push(finding(kind, severity, Some(format!("param {} {}", i + 1, rp.name)), detail, rp.pos));
                }
            }
        }
        let (r, ct) = (self.rust_types.normalise_ret(f.ret.as_ref()), self.c_types.normalise_ret(c.ret.as_ref()));
        if let Some((kind, severity, why)) = judge(&relate(&r, &ct), Place::Return, FindingKind::ReturnType) {
            let c_ret = c.ret.as_ref().map_or_else(|| "void".to_string(), c_spelling);
            let r_ret = f.ret.as_ref().map_or_else(|| "()".to_string(), rust_spelling);
            out.push(finding(kind, severity, Some("return".into()), describe("the return type", &c_ret, &ct, &r_ret, &r, &why), f.pos));
        }
        out
    }

    /// The pairs of Rust `#[repr(C)]` records and C records of the same (canonical) name that
    /// both define, and findings for those that cannot be compared (C without a definition, a
    /// Rust struct without `#[repr(C)]`).
    pub fn record_pairs(&self) -> (Vec<(&RecordDecl, &RecordDecl)>, Vec<AuditFinding>) {
        let mut pairs = Vec::new();
        let mut notes = Vec::new();
        for r in self.rust.records.iter().filter(|r| !self.is_marker_only(r)) {
            let name = self.rust_types.canonical(&r.name);
            let Some(c) = self.c.record(&name) else { continue };
            let complete = !c.fields.iter().all(|f| f.name == "_unused");
            if !r.repr.c {
                if complete && !r.repr.transparent {
                    notes.push(
                        AuditFinding::new(
                            FindingKind::StructSize,
                            Severity::Warning,
                            &r.name,
                            None,
                            format!(
                                "{} defines `{} {name}`, but the Rust struct is not #[repr(C)]: Rust may reorder and pad its fields",
                                self.header.display(),
                                c.kind.keyword()
                            ),
                        )
                        .at(self.rust_loc(r.pos), self.c_src.record(&name)),
                    );
                }
                continue;
            }
            if !complete {
                notes.push(
                    AuditFinding::new(
                        FindingKind::StructSize,
                        Severity::Note,
                        &r.name,
                        None,
                        format!("{} declares `{} {name}` without a definition, so its layout cannot be checked; Rust gives it fields", self.header.display(), c.kind.keyword()),
                    )
                    .at(self.rust_loc(r.pos), self.c_src.record(&name)),
                );
                continue;
            }
            pairs.push((r, c));
        }
        (pairs, notes)
    }

    /// Whether a Rust record has only zero-sized fields (an opaque handle like
    /// `struct store { _private: [u8; 0] }`).
    fn is_marker_only(&self, r: &RecordDecl) -> bool {
        r.fields.iter().all(|f| matches!(self.rust_types.normalise(&f.ty), CType::Array { len: 0, .. }))
    }

    /// Compares the layouts of the record pairs with the probe's results. Returns the findings
    /// and how many records were compared.
    pub fn records(&self, pairs: &[(&RecordDecl, &RecordDecl)], probed: &ProbeOutcome) -> (Vec<AuditFinding>, usize) {
        let layouts = RustLayouts::new(self.rust, self.rust_types);
        let mut out = Vec::new();
        let mut compared = 0;
        for (r, c) in pairs {
            let note = |detail: String| {
                AuditFinding::new(FindingKind::StructSize, Severity::Note, &r.name, None, detail)
                    .at(self.rust_loc(r.pos), self.c_src.record(&c.name))
            };
            let Some(cl) = probed.records.get(&c.name) else {
                let why = probed.failed.iter().find(|(n, _)| *n == c.name).map_or("no output", |(_, m)| m.as_str());
                out.push(note(format!("the C layout of `{}` could not be probed: {why}", c.name)));
                continue;
            };
            let fallback = |name: &str| cl.fields.get(c_name(name)).filter(|f| f.size > 0).map(|f| Layout { size: f.size, align: f.align });
            let rl = match layouts.record(r, &fallback) {
                Ok(l) => l,
                Err(why) => {
                    out.push(note(format!("the Rust layout of `{}` cannot be computed: {why}", r.name)));
                    continue;
                }
            };
            compared += 1;
            out.extend(self.record(r, c, cl, &rl));
        }
        (out, compared)
    }

    fn record(&self, r: &RecordDecl, c: &RecordDecl, cl: &CRecord, rl: &RecordLayout) -> Vec<AuditFinding> {
        let mut out = Vec::new();
        let c_loc = self.c_src.record(&c.name);
        let what = format!("{} {}", c.kind.keyword(), c.name);
        let at = |f: AuditFinding, pos: Pos, c_loc: Option<Location>| f.at(self.rust_loc(pos), c_loc);
        let sizes_differ = rl.layout.size != cl.size;
        if sizes_differ || r.kind != c.kind {
            let detail = if r.kind != c.kind {
                format!("C declares a {}, Rust a {}", c.kind.keyword(), r.kind.keyword())
            } else {
                format!("C's `{what}` is {} bytes, the Rust struct {} bytes", cl.size, rl.layout.size)
            };
            out.push(at(AuditFinding::new(FindingKind::StructSize, Severity::Error, &r.name, None, detail), r.pos, c_loc.clone()));
        }
        if rl.layout.align != cl.align {
            let detail = format!("C's `{what}` is aligned to {} bytes, the Rust struct to {}", cl.align, rl.layout.align);
            out.push(at(AuditFinding::new(FindingKind::StructAlign, Severity::Error, &r.name, None, detail), r.pos, c_loc.clone()));
        }
        let missing_severity = if sizes_differ { Severity::Error } else { Severity::Warning };
        let has_special = c.fields.iter().any(|f| special(&f.name));
        let mut matched = vec![false; r.fields.len()];
        for cf in c.fields.iter().filter(|f| !special(&f.name)) {
            let name = c_name(&cf.name);
            let field_loc = self.c_src.field(&c.name, name).or_else(|| c_loc.clone());
            let subject = Some(format!("field {name}"));
            let probed = cl.fields.get(name);
            let Some(i) = r.fields.iter().position(|f| c_name(&f.name) == name) else {
                let off = probed.map_or(String::new(), |p| format!(" at offset {}", p.offset));
                let tail = match probed {
                    Some(p) if p.offset >= rl.layout.size => format!("the Rust struct ends at {}", rl.layout.size),
                    _ => "the Rust struct has no field of that name".to_string(),
                };
                let detail = format!("C declares `{}`{off}; {tail}", c_declaration(&cf.ty, name));
                out.push(at(AuditFinding::new(FindingKind::FieldMissing, missing_severity, &r.name, subject, detail), r.pos, field_loc));
                continue;
            };
            matched[i] = true;
            let (rf, fl) = (&r.fields[i], &rl.fields[i]);
            let finding = |kind, severity, detail| at(AuditFinding::new(kind, severity, &r.name, subject.clone(), detail), rf.pos, field_loc.clone());
            if let Some(p) = probed.filter(|p| p.offset != fl.offset) {
                out.push(finding(
                    FindingKind::FieldOffset,
                    Severity::Error,
                    format!("`{name}` is at offset {} in C and at offset {} in Rust", p.offset, fl.offset),
                ));
            }
            let (rt, ct) = (self.rust_types.normalise(&rf.ty), self.c_types.normalise(&cf.ty));
            let rel = relate(&rt, &ct);
            let size_differs = probed.is_some_and(|p| p.size > 0 && p.size != fl.layout.size) && fl.assumed.is_none();
            let what = format!("field `{name}`");
            match judge(&rel, Place::Field, FindingKind::FieldType) {
                Some((kind, severity, why)) => {
                    let severity = if size_differs { Severity::Error } else { severity };
                    out.push(finding(kind, severity, describe(&what, &c_spelling(&cf.ty), &ct, &rust_spelling(&rf.ty), &rt, &why)));
                }
                None if size_differs => out.push(finding(
                    FindingKind::FieldType,
                    Severity::Error,
                    format!("{what} is {} bytes in C and {} in Rust", probed.map_or(0, |p| p.size), fl.layout.size),
                )),
                None => {}
            }
            if let Some(why) = &fl.assumed {
                if !matches!(rel, Relation::Unknown(_)) {
                    out.push(finding(FindingKind::FieldType, Severity::Note, format!("{what}: {why}; the C field's layout was assumed")));
                }
            }
        }
        for (i, rf) in r.fields.iter().enumerate().filter(|(i, _)| !matched[*i]) {
            let fl = &rl.fields[i];
            if special(&rf.name) || (fl.layout.size == 0 && rf.name.starts_with('_')) {
                continue;
            }
            let (severity, tail) = if has_special {
                (Severity::Note, "; it may stand for one of C's bitfields or anonymous members, which are not compared field by field")
            } else {
                (missing_severity, "")
            };
            let detail = format!(
                "Rust declares `{}: {}` at offset {}; C's `{what}` has no such field{tail}",
                rf.name,
                rust_spelling(&rf.ty),
                fl.offset
            );
            out.push(at(AuditFinding::new(FindingKind::FieldMissing, severity, &r.name, Some(format!("field {}", rf.name)), detail), rf.pos, c_loc.clone()));
        }
        out
    }
}

/// Builds the probe's requests for the C side of `pairs`.
pub fn probe_requests(pairs: &[(&RecordDecl, &RecordDecl)]) -> Vec<ProbeRequest> {
    let mut out: Vec<ProbeRequest> = Vec::new();
    for (_, c) in pairs {
        if out.iter().any(|r| r.name == c.name) {
            continue;
        }
        let fields = c
            .fields
            .iter()
            .filter(|f| !special(&f.name))
            .map(|f| ProbeField { name: c_name(&f.name).to_string(), flexible: rust_spelling(&f.ty).contains("__IncompleteArrayField") })
            .collect();
        out.push(ProbeRequest { name: c.name.clone(), kind: c.kind, fields });
    }
    out
}

/// Fields bindgen invents for bitfields, padding and anonymous members: no C name to probe.
fn special(name: &str) -> bool {
    name.starts_with("_bitfield_") || name.starts_with("__bindgen_")
}

/// The finding a type relation calls for, if any: (kind, severity, explanation).
fn judge(rel: &Relation, place: Place, type_kind: FindingKind) -> Option<(FindingKind, Severity, String)> {
    let constness = FindingKind::PointerConstness;
    Some(match (rel, place) {
        (Relation::Same, _) => return None,
        (Relation::RustMutCConst, Place::Return) => (
            constness,
            Severity::Warning,
            "C returns a pointer to const data and Rust declares it `*mut`: writing through it modifies memory C treats as read-only".into(),
        ),
        (Relation::RustMutCConst, Place::Param) => {
            (constness, Severity::Note, "C takes it `const`; Rust's `*mut` promises less, which is harmless".into())
        }
        (Relation::RustMutCConst, Place::Field) => (
            constness,
            Severity::Note,
            "C declares the pointee `const`; writing through the Rust `*mut` changes data C treats as read-only".into(),
        ),
        (Relation::RustConstCMut, Place::Param) => (
            constness,
            Severity::Warning,
            "C may write through this pointer while Rust declares `*const`: data Rust considers immutable may change".into(),
        ),
        (Relation::RustConstCMut, _) => (constness, Severity::Note, "Rust treats the pointer as `*const`; C does not promise that".into()),
        (Relation::Compatible(why), _) => (type_kind, Severity::Warning, format!("ABI-compatible, but {why}")),
        (Relation::Unknown(x), _) => (type_kind, Severity::Note, format!("not compared: `{x}` cannot be resolved")),
        (Relation::Different, _) => (type_kind, Severity::Error, String::new()),
    })
}

/// "parameter 3 `len`: C has `size_t` (u64), Rust has `u32`; why".
fn describe(what: &str, c_spelled: &str, c: &CType, rust_spelled: &str, rust: &CType, why: &str) -> String {
    let canon = |spelled: &str, t: &CType| {
        let t = t.to_string();
        if t == spelled || matches!(t.as_str(), "void") {
            String::new()
        } else {
            format!(" ({t})")
        }
    };
    let mut s = format!(
        "{what}: C has `{c_spelled}`{}, Rust has `{rust_spelled}`{}",
        canon(c_spelled, c),
        canon(rust_spelled, rust)
    );
    if !why.is_empty() {
        s.push_str("; ");
        s.push_str(why);
    }
    s
}

/// The C prototype of a function of bindgen's output: `int seeded_write(seeded_store *s, ...)`.
fn c_signature(f: &FnDecl) -> String {
    let ret = f.ret.as_ref().map_or_else(|| "void".to_string(), c_spelling);
    let mut params: Vec<String> = f.params.iter().map(|p| c_declaration(&p.ty, c_name(&p.name))).collect();
    if f.variadic {
        params.push("...".into());
    }
    if params.is_empty() {
        params.push("void".into());
    }
    format!("{ret} {}({})", f.name, params.join(", "))
}
