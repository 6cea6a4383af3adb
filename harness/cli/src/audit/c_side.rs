//! The C side: bindgen renders the header (with the audit's `-I`/`-D` flags) as Rust, which is
//! then read like the Rust file. libclang is loaded at run time (bindgen's `runtime` feature);
//! clang-sys finds Debian's `/usr/lib/llvm-*/lib/libclang.so` by itself, `LIBCLANG_PATH`
//! overrides it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context};

use super::cfg::CfgSet;
use super::decls::Decls;

/// The header's declarations and what is needed to compile against it again.
pub struct CSide {
    /// The declarations, in bindgen's Rust spelling.
    pub decls: Decls,
    /// The header, by absolute path.
    pub header: PathBuf,
    /// The header and the headers it includes from its own directory (unless that is a system
    /// directory under /usr) or from an `--include` directory: where the audited API lives.
    pub files: Vec<PathBuf>,
    /// The `-I`/`-D` flags, with absolute include directories.
    pub clang_args: Vec<String>,
}

/// Records every file clang includes.
#[derive(Debug, Default)]
struct Includes(Arc<Mutex<Vec<String>>>);

impl bindgen::callbacks::ParseCallbacks for Includes {
    fn include_file(&self, filename: &str) {
        if let Ok(mut v) = self.0.lock() {
            v.push(filename.to_string());
        }
    }
}

/// Runs bindgen over `header`.
pub fn read(header: &Path, includes: &[PathBuf], defines: &[String]) -> anyhow::Result<CSide> {
    if !header.exists() {
        bail!("header {} does not exist", header.display());
    }
    if !header.is_file() {
        bail!("header {} is not a file", header.display());
    }
    let abs_header = header.canonicalize().with_context(|| format!("reading header {}", header.display()))?;
    let mut dirs = Vec::new();
    let mut clang_args = Vec::new();
    for dir in includes {
        if !dir.is_dir() {
            bail!("include directory {} does not exist", dir.display());
        }
        let abs = dir.canonicalize().with_context(|| format!("reading include directory {}", dir.display()))?;
        clang_args.push(format!("-I{}", abs.display()));
        dirs.push(abs);
    }
    clang_args.extend(defines.iter().map(|d| format!("-D{d}")));

    let Rendering { text, included } = render(header, &abs_header, &clang_args, None)?;
    let file = syn::parse_file(&text).map_err(|e| anyhow::anyhow!("bindgen's rendering of {} does not parse: {e}", header.display()))?;
    let decls = Decls::collect(&file, &CfgSet::new(&[]));

    if let Some(parent) = abs_header.parent().filter(|p| !p.starts_with("/usr")) {
        dirs.push(parent.to_path_buf());
    }
    let mut files = vec![abs_header.clone()];
    for f in included {
        let p = Path::new(&f).canonicalize().unwrap_or_else(|_| PathBuf::from(&f));
        if dirs.iter().any(|d| p.starts_with(d)) && !files.contains(&p) {
            files.push(p);
        }
    }
    Ok(CSide { decls, header: abs_header, files, clang_args })
}

/// bindgen's rendering of a header.
pub struct Rendering {
    /// The declarations as Rust source.
    pub text: String,
    /// Every file clang included, as clang spelled it.
    pub included: Vec<String>,
}

/// Runs bindgen over `abs_header` (reported as `header`) with `clang_args`; with `allowlist`
/// (a regex over file paths), only declarations from matching files and what they need.
pub fn render(header: &Path, abs_header: &Path, clang_args: &[String], allowlist: Option<&str>) -> anyhow::Result<Rendering> {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut builder = bindgen::Builder::default()
        .header(abs_header.display().to_string())
        .clang_args(clang_args)
        .layout_tests(false)
        .generate_comments(false)
        .derive_debug(false)
        .derive_copy(false)
        .formatter(bindgen::Formatter::None)
        .parse_callbacks(Box::new(Includes(Arc::clone(&seen))));
    if let Some(files) = allowlist {
        builder = builder.allowlist_file(files);
    }
    let bindings = match catch_unwind(AssertUnwindSafe(|| builder.generate())) {
        Ok(Ok(b)) => b,
        Ok(Err(bindgen::BindgenError::ClangDiagnostic(msg))) => {
            let first = msg.lines().find(|l| l.contains("error")).or_else(|| msg.lines().next()).unwrap_or("");
            bail!("clang cannot parse header {}: {first}", header.display())
        }
        Ok(Err(e)) => bail!("bindgen failed on header {}: {e}", header.display()),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("a panic");
            bail!(
                "bindgen failed on header {}: {why} (libclang is loaded at run time: install libclang-19-dev or set LIBCLANG_PATH)",
                header.display()
            )
        }
    };
    let included = seen.lock().map(|v| v.clone()).unwrap_or_default();
    Ok(Rendering { text: bindings.to_string(), included })
}
