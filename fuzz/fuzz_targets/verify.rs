//! `CodeChallenge::verify` against an independent
//! transform: Ok exactly when the verifier is well-formed and its transform
//! equals the challenge byte for byte.
//!
//! Input: one control byte, then the challenge and the verifier separated by
//! the first 0xFF (never part of UTF-8). Control bit 0 is the method; bits 1-2
//! choose the challenge: the given text (0, 3), the reference transform of
//! the verifier (1), or that transform with one byte replaced (2): the
//! given text's first byte goes at the position given by its second byte. Without this bias the
//! fuzzer could not find matching S256 pairs (a SHA-256 preimage).
#![no_main]

mod common;

use common::{expected_verifier_error, is_challenge, transform};
use libfuzzer_sys::fuzz_target;
use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error};

fuzz_target!(|data: &[u8]| {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let (challenge_part, verifier_part) = match rest.iter().position(|&b| b == 0xFF) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &[][..]),
    };
    let method = if control & 1 == 0 {
        ChallengeMethod::S256
    } else {
        ChallengeMethod::Plain
    };
    let verifier = String::from_utf8_lossy(verifier_part);
    let verifier: &str = &verifier;
    let reference = transform(method, verifier.as_bytes());
    let challenge_bytes = match (control >> 1) & 3 {
        1 => reference.clone(),
        2 => {
            let mut t = reference.clone();
            if let ([replacement, at, ..], false) = (challenge_part, t.is_empty()) {
                let i = usize::from(*at) % t.len();
                t[i] = *replacement;
            }
            t
        }
        _ => challenge_part.to_vec(),
    };
    let challenge = String::from_utf8_lossy(&challenge_bytes);
    let challenge: &str = &challenge;

    let parsed = CodeChallenge::parse(challenge, method);
    assert_eq!(parsed.is_ok(), is_challenge(method, challenge.as_bytes()));
    let Ok(c) = parsed else { return };

    let well_formed = expected_verifier_error(verifier.as_bytes());
    let matches = reference == challenge.as_bytes();
    let result = c.verify(verifier);
    match well_formed {
        Some(syntax) => assert_eq!(result, Err(syntax), "malformed verifier {verifier:?}"),
        None if matches => assert_eq!(
            result,
            Ok(()),
            "{method}: {verifier:?} should match {challenge:?}"
        ),
        None => assert_eq!(
            result,
            Err(Error::Mismatch),
            "{method}: {verifier:?} must not match {challenge:?}"
        ),
    }

    // The client side agrees: a parsed verifier derives this challenge
    // exactly when verify accepts it.
    if let Ok(v) = CodeVerifier::parse(verifier) {
        let derived = v.challenge_with(method);
        assert_eq!(derived.as_str().as_bytes(), reference);
        assert_eq!(derived == c, result.is_ok());
        assert_eq!(derived.verify(verifier), Ok(()));
    }
});
