//! Validation of SARIF output against the official SARIF 2.1.0 schema, as serde-sarif (a
//! dev-dependency, so always in the cargo registry) ships it in `src/schema.json`, and against
//! serde-sarif's typed model.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn schema_path() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
        .expect("CARGO_HOME or HOME");
    let mut found = Vec::new();
    for index in std::fs::read_dir(home.join("registry/src")).expect("cargo registry sources").flatten() {
        for pkg in std::fs::read_dir(index.path()).into_iter().flatten().flatten() {
            if pkg.file_name().to_string_lossy().starts_with("serde-sarif-0.8") {
                found.push(pkg.path().join("src/schema.json"));
            }
        }
    }
    found.sort();
    found.pop().expect("serde-sarif sources in the cargo registry")
}

/// The published schema's pattern for `language` properties has a stray `]` that its own
/// meta-schema rejects as a regex; it is replaced by the pattern it means (seam never writes
/// those properties), everything else is taken as published.
fn fix_language_pattern(v: &mut serde_json::Value) {
    const BROKEN: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        serde_json::Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                if k == "pattern" && val == BROKEN {
                    *val = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                } else {
                    fix_language_pattern(val);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_language_pattern),
        _ => {}
    }
}

/// Every way `sarif` breaks the SARIF 2.1.0 schema or serde-sarif's model; empty when valid.
pub fn problems(sarif: &serde_json::Value) -> Vec<String> {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    let validator = VALIDATOR.get_or_init(|| {
        let mut schema: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(schema_path()).expect("reading the SARIF schema")).expect("schema is JSON");
        fix_language_pattern(&mut schema);
        jsonschema::validator_for(&schema).expect("schema compiles")
    });
    let mut out: Vec<String> = validator.iter_errors(sarif).map(|e| format!("{e} at {}", e.instance_path())).collect();
    if let Err(e) = serde_json::from_value::<serde_sarif::sarif::Sarif>(sarif.clone()) {
        out.push(format!("serde-sarif model: {e}"));
    }
    out
}
