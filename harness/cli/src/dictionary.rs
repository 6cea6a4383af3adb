//! Fuzzing dictionaries in the format libFuzzer (`-dict=`) and AFL++ (`-x`) read: one entry a
//! line, `name="bytes"` or `"bytes"`, with `\\`, `\"` and `\xNN` escapes; `#` starts a comment
//! line. Read strictly (a line libFuzzer would reject is an error naming the file and line), so
//! that a dictionary shipped to OSS-Fuzz is known to load.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;

/// One dictionary entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name before `=`, if any.
    pub name: Option<String>,
    /// The bytes the entry stands for.
    pub bytes: Vec<u8>,
}

/// Parses a dictionary's text; `origin` names it in errors.
pub fn parse(text: &str, origin: &str) -> anyhow::Result<Vec<Entry>> {
    let mut entries = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let entry = parse_line(line).map_err(|why| {
            anyhow::anyhow!("{origin}:{}: {why} in `{line}`; write entries as name=\"bytes\" with \\\\, \\\" and \\xNN escapes", i + 1)
        })?;
        entries.push(entry);
    }
    Ok(entries)
}

/// Reads and parses a dictionary file.
pub fn read(path: &Path) -> anyhow::Result<Vec<Entry>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&text, &path.display().to_string())
}

fn parse_line(line: &str) -> Result<Entry, &'static str> {
    let quote = line.find('"').ok_or("no opening quote")?;
    let name = match line[..quote].trim_end() {
        "" => None,
        prefix => {
            let n = prefix.strip_suffix('=').ok_or("the name is not followed by =")?.trim_end();
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                return Err("a name must be letters, digits and _");
            }
            Some(n.to_string())
        }
    };
    let body = line[quote + 1..].strip_suffix('"').ok_or("no closing quote at the end of the line")?;
    Ok(Entry { name, bytes: unescape(body)? })
}

fn unescape(body: &str) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(body.len());
    let mut bytes = body.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'\\' => match bytes.next() {
                Some(b'\\') => out.push(b'\\'),
                Some(b'"') => out.push(b'"'),
                Some(b'x') => {
                    let hi = bytes.next().and_then(hex).ok_or("\\x needs two hex digits")?;
                    let lo = bytes.next().and_then(hex).ok_or("\\x needs two hex digits")?;
                    out.push(hi << 4 | lo);
                }
                _ => return Err("unknown escape (only \\\\, \\\" and \\xNN)"),
            },
            b'"' => return Err("an unescaped quote inside the bytes"),
            _ => out.push(b),
        }
    }
    if out.is_empty() {
        return Err("an empty entry");
    }
    Ok(out)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Dictionary escaping: printable ASCII as is, `"` and `\` and everything else as `\xNN`.
pub fn escape(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, &b| {
        if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
            s.push(b as char);
        } else {
            let _ = write!(s, "\\x{b:02x}");
        }
        s
    })
}

/// The text of `entries`, one line each, dropping entries whose bytes an earlier one has.
pub fn render(entries: &[Entry]) -> String {
    let mut seen = BTreeSet::new();
    let mut text = String::new();
    for e in entries.iter().filter(|e| seen.insert(e.bytes.clone())) {
        match &e.name {
            Some(n) => writeln!(text, "{n}=\"{}\"", escape(&e.bytes)),
            None => writeln!(text, "\"{}\"", escape(&e.bytes)),
        }
        .expect("writing to a String");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_through_render() {
        let text = "# comment\n\nmagic=\"SEAM\"\n\"\\x02\\x5c\\\\\\\"\"\n  spaced = \"a b\"\n";
        let entries = parse(text, "t.dict").unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0], Entry { name: Some("magic".into()), bytes: b"SEAM".to_vec() });
        assert_eq!(entries[1].bytes, b"\x02\\\\\"");
        assert_eq!(entries[2].name.as_deref(), Some("spaced"));
        assert_eq!(parse(&render(&entries), "r").unwrap(), entries);
    }

    #[test]
    fn duplicates_are_rendered_once() {
        let e = |n: &str| Entry { name: Some(n.into()), bytes: b"x".to_vec() };
        assert_eq!(render(&[e("a"), e("b")]), "a=\"x\"\n");
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        for (line, why) in [
            ("magic=SEAM", "no opening quote"),
            ("magic=\"SEAM", "no closing quote"),
            ("ma gic=\"S\"", "letters, digits and _"),
            ("m\"S\"", "not followed by ="),
            ("m=\"\\q\"", "unknown escape"),
            ("m=\"\\x4\"", "two hex digits"),
            ("m=\"\"", "an empty entry"),
            ("m=\"a\"b\"", "unescaped quote"),
        ] {
            let err = parse(&format!("# x\n{line}\n"), "d.dict").unwrap_err().to_string();
            assert!(err.starts_with("d.dict:2: ") && err.contains(why), "{line}: {err}");
        }
    }

    #[test]
    fn escaping_keeps_printable_ascii() {
        assert_eq!(escape(b"a\"b\\\x00"), "a\\x22b\\x5c\\x00");
    }
}
