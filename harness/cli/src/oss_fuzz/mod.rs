//! Continuous fuzzing on OSS-Fuzz and ClusterFuzzLite.
//!
//! `export` writes the project files: for ClusterFuzzLite `.clusterfuzzlite/{project.yaml,
//! Dockerfile,build.sh}` and a pull-request workflow, for OSS-Fuzz a `projects/<name>/`
//! directory to submit. Both run the same `build.sh`, which builds every fuzz target with the
//! build's engine and sanitizer flags applied to fuzz-target C (seam's compiler wrapper) and
//! calls [`stage::stage`] to put binaries, seed corpora, dictionaries and options into `$OUT`.

pub mod stage;
pub mod texts;

use std::path::{Path, PathBuf};

use crate::gen::output::GeneratedFile;

/// What the project files say about the project.
#[derive(Clone, Debug)]
pub struct Project {
    /// Project name: the directory under `$SRC` and under OSS-Fuzz's `projects/`.
    pub name: String,
    /// How long a pull-request campaign fuzzes, in seconds (ClusterFuzzLite).
    pub pr_fuzz_seconds: u32,
}

/// What OSS-Fuzz also needs to know.
#[derive(Clone, Debug)]
pub struct Upstream {
    /// Repository URL (OSS-Fuzz clones it).
    pub repo: String,
    /// Primary contact (OSS-Fuzz sends reports there).
    pub contact: String,
    /// Homepage, when not the repository.
    pub homepage: Option<String>,
}

/// The ClusterFuzzLite files under `root`.
pub fn cflite_files(p: &Project, root: &Path) -> Vec<GeneratedFile> {
    let dir = root.join(".clusterfuzzlite");
    vec![
        file(dir.join("project.yaml"), texts::cflite_project_yaml()),
        file(dir.join("Dockerfile"), texts::cflite_dockerfile(p)),
        file(dir.join("build.sh"), texts::build_sh(p)),
        file(root.join(".github/workflows/cflite_pr.yml"), texts::cflite_pr_workflow(p)),
    ]
}

/// The OSS-Fuzz project directory's files; `memory` when some targets build under
/// MemorySanitizer.
pub fn oss_fuzz_files(p: &Project, up: &Upstream, dir: &Path, memory: bool) -> Vec<GeneratedFile> {
    vec![
        file(dir.join("project.yaml"), texts::project_yaml(up, memory)),
        file(dir.join("Dockerfile"), texts::dockerfile(p, up)),
        file(dir.join("build.sh"), texts::build_sh(p)),
    ]
}

fn file(path: PathBuf, contents: String) -> GeneratedFile {
    GeneratedFile { path, contents }
}

/// Makes the `build.sh` files among `files` executable.
pub fn make_scripts_executable(files: &[GeneratedFile]) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    for f in files.iter().filter(|f| f.path.extension().is_some_and(|e| e == "sh")) {
        std::fs::set_permissions(&f.path, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| anyhow::anyhow!("making {} executable: {e}", f.path.display()))?;
    }
    Ok(())
}
