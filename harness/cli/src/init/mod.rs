//! `seam init`: a first contract (`seam.toml`, see `docs/contract.md`) for a C header.
//!
//! The header is read through bindgen ([`crate::audit::c_side`]); every function it declares
//! (not those of system headers it includes) gets a `[functions.<name>]` table in header order,
//! with roles guessed from signatures and names ([`guess`]): handle kinds from opaque struct
//! pointers that calls return or write through `T**`, their create and destroy calls, byte
//! buffers with their length or capacity, owned out-pointers, out structs, callbacks. Every
//! guess carries a `review = "..."` note (a `# review:` comment where the format has no
//! `review` key) saying what was guessed and why. The output is rendered by [`render`].

pub mod guess;
pub mod render;

use std::collections::{HashMap, HashSet};
use std::path::{Component, Path, PathBuf};

use regex::Regex;

use crate::audit::c_side;
use crate::audit::decls::{c_name, Decls};
use crate::audit::types::{c_declaration, c_spelling, CType, Resolver};

/// A parameter as `seam init` sees it.
#[derive(Clone, Debug)]
pub struct Param {
    /// The C name (bindgen's `type_` is `type` again).
    pub name: String,
    /// The normalised type.
    pub ty: CType,
    /// The C spelling of the type: `const uint8_t *`.
    pub c_type: String,
}

/// A function of the header.
#[derive(Clone, Debug)]
pub struct Function {
    /// The C name.
    pub name: String,
    /// The parameters in order.
    pub params: Vec<Param>,
    /// The normalised return type.
    pub ret: CType,
    /// Whether it ends in `...`.
    pub variadic: bool,
    /// Its C declaration: `int seeded_write(seeded_store *s, const uint8_t *data, size_t len)`.
    pub signature: String,
}

/// What `seam init` needs of a header.
#[derive(Clone, Debug, Default)]
pub struct Api {
    /// The header's own functions, in header order.
    pub functions: Vec<Function>,
    /// Structs and unions with fields (by normalised name).
    pub records: HashSet<String>,
    /// Types only used behind pointers: declared-only structs.
    pub opaque: HashSet<String>,
    /// Normalised type name -> how the header's functions spell it (`foo_t` for `struct foo_s`).
    pub spelled: HashMap<String, String>,
    /// Integer constants of the header, in header order, with their values.
    pub consts: Vec<(String, i128)>,
}

/// Writes a starting contract for `header`, with paths relative to the current directory.
/// `name` is the library name (`[library] name`).
pub fn contract_for(header: &Path, includes: &[PathBuf], defines: &[String], name: &str) -> anyhow::Result<String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    contract_in(header, includes, defines, name, &cwd)
}

/// [`contract_for`] for a contract that will live in `dir`: the header and include paths in it
/// are written relative to `dir`.
pub fn contract_in(header: &Path, includes: &[PathBuf], defines: &[String], name: &str, dir: &Path) -> anyhow::Result<String> {
    let side = c_side::read(header, includes, defines)?;
    let api = api(&side.decls, &side.files);
    let mut prefixes = vec![format!("{}_", name.to_ascii_lowercase())];
    let names: Vec<&str> = api.functions.iter().map(|f| f.name.as_str()).collect();
    prefixes.extend(guess::common_prefixes(&names));
    let guesses = guess::guess(&api, &prefixes);
    let mut clang_args: Vec<String> = includes.iter().map(|i| format!("-I{}", path_from(dir, i))).collect();
    clang_args.extend(defines.iter().map(|d| format!("-D{d}")));
    let lib = render::Library {
        name: name.to_string(),
        header: path_from(dir, header),
        header_file: header.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
        clang_args,
    };
    Ok(render::render(&lib, &api.consts, &guesses))
}

/// The default library name: the header's file stem as an identifier (`seeded.h` -> `seeded`).
pub fn default_name(header: &Path) -> String {
    let stem = header.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut n: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    if n.is_empty() || n.starts_with(|c: char| c.is_ascii_digit()) {
        n.insert_str(0, "lib");
    }
    n
}

