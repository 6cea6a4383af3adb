//! `seam audit`: the seeded library's layout bug is found (and gone with SEEDED_FIX_LAYOUT)
//! without false function mismatches; synthetic header/Rust pairs give each finding kind; bad
//! inputs give errors naming the file; the SARIF output validates against SARIF 2.1.0.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use seam::audit::finding::{AuditFinding, FindingKind, Severity};
use seam::audit::report::AuditReport;
use seam::audit::{audit, AuditInput};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn seeded(defines: &[&str]) -> AuditInput {
    AuditInput {
        header: root().join("c_targets/seeded/csrc/seeded.h"),
        rust: root().join("c_targets/seeded/src/ffi.rs"),
        defines: defines.iter().map(|d| d.to_string()).collect(),
        ..AuditInput::default()
    }
}

/// Audits a header and a Rust file written into a fresh directory.
fn audit_pair(header: &str, rust: &str) -> AuditReport {
    let dir = tempfile::tempdir().unwrap();
    let input = pair_input(dir.path(), header, rust);
    audit(&input).unwrap_or_else(|e| panic!("audit failed: {e:#}"))
}

fn pair_input(dir: &Path, header: &str, rust: &str) -> AuditInput {
    std::fs::write(dir.join("lib.h"), header).unwrap();
    std::fs::write(dir.join("ffi.rs"), rust).unwrap();
    AuditInput { header: dir.join("lib.h"), rust: dir.join("ffi.rs"), ..AuditInput::default() }
}

fn find<'a>(r: &'a AuditReport, kind: FindingKind, item: &str) -> Vec<&'a AuditFinding> {
    r.findings.iter().filter(|f| f.kind == kind && f.item == item).collect()
}

fn one<'a>(r: &'a AuditReport, kind: FindingKind, item: &str) -> &'a AuditFinding {
    let found = find(r, kind, item);
    assert_eq!(found.len(), 1, "{kind:?} on {item}: {:#?}", r.findings);
    found[0]
}

fn seam(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_seam")).arg("audit").args(args).output().expect("running seam")
}

// ---- (a), (b): the seeded library ----

#[test]
fn seeded_header_layout_mismatch_is_found_without_false_function_findings() {
    let r = audit(&seeded(&[])).unwrap();
    assert_eq!(r.summary.functions_compared, 18, "{:#?}", r.findings);
    assert_eq!(r.summary.structs_compared, 1, "{:#?}", r.findings);
    let size = one(&r, FindingKind::StructSize, "seeded_header");
    assert_eq!(size.severity, Severity::Error);
    assert!(size.detail.contains("24 bytes") && size.detail.contains("16 bytes"), "{}", size.detail);
    assert!(size.rust_location.as_ref().is_some_and(|l| l.file.ends_with("ffi.rs") && l.line == 16), "{size:?}");
    assert!(size.c_location.as_ref().is_some_and(|l| l.file.ends_with("seeded.h") && l.line == 30), "{size:?}");
    let field = one(&r, FindingKind::FieldMissing, "seeded_header");
    assert_eq!(field.severity, Severity::Error);
    assert_eq!(field.detail, "C declares `uint64_t checksum` at offset 16; the Rust struct ends at 16");
    assert_eq!(field.c_location.as_ref().map(|l| l.line), Some(36));
    // Nothing else: every extern fn of ffi.rs matches the header, which declares no others, and
    // the opaque `seeded_store` is not laid out.
    assert_eq!(r.findings.len(), 2, "{:#?}", r.findings);
}

#[test]
fn seeded_with_the_layout_fix_has_no_error_findings() {
    let r = audit(&seeded(&["SEEDED_FIX_LAYOUT"])).unwrap();
    assert!(!r.has_errors(), "{:#?}", r.findings);
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    assert_eq!((r.summary.functions_compared, r.summary.structs_compared), (18, 1));
}

