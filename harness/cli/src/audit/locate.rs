//! Finding where the header declares a name, by searching its text (comments blanked out):
//! bindgen does not report source locations.

use std::path::{Path, PathBuf};

use regex::Regex;

use super::finding::Location;

/// The text of the header and of the project headers it includes.
pub struct CSource {
    files: Vec<SourceFile>,
}

struct SourceFile {
    shown: PathBuf,
    lines: Vec<String>,
}

/// How a file is named in findings: relative to the current directory when below it.
fn shown(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    match cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) => rel.to_path_buf(),
        None => path.to_path_buf(),
    }
}

impl CSource {
    /// Loads `files` (unreadable ones are skipped: locations are a convenience).
    pub fn load(files: &[PathBuf]) -> Self {
        let files = files
            .iter()
            .filter_map(|p| {
                let text = std::fs::read_to_string(p).ok()?;
                Some(SourceFile { shown: shown(p), lines: blank_comments(&text).lines().map(str::to_string).collect() })
            })
            .collect();
        CSource { files }
    }

    /// Where the function `name` is declared: a call-like use outside `#define` lines first
    /// (also zlib's `name OF((...))` style).
    pub fn function(&self, name: &str) -> Option<Location> {
        let n = regex::escape(name);
        let decl = Regex::new(&format!(r"(^|[^\w]){n}\s*(\(|OF\s*\()")).ok()?;
        self.find(|l| !l.trim_start().starts_with('#') && decl.is_match(l)).or_else(|| self.find(|l| decl.is_match(l)))
    }

    /// Where the struct or union `name` is defined (or, failing that, mentioned).
    pub fn record(&self, name: &str) -> Option<Location> {
        self.record_at(name).map(|(f, l)| Location::new(&self.files[f].shown, l + 1, None))
    }

    /// Where the field `field` of the record `name` is declared.
    pub fn field(&self, record: &str, field: &str) -> Option<Location> {
        let (f, at) = self.record_at(record)?;
        let (start, end) = self.body(f, at)?;
        let re = Regex::new(&format!(r"(^|[^\w]){}\s*[\[;:,)]", regex::escape(field))).ok()?;
        let lines = &self.files[f].lines;
        (start..=end).find(|&i| lines.get(i).is_some_and(|l| re.is_match(l))).map(|i| Location::new(&self.files[f].shown, i + 1, None))
    }

    fn record_at(&self, name: &str) -> Option<(usize, usize)> {
        let n = regex::escape(name);
        let patterns = [
            format!(r"\b(struct|union)\s+{n}\s*\{{"),
            format!(r"\}}\s*{n}\s*;"),
            format!(r"\btypedef\b[^;]*\b{n}\s*;"),
            format!(r"\b(struct|union)\s+{n}\b"),
        ];
        patterns.iter().filter_map(|p| Regex::new(p).ok()).find_map(|re| self.find_index(|l| re.is_match(l)))
    }

    /// The lines of the braces around the body of the record declared at line `at`: forward
    /// from a `{`, or backward from a closing `} name;`.
    fn body(&self, f: usize, at: usize) -> Option<(usize, usize)> {
        let lines = &self.files[f].lines;
        let opens_here = lines.get(at)?.contains('{');
        let mut depth = 0i64;
        if opens_here {
            for (i, l) in lines.iter().enumerate().skip(at) {
                depth += l.matches('{').count() as i64 - l.matches('}').count() as i64;
                if depth <= 0 {
                    return Some((at, i));
                }
            }
        } else {
            for i in (0..=at).rev() {
                let l = &lines[i];
                depth += l.matches('}').count() as i64 - l.matches('{').count() as i64;
                if depth <= 0 {
                    return Some((i, at));
                }
            }
        }
        None
    }

    fn find(&self, pred: impl Fn(&str) -> bool) -> Option<Location> {
        self.find_index(pred).map(|(f, l)| Location::new(&self.files[f].shown, l + 1, None))
    }

    fn find_index(&self, pred: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
        self.files.iter().enumerate().find_map(|(fi, f)| f.lines.iter().position(|l| pred(l)).map(|li| (fi, li)))
    }
}

/// Replaces C comments and the contents of string and character literals by spaces, keeping
/// line breaks, so that line numbers stay right.
fn blank_comments(text: &str) -> String {
    enum St {
        Code,
        Line,
        Block,
        Quoted(char),
    }
    let mut out = String::with_capacity(text.len());
    let mut st = St::Code;
    let mut chars = text.chars().peekable();
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match st {
            St::Code => match (c, next) {
                ('/', Some('/')) => {
                    st = St::Line;
                    out.push(' ');
                }
                ('/', Some('*')) => {
                    chars.next();
                    st = St::Block;
                    out.push_str("  ");
                }
                ('"' | '\'', _) => {
                    st = St::Quoted(c);
                    out.push(c);
                }
                _ => out.push(c),
            },
            St::Line => {
                if c == '\n' {
                    st = St::Code;
                }
                out.push(blank(c));
            }
            St::Block => {
                if c == '*' && next == Some('/') {
                    chars.next();
                    st = St::Code;
                    out.push_str("  ");
                } else {
                    out.push(blank(c));
                }
            }
            St::Quoted(q) => {
                if c == '\\' {
                    out.push(' ');
                    if let Some(n) = chars.next() {
                        out.push(blank(n));
                    }
                } else if c == q || c == '\n' {
                    st = St::Code;
                    out.push(c);
                } else {
                    out.push(' ');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(text: &str) -> (tempfile::TempDir, CSource) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.h");
        std::fs::write(&p, text).unwrap();
        let s = CSource::load(&[p]);
        (dir, s)
    }

    #[test]
    fn finds_functions_records_and_fields_outside_comments() {
        let (_d, s) = source(
            "/* f(x) is documented here */\n\
             // struct S { in a comment\n\
             typedef struct S {\n  int a;\n  unsigned char buf[4];\n} S;\n\
             typedef struct {\n  void (*cb)(int);\n} Anon;\n\
             #define f(x) g(x)\n\
             int f (int x);\n",
        );
        assert_eq!(s.function("f").map(|l| l.line), Some(11));
        assert_eq!(s.record("S").map(|l| l.line), Some(3));
        assert_eq!(s.field("S", "buf").map(|l| l.line), Some(5));
        assert_eq!(s.record("Anon").map(|l| l.line), Some(9));
        assert_eq!(s.field("Anon", "cb").map(|l| l.line), Some(8));
        assert_eq!(s.function("missing"), None);
    }
}
