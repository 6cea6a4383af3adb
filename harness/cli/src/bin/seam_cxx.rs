//! `CXX` for cc-based `-sys` crates: see `seam env`.
fn main() {
    seam::cc_wrapper::main(seam_build::compiler::Lang::Cxx)
}
