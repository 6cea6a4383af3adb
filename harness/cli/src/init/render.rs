//! Renders the guesses as `seam.toml` text: one `[functions.<name>]` table per function in
//! header order, inline tables for arguments, the header's C declaration as a comment above
//! each table. Strings are serialised by the `toml` crate, keys are quoted when they are not
//! bare, so the text always parses.

use std::fmt::Write as _;

use super::guess::{FnGuess, Guesses, Val};

/// The `[library]` table's inputs.
#[derive(Clone, Debug)]
pub struct Library {
    /// `name`.
    pub name: String,
    /// `header`, relative to the contract.
    pub header: String,
    /// The header's file name, for the title comment.
    pub header_file: String,
    /// `clang_args`: the `-I`/`-D` flags the header was read with.
    pub clang_args: Vec<String>,
}

/// A TOML string literal.
pub fn string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it can be, else quoted.
pub fn key(k: &str) -> String {
    if !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-') {
        k.to_string()
    } else {
        string(k)
    }
}

fn value(v: &Val) -> String {
    match v {
        Val::Str(s) => string(s),
        Val::Bool(b) => b.to_string(),
    }
}

fn array(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| string(s)).collect();
    format!("[{}]", parts.join(", "))
}

/// A comment line: no line breaks can escape it.
fn comment(out: &mut String, indent: &str, text: &str) {
    let flat = text.replace(['\r', '\n'], " ");
    let _ = writeln!(out, "{indent}# {flat}");
}

/// Long arrays one item a line.
fn long_array(items: &[String]) -> String {
    if items.len() <= 4 {
        return array(items);
    }
    let mut s = String::from("[\n");
    for i in items {
        let _ = writeln!(s, "    {},", string(i));
    }
    s.push(']');
    s
}

/// The whole contract.
pub fn render(lib: &Library, consts: &[(String, i128)], g: &Guesses) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# seam contract for {}, written by `seam init` (format: docs/contract.md).", lib.header_file);
    out.push_str(
        "# Everything below is a guess from names and signatures. Each guess says why in a\n\
         # `review = \"...\"` note (a `# review:` comment where the format has no review key):\n\
         # check it, correct it, then delete the note. Functions seam init could not describe are\n\
         # excluded with the reason; describe their arguments and delete the `exclude` line.\n\n",
    );

    out.push_str("[library]\n");
    let _ = writeln!(out, "name = {}", string(&lib.name));
    let _ = writeln!(out, "header = {}", string(&lib.header));
    out.push_str("# review: \"bindgen\" declares the functions from the header; or name existing declarations, e.g. \"crate::ffi\"\n");
    out.push_str("ffi = \"bindgen\"\n");
    out.push_str("# review: with ffi = \"bindgen\", the crate whose static library is linked\n");
    let _ = writeln!(out, "# link = {}", string(&format!("{}_sys", lib.name)));
    out.push_str("# review: the generated module, and the crate it lives in (fuzz targets `use` it)\n");
    out.push_str("out = \"src/generated.rs\"\n");
    let _ = writeln!(out, "crate = {}", string(&lib.name.replace('-', "_")));
    if !lib.clang_args.is_empty() {
        let _ = writeln!(out, "clang_args = {}", array(&lib.clang_args));
    }
    out.push('\n');

    if !consts.is_empty() {
        out.push_str("# Integer constants of the header, for `values = [...]` and `flags = [...]` (by name):\n");
        for (name, v) in consts {
            let hex = if *v >= 16 { format!(" ({v:#X})").replace("0X", "0x") } else { String::new() };
            comment(&mut out, "", &format!("  {name} = {v}{hex}"));
        }
        out.push('\n');
    }

    for h in &g.handles {
        let _ = writeln!(out, "[handles.{}]", key(&h.kind));
        for n in &h.notes {
            comment(&mut out, "", &format!("review: {n}"));
        }
        let _ = writeln!(out, "type = {}", string(&h.ty));
        let _ = writeln!(out, "create = {}", array(&h.create));
        match &h.destroy {
            Some(d) => {
                let _ = writeln!(out, "destroy = {}", string(d));
            }
            None => out.push_str("destroy = \"TODO\"\n"),
        }
        let _ = writeln!(out, "alloc = {}", string(h.alloc.as_str()));
        out.push('\n');
    }

    for f in &g.functions {
        function(&mut out, f);
    }

    // Destroy calls are made when the harness drops a handle, never as an operation.
    let destroys: Vec<&String> = g.handles.iter().filter_map(|h| h.destroy.as_ref()).collect();
    let all: Vec<String> =
        g.functions.iter().filter(|f| f.exclude.is_none() && !destroys.contains(&&f.name)).map(|f| f.name.clone()).collect();
    out.push_str("# Every function that is not excluded (destroy calls run when a handle is dropped).\n");
    out.push_str("[targets.all]\n");
    let _ = writeln!(out, "functions = {}", long_array(&all));
    out
}

fn function(out: &mut String, f: &FnGuess) {
    comment(out, "", &format!("{};", f.signature));
    let _ = writeln!(out, "[functions.{}]", key(&f.name));
    if let Some(e) = &f.exclude {
        let _ = writeln!(out, "exclude = {}", string(e));
    }
    if let Some(r) = &f.returns {
        let _ = writeln!(out, "returns = {}", string(r));
    }
    if let Some(ok) = &f.ok {
        let _ = writeln!(out, "ok = {}", string(ok));
    }
    if !f.review.is_empty() {
        let _ = writeln!(out, "review = {}", string(&f.review.join("; ")));
    }
    for a in &f.args {
        let mut parts: Vec<String> = a.keys.iter().map(|(k, v)| format!("{} = {}", key(k), value(v))).collect();
        parts.push(format!("review = {}", string(&a.review)));
        let _ = writeln!(out, "args.{} = {{ {} }}", key(&a.param), parts.join(", "));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::init::guess::{ArgGuess, Guesses};

    #[test]
    fn init_render_escapes_strings_and_keys() {
        let f = FnGuess {
            name: "odd name".into(),
            signature: "int f(int)\n[injected]".into(),
            exclude: Some("quote \" backslash \\ newline \n tab \t".into()),
            returns: None,
            ok: None,
            args: vec![ArgGuess { param: "p.q".into(), keys: vec![("bytes", Val::Str("in".into()))], review: "it's \"odd\"".into() }],
            review: vec!["a".into(), "b".into()],
        };
        let lib = Library { name: "x".into(), header: "h \"q\".h".into(), header_file: "h.h".into(), clang_args: vec!["-DA=\"b\"".into()] };
        let text = render(&lib, &[("K".into(), 255)], &Guesses { handles: vec![], functions: vec![f] });
        let t: toml::Table = text.parse().unwrap_or_else(|e| panic!("{e}\n{text}"));
        let f = &t["functions"]["odd name"];
        assert_eq!(f["exclude"].as_str(), Some("quote \" backslash \\ newline \n tab \t"));
        assert_eq!(f["args"]["p.q"]["review"].as_str(), Some("it's \"odd\""));
        assert_eq!(t["library"]["header"].as_str(), Some("h \"q\".h"));
        assert!(text.contains("#   K = 255 (0xFF)"), "{text}");
        assert!(!text.contains("\n[injected]"), "{text}");
    }
}
