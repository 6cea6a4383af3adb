//! Finding the clang that compiles instrumented C.

use std::path::{Path, PathBuf};

use crate::Error;

/// Environment variables read here.
pub const ENV_VARS: &[&str] = &["SEAM_CLANG", "SEAM_CLANGXX", "PATH"];

/// The language a compiler is wanted for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    /// C: `clang`.
    C,
    /// C++: `clang++`.
    Cxx,
}

impl Lang {
    /// Variable naming an explicit compiler, and candidates in order of preference when it is
    /// not set. clang 19 matches the sanitizer runtimes closest to the ones rustc nightly ships.
    fn choices(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Lang::C => ("SEAM_CLANG", &["clang-19", "clang"]),
            Lang::Cxx => ("SEAM_CLANGXX", &["clang++-19", "clang++"]),
        }
    }
}

/// Returns the clang to use for C: `SEAM_CLANG` if set (it must exist), else the first
/// candidate found on `PATH`.
pub fn find_clang(env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, Error> {
    find_compiler(Lang::C, env)
}

/// Returns the clang (or clang++) for `lang`, as [`find_clang`] does for C.
pub fn find_compiler(lang: Lang, env: &dyn Fn(&str) -> Option<String>) -> Result<PathBuf, Error> {
    let (var, candidates) = lang.choices();
    let path = env("PATH");
    if let Some(explicit) = env(var).filter(|s| !s.is_empty()) {
        return resolve(Path::new(&explicit), path.as_deref())
            .ok_or_else(|| Error::NoClang { tried: vec![format!("{var}={explicit}")] });
    }
    candidates
        .iter()
        .find_map(|c| resolve(Path::new(c), path.as_deref()))
        .ok_or_else(|| Error::NoClang { tried: candidates.iter().map(|c| c.to_string()).collect() })
}

/// Resolves a program name against `PATH`, or checks an absolute/relative path.
fn resolve(program: &Path, path: Option<&str>) -> Option<PathBuf> {
    if program.components().count() > 1 {
        return program.is_file().then(|| program.to_path_buf());
    }
    std::env::split_paths(path?)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_clang_is_an_error_that_says_how_to_install_it() {
        let env = |k: &str| (k == "PATH").then(|| "/nonexistent".to_string());
        let err = find_clang(&env).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("scripts/setup.sh"), "{msg}");
        assert!(msg.contains("SEAM_CLANG"), "{msg}");
    }

    #[test]
    fn explicit_clang_must_exist() {
        let env = |k: &str| (k == "SEAM_CLANG").then(|| "/nonexistent/clang".to_string());
        assert!(matches!(find_clang(&env), Err(Error::NoClang { .. })));
    }

    #[test]
    fn clang_is_found_on_path() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("clang-19"), "").unwrap();
        let p = dir.path().to_str().unwrap().to_string();
        let env = move |k: &str| (k == "PATH").then(|| p.clone());
        assert_eq!(find_clang(&env).unwrap(), dir.path().join("clang-19"));
    }
}
