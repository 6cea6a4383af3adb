//! The contract (`seam.toml`): how a C API may be called. The format is documented in
//! `docs/contract.md`; this module reads it ([`Contract::load`]) with the position of every
//! name kept, so that [`check`] can report a wrong name at its line.

pub mod error;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

pub use self::error::{ContractError, Locator};

/// A name with its place in the contract text.
pub type Name = Spanned<String>;

/// A whole contract.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContractFile {
    /// What the library is and where its declarations come from.
    pub library: Library,
    /// Handle kinds by name.
    #[serde(default)]
    pub handles: BTreeMap<Name, Spanned<HandleSpec>>,
    /// Function descriptions by C name.
    #[serde(default)]
    pub functions: BTreeMap<Name, Spanned<FunctionSpec>>,
    /// Fuzz targets by name.
    #[serde(default)]
    pub targets: BTreeMap<Name, Spanned<TargetSpec>>,
    /// Second implementations driven by the same ops, and how outcomes are compared: one
    /// `[diff]` table, or several `[[diff]]` tables with distinct names (see [`Self::diffs`]).
    pub diff: Option<Spanned<DiffTables>>,
}

impl ContractFile {
    /// The `[diff]` pairs, each with its place in the contract text.
    pub fn diffs(&self) -> Vec<Spanned<&DiffSpec>> {
        match self.diff.as_ref() {
            None => Vec::new(),
            Some(d) => match d.get_ref() {
                DiffTables::One(spec) => vec![Spanned::new(d.span(), spec)],
                DiffTables::Many(specs) => specs.iter().map(|s| Spanned::new(s.span(), s.get_ref())).collect(),
            },
        }
    }
}

/// `[diff]` (one table) or `[[diff]]` (an array of tables).
#[derive(Debug)]
pub enum DiffTables {
    /// `[diff]`.
    One(DiffSpec),
    /// `[[diff]]`, each table with its place.
    Many(Vec<Spanned<DiffSpec>>),
}

/// Reads either form; errors inside a table keep their own position.
impl<'de> Deserialize<'de> for DiffTables {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = DiffTables;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a [diff] table or [[diff]] tables")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<DiffTables, A::Error> {
                DiffSpec::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(DiffTables::One)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<DiffTables, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(DiffTables::Many)
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// `[diff]`: differential targets against a second implementation of the same API.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSpec {
    /// Names this pair when a contract has several: its fuzz targets are
    /// `<library>_diff_<name>_<target>`. Without a name they are `<library>_diff_<target>`.
    pub name: Option<Name>,
    /// Rust path of the second implementation: functions with the C names and signatures (a
    /// Rust port's C API, a prefixed build of another C library, or a Rust module).
    pub right: Name,
    /// Labels of the two sides in reports (default `["left", "right"]`).
    pub sides: Option<Spanned<[String; 2]>>,
    /// Contract targets that get a differential twin, fuzz target `<library>_diff_<target>`.
    pub targets: Vec<Name>,
    /// How each function's outcomes are compared (default: return value and outputs exactly).
    #[serde(default)]
    pub compare: BTreeMap<Name, Spanned<CompareSpec>>,
    /// Differences that are known, documented and not reported.
    #[serde(default)]
    pub tolerate: Vec<Spanned<TolerateSpec>>,
}

/// `[diff.compare.<function>]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CompareSpec {
    /// `"exact"` (default), `"ignore"`, or `"class"` (compared by `classes`).
    pub ret: Option<Name>,
    /// `"exact"` (default), `"ignore"`, or `"decoded"` (compared by what `decode` makes of
    /// them).
    pub outputs: Option<Name>,
    /// With `outputs = "decoded"`: Rust path of a `fn(&[u8]) -> Option<Vec<u8>>` that decodes
    /// an output (for two compressors: what their streams decompress to).
    pub decode: Option<Name>,
    /// With `ret = "class"`: class name -> inclusive range of return values; values outside
    /// every range are their own class.
    #[serde(default)]
    pub classes: BTreeMap<String, [i64; 2]>,
}