/// The header's functions, types and constants: the declarations bindgen read from `files`
/// (the header and its local includes), not from system headers.
pub fn api(decls: &Decls, files: &[PathBuf]) -> Api {
    let text: String = files.iter().filter_map(|f| std::fs::read_to_string(f).ok()).map(|t| strip_comments(&t)).collect::<Vec<_>>().join("\n");
    // First place of every identifier in the header text.
    let mut first: HashMap<&str, usize> = HashMap::new();
    if let Ok(ident) = Regex::new(r"[A-Za-z_][A-Za-z0-9_]*") {
        for m in ident.find_iter(&text) {
            first.entry(m.as_str()).or_insert(m.start());
        }
    }
    let r = Resolver::new(decls, None);
    let mut api = Api::default();
    for rec in &decls.records {
        let marker = rec.fields.iter().all(|f| f.name == "_unused" || f.name == "_address");
        if marker {
            api.opaque.insert(rec.name.clone());
        } else {
            api.records.insert(rec.name.clone());
        }
    }
    api.opaque.extend(decls.opaque.iter().cloned());
    for f in decls.functions.iter().filter(|f| first.contains_key(f.name.as_str())) {
        let params: Vec<Param> = f
            .params
            .iter()
            .map(|p| {
                let ty = r.normalise(&p.ty);
                note_spelling(&mut api.spelled, decls, &ty, &p.ty);
                Param { name: c_name(&p.name).to_string(), ty, c_type: c_spelling(&p.ty) }
            })
            .collect();
        let ret = r.normalise_ret(f.ret.as_ref());
        if let Some(t) = &f.ret {
            note_spelling(&mut api.spelled, decls, &ret, t);
        }
        let mut decl_params: Vec<String> = f.params.iter().map(|p| c_declaration(&p.ty, c_name(&p.name))).collect();
        if f.variadic {
            decl_params.push("...".into());
        }
        if decl_params.is_empty() {
            decl_params.push("void".into());
        }
        let ret_c = f.ret.as_ref().map(c_spelling).unwrap_or_else(|| "void".into());
        let sep = if ret_c.ends_with('*') { "" } else { " " };
        let signature = format!("{ret_c}{sep}{}({})", f.name, decl_params.join(", "));
        api.functions.push(Function { name: f.name.clone(), params, ret, variadic: f.variadic, signature });
    }
    // bindgen names an enumerator `<enum>_<NAME>`: the header's `NAME` is listed.
    let c_const = |name: &str| -> Option<(usize, String)> {
        if let Some(&at) = first.get(name) {
            return Some((at, name.to_string()));
        }
        name.match_indices('_').find_map(|(i, _)| {
            let (prefix, rest) = (&name[..i], &name[i + 1..]);
            let is_enum = decls.aliases.contains_key(prefix) || decls.int_enums.contains_key(prefix);
            first.get(rest).filter(|_| is_enum).map(|&at| (at, rest.to_string()))
        })
    };
    let mut consts: Vec<(usize, String, i128)> = decls
        .consts
        .iter()
        .filter_map(|(name, e)| {
            let (at, c) = c_const(name)?;
            Some((at, c, decls.eval_int(e)?))
        })
        .collect();
    consts.sort();
    consts.dedup_by(|a, b| a.1 == b.1);
    api.consts = consts.into_iter().map(|(_, n, v)| (n, v)).collect();
    api
}

