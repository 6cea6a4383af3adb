//! What every SARIF file seam writes shares: the schema URI and artifact locations.

use serde_json::{json, Value};

/// The SARIF schema URI written into every file.
pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Percent-encodes what a URI reference cannot hold as is.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `artifactLocation`: relative to `%SRCROOT%` when the file is relative or below the
/// current directory, else an absolute `file://` URI.
pub fn artifact_location(file: &str) -> Value {
    let file = file.trim_start_matches("./");
    let path = std::path::Path::new(file);
    let cwd = std::env::current_dir().ok();
    let rel = if path.is_absolute() { cwd.as_deref().and_then(|c| path.strip_prefix(c).ok()) } else { Some(path) };
    match rel {
        Some(r) => json!({ "uri": encode(&r.to_string_lossy().replace('\\', "/")), "uriBaseId": "%SRCROOT%" }),
        None => json!({ "uri": format!("file://{}", encode(file)) }),
    }
}