/// `[[diff.tolerate]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TolerateSpec {
    /// The function.
    pub function: Name,
    /// What may differ: `"return"`, `"output N"`, `"output count"`.
    pub what: Name,
    /// With `what = "return"`: only these `[left, right]` pairs of return values differ by
    /// declaration; any other pair is still reported.
    #[serde(default)]
    pub returns: Vec<[i64; 2]>,
    /// The two sides' states may differ after this difference (one stream finished, the
    /// other not): the comparison of the input ends there, unreported.
    #[serde(default)]
    pub stop: bool,
    /// Why: the documented difference.
    pub reason: Name,
}

/// `[library]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    /// Prefix of the generated fuzz targets.
    pub name: Name,
    /// The C header.
    pub header: Spanned<HeaderRef>,
    /// Rust path of existing declarations, or `"bindgen"`.
    pub ffi: Name,
    /// With `ffi = "bindgen"`: the crate that links the C library.
    pub link: Option<Name>,
    /// The generated module, relative to the contract.
    pub out: Name,
    /// The crate the generated module lives in.
    #[serde(rename = "crate")]
    pub krate: Name,
    /// Extra clang arguments for reading the header.
    #[serde(default)]
    pub clang_args: Vec<String>,
    /// Most calls in one fuzz input.
    pub max_ops: Option<Spanned<u32>>,
    /// A Rust function called once per process before the first call (global settings).
    pub setup: Option<Name>,
}

/// Where the header is.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum HeaderRef {
    /// Relative to the contract.
    Path(String),
    /// Inside a dependency's sources.
    Crate {
        /// The package name.
        #[serde(rename = "crate")]
        krate: String,
        /// The path inside it.
        path: String,
    },
}

/// How a handle of a kind is allocated.
#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum Alloc {
    /// Create returns `T*`.
    #[default]
    Returned,
    /// Create writes `T*` through an argument.
    Out,
    /// The caller allocates a zeroed `T`; create initialises it.
    Caller,
}

/// `[handles.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandleSpec {
    /// The C type a handle points to.
    #[serde(rename = "type")]
    pub ty: Name,
    /// Calls that make one.
    pub create: Vec<Name>,
    /// The call that ends one.
    pub destroy: Name,
    /// Fixed trailing arguments of the destroy call, as Rust expressions.
    #[serde(default)]
    pub destroy_args: Vec<Spanned<String>>,
    /// Most live at once.
    pub max: Option<Spanned<u8>>,
    /// How it is allocated.
    #[serde(default)]
    pub alloc: Alloc,
    /// States it goes through; the first is initial.
    #[serde(default)]
    pub states: Vec<Name>,
    /// Struct fields set before a create call (`caller` handles).
    #[serde(default)]
    pub fields: BTreeMap<Name, Spanned<ArgSpec>>,
}

/// `[functions.<c_name>]`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FunctionSpec {
    /// How parameters are chosen.
    #[serde(default)]
    pub args: BTreeMap<Name, Spanned<ArgSpec>>,
    /// Never called, for this reason.
    pub exclude: Option<Name>,
    /// Successful returns: `== 0`, `>= 0`, `!= 0`, `> 0`.
    pub ok: Option<Name>,
    /// What the return value is: `handle:<kind>`, `owned:<free_fn>`, `static_str`.
    pub returns: Option<Name>,
    /// States its first handle argument must be in.
    #[serde(default)]
    pub requires: Vec<Name>,
    /// State its first handle argument moves to after an `ok` return.
    pub sets: Option<Name>,
    /// A note for a human reviewer.
    pub review: Option<String>,
}

/// A constant in `values` and `flags`: a number or a header constant's name.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum ConstRef {
    /// A literal.
    Int(i64),
    /// A header constant, or a Rust expression for pointer-valued domains.
    Name(String),
}

