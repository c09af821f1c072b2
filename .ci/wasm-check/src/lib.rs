#[unsafe(no_mangle)]
pub extern "C" fn make() -> usize {
    proofkey::CodeVerifier::random().map(|v| v.challenge().as_str().len()).unwrap_or(0)
}
