//! `diagnose` names each client mistake. Every mistake is built here from
//! real verifiers (the crate's generators with a seeded RNG, and RFC 7636
//! Appendix B) with encoders written for the tests (`support/mistakes.rs`):
//! hex by `format!`, base64 and base64url by a small reference encoder over
//! RFC 4648's tables.

use proofkey::ChallengeMethod::{self, Plain, S256};
use proofkey::{CodeChallenge, CodeVerifier, Diagnosis, diagnose};
use proptest::prelude::*;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_CHALLENGE, RFC_OCTETS, RFC_VERIFIER};
#[path = "support/mistakes.rs"]
mod mistakes;
use mistakes::{Case, STANDARD, URL, base64, cases, hex, s256, sha256};

/// Asserts the diagnosis, and that its text shows neither input.
#[track_caller]
fn assert_diagnosis(challenge: &str, method: ChallengeMethod, verifier: &str, want: Diagnosis) {
    let got = diagnose(challenge, method, verifier);
    assert_eq!(
        got, want,
        "{method}: challenge {challenge:?}, verifier {verifier:?}"
    );
    for shown in [got.to_string(), format!("{got:?}")] {
        for input in [challenge.trim(), verifier.trim()] {
            assert!(input.is_empty() || !shown.contains(input), "{shown}");
        }
    }
}

#[test]
fn the_reference_encoder_reproduces_appendix_b() {
    assert_eq!(base64(&RFC_OCTETS, URL, false), RFC_VERIFIER);
    assert_eq!(s256(RFC_VERIFIER.as_bytes()), RFC_CHALLENGE);
    // RFC 4648 §10
    for (input, want) in [
        ("", ""),
        ("f", "Zg=="),
        ("fo", "Zm8="),
        ("foo", "Zm9v"),
        ("foobar", "Zm9vYmFy"),
    ] {
        assert_eq!(base64(input.as_bytes(), STANDARD, true), want);
    }
}

#[test]
fn a_correct_pair_is_a_match_under_either_method() {
    for Case { verifier: v, .. } in cases() {
        let challenge = s256(v.as_bytes());
        let parsed = CodeVerifier::parse(&v).unwrap();
        assert_eq!(parsed.challenge().as_str(), challenge);
        assert_diagnosis(&challenge, S256, &v, Diagnosis::Match);
        assert_diagnosis(&v, Plain, &v, Diagnosis::Match);
    }
}

#[test]
fn a_hex_digest_in_either_case() {
    for Case { verifier: v, .. } in cases() {
        let lower = hex(&sha256(v.as_bytes()));
        for challenge in [lower.clone(), lower.to_uppercase()] {
            for method in [S256, Plain] {
                assert_diagnosis(&challenge, method, &v, Diagnosis::HexDigest);
            }
        }
    }
    // RFC 7636 Appendix B, hex as `sha256sum` prints it.
    let hex_b = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    assert_diagnosis(hex_b, Plain, RFC_VERIFIER, Diagnosis::HexDigest);
}

#[test]
fn a_padded_challenge() {
    for Case { verifier: v, .. } in cases() {
        let padded = base64(&sha256(v.as_bytes()), URL, true);
        assert_eq!(padded.len(), 44);
        assert!(padded.ends_with('='));
        for method in [S256, Plain] {
            assert_diagnosis(&padded, method, &v, Diagnosis::Padded);
        }
    }
    let padded_b = format!("{RFC_CHALLENGE}=");
    assert_diagnosis(&padded_b, S256, RFC_VERIFIER, Diagnosis::Padded);
}

#[test]
fn standard_base64_with_or_without_padding() {
    let mut with_plus_or_slash = 0;
    for Case { verifier: v, .. } in cases() {
        let digest = sha256(v.as_bytes());
        let padded = base64(&digest, STANDARD, true);
        let unpadded = base64(&digest, STANDARD, false);
        if unpadded.contains(['+', '/']) {
            with_plus_or_slash += 1;
            for challenge in [&padded, &unpadded] {
                for method in [S256, Plain] {
                    assert_diagnosis(challenge, method, &v, Diagnosis::StandardBase64);
                }
            }
        } else {
            // The same text as base64url: the closer diagnosis wins.
            assert_diagnosis(&padded, S256, &v, Diagnosis::Padded);
            assert_diagnosis(&unpadded, S256, &v, Diagnosis::Match);
            assert_diagnosis(&unpadded, Plain, &v, Diagnosis::S256UnderPlain);
        }
    }
    assert!(with_plus_or_slash > 100, "{with_plus_or_slash}");
}