/// `args.<param>`: how one parameter (or struct field) is chosen.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ArgSpec {
    /// Values in `lo..=hi`.
    pub range: Option<[i64; 2]>,
    /// One of these values.
    pub values: Option<Vec<ConstRef>>,
    /// A bitwise OR of a subset of these.
    pub flags: Option<Vec<ConstRef>>,
    /// With `flags`: bits OR-ed into every value.
    pub always: Option<Vec<ConstRef>>,
    /// A fixed Rust expression.
    pub value: Option<Name>,
    /// A live handle of this kind.
    pub handle: Option<Name>,
    /// Where a create call puts a new handle of this kind.
    pub new_handle: Option<Name>,
    /// A byte buffer: `in`, `out` or `inout`.
    pub bytes: Option<Name>,
    /// The parameter holding the length of an input buffer.
    pub len: Option<Name>,
    /// The parameter holding the end pointer of an input buffer.
    pub end: Option<Name>,
    /// The parameter holding the capacity of an output buffer.
    pub cap: Option<Name>,
    /// A pointer parameter: capacity in, bytes written out.
    pub cap_ptr: Option<Name>,
    /// A pointer parameter: length in (and out, for `inout`).
    pub len_ptr: Option<Name>,
    /// `"return"`: the call returns how many bytes it wrote.
    pub written: Option<Name>,
    /// An input passed NUL-terminated.
    #[serde(default)]
    pub cstring: bool,
    /// Receives memory the caller frees with this function.
    pub owned: Option<Name>,
    /// A buffer from this allocation function, given to C.
    pub adopt: Option<Name>,
    /// With `adopt`: the function that frees the buffer when C refuses it.
    pub free: Option<Name>,
    /// A zeroed value C writes.
    #[serde(default)]
    pub out: bool,
    /// A pointer into another input argument.
    pub within: Option<Name>,
    /// A Rust function passed as a callback.
    pub callback: Option<Name>,
    /// The fuzzer may pass NULL instead of a callback.
    #[serde(default)]
    pub optional: bool,
    /// Optional callbacks of one group are all set or all NULL, by one fuzz choice.
    pub optional_group: Option<Name>,
    /// A struct of this C type the harness builds (zeroed, `fields` set) behind the pointer.
    #[serde(rename = "struct")]
    pub struct_type: Option<Name>,
    /// An output buffer of this exact size (a number, or a Rust expression over integer
    /// parameters), whose size C is not told.
    pub size: Option<Spanned<SizeSpec>>,
    /// With `new_handle`: the new handle shares the kept buffers and the state of this handle
    /// parameter (copies of a stream).
    pub inherits: Option<Name>,
    /// A byte buffer passed as a pointer to an object of this Rust type, which the matching
    /// callback understands (`new(&[u8])` for inputs, `with_capacity(usize)` and
    /// `into_bytes()` for outputs).
    pub via: Option<Name>,
    /// NULL is allowed (with length 0 for buffers).
    #[serde(default)]
    pub nullable: bool,
    /// Most bytes (input) or capacity (output).
    pub max: Option<Spanned<u32>>,
    /// Built from a short input by repeats and back-references.
    #[serde(default)]
    pub expand: bool,
    /// Must outlive the call: kept with the handle.
    #[serde(default)]
    pub keep: bool,
    /// May be fed with bytes earlier calls produced (default true for inputs).
    pub produced: Option<bool>,
    /// Struct fields set before the call.
    #[serde(default)]
    pub fields: BTreeMap<Name, Spanned<ArgSpec>>,
    /// A note for a human reviewer.
    pub review: Option<String>,
}

/// `[targets.<name>]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    /// Functions it drives (create and destroy calls of their handles are added).
    #[serde(default)]
    pub functions: Vec<Name>,
    /// A dictionary for it, relative to the repository root.
    pub dict: Option<Name>,
    /// Most calls in one input, for this target.
    pub max_ops: Option<Spanned<u32>>,
}

