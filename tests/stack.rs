//! `verify` and `challenge` leave no copy of the verifier on the stack: the
//! padded message that SHA-256 hashes is zeroized (`src/challenge.rs`).
//!
//! The scan: wipe a stack region, run the operation in a function that is
//! not inlined (its frames lie in that region), return, then read the
//! region back from another function's uninitialized buffer and search it
//! for the verifier. A control that leaves a copy on purpose shows that the
//! scan sees one.
//!
//! What it cannot see: copies in registers, or below the region scanned.
//! The constructors' scrubbing (`src/scrub.rs`) is not asserted here: whether
//! a copy survives there depends on how the calling code (this file) is
//! compiled, not only on the library.
#![allow(unsafe_code)] // to read stack memory no live value owns

use std::hint::black_box;
use std::mem::MaybeUninit;

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_VERIFIER as V, verifier_of_len};

/// Bytes of stack wiped and scanned.
const REGION: usize = 16 * 1024;

#[inline(never)]
fn wipe() {
    let buf = [0u8; REGION];
    black_box(&buf);
}

/// Whole copies of `secret` in the region.
///
/// Whole ones only: in a debug build `sha2`'s SHA-NI code spills the
/// message to the stack 16 bytes at a time, between byte-shuffle masks
/// (its frames, not this crate's), while a copy this crate could leave (the
/// padded message, a verifier's buffer) holds the verifier in one piece.
#[inline(never)]
fn copies_on_stack(secret: &[u8]) -> usize {
    let mut buf = MaybeUninit::<[u8; REGION]>::uninit();
    black_box(&mut buf);
    let base = buf.as_ptr().cast::<u8>();
    // SAFETY: the buffer is REGION bytes of this frame, valid to read; its
    // bytes are uninitialized as far as Rust knows (they are whatever the
    // earlier calls left), which is exactly what is looked for, and each is
    // read once with a volatile read into an initialized `u8`.
    let bytes: Vec<u8> = (0..REGION)
        .map(|i| unsafe { base.add(i).read_volatile() })
        .collect();
    bytes.windows(secret.len()).filter(|w| *w == secret).count()
}

/// Runs `f` below a padding frame, so that its frames lie inside the region
/// the scan's buffer covers, and drops its result there.
#[inline(never)]
fn run<T>(f: impl FnOnce() -> T) {
    let pad = [0u8; 512];
    black_box(&pad);
    run_inner(f);
}

#[inline(never)]
fn run_inner<T>(f: impl FnOnce() -> T) {
    let result = f();
    black_box(&result);
}

/// Copies of `secret` left on the stack by `f`, once its results are dropped.
fn left_by<T>(secret: &str, f: impl FnOnce() -> T) -> usize {
    wipe();
    run(f);
    copies_on_stack(secret.as_bytes())
}

/// The control: copies `secret` into a local it does not wipe.
#[inline(never)]
fn leave_a_copy(secret: &str) {
    let mut copy = [0u8; 128];
    copy[..secret.len()].copy_from_slice(black_box(secret).as_bytes());
    black_box(&copy);
}

#[test]
fn the_scan_sees_a_copy_left_on_the_stack() {
    let long = verifier_of_len(128);
    for secret in [V, long.as_str()] {
        let n = left_by(secret, || leave_a_copy(secret));
        assert_eq!(
            n,
            1,
            "{} bytes: the scan must see the control's copy",
            secret.len()
        );
    }
}

#[test]
fn verify_leaves_no_copy_of_the_verifier() {
    let long = verifier_of_len(128);
    for presented in [V, long.as_str()] {
        let s256 = Box::new(CodeVerifier::parse(presented).unwrap().challenge());
        let plain = Box::new(CodeChallenge::parse(presented, ChallengeMethod::Plain).unwrap());
        let other = Box::new(
            CodeVerifier::parse(&verifier_of_len(64))
                .unwrap()
                .challenge(),
        );
        for (name, challenge, expected) in [
            ("S256", &s256, Ok(())),
            ("plain", &plain, Ok(())),
            ("mismatch", &other, Err(Error::Mismatch)),
        ] {
            let n = left_by(presented, || {
                assert_eq!(challenge.verify(black_box(presented)), expected);
            });
            assert_eq!(n, 0, "{name}, {} bytes: copies left", presented.len());
        }
    }
}

#[test]
fn challenge_leaves_no_copy_of_the_verifier() {
    let long = verifier_of_len(128);
    for secret in [V, long.as_str()] {
        // On the heap, so that the only stack copies are the operation's.
        let verifier = Box::new(CodeVerifier::parse(secret).unwrap());
        let n = left_by(secret, || verifier.challenge());
        assert_eq!(n, 0, "{} bytes: copies left", secret.len());
    }
}
