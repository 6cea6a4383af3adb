//! The parser fuzz target (`fuzz/fuzz_targets/triage_parse.rs`) runs a bounded, seeded campaign
//! from the captured-report corpus without a crash, hang or leak.

mod common;

use common::{build, fuzz, root, tail, ASAN};

#[test]
#[ignore = "end-to-end: needs clang-19 and cargo-fuzz (scripts/setup.sh); run by `make test`"]
fn the_triage_parsers_survive_a_seeded_campaign() {
    let corpus = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("corpus/triage_parse")).unwrap().flatten() {
        std::fs::copy(e.path(), corpus.path().join(e.file_name())).unwrap();
    }
    let corpus_arg = corpus.path().to_string_lossy().into_owned();
    let run = fuzz(&build(ASAN).join("triage_parse"), 1, 30_000, &["-max_len=20000", "-timeout=10", &corpus_arg]);
    assert!(run.status.success() && run.artifacts.is_empty(), "{}", tail(&run.log, 4000));
}
