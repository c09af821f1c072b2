#![no_std]
#![no_main]

use core::panic::PanicInfo;

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier};

#[panic_handler]
fn panic(_: &PanicInfo<'_>) -> ! {
    loop {}
}

/// The process entry point (linked with -nostartfiles): exit status 0 when
/// the RFC 7636 Appendix B vector verifies.
#[unsafe(no_mangle)]
pub extern "C" fn main() -> i32 {
    let verifier = CodeVerifier::from_random_bytes(&[7; 32]);
    let ok = verifier.challenge().verify(verifier.secret()).is_ok()
        && CodeChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", ChallengeMethod::S256)
            .is_ok_and(|c| c.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").is_ok());
    if ok { 0 } else { 1 }
}

/// Referenced by the precompiled `core` even with `panic = "abort"`.
#[unsafe(no_mangle)]
pub extern "C" fn rust_eh_personality() {}