#[test]
fn the_command_exits_1_on_errors_0_when_clean_and_writes_three_reports() {
    let out = tempfile::tempdir().unwrap();
    let (h, rs) = (seeded(&[]).header, seeded(&[]).rust);
    let (h, rs) = (h.to_str().unwrap(), rs.to_str().unwrap());
    let o = out.path().to_str().unwrap();
    let bad = seam(&["--header", h, "--rust", rs, "--out", o]);
    assert_eq!(bad.status.code(), Some(1), "{}", String::from_utf8_lossy(&bad.stderr));
    let stdout = String::from_utf8_lossy(&bad.stdout);
    assert!(stdout.contains("| error | StructSize | `seeded_header` |"), "{stdout}");
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.path().join("audit.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "seam-audit/1");
    assert_eq!(json["summary"]["errors"], 2);
    assert_eq!(json["findings"][0]["kind"], "StructSize");
    assert_eq!(json["findings"][0]["severity"], "error");
    assert!(json["findings"][0]["fingerprint"].as_str().is_some_and(|f| f.len() == 16));
    assert_eq!(std::fs::read_to_string(out.path().join("audit.md")).unwrap(), stdout.split("\nReports:").next().unwrap());
    assert!(out.path().join("audit.sarif").is_file());

    let good = seam(&["--header", h, "--rust", rs, "--out", o, "--define", "SEEDED_FIX_LAYOUT"]);
    assert_eq!(good.status.code(), Some(0), "{}", String::from_utf8_lossy(&good.stderr));
    assert!(String::from_utf8_lossy(&good.stdout).contains("No disagreements found."));
}

// ---- (c): each finding kind on synthetic pairs ----

const FUNCTIONS_H: &str = r#"
#include <stddef.h>
#include <stdint.h>
struct point { int32_t x; int32_t y; };
int width(int64_t v);
unsigned sign(unsigned v);
int arity(int a, int b);
int variadic(const char *fmt, ...);
void fill(uint8_t *buf, size_t n);
void show(const char *s);
const char *name(void);
long ret(void);
int same(struct point *p, size_t n, void (*cb)(int));
void only_c(void);
"#;

const FUNCTIONS_RS: &str = r#"
use std::os::raw::{c_char, c_int, c_uint};
#[repr(C)]
pub struct point { pub x: i32, pub y: i32 }
extern "C" {
    pub fn width(v: i32) -> c_int;
    pub fn sign(v: i32) -> c_uint;
    pub fn arity(a: c_int) -> c_int;
    pub fn variadic(fmt: *const c_char) -> c_int;
    pub fn fill(buf: *const u8, n: usize);
    pub fn show(s: *mut c_char);
    pub fn name() -> *mut c_char;
    pub fn ret() -> i32;
    pub fn same(p: *mut point, n: libc::size_t, cb: Option<unsafe extern "C" fn(c_int)>) -> core::ffi::c_int;
    pub fn only_rust();
}
"#;

#[test]
fn a_narrower_integer_parameter_is_a_param_type_error() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    let f = one(&r, FindingKind::ParamType, "width");
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.subject.as_deref(), Some("param 1 v"));
    assert!(f.detail.contains("`int64_t`") && f.detail.contains("`i32`"), "{}", f.detail);
    assert_eq!(f.rust_location.as_ref().map(|l| l.line), Some(6));
    assert_eq!(f.c_location.as_ref().map(|l| l.line), Some(5));
}

#[test]
fn a_signedness_change_is_a_param_type_error() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    let f = one(&r, FindingKind::ParamType, "sign");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.detail.contains("`unsigned int`") && f.detail.contains("`i32`"), "{}", f.detail);
    assert!(find(&r, FindingKind::ReturnType, "sign").is_empty(), "c_uint is unsigned int");
}

#[test]
fn a_missing_parameter_or_variadic_tail_is_an_arity_error() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    let f = one(&r, FindingKind::Arity, "arity");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.detail.starts_with("C takes 2 parameters") && f.detail.ends_with("Rust declares 1 parameter"), "{}", f.detail);
    let v = one(&r, FindingKind::Arity, "variadic");
    assert!(v.detail.contains("1 parameter and `...`"), "{}", v.detail);
}

