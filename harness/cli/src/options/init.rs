//! `seam init`: write a first contract for a C header.

use std::io::Write as _;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Args;

use crate::init::{contract_in, default_name};

/// Write a starting contract (`seam.toml`, see docs/contract.md) for a C header: every function
/// the header declares, with handles, buffers and ownership guessed from signatures and names.
/// Every guess is marked `review = "..."` for a human to check.
#[derive(Args, Debug)]
pub struct Init {
    /// The C header.
    pub header: PathBuf,
    /// Include directory for the header (repeatable).
    #[arg(long, short = 'I')]
    pub include: Vec<PathBuf>,
    /// Macro for the header, `NAME` or `NAME=VALUE` (repeatable).
    #[arg(long, short = 'D')]
    pub define: Vec<String>,
    /// The library name (`[library] name`); default: the header's file stem.
    #[arg(long)]
    pub name: Option<String>,
    /// Where to write the contract; default: standard output.
    #[arg(long, short = 'o')]
    pub out: Option<PathBuf>,
    /// Overwrite an existing `--out` file.
    #[arg(long)]
    pub force: bool,
}

impl Init {
    /// Reads the header and writes the contract.
    pub fn run(&self) -> anyhow::Result<()> {
        if let Some(out) = &self.out {
            if out.exists() && !self.force {
                bail!("{} already exists; pass --force to overwrite it", out.display());
            }
        }
        let name = self.name.clone().unwrap_or_else(|| default_name(&self.header));
        // Paths in the contract are relative to the directory it is written to.
        let dir = match self.out.as_ref().and_then(|o| o.parent()).filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => p.to_path_buf(),
            None => std::env::current_dir().context("reading the current directory")?,
        };
        let text = contract_in(&self.header, &self.include, &self.define, &name, &dir)?;
        match &self.out {
            Some(out) => {
                std::fs::write(out, &text).with_context(|| format!("writing {}", out.display()))?;
                let reviews = text.matches("review = ").count() + text.matches("# review:").count();
                eprintln!("seam: wrote {} ({reviews} guesses to review)", out.display());
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                stdout.write_all(text.as_bytes()).context("writing the contract to standard output")?;
            }
        }
        Ok(())
    }
}
