//! Replaying a crashing input against its fuzz binary to capture the whole report, with call
//! tracing on so the boundary call is named for every kind of death.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

/// Most bytes of a replay log kept for analysis.
pub const MAX_LOG: u64 = 64 << 20;

/// Runs fuzz binaries on single inputs.
#[derive(Clone, Debug)]
pub struct Replayer {
    /// Folder of the fuzz binaries.
    pub bin_dir: PathBuf,
    /// Binaries of targets built elsewhere (an MSan build, say), by target name.
    pub binaries: Vec<(String, PathBuf)>,
    /// Extra libFuzzer arguments (`-malloc_limit_mb=64`, ...).
    pub fuzzer_args: Vec<String>,
    /// libFuzzer's `-timeout`; the replay is killed after twice this plus five seconds.
    pub timeout: Duration,
}

impl Replayer {
    /// The binary of a target.
    pub fn binary(&self, target: &str) -> PathBuf {
        match self.binaries.iter().find(|(t, _)| t == target) {
            Some((_, p)) => p.clone(),
            None => self.bin_dir.join(target),
        }
    }

    /// Replays `input` and returns the combined output. `Err` only when the replay could not
    /// be run at all (no binary); a replay that does not crash returns its (crash-free) log.
    pub fn replay(&self, target: &str, input: &Path) -> anyhow::Result<String> {
        let bin = self.binary(target);
        anyhow::ensure!(
            bin.is_file(),
            "no fuzz binary {} to replay with: build it with `cargo +nightly fuzz build -O {target}` \
             (after `eval \"$(seam env)\"`), or point --bin-dir at the folder holding it",
            bin.display()
        );
        let out = tempfile::NamedTempFile::new().context("creating a temporary log file")?;
        let secs = self.timeout.as_secs().max(1);
        let mut child = Command::new(&bin)
            .arg(format!("-timeout={secs}"))
            .args(&self.fuzzer_args)
            .arg(input)
            .env("SEAM_TRACE", "1")
            .env("RUST_BACKTRACE", "1")
            .stdin(Stdio::null())
            .stdout(out.reopen()?)
            .stderr(out.reopen()?)
            .spawn()
            .with_context(|| format!("running {}", bin.display()))?;
        let limit = Duration::from_secs(secs * 2 + 5);
        let start = Instant::now();
        let mut killed = false;
        while child.try_wait()?.is_none() {
            if start.elapsed() > limit {
                let _ = child.kill();
                killed = true;
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let mut log = String::new();
        let mut bytes = Vec::new();
        File::open(out.path())?.take(MAX_LOG).read_to_end(&mut bytes)?;
        log.push_str(&String::from_utf8_lossy(&bytes));
        if killed {
            log.push_str(&format!("\n==seam== replay killed after {}s\n", limit.as_secs()));
        }
        Ok(log)
    }
}