#[test]
fn const_against_mut_pointers_are_constness_findings_graded_by_direction() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    // C writes through `buf`, Rust promises it will not be written: a warning.
    let fill = one(&r, FindingKind::PointerConstness, "fill");
    assert_eq!(fill.severity, Severity::Warning);
    assert!(fill.detail.contains("`uint8_t *`") && fill.detail.contains("`*const u8`"), "{}", fill.detail);
    // C takes `const char *`, Rust passes `*mut`: harmless.
    assert_eq!(one(&r, FindingKind::PointerConstness, "show").severity, Severity::Note);
    // C returns `const char *`, Rust may write through its `*mut`: a warning.
    assert_eq!(one(&r, FindingKind::PointerConstness, "name").severity, Severity::Warning);
    assert!(find(&r, FindingKind::ParamType, "fill").is_empty());
}

#[test]
fn a_different_return_type_is_a_return_type_error() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    let f = one(&r, FindingKind::ReturnType, "ret");
    assert_eq!(f.severity, Severity::Error);
    assert!(f.detail.contains("`long` (i64)") && f.detail.contains("`i32`"), "{}", f.detail);
}

#[test]
fn functions_on_one_side_only_and_equal_spellings() {
    let r = audit_pair(FUNCTIONS_H, FUNCTIONS_RS);
    let missing_c = one(&r, FindingKind::MissingInC, "only_rust");
    assert_eq!(missing_c.severity, Severity::Error);
    let missing_rust = one(&r, FindingKind::MissingInRust, "only_c");
    assert_eq!(missing_rust.severity, Severity::Note);
    assert_eq!(missing_rust.c_location.as_ref().map(|l| l.line), Some(14));
    // `libc::size_t` = size_t, `Option<unsafe extern "C" fn>` = a C function pointer,
    // `core::ffi::c_int` = int, and nothing from <stdint.h> or <stddef.h> is listed.
    assert!(r.findings.iter().all(|f| f.item != "same"), "{:#?}", r.findings);
    assert_eq!(r.findings.iter().filter(|f| f.kind == FindingKind::MissingInRust).count(), 1);
    assert_eq!(r.summary.functions_compared, 9);
}

const STRUCTS_H: &str = r#"
#include <stdint.h>
typedef struct {
    uint8_t tag;
    uint32_t value;
    uint16_t extra;
} packet;
typedef struct rec {
    uint32_t a;
    uint64_t b;
    uint16_t c;
} rec;
struct node { struct node *next; const char *label; int32_t weights[4]; };
typedef struct wide_s { uint64_t big; } wide;
struct tagged { int32_t kind; union { int32_t i; float f; } u; };
struct plain { uint8_t a; uint32_t b; };
"#;

const STRUCTS_RS: &str = r#"
#[repr(C)]
pub struct packet {
    pub tag: u8,
    pub value: u16,
    pub extra: u16,
}
#[repr(C)]
pub struct rec {
    pub a: u32,
    pub b: u64,
    pub d: u16,
}
#[repr(C)]
pub struct node { pub next: *mut node, pub label: *const std::os::raw::c_char, pub weights: [i32; 4] }
#[repr(C, packed)]
pub struct wide { pub big: u64 }
#[repr(C)]
pub union tagged_u { pub i: i32, pub f: f32 }
#[repr(C)]
pub struct tagged { pub kind: i32, pub u: tagged_u }
pub struct plain { pub a: u8, pub b: u32 }
"#;

