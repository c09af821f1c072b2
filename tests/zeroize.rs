//! Secrets are wiped from memory on drop, and the secret types lack the
//! traits that would copy or print them.
#![allow(unsafe_code)] // to look at a value's memory after its destructor ran

use std::mem::{MaybeUninit, size_of};

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier};

#[path = "support/vectors.rs"]
mod vectors;
use vectors::RFC_VERIFIER as V;

/// Runs `T`'s destructor in place and returns the bytes left behind.
fn bytes_after_drop<T>(value: T) -> Vec<u8> {
    let mut slot = MaybeUninit::new(value);
    // SAFETY: `slot` holds an initialized `T`, dropped exactly once here and
    // never used as a `T` again; its storage stays valid and is read as bytes.
    unsafe {
        std::ptr::drop_in_place(slot.as_mut_ptr());
        std::slice::from_raw_parts(slot.as_ptr().cast::<u8>(), size_of::<T>()).to_vec()
    }
}

/// Bytes before drop, for the control.
fn bytes_of<T>(value: &T) -> Vec<u8> {
    // SAFETY: reading the initialized bytes of a live value (its fields are
    // byte arrays and small integers with no padding that matters here).
    unsafe { std::slice::from_raw_parts((value as *const T).cast::<u8>(), size_of::<T>()).to_vec() }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn verifier_is_zeroized_on_drop() {
    let v = CodeVerifier::parse(V).unwrap();
    assert!(
        contains(&bytes_of(&v), V.as_bytes()),
        "control: the secret is in the value"
    );
    assert!(!contains(&bytes_after_drop(v), &V.as_bytes()[..8]));

    let long = "abcdefghijklmnopqrstuvwxyz".repeat(4)
        + "0123456789-._~ABCDEFGHIJKLMNOPQRSTUVWXYZ0123"[..24].as_ref();
    let v = CodeVerifier::parse(&long).unwrap();
    assert!(
        bytes_after_drop(v).iter().all(|&b| b == 0),
        "every byte of a 128-char verifier is cleared"
    );
}

#[test]
fn plain_challenge_is_zeroized_on_drop() {
    let c = CodeChallenge::parse(V, ChallengeMethod::Plain).unwrap();
    assert!(contains(&bytes_of(&c), V.as_bytes()), "control");
    assert!(!contains(&bytes_after_drop(c), &V.as_bytes()[..8]));
}

#[test]
fn verifier_is_zeroize_on_drop_and_not_clone_or_display() {
    fn zeroize_on_drop<T: zeroize::ZeroizeOnDrop>() {}
    zeroize_on_drop::<CodeVerifier>();

    // Resolves only if exactly one impl applies: adding Clone, Copy or
    // Display to CodeVerifier makes this file fail to compile.
    trait AmbiguousIfClone<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfClone<()> for T {}
    impl<T: Clone> AmbiguousIfClone<u8> for T {}
    <CodeVerifier as AmbiguousIfClone<_>>::check();

    trait AmbiguousIfDisplay<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfDisplay<()> for T {}
    impl<T: ?Sized + std::fmt::Display> AmbiguousIfDisplay<u8> for T {}
    <CodeVerifier as AmbiguousIfDisplay<_>>::check();

    trait AmbiguousIfEq<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfEq<()> for T {}
    impl<T: ?Sized + PartialEq> AmbiguousIfEq<u8> for T {}
    <CodeVerifier as AmbiguousIfEq<_>>::check();
}
