use clap::Parser;
use seam::options::{Cli, Command};

fn main() {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Env(cmd) => cmd.run(),
        Command::Triage(cmd) => cmd.run(),
    };
    if let Err(e) = result {
        eprintln!("seam: error: {e:#}");
        std::process::exit(1);
    }
}