#[test]
fn struct_size_alignment_field_offset_and_type() {
    let r = audit_pair(STRUCTS_H, STRUCTS_RS);
    let size = one(&r, FindingKind::StructSize, "packet");
    assert_eq!(size.detail, "C's `struct packet` is 12 bytes, the Rust struct 6 bytes");
    assert_eq!(one(&r, FindingKind::StructAlign, "packet").detail, "C's `struct packet` is aligned to 4 bytes, the Rust struct to 2");
    let offsets = find(&r, FindingKind::FieldOffset, "packet");
    let details: Vec<&str> = offsets.iter().map(|f| f.detail.as_str()).collect();
    assert_eq!(details, ["`value` is at offset 4 in C and at offset 2 in Rust", "`extra` is at offset 8 in C and at offset 4 in Rust"]);
    let extra = offsets[1];
    assert_eq!(extra.subject.as_deref(), Some("field extra"));
    assert_eq!(extra.rust_location.as_ref().map(|l| l.line), Some(6));
    assert_eq!(extra.c_location.as_ref().map(|l| l.line), Some(6));
    let ty = one(&r, FindingKind::FieldType, "packet");
    assert_eq!(ty.severity, Severity::Error);
    assert_eq!(ty.detail, "field `value`: C has `uint32_t` (u32), Rust has `u16`");
    // A packed Rust struct: same size, different alignment.
    assert_eq!(one(&r, FindingKind::StructAlign, "wide").severity, Severity::Error);
    assert!(find(&r, FindingKind::StructSize, "wide").is_empty());
    // Self-referential pointers, arrays, and a Rust union standing for C's anonymous one
    // compare equal.
    for item in ["node", "tagged"] {
        assert!(r.findings.iter().all(|f| f.item != item), "{:#?}", r.findings);
    }
    assert_eq!(r.summary.structs_compared, 5);
    // A struct the header defines, declared without #[repr(C)].
    let plain = one(&r, FindingKind::StructSize, "plain");
    assert_eq!(plain.severity, Severity::Warning);
    assert!(plain.detail.contains("not #[repr(C)]"), "{}", plain.detail);
}

#[test]
fn a_field_on_one_side_only_is_field_missing() {
    let r = audit_pair(STRUCTS_H, STRUCTS_RS);
    let missing = find(&r, FindingKind::FieldMissing, "rec");
    assert_eq!(missing.len(), 2, "{missing:#?}");
    // The sizes agree (24 bytes each), so a renamed field is a warning, not an error.
    assert!(missing.iter().all(|f| f.severity == Severity::Warning));
    assert!(missing.iter().any(|f| f.detail == "C declares `uint16_t c` at offset 16; the Rust struct has no field of that name"));
    assert!(missing.iter().any(|f| f.detail == "Rust declares `d: u16` at offset 16; C's `struct rec` has no such field"));
}

// ---- (d): bad inputs ----

#[test]
fn a_header_clang_rejects_names_the_header_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = pair_input(dir.path(), "struct ok { int x; };\nstruct broken { int x; undefined_t y; };\n", "");
    let err = format!("{:#}", audit(&input).unwrap_err());
    assert!(err.contains(&input.header.display().to_string()), "{err}");
    assert!(err.contains("lib.h:2:") && err.contains("unknown type name 'undefined_t'"), "{err}");
}

#[test]
fn a_rust_file_syn_rejects_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = pair_input(dir.path(), "int f(void);\n", "extern \"C\" {\n    pub fn f() -> ;\n}\n");
    let err = format!("{:#}", audit(&input).unwrap_err());
    assert!(err.starts_with(&format!("{}:2:", input.rust.display())), "{err}");
}

#[test]
fn missing_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let mut input = pair_input(dir.path(), "int f(void);\n", "");
    input.header = dir.path().join("absent.h");
    let err = format!("{:#}", audit(&input).unwrap_err());
    assert!(err.contains("absent.h") && err.contains("does not exist"), "{err}");
    let mut input = pair_input(dir.path(), "int f(void);\n", "");
    input.rust = dir.path().join("absent.rs");
    let err = format!("{:#}", audit(&input).unwrap_err());
    assert!(err.contains("absent.rs") && err.contains("does not exist"), "{err}");
    let mut input = pair_input(dir.path(), "int f(void);\n", "");
    input.includes = vec![dir.path().join("no-such-dir")];
    let err = format!("{:#}", audit(&input).unwrap_err());
    assert!(err.contains("no-such-dir") && err.contains("does not exist"), "{err}");
}

