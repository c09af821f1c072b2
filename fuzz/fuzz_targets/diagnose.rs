//! `proofkey::diagnose` never panics, says `Match` exactly when
//! `CodeChallenge::parse(..)?.verify(..)` is Ok, and names each client
//! mistake built here with independent encoders (`sha2`, `base64`, `format!`).
//!
//! Input: as `verify.rs`, one control byte, then the challenge and the
//! verifier separated by the first 0xFF. Control bit 0 is the method; bits
//! 1-3 choose the challenge, built from the verifier `v` with `D =
//! SHA256(v)`: the given text (0), `BASE64URL(D)` (1), `D` in lower (2) or
//! upper (3) case hex, `BASE64URL(D)` padded (4), `D` in padded standard
//! base64 (5), the S256 of `v`'s base64url-decoded octets (6, when `v`
//! decodes; else the given text), the S256 of `v` and a newline (7). Bit 4
//! appends a newline to the presented verifier after the challenge is built.
//! Without this bias the fuzzer could not reach the mistakes (each needs a
//! SHA-256 of the verifier).
#![no_main]

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use common::{is_error_description, is_verifier, transform};
use libfuzzer_sys::fuzz_target;
use proofkey::{ChallengeMethod, CodeChallenge, Diagnosis, diagnose};
use sha2::{Digest, Sha256};

/// Whether `verifier` matches `challenge` bound with `method`, by the
/// library's own verify.
fn verifies(challenge: &str, method: ChallengeMethod, verifier: &str) -> bool {
    CodeChallenge::parse(challenge, method).is_ok_and(|c| c.verify(verifier).is_ok())
}

/// The challenge built by `choice` from `v`, and the diagnosis it must get
/// when `v` is a valid verifier presented as it is (`None`: no oracle).
fn build(choice: u8, method: ChallengeMethod, v: &[u8], given: &[u8]) -> (Vec<u8>, Option<Diagnosis>) {
    let digest = Sha256::digest(v);
    let url = transform(ChallengeMethod::S256, v);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    match choice {
        1 => {
            let want = match method {
                ChallengeMethod::S256 => Diagnosis::Match,
                ChallengeMethod::Plain => Diagnosis::S256UnderPlain,
            };
            (url, Some(want))
        }
        2 => (hex.into_bytes(), Some(Diagnosis::HexDigest)),
        3 => (hex.to_uppercase().into_bytes(), Some(Diagnosis::HexDigest)),
        4 => (URL_SAFE.encode(digest).into_bytes(), Some(Diagnosis::Padded)),
        5 => {
            let standard = STANDARD.encode(digest);
            // Without `+` or `/` it is the padded base64url text.
            let want = if standard.contains(['+', '/']) {
                Diagnosis::StandardBase64
            } else {
                Diagnosis::Padded
            };
            (standard.into_bytes(), Some(want))
        }
        6 => match URL_SAFE_NO_PAD.decode(v) {
            Ok(octets) => (
                transform(ChallengeMethod::S256, &octets),
                Some(Diagnosis::HashOfDecodedVerifier),
            ),
            Err(_) => (given.to_vec(), None),
        },
        7 => {
            let mut with_newline = v.to_vec();
            with_newline.push(b'\n');
            (
                transform(ChallengeMethod::S256, &with_newline),
                Some(Diagnosis::HashOfVerifierWithNewline),
            )
        }
        _ => (given.to_vec(), None),
    }
}

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
    let v = String::from_utf8_lossy(verifier_part).into_owned();
    let (challenge_bytes, built) = build((control >> 1) & 7, method, v.as_bytes(), challenge_part);
    let challenge = String::from_utf8_lossy(&challenge_bytes);
    let challenge: &str = &challenge;
    let newline = control & 0x10 != 0;
    let verifier = if newline { format!("{v}\n") } else { v.clone() };

    let d = diagnose(challenge, method, &verifier);

    // Match exactly when verify accepts.
    assert_eq!(d == Diagnosis::Match, verifies(challenge, method, &verifier), "{d:?}");

    // Fixed, safe text.
    let text = d.to_string();
    assert!(is_error_description(&text) && text.ends_with('.'), "{d:?}");

    // Each diagnosis is consistent with its definition.
    let well_formed = is_verifier(verifier.as_bytes());
    match d {
        Diagnosis::SurroundingWhitespace => {
            assert!(verifies(challenge.trim_ascii(), method, verifier.trim_ascii()));
        }
        Diagnosis::MalformedVerifier => assert!(!well_formed),
        Diagnosis::MalformedChallenge => {
            assert!(well_formed && CodeChallenge::parse(challenge, method).is_err());
        }
        Diagnosis::WrongVerifier => {
            assert!(well_formed && CodeChallenge::parse(challenge, method).is_ok());
        }
        Diagnosis::Match => {}
        _ => assert!(well_formed, "{d:?} for a malformed verifier"),
    }

    // The built mistakes get their names.
    if let (Some(want), true) = (built, is_verifier(v.as_bytes())) {
        let want = match (newline, want) {
            (false, want) => want,
            // Trimming the newline gives back a match, and nothing else.
            (true, Diagnosis::Match) => Diagnosis::SurroundingWhitespace,
            (true, _) => Diagnosis::MalformedVerifier,
        };
        assert_eq!(d, want, "{method}: challenge {challenge:?}, verifier {verifier:?}");
    }
});
