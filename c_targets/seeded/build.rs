fn main() {
    let mut build = seam_build::Build::new();
    build.file("csrc/seeded.c").include("csrc");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_FIXED");
    if std::env::var_os("CARGO_FEATURE_FIXED").is_some() {
        build.define("SEEDED_FIXED", None);
    }
    build.compile("seeded");
}