#[test]
fn the_verifier_sent_as_an_s256_challenge() {
    for Case { verifier: v, .. } in cases() {
        assert_diagnosis(&v, S256, &v, Diagnosis::VerifierAsChallenge);
    }
    assert_diagnosis(
        RFC_VERIFIER,
        S256,
        RFC_VERIFIER,
        Diagnosis::VerifierAsChallenge,
    );
}

#[test]
fn an_s256_challenge_bound_as_plain() {
    for Case { verifier: v, .. } in cases() {
        assert_diagnosis(&s256(v.as_bytes()), Plain, &v, Diagnosis::S256UnderPlain);
    }
    assert_diagnosis(
        RFC_CHALLENGE,
        Plain,
        RFC_VERIFIER,
        Diagnosis::S256UnderPlain,
    );
}

#[test]
fn the_hash_of_the_verifier_and_a_newline() {
    for Case { verifier: v, .. } in cases() {
        let challenge = s256(format!("{v}\n").as_bytes());
        for method in [S256, Plain] {
            assert_diagnosis(&challenge, method, &v, Diagnosis::HashOfVerifierWithNewline);
        }
    }
}

#[test]
fn the_hash_of_the_decoded_verifier() {
    let mut decodable = 0;
    for Case {
        verifier: v,
        octets,
    } in cases()
    {
        let Some(octets) = octets else { continue };
        decodable += 1;
        let challenge = s256(&octets);
        for method in [S256, Plain] {
            assert_diagnosis(&challenge, method, &v, Diagnosis::HashOfDecodedVerifier);
        }
    }
    assert!(decodable > 100, "{decodable}");
    // RFC 7636 Appendix B: hashing its 32 octets instead of the verifier.
    assert_diagnosis(
        &s256(&RFC_OCTETS),
        S256,
        RFC_VERIFIER,
        Diagnosis::HashOfDecodedVerifier,
    );
}

#[test]
fn white_space_around_either_value() {
    for Case { verifier: v, .. } in cases() {
        let challenge = s256(v.as_bytes());
        for ws in ["\n", "\r\n", " ", "\t"] {
            let trailing = format!("{v}{ws}");
            let leading = format!("{ws}{v}");
            let both = format!("{ws}{v}{ws}");
            for presented in [&trailing, &leading, &both] {
                assert_diagnosis(
                    &challenge,
                    S256,
                    presented,
                    Diagnosis::SurroundingWhitespace,
                );
                assert_diagnosis(&v, Plain, presented, Diagnosis::SurroundingWhitespace);
                // Trimmed, it still does not match: the verifier is at fault.
                assert_diagnosis(
                    &s256(b"other"),
                    S256,
                    presented,
                    Diagnosis::MalformedVerifier,
                );
            }
            let stored = format!("{challenge}{ws}");
            assert_diagnosis(&stored, S256, &v, Diagnosis::SurroundingWhitespace);
            assert_diagnosis(&stored, S256, &trailing, Diagnosis::SurroundingWhitespace);
        }
    }
}

#[test]
fn a_malformed_verifier() {
    for Case { verifier: v, .. } in cases() {
        let challenge = s256(v.as_bytes());
        let long = format!("{v}{}", "A".repeat(129 - v.len()));
        let inner_space = format!("{} {}", &v[..20], &v[20..]);
        let percent = format!("{}%7E", &v[..40]);
        for presented in [&v[..42], long.as_str(), &inner_space, &percent, ""] {
            assert_diagnosis(&challenge, S256, presented, Diagnosis::MalformedVerifier);
            assert_diagnosis(&v, Plain, presented, Diagnosis::MalformedVerifier);
            // The verifier is checked first, whatever the challenge.
            let hex_challenge = hex(&sha256(presented.as_bytes()));
            assert_diagnosis(
                &hex_challenge,
                Plain,
                presented,
                Diagnosis::MalformedVerifier,
            );
        }
    }
}

#[test]
fn a_well_formed_verifier_of_another_request() {
    let cases = cases();
    for (this, other) in cases.iter().zip(cases.iter().skip(1)) {
        let (v, w) = (&this.verifier, &other.verifier);
        assert_diagnosis(&s256(w.as_bytes()), S256, v, Diagnosis::WrongVerifier);
        assert_diagnosis(w, Plain, v, Diagnosis::WrongVerifier);
        // The other verifier's mistakes are not this one's.
        let other_hex = hex(&sha256(w.as_bytes()));
        assert_diagnosis(&other_hex, Plain, v, Diagnosis::WrongVerifier);
        assert_diagnosis(&other_hex, S256, v, Diagnosis::MalformedChallenge);
        let other_padded = base64(&sha256(w.as_bytes()), URL, true);
        assert_diagnosis(&other_padded, S256, v, Diagnosis::MalformedChallenge);
        assert_diagnosis(&s256(w.as_bytes()), Plain, v, Diagnosis::WrongVerifier);
        assert_diagnosis(w, S256, v, other_as_s256(w));
    }
}

