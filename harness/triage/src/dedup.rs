//! Dedup and clustering of crashes.
//!
//! Two crashes are the same bug when they share the dedup key: the crash type without its
//! access size (an overflow's size changes with the input), the boundary function, and the top
//! three frames after runtime noise is dropped. Bugs that share the type family and the boundary
//! function, but differ deeper in the stack, fall into one cluster: likely one root cause seen
//! along different paths.

/// The crash type without a trailing access size: `Heap-buffer-overflow WRITE 4` ->
/// `Heap-buffer-overflow WRITE`.
pub fn type_family(crash_type: &str) -> &str {
    match crash_type.rsplit_once(' ') {
        Some((head, size)) if !size.is_empty() && size.chars().all(|c| c.is_ascii_digit()) => head,
        _ => crash_type,
    }
}

/// The dedup key of a crash.
pub fn key(crash_type: &str, function: Option<&str>, state: &[String]) -> String {
    format!("{}|{}|{}", type_family(crash_type), function.unwrap_or("-"), state.join(","))
}

/// The cluster key of a crash.
pub fn cluster_key(crash_type: &str, function: Option<&str>) -> String {
    let family = type_family(crash_type);
    let head = family.split(' ').next().unwrap_or(family);
    format!("{head}|{}", function.unwrap_or("-"))
}

/// A stable short fingerprint of a key (FNV-1a, 64 bits), for SARIF and file names.
pub fn fingerprint(key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_size_does_not_split_a_bug() {
        let s = vec!["seeded_parse".to_string()];
        assert_eq!(
            key("Heap-buffer-overflow WRITE 12", Some("seeded_parse"), &s),
            key("Heap-buffer-overflow WRITE 30", Some("seeded_parse"), &s)
        );
        assert_ne!(
            key("Heap-buffer-overflow WRITE 12", Some("seeded_parse"), &s),
            key("Heap-buffer-overflow READ 12", Some("seeded_parse"), &s)
        );
        assert_eq!(type_family("Leak"), "Leak");
        assert_eq!(type_family("UNKNOWN WRITE"), "UNKNOWN WRITE");
    }

    #[test]
    fn clusters_join_types_of_one_family_at_one_call() {
        assert_eq!(cluster_key("Heap-buffer-overflow WRITE 1", Some("f")), cluster_key("Heap-buffer-overflow READ 4", Some("f")));
        assert_ne!(cluster_key("Heap-buffer-overflow WRITE 1", Some("f")), cluster_key("Heap-buffer-overflow WRITE 1", Some("g")));
    }

    #[test]
    fn fingerprints_are_stable() {
        assert_eq!(fingerprint("a"), "af63dc4c8601ec8c");
        assert_ne!(fingerprint("a"), fingerprint("b"));
    }
}
