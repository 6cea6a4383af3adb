//! `seam gen`: generate wrappers and fuzz targets from contracts, or check they are current.

use std::path::PathBuf;

use clap::Args;

use crate::gen::{self, output, GenOptions};

/// Generate typed wrappers, an `Op` enum and fuzz targets from `seam.toml` contracts.
#[derive(Args, Debug)]
pub struct Gen {
    /// The contracts (`seam.toml`), each beside the crate its module goes into.
    #[arg(required = true)]
    pub contracts: Vec<PathBuf>,
    /// The cargo-fuzz package the fuzz targets go into.
    #[arg(long, default_value = "fuzz")]
    pub fuzz_dir: PathBuf,
    /// Write nothing; fail when a generated file is missing or stale.
    #[arg(long)]
    pub check: bool,
}

impl Gen {
    /// Generates (or checks) every contract's files.
    pub fn run(&self) -> anyhow::Result<()> {
        let opts = GenOptions { fuzz_dir: self.fuzz_dir.clone() };
        let manifest = self.fuzz_dir.join("Cargo.toml");
        let mut stale = Vec::new();
        for contract in &self.contracts {
            let generated = gen::generate(contract, &opts)?;
            let files = &generated.files;
            let missing = output::missing_bins(&manifest, &generated.targets)?;
            eprintln!(
                "seam gen: {}: {} functions called, {} excluded; targets {}",
                contract.display(),
                generated.functions,
                generated.excluded,
                generated.targets.join(", ")
            );
            if self.check {
                stale.extend(output::stale(files).into_iter().map(|p| p.display().to_string()));
                stale.extend(missing.iter().map(|n| format!("{}: no [[bin]] for {n}", manifest.display())));
            } else {
                for p in output::write(files)? {
                    eprintln!("seam gen: wrote {}", p.display());
                }
                if !missing.is_empty() {
                    output::add_bins(&manifest, &missing)?;
                    eprintln!("seam gen: added [[bin]] {} to {}", missing.join(", "), manifest.display());
                }
            }
        }
        if !stale.is_empty() {
            anyhow::bail!(
                "generated files are stale:\n  {}\nrun `seam gen {}` and commit the result",
                stale.join("\n  "),
                self.contracts.iter().map(|c| c.display().to_string()).collect::<Vec<_>>().join(" ")
            );
        }
        Ok(())
    }
}