#[test]
fn bad_inputs_exit_2_with_a_message_and_no_panic() {
    let dir = tempfile::tempdir().unwrap();
    let input = pair_input(dir.path(), "struct broken { undefined_t y; };\n", "extern \"C\" { pub fn f() -> ; }\n");
    let out = dir.path().join("out");
    let (h, rs, o) = (input.header.to_str().unwrap(), input.rust.to_str().unwrap(), out.to_str().unwrap());
    for args in [
        vec!["--header", h, "--rust", rs, "--out", o],
        vec!["--header", h, "--rust", "/nonexistent/ffi.rs", "--out", o],
        vec!["--header", "/nonexistent/x.h", "--rust", rs, "--out", o],
    ] {
        let run = seam(&args);
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("seam: error:") && !stderr.contains("panicked"), "{stderr}");
    }
}

// ---- (e): SARIF ----

#[test]
fn the_sarif_output_validates_against_the_sarif_2_1_0_schema() {
    let reports = [audit(&seeded(&[])).unwrap(), audit_pair(FUNCTIONS_H, FUNCTIONS_RS), audit_pair(STRUCTS_H, STRUCTS_RS)];
    for r in &reports {
        let out = tempfile::tempdir().unwrap();
        r.write(out.path()).unwrap();
        let sarif: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.path().join("audit.sarif")).unwrap()).unwrap();
        let problems = common::sarif::problems(&sarif);
        assert!(problems.is_empty(), "{problems:#?}");
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
        assert_eq!(rules.len(), FindingKind::ALL.len(), "one rule per finding kind");
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), r.findings.len());
        for res in results {
            assert!(res["partialFingerprints"]["seamAudit/v1"].as_str().is_some_and(|f| f.len() == 16));
            let rule = &rules[res["ruleIndex"].as_u64().unwrap() as usize];
            assert_eq!(rule["id"], res["ruleId"]);
            assert!(rule["properties"]["security-severity"].as_str().unwrap().parse::<f64>().is_ok());
            assert!(res["properties"]["security-severity"].as_str().unwrap().parse::<f64>().is_ok());
            assert!(res["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64().is_some_and(|l| l > 0), "{res}");
        }
    }
    let sev = |k: FindingKind| k.security_severity().parse::<f64>().unwrap();
    assert!(sev(FindingKind::StructSize) >= 7.0 && sev(FindingKind::FieldOffset) >= 7.0);
    assert!(sev(FindingKind::PointerConstness) < 4.0);
}

// ---- a real -sys crate: libz-sys (a dev-dependency, so its sources are in the registry) ----

fn libz_sys_source() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(home.join("registry/src"))
        .ok()?
        .flatten()
        .flat_map(|index| std::fs::read_dir(index.path()).into_iter().flatten().flatten())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("libz-sys-1.1."))
                && p.join("src/zlib/zlib.h").is_file()
        })
        .collect();
    found.sort();
    found.pop()
}

#[test]
fn libz_sys_declarations_agree_with_bundled_zlib() {
    let z = libz_sys_source().expect("libz-sys 1.1.x sources (a dev-dependency of seam) in the cargo registry");
    let input = AuditInput {
        header: z.join("src/zlib/zlib.h"),
        includes: vec![z.join("src/zlib")],
        rust: z.join("src/lib.rs"),
        cfgs: vec!["feature=\"libc\"".into()],
        ..AuditInput::default()
    };
    let r = audit(&input).unwrap();
    assert!(!r.has_errors(), "{:#?}", r.findings.iter().filter(|f| f.severity == Severity::Error).collect::<Vec<_>>());
    assert!(r.summary.functions_compared >= 50, "{:?}", r.summary);
    assert_eq!(r.summary.structs_compared, 2, "z_stream and gz_header");
    // zlib.h declares in_func's buffer `z_const unsigned char **`, const only under ZLIB_CONST;
    // libz-sys declares it `*mut *const c_uchar`.
    let w = one(&r, FindingKind::PointerConstness, "inflateBack");
    assert_eq!(w.severity, Severity::Warning);
}