/// Remembers how a named pointee is spelled: the type name under as many pointers as the
/// normalised type has, looking through pointer typedefs (`z_streamp` -> `z_stream`).
fn note_spelling(spelled: &mut HashMap<String, String>, decls: &Decls, ty: &CType, syn_ty: &syn::Type) {
    let mut named = ty;
    let mut depth = 0;
    while let CType::Ptr { pointee, .. } = named {
        named = pointee;
        depth += 1;
    }
    let CType::Named(n) = named else { return };
    let mut t = syn_ty;
    for _ in 0..16 {
        match t {
            syn::Type::Ptr(p) if depth > 0 => {
                t = &p.elem;
                depth -= 1;
            }
            syn::Type::Path(p) => {
                let Some(seg) = p.path.segments.last() else { return };
                let ident = seg.ident.to_string();
                if depth == 0 {
                    spelled.entry(n.clone()).or_insert(ident);
                    return;
                }
                match decls.aliases.get(&ident) {
                    Some(alias) => t = alias,
                    None => return,
                }
            }
            _ => return,
        }
    }
}

/// C text without comments (string literals in headers are rare enough to ignore).
fn strip_comments(text: &str) -> String {
    match Regex::new(r"(?s)/\*.*?\*/|//[^\n]*") {
        Ok(re) => re.replace_all(text, " ").into_owned(),
        Err(_) => text.to_string(),
    }
}

