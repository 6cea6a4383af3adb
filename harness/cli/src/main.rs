use clap::Parser;
use seam::options::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Env(cmd) => cmd.run(),
        Command::Fuzz(cmd) => cmd.run(),
        Command::Corpus(cmd) => cmd.run(),
        Command::Cov(cmd) => cmd.run(),
        Command::Triage(cmd) => cmd.run(),
        Command::Init(cmd) => cmd.run(),
        Command::Gen(cmd) => cmd.run(),
        Command::OssFuzz(cmd) => cmd.run(),
        // 0 clean, 1 error findings, 2 when the audit cannot run (like a linter).
        Command::Audit(cmd) => std::process::exit(cmd.exit_status()),
    };
    if let Err(e) = result {
        eprintln!("seam: error: {e:#}");
        std::process::exit(1);
    }
}