/// Another verifier stored as an S256 challenge: well-formed exactly when
/// it could be an S256 challenge.
fn other_as_s256(w: &str) -> Diagnosis {
    if CodeChallenge::parse(w, S256).is_ok() {
        Diagnosis::WrongVerifier
    } else {
        Diagnosis::MalformedChallenge
    }
}

#[test]
fn a_malformed_challenge_that_is_no_known_mistake() {
    let non_canonical = RFC_CHALLENGE.replace("-cM", "-cN");
    let short = &RFC_CHALLENGE[..42];
    for (challenge, method) in [
        (non_canonical.as_str(), S256),
        (short, S256),
        ("", S256),
        ("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-c!", S256),
        (short, Plain),
        ("", Plain),
    ] {
        assert_diagnosis(
            challenge,
            method,
            RFC_VERIFIER,
            Diagnosis::MalformedChallenge,
        );
    }
}

/// Every variant, listed by hand: a new one must be added here.
const ALL: [Diagnosis; 12] = [
    Diagnosis::Match,
    Diagnosis::SurroundingWhitespace,
    Diagnosis::MalformedVerifier,
    Diagnosis::HexDigest,
    Diagnosis::S256UnderPlain,
    Diagnosis::Padded,
    Diagnosis::StandardBase64,
    Diagnosis::VerifierAsChallenge,
    Diagnosis::HashOfVerifierWithNewline,
    Diagnosis::HashOfDecodedVerifier,
    Diagnosis::MalformedChallenge,
    Diagnosis::WrongVerifier,
];

#[test]
fn every_explanation_is_one_distinct_fixed_ascii_sentence() {
    for (i, d) in ALL.iter().enumerate() {
        let text = d.to_string();
        assert!(!text.is_empty(), "{d:?}");
        assert!(text.ends_with('.'), "{d:?}: {text}");
        assert!(
            text.starts_with(|c: char| c.is_ascii_uppercase()),
            "{d:?}: {text}"
        );
        // RFC 6749 `error_description` characters: ASCII, no `"` or `\`.
        assert!(
            text.bytes()
                .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E)),
            "{d:?}: {text}"
        );
        for other in &ALL[i + 1..] {
            assert_ne!(d, other);
            assert_ne!(text, other.to_string(), "{d:?} and {other:?}");
        }
    }
}

/// A verifier from random octets and a challenge built from it: the right
/// one or one of the mistakes.
fn verifier_and_mistake() -> impl Strategy<Value = (String, String, ChallengeMethod)> {
    (any::<[u8; 32]>(), 0usize..8, any::<bool>()).prop_map(|(seed, kind, plain)| {
        let v = CodeVerifier::from_random_bytes(&seed).secret().to_owned();
        let digest = sha256(v.as_bytes());
        let challenge = match kind {
            0 => s256(v.as_bytes()),
            1 => hex(&digest),
            2 => base64(&digest, URL, true),
            3 => base64(&digest, STANDARD, false),
            4 => v.clone(),
            5 => s256(format!("{v}\n").as_bytes()),
            6 => s256(&seed),
            _ => s256(&seed[1..]),
        };
        (challenge, v, if plain { Plain } else { S256 })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn match_exactly_when_verify_accepts(challenge in ".{0,140}", verifier in ".{0,140}", plain: bool) {
        let method = if plain { Plain } else { S256 };
        let verified = CodeChallenge::parse(&challenge, method).is_ok_and(|c| c.verify(&verifier).is_ok());
        prop_assert_eq!(diagnose(&challenge, method, &verifier) == Diagnosis::Match, verified);
    }

    #[test]
    fn built_mistakes_are_never_a_match_unless_they_verify((challenge, v, method) in verifier_and_mistake()) {
        let d = diagnose(&challenge, method, &v);
        let verified = CodeChallenge::parse(&challenge, method).is_ok_and(|c| c.verify(&v).is_ok());
        prop_assert_eq!(d == Diagnosis::Match, verified);
        prop_assert!(d != Diagnosis::MalformedVerifier);
        prop_assert!(!d.to_string().contains(v.as_str()));
    }
}