/// `target` as written in a contract in `dir`: relative to `dir` when both resolve, else as
/// given.
fn path_from(dir: &Path, target: &Path) -> String {
    let (Ok(dir), Ok(target)) = (dir.canonicalize(), target.canonicalize()) else {
        return target.display().to_string();
    };
    let d: Vec<Component> = dir.components().collect();
    let t: Vec<Component> = target.components().collect();
    let common = d.iter().zip(&t).take_while(|(a, b)| a == b).count();
    if common <= 1 {
        return target.display().to_string();
    }
    let mut rel = PathBuf::new();
    for _ in common..d.len() {
        rel.push("..");
    }
    for c in &t[common..] {
        rel.push(c);
    }
    if rel.as_os_str().is_empty() {
        ".".into()
    } else {
        rel.display().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seeded_h() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../c_targets/seeded/csrc/seeded.h")
    }

    fn table(text: &str) -> toml::Table {
        match text.parse::<toml::Table>() {
            Ok(t) => t,
            Err(e) => panic!("not TOML: {e}\n{text}"),
        }
    }

    fn get<'a>(t: &'a toml::Table, path: &[&str]) -> &'a toml::Value {
        let mut v = t.get(path[0]).unwrap_or_else(|| panic!("no {}", path[0]));
        for k in &path[1..] {
            v = v.get(k).unwrap_or_else(|| panic!("no {k} in {path:?}: {v}"));
        }
        v
    }

    fn str_at<'a>(t: &'a toml::Table, path: &[&str]) -> &'a str {
        get(t, path).as_str().unwrap_or_else(|| panic!("{path:?} is not a string"))
    }

    #[test]
    fn init_seeded_contract_guesses_roles() {
        let dir = tempfile::tempdir().unwrap();
        let text = contract_in(&seeded_h(), &[], &[], "seeded", dir.path()).unwrap();
        let t = table(&text);
        // The contract reader (unknown keys are errors) takes it as it is.
        if let Err(e) = crate::contract::Contract::parse(&text, Path::new("seam.toml")) {
            panic!("{e}\n{text}");
        }

        assert_eq!(str_at(&t, &["library", "name"]), "seeded");
        assert!(str_at(&t, &["library", "header"]).ends_with("c_targets/seeded/csrc/seeded.h"), "{text}");

        // The store handle: made by seeded_open, ended by seeded_close.
        assert_eq!(str_at(&t, &["handles", "store", "type"]), "seeded_store");
        assert_eq!(get(&t, &["handles", "store", "create"]).as_array().unwrap(), &[toml::Value::from("seeded_open")]);
        assert_eq!(str_at(&t, &["handles", "store", "destroy"]), "seeded_close");
        assert_eq!(str_at(&t, &["handles", "store", "alloc"]), "returned");
        assert_eq!(str_at(&t, &["functions", "seeded_open", "returns"]), "handle:store");

        // Every function of the header, in header order, and none of stdint.h's.
        let fns = get(&t, &["functions"]).as_table().unwrap();
        assert_eq!(fns.len(), 18, "{text}");
        let first_tables: Vec<&str> = text.lines().filter_map(|l| l.strip_prefix("[functions.")).map(|l| l.trim_end_matches(']')).collect();
        assert_eq!(&first_tables[..3], ["seeded_open", "seeded_close", "seeded_write"]);

        // seeded_write(s, data, len).
        let w = ["functions", "seeded_write", "args"];
        assert_eq!(str_at(&t, &[w[0], w[1], w[2], "s", "handle"]), "store");
        assert_eq!(str_at(&t, &[w[0], w[1], w[2], "data", "bytes"]), "in");
        assert_eq!(str_at(&t, &[w[0], w[1], w[2], "data", "len"]), "len");
        assert!(str_at(&t, &[w[0], w[1], w[2], "data", "review"]).contains("len"));
        assert!(get(&t, &[w[0], w[1], w[2]]).get("len").is_none(), "the length is derived");

        // seeded_take(s, uint8_t **out, size_t *out_len): owned, freed by seeded_buf_free.
        let take = ["functions", "seeded_take", "args", "out"];
        assert_eq!(str_at(&t, &take.iter().copied().chain(["owned"]).collect::<Vec<_>>()), "seeded_buf_free");
        assert_eq!(str_at(&t, &take.iter().copied().chain(["len"]).collect::<Vec<_>>()), "out_len");

        // seeded_describe(s, char *out, size_t cap).
        assert_eq!(str_at(&t, &["functions", "seeded_describe", "args", "out", "bytes"]), "out");
        assert_eq!(str_at(&t, &["functions", "seeded_describe", "args", "out", "cap"]), "cap");

        // The rest of the header's shapes.
        assert_eq!(get(&t, &["functions", "seeded_header_get", "args", "out", "out"]).as_bool(), Some(true));
        assert_eq!(str_at(&t, &["functions", "seeded_adopt", "args", "buf", "adopt"]), "seeded_buf_alloc");
        assert_eq!(str_at(&t, &["functions", "seeded_adopt", "args", "buf", "free"]), "seeded_buf_free");
        assert!(get(&t, &["functions", "seeded_buf_free"]).get("exclude").is_some());
        assert_eq!(str_at(&t, &["functions", "seeded_buf_alloc", "returns"]), "owned:seeded_buf_free");
        assert!(get(&t, &["functions", "seeded_mark"]).get("args").unwrap().get("off").is_none());

        // Every guessed argument says why.
        for (f, spec) in fns {
            for (a, arg) in spec.get("args").and_then(|a| a.as_table()).into_iter().flatten() {
                assert!(arg.get("review").and_then(|r| r.as_str()).is_some_and(|r| !r.is_empty()), "{f}.{a}");
            }
        }

        // Header constants as a comment block, the `all` target.
        assert!(text.contains("#   SEEDED_MAGIC = 1296123219 (0x4D414553)"), "{text}");
        assert!(!text.contains("INT8_MIN"), "system constants are not the header's");
        let all = get(&t, &["targets", "all", "functions"]).as_array().unwrap();
        assert!(all.contains(&toml::Value::from("seeded_write")) && !all.contains(&toml::Value::from("seeded_buf_free")));
        assert!(all.contains(&toml::Value::from("seeded_open")) && !all.contains(&toml::Value::from("seeded_close")));
    }

    #[test]
    fn init_broken_header_names_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("broken.h");
        std::fs::write(&h, "int ok(void);\nint broken(int x;\nint after(void);\n").unwrap();
        let e = format!("{:#}", contract_for(&h, &[], &[], "broken").unwrap_err());
        assert!(e.contains("broken.h:2"), "{e}");
    }

    #[test]
    fn init_variadic_callbacks_and_unknown_pointers_are_excluded() {
        let dir = tempfile::tempdir().unwrap();
        let h = dir.path().join("misc.h");
        std::fs::write(
            &h,
            r#"#include <stddef.h>
#include <stdio.h>
#define MISC_FLAG_A 1
#define MISC_FLAG_B (1 << 3)
enum misc_mode { MISC_FAST = 0, MISC_SLOW = 2 };
typedef struct misc_ctx_s misc_ctx_t;
typedef struct { int a; double b; } misc_opts;
typedef void (*misc_cb)(void *user, int ev);
int misc_new(misc_ctx_t **out, const misc_opts *opts);
void misc_free(misc_ctx_t *ctx);
int misc_log(misc_ctx_t *ctx, const char *fmt, ...);
int misc_on(misc_ctx_t *ctx, misc_cb cb, void *user);
int misc_name(misc_ctx_t *ctx, const char *name);
int misc_read(misc_ctx_t *ctx, void *buf, size_t *buf_len);
int misc_sum(const int *vals, size_t count);
int misc_merge(misc_ctx_t *into, const misc_ctx_t *from);
int misc_set_mode(misc_ctx_t *ctx, enum misc_mode mode, unsigned flags);
const char *misc_version(void);
"#,
        )
        .unwrap();
        let text = contract_in(&h, &[], &[], "misc", dir.path()).unwrap();
        let t = table(&text);
        if let Err(e) = crate::contract::Contract::parse(&text, Path::new("seam.toml")) {
            panic!("{e}\n{text}");
        }
        assert_eq!(str_at(&t, &["library", "header"]), "misc.h");
        assert_eq!(str_at(&t, &["handles", "ctx", "type"]), "misc_ctx_t", "{text}");
        assert_eq!(str_at(&t, &["handles", "ctx", "alloc"]), "out");
        assert_eq!(str_at(&t, &["handles", "ctx", "destroy"]), "misc_free");
        assert_eq!(str_at(&t, &["functions", "misc_new", "args", "out", "new_handle"]), "ctx");
        assert_eq!(str_at(&t, &["functions", "misc_log", "exclude"]), "variadic");
        assert_eq!(str_at(&t, &["functions", "misc_on", "args", "cb", "callback"]), "TODO");
        assert!(str_at(&t, &["functions", "misc_on", "exclude"]).contains("callback"));
        assert_eq!(get(&t, &["functions", "misc_name", "args", "name", "cstring"]).as_bool(), Some(true));
        assert!(get(&t, &["functions", "misc_name"]).get("exclude").is_none());
        assert_eq!(str_at(&t, &["functions", "misc_read", "args", "buf", "cap_ptr"]), "buf_len");
        assert!(str_at(&t, &["functions", "misc_sum", "exclude"]).contains("vals"));
        assert!(str_at(&t, &["functions", "misc_merge", "exclude"]).contains("2 `ctx` handles"), "{text}");
        assert_eq!(str_at(&t, &["functions", "misc_version", "returns"]), "static_str");
        assert!(get(&t, &["functions"]).get("printf").is_none(), "stdio.h's functions are not the header's");
        for c in ["MISC_FLAG_A = 1", "MISC_FLAG_B = 8", "MISC_SLOW = 2"] {
            assert!(text.contains(c), "{c}: {text}");
        }
        let all = get(&t, &["targets", "all", "functions"]).as_array().unwrap();
        assert!(!all.contains(&toml::Value::from("misc_log")));
    }

    #[test]
    fn init_paths_are_relative_to_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("a/csrc")).unwrap();
        std::fs::write(dir.path().join("a/csrc/x.h"), "").unwrap();
        assert_eq!(path_from(&dir.path().join("a"), &dir.path().join("a/csrc/x.h")), "csrc/x.h");
        std::fs::create_dir_all(dir.path().join("b")).unwrap();
        assert_eq!(path_from(&dir.path().join("b"), &dir.path().join("a/csrc/x.h")), "../a/csrc/x.h");
        assert_eq!(default_name(Path::new("include/my-lib.h")), "my_lib");
    }
}
