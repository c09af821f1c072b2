// The binary has no std, so link the C runtime explicitly for `main`,
// `memcpy` and `memset`.
fn main() {
    println!("cargo:rustc-link-arg-bins=-lc");
}
