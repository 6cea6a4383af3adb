//! Contract errors: every one names the file, the line and column, what is wrong and what to do.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// An error at a place in a contract file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractError {
    /// The contract file.
    pub path: PathBuf,
    /// Line, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl fmt::Display for ContractError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: {}", self.path.display(), self.line, self.column, self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "; {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ContractError {}

/// Turns byte offsets of one contract's text into lines and columns.
#[derive(Debug, Clone)]
pub struct Locator {
    path: PathBuf,
    line_starts: Vec<usize>,
}

impl Locator {
    /// A locator for `text`, read from `path`.
    pub fn new(path: &Path, text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Locator { path: path.to_path_buf(), line_starts }
    }

    /// The contract file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// An error at the start of `span`.
    pub fn error(&self, span: Range<usize>, message: impl Into<String>, hint: Option<String>) -> ContractError {
        let line = self.line_starts.partition_point(|&s| s <= span.start).max(1);
        let column = span.start - self.line_starts[line - 1] + 1;
        ContractError { path: self.path.clone(), line, column, message: message.into(), hint }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let loc = Locator::new(Path::new("seam.toml"), "a = 1\nbb = 2\n\nc = 3");
        let e = loc.error(7..8, "bad", Some("fix it".into()));
        assert_eq!((e.line, e.column), (2, 2));
        assert_eq!(e.to_string(), "seam.toml:2:2: bad; fix it");
        assert_eq!(loc.error(0..1, "x", None).line, 1);
        assert_eq!(loc.error(14..15, "x", None).line, 4);
    }
}
