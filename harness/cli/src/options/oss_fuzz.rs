//! `seam oss-fuzz`: project files for OSS-Fuzz and ClusterFuzzLite, and the steps their
//! `build.sh` runs inside the builder image.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::gen::output;
use crate::options::PackageDirs;
use crate::oss_fuzz::{self, stage, Project, Upstream};

/// Continuous fuzzing: OSS-Fuzz / ClusterFuzzLite project files and build steps.
#[derive(Args, Debug)]
pub struct OssFuzz {
    /// What to do.
    #[command(subcommand)]
    pub command: OssFuzzCommand,
}

/// The `seam oss-fuzz` subcommands.
#[derive(Subcommand, Debug)]
pub enum OssFuzzCommand {
    /// Write `.clusterfuzzlite/` and its pull-request workflow, and with `--oss-fuzz DIR` an
    /// OSS-Fuzz project directory.
    Export(Export),
    /// Print the fuzz targets a build with SANITIZER produces (for build.sh).
    Targets(Targets),
    /// Copy built targets with seed corpora, dictionaries and options into $OUT (for build.sh).
    Stage(Stage),
}

/// `seam oss-fuzz export`.
#[derive(Args, Debug)]
pub struct Export {
    /// Project name (its directory under $SRC).
    #[arg(long, default_value = "seam")]
    pub name: String,
    /// Repository URL OSS-Fuzz clones (with --oss-fuzz).
    #[arg(long, requires = "oss_fuzz")]
    pub repo: Option<String>,
    /// Primary contact for OSS-Fuzz reports (with --oss-fuzz).
    #[arg(long, requires = "oss_fuzz")]
    pub contact: Option<String>,
    /// Homepage (default: the repository).
    #[arg(long, requires = "oss_fuzz")]
    pub homepage: Option<String>,
    /// Seconds a pull-request campaign fuzzes (ClusterFuzzLite).
    #[arg(long, default_value_t = 300)]
    pub pr_fuzz_seconds: u32,
    /// The repository root the ClusterFuzzLite files go under.
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// Also write an OSS-Fuzz project directory here (e.g. oss-fuzz/projects/seam); needs
    /// --repo and --contact.
    #[arg(long, requires_all = ["repo", "contact"])]
    pub oss_fuzz: Option<PathBuf>,
    /// Write nothing; fail when a file is missing or stale.
    #[arg(long)]
    pub check: bool,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
}

/// `seam oss-fuzz targets`.
#[derive(Args, Debug)]
pub struct Targets {
    /// The build's sanitizer, as OSS-Fuzz names it ($SANITIZER).
    #[arg(long)]
    pub sanitizer: String,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
}

/// `seam oss-fuzz stage`.
#[derive(Args, Debug)]
pub struct Stage {
    /// The build's sanitizer, as OSS-Fuzz names it ($SANITIZER).
    #[arg(long)]
    pub sanitizer: String,
    /// Where the fuzz build put the binaries.
    #[arg(long)]
    pub bin_dir: PathBuf,
    /// $OUT.
    #[arg(long)]
    pub out: PathBuf,
    /// The fuzz package and its corpus files.
    #[command(flatten)]
    pub dirs: PackageDirs,
}

impl OssFuzz {
    /// Runs the subcommand.
    pub fn run(&self) -> anyhow::Result<()> {
        match &self.command {
            OssFuzzCommand::Export(e) => e.run(),
            OssFuzzCommand::Targets(t) => {
                let package = t.dirs.package()?;
                println!("{}", package.targets_for(&t.sanitizer).join(" "));
                Ok(())
            }
            OssFuzzCommand::Stage(s) => {
                let package = s.dirs.package()?;
                for st in stage::stage(&package, &s.dirs.corpus_dir, &s.sanitizer, &s.bin_dir, &s.out)? {
                    eprintln!("seam oss-fuzz: staged {} ({} seeds, {} dictionary entries)", st.target, st.seeds, st.dict_entries);
                }
                Ok(())
            }
        }
    }
}

impl Export {
    fn run(&self) -> anyhow::Result<()> {
        let package = self.dirs.package()?;
        let project = Project { name: self.name.clone(), pr_fuzz_seconds: self.pr_fuzz_seconds };
        let mut files = oss_fuzz::cflite_files(&project, &self.root);
        if let (Some(dir), Some(repo), Some(contact)) = (&self.oss_fuzz, &self.repo, &self.contact) {
            let up = Upstream { repo: repo.clone(), contact: contact.clone(), homepage: self.homepage.clone() };
            files.extend(oss_fuzz::oss_fuzz_files(&project, &up, dir, !package.memory.is_empty()));
        }
        if self.check {
            let stale = output::stale(&files);
            anyhow::ensure!(
                stale.is_empty(),
                "OSS-Fuzz / ClusterFuzzLite files are stale: {}; run `seam oss-fuzz export` and commit the result",
                stale.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
            );
            return Ok(());
        }
        for p in output::write(&files)? {
            eprintln!("seam oss-fuzz: wrote {}", p.display());
        }
        oss_fuzz::make_scripts_executable(&files)?;
        eprintln!(
            "seam oss-fuzz: {} targets ({} also under MemorySanitizer)",
            package.targets.len(),
            package.memory.len()
        );
        Ok(())
    }
}