/// `size` of an output buffer.
#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum SizeSpec {
    /// A number of bytes.
    Bytes(u64),
    /// A Rust expression over the call's integer parameters.
    Expr(String),
}

/// A contract read from a file, with what is needed to report errors in it.
#[derive(Debug)]
pub struct Contract {
    /// Its contents.
    pub file: ContractFile,
    /// Its directory: paths in it are relative to this.
    pub dir: PathBuf,
    /// Lines and columns for errors.
    pub locator: Locator,
}

impl Contract {
    /// Reads and parses the contract at `path`.
    pub fn load(path: &Path) -> anyhow::Result<Contract> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            anyhow::anyhow!("cannot read contract {}: {e} (write one with `seam init <header> -o {}`)", path.display(), path.display())
        })?;
        Ok(Contract::parse(&text, path)?)
    }

    /// Parses contract text read from `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Contract, ContractError> {
        let locator = Locator::new(path, text);
        let file: ContractFile = toml::from_str(text).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().replace('\n', " ");
            locator.error(span, message, Some("see docs/contract.md for the format".into()))
        })?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Ok(Contract { file, dir, locator })
    }

    /// An error at `name`'s place.
    pub fn error_at<T>(&self, at: &Spanned<T>, message: impl Into<String>, hint: impl Into<Option<String>>) -> ContractError {
        self.locator.error(at.span(), message, hint.into())
    }

    /// The function description of `c_name`, if any.
    pub fn function(&self, c_name: &str) -> Option<(&Name, &Spanned<FunctionSpec>)> {
        self.file.functions.iter().find(|(n, _)| n.get_ref() == c_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[library]
name = "demo"
header = "demo.h"
ffi = "crate::ffi"
out = "src/generated.rs"
crate = "demo"

[handles.thing]
type = "thing"
create = ["thing_new"]
destroy = "thing_free"

[functions.thing_put]
args.t = { handle = "thing" }
args.data = { bytes = "in", len = "len" }
"#;

    #[test]
    fn a_contract_parses_with_positions() {
        let c = Contract::parse(SMALL, Path::new("demo/seam.toml")).unwrap();
        assert_eq!(c.file.library.name.get_ref(), "demo");
        assert_eq!(c.dir, Path::new("demo"));
        let (name, f) = c.function("thing_put").unwrap();
        let e = c.error_at(name, "x", None);
        assert_eq!((e.line, e.column), (14, 12));
        let data = f.get_ref().args.iter().find(|(n, _)| n.get_ref() == "data").unwrap().1;
        assert_eq!(data.get_ref().len.as_ref().unwrap().get_ref(), "len");
    }

    #[test]
    fn a_typo_is_reported_at_its_line_with_the_expected_keys() {
        let bad = SMALL.replace("len = \"len\"", "lenght = \"len\"");
        let e = Contract::parse(&bad, Path::new("seam.toml")).unwrap_err();
        assert_eq!(e.line, 16, "{e}");
        assert!(e.message.contains("unknown field `lenght`"), "{e}");
        assert!(e.to_string().starts_with("seam.toml:16:"), "{e}");
    }

    #[test]
    fn broken_toml_is_reported_at_its_line() {
        let bad = SMALL.replace("destroy = \"thing_free\"", "destroy = \"thing_free");
        let e = Contract::parse(&bad, Path::new("seam.toml")).unwrap_err();
        assert_eq!(e.line, 12, "{e}");
    }

    #[test]
    fn a_missing_file_says_how_to_make_one() {
        let e = Contract::load(Path::new("/nonexistent/seam.toml")).unwrap_err().to_string();
        assert!(e.contains("/nonexistent/seam.toml") && e.contains("seam init"), "{e}");
    }
}
