//! RFC 7636 conformance: the Appendix B example, independent vectors, and
//! the exact syntax of verifiers, challenges and method names.

use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier, Error};

#[path = "support/vectors.rs"]
mod vectors;

use vectors::{
    RFC_CHALLENGE as B_CHALLENGE, RFC_OCTETS as B_OCTETS, RFC_VERIFIER as B_VERIFIER, UNRESERVED,
    verifier_of_len,
};

const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn s256(value: &str) -> Result<CodeChallenge, Error> {
    CodeChallenge::parse(value, ChallengeMethod::S256)
}

fn plain(value: &str) -> Result<CodeChallenge, Error> {
    CodeChallenge::parse(value, ChallengeMethod::Plain)
}

#[test]
fn appendix_b_octets_to_verifier_to_challenge() {
    let verifier = CodeVerifier::from_random_bytes(&B_OCTETS);
    assert_eq!(verifier.secret(), B_VERIFIER);
    let challenge = verifier.challenge();
    assert_eq!(challenge.as_str(), B_CHALLENGE);
    assert_eq!(challenge.method(), ChallengeMethod::S256);
    assert_eq!(challenge.verify(B_VERIFIER), Ok(()));

    let stored = s256(B_CHALLENGE).unwrap();
    assert_eq!(stored.as_str(), B_CHALLENGE);
    assert_eq!(stored, challenge);
    assert_eq!(stored.verify(B_VERIFIER), Ok(()));
    assert_eq!(
        stored.verify(&B_VERIFIER.replace('d', "e")),
        Err(Error::Mismatch)
    );
    assert_eq!(
        stored.verify("short"),
        Err(Error::VerifierLength { len: 5 })
    );
}

#[test]
fn independent_vectors_derive_parse_and_verify_agree() {
    let mut count = 0;
    for (n, v, c) in vectors::s256_vectors() {
        let verifier = CodeVerifier::parse(v).unwrap_or_else(|e| panic!("line {n}: {e}"));
        assert_eq!(verifier.challenge().as_str(), c, "line {n}: derive");
        let stored = s256(c).unwrap_or_else(|e| panic!("line {n}: {e}"));
        assert_eq!(stored.as_str(), c, "line {n}: parse round-trip");
        assert_eq!(stored.verify(v), Ok(()), "line {n}: verify");
        assert_eq!(stored, verifier.challenge(), "line {n}: equality");
        let plain_stored = plain(v).unwrap();
        assert_eq!(plain_stored.verify(v), Ok(()), "line {n}: plain verify");
        count += 1;
    }
    assert_eq!(count, 256, "expected 256 vectors in tests/data/s256.tsv");
}

#[test]
fn verifier_length_boundaries() {
    for len in [0, 1, 42, 129, 130, 1000] {
        let s = verifier_of_len(len);
        assert_eq!(
            CodeVerifier::parse(&s).unwrap_err(),
            Error::VerifierLength { len },
            "len {len}"
        );
        assert_eq!(
            plain(&s).unwrap_err(),
            Error::ChallengeLength {
                method: ChallengeMethod::Plain,
                len
            }
        );
        assert_eq!(
            s256(B_CHALLENGE).unwrap().verify(&s),
            Err(Error::VerifierLength { len })
        );
    }
    for len in [43, 44, 127, 128] {
        let s = verifier_of_len(len);
        let v = CodeVerifier::parse(&s).unwrap();
        assert_eq!(v.secret(), s);
        assert_eq!(plain(&s).unwrap().as_str(), s);
        assert_eq!(v.challenge().verify(&s), Ok(()));
        assert_eq!(v.challenge_with(ChallengeMethod::Plain).verify(&s), Ok(()));
    }
}

#[test]
fn every_byte_outside_unreserved_is_rejected_at_start_middle_and_end() {
    let base = verifier_of_len(50);
    for byte in 0u8..=255 {
        if UNRESERVED.contains(&byte) {
            continue;
        }
        for position in [0, 25, 49] {
            let mut bytes = base.clone().into_bytes();
            bytes[position] = byte;
            // A lone byte >= 0x80 is not UTF-8; use a two-byte character instead,
            // which is still rejected at its first byte.
            let s = match String::from_utf8(bytes) {
                Ok(s) => s,
                Err(_) => {
                    let mut s = base.clone();
                    s.replace_range(position..position + 1, "é");
                    s
                }
            };
            let expect_len = s.len();
            let got = CodeVerifier::parse(&s).unwrap_err();
            if (43..=128).contains(&expect_len) {
                assert_eq!(
                    got,
                    Error::VerifierCharset { position },
                    "byte {byte:#04x} at {position}"
                );
                assert_eq!(
                    plain(&s).unwrap_err(),
                    Error::ChallengeCharset {
                        method: ChallengeMethod::Plain,
                        position
                    }
                );
                assert_eq!(
                    s256(B_CHALLENGE).unwrap().verify(&s),
                    Err(Error::VerifierCharset { position })
                );
            }
        }
    }
}

#[test]
fn every_unreserved_byte_is_accepted() {
    for &byte in UNRESERVED {
        let s: String = std::iter::repeat_n(byte as char, 43).collect();
        assert!(CodeVerifier::parse(&s).is_ok(), "{}", byte as char);
    }
}

#[test]
fn trailing_newline_space_and_nul_are_rejected() {
    for suffix in ["\n", "\r\n", " ", "\0", "\t"] {
        let s = format!("{B_VERIFIER}{suffix}");
        assert_eq!(
            CodeVerifier::parse(&s).unwrap_err(),
            Error::VerifierCharset { position: 43 }
        );
        assert_eq!(
            s256(B_CHALLENGE).unwrap().verify(&s),
            Err(Error::VerifierCharset { position: 43 })
        );
        let c = format!("{B_CHALLENGE}{suffix}");
        assert!(s256(&c).is_err());
    }
    let nul_inside = format!("{}\0{}", &B_VERIFIER[..20], &B_VERIFIER[20..]);
    assert_eq!(
        CodeVerifier::parse(&nul_inside).unwrap_err(),
        Error::VerifierCharset { position: 20 }
    );
}

#[test]
fn multibyte_utf8_is_rejected_without_panic() {
    let s: String = std::iter::repeat_n('ß', 30).collect(); // 60 bytes
    assert_eq!(
        CodeVerifier::parse(&s).unwrap_err(),
        Error::VerifierCharset { position: 0 }
    );
    let s: String = std::iter::repeat_n('😀', 40).collect(); // 160 bytes
    assert_eq!(
        CodeVerifier::parse(&s).unwrap_err(),
        Error::VerifierLength { len: 160 }
    );
    let mut c = B_CHALLENGE[..41].to_string();
    c.push('é'); // 43 bytes
    assert_eq!(
        s256(&c).unwrap_err(),
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: 41
        }
    );
}

#[test]
fn s256_challenge_must_be_exactly_43() {
    for len in [0, 1, 42, 44, 64, 128] {
        let c: String = BASE64URL
            .iter()
            .cycle()
            .take(len)
            .map(|&b| b as char)
            .collect();
        assert_eq!(
            s256(&c).unwrap_err(),
            Error::ChallengeLength {
                method: ChallengeMethod::S256,
                len
            }
        );
    }
}

#[test]
fn s256_challenge_with_padding_or_standard_alphabet_is_rejected() {
    let padded = format!("{B_CHALLENGE}=");
    assert_eq!(
        s256(&padded).unwrap_err(),
        Error::ChallengeLength {
            method: ChallengeMethod::S256,
            len: 44
        }
    );
    let padded_in_place = format!("{}=", &B_CHALLENGE[..42]);
    assert_eq!(
        s256(&padded_in_place).unwrap_err(),
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: 42
        }
    );
    let standard = B_CHALLENGE.replace('-', "+");
    assert_eq!(
        s256(&standard).unwrap_err(),
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: 40
        }
    );
    let slash = format!("/{}", &B_CHALLENGE[1..]);
    assert_eq!(
        s256(&slash).unwrap_err(),
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: 0
        }
    );
    // '.' and '~' are unreserved but not base64url
    for c in ['.', '~'] {
        let s = format!("{}{c}{}", &B_CHALLENGE[..10], &B_CHALLENGE[11..]);
        assert_eq!(
            s256(&s).unwrap_err(),
            Error::ChallengeCharset {
                method: ChallengeMethod::S256,
                position: 10
            }
        );
    }
}

#[test]
fn s256_hex_digest_is_rejected() {
    let hex = "13d31e961a1ad8ec2f16b10c4c982e0876a878ad6df144566ee1894acb70f9c3";
    assert_eq!(
        s256(hex).unwrap_err(),
        Error::ChallengeLength {
            method: ChallengeMethod::S256,
            len: 64
        }
    );
}

#[test]
fn s256_non_canonical_last_char_is_rejected() {
    // The last character carries 4 data bits and 2 bits that must be zero:
    // exactly the 16 characters whose value is a multiple of 4 are canonical.
    let stem = &B_CHALLENGE[..42];
    let mut canonical = 0;
    for &last in BASE64URL {
        let value = BASE64URL.iter().position(|&b| b == last).unwrap();
        let c = format!("{stem}{}", last as char);
        let got = s256(&c);
        if value % 4 == 0 {
            canonical += 1;
            assert_eq!(got.unwrap().as_str(), c);
        } else {
            assert_eq!(
                got.unwrap_err(),
                Error::ChallengeNonCanonical,
                "last char {}",
                last as char
            );
        }
    }
    assert_eq!(canonical, 16);
}

#[test]
fn method_names_are_exact_and_case_sensitive() {
    assert_eq!(ChallengeMethod::parse("S256"), Ok(ChallengeMethod::S256));
    assert_eq!(ChallengeMethod::parse("plain"), Ok(ChallengeMethod::Plain));
    assert_eq!("S256".parse::<ChallengeMethod>(), Ok(ChallengeMethod::S256));
    assert_eq!(
        ChallengeMethod::try_from("plain"),
        Ok(ChallengeMethod::Plain)
    );
    for bad in [
        "s256", "S-256", "sha256", "SHA256", "Plain", "PLAIN", "S256 ", " S256", "plain\0", "",
        "none", "S512",
    ] {
        assert_eq!(
            ChallengeMethod::parse(bad),
            Err(Error::UnsupportedMethod),
            "{bad:?}"
        );
    }
    for m in [ChallengeMethod::S256, ChallengeMethod::Plain] {
        assert_eq!(ChallengeMethod::parse(m.as_str()), Ok(m));
        assert_eq!(m.to_string(), m.as_str());
    }
}

#[test]
fn verify_rejects_a_mismatch_for_both_methods() {
    let other = verifier_of_len(43);
    let s = s256(B_CHALLENGE).unwrap();
    assert_eq!(s.verify(&other), Err(Error::Mismatch));
    let p = plain(B_VERIFIER).unwrap();
    assert_eq!(p.verify(&other), Err(Error::Mismatch));
    // plain compares the whole value: a prefix or an extension is a mismatch.
    assert_eq!(p.verify(&format!("{B_VERIFIER}A")), Err(Error::Mismatch));
    let long = verifier_of_len(100);
    assert_eq!(
        plain(&long).unwrap().verify(&long[..99]),
        Err(Error::Mismatch)
    );
    // The method is the stored one: the S256 challenge string presented as a plain verifier fails.
    assert_eq!(s.verify(B_CHALLENGE), Err(Error::Mismatch));
    assert_eq!(p.verify(B_CHALLENGE), Err(Error::Mismatch));
}

#[test]
fn challenges_compare_by_method_and_value() {
    let v = CodeVerifier::parse(B_VERIFIER).unwrap();
    assert_eq!(v.challenge(), v.challenge());
    assert_eq!(
        v.challenge_with(ChallengeMethod::Plain),
        plain(B_VERIFIER).unwrap()
    );
    assert_ne!(v.challenge(), v.challenge_with(ChallengeMethod::Plain));
    assert_ne!(v.challenge(), s256(&"A".repeat(43)).unwrap());
    let cloned = v.challenge().clone();
    assert_eq!(cloned.as_str(), B_CHALLENGE);
}

#[test]
fn from_str_and_try_from_match_parse() {
    let a: CodeVerifier = B_VERIFIER.parse().unwrap();
    let b = CodeVerifier::try_from(B_VERIFIER).unwrap();
    assert_eq!(a.secret(), b.secret());
    assert_eq!(
        "x".parse::<CodeVerifier>().unwrap_err(),
        Error::VerifierLength { len: 1 }
    );
    assert_eq!(
        CodeVerifier::try_from("x").unwrap_err(),
        Error::VerifierLength { len: 1 }
    );
}

#[test]
fn from_rng_with_len_rejects_out_of_range_lengths() {
    use rand::{rand_core::SeedableRng, rngs::ChaCha20Rng};
    let mut rng = ChaCha20Rng::from_seed([1; 32]);
    for len in [0, 42, 129, usize::MAX] {
        assert_eq!(
            CodeVerifier::from_rng_with_len(&mut rng, len).unwrap_err(),
            Error::RequestedLength { len }
        );
    }
    for len in [43, 77, 128] {
        let v = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        assert_eq!(v.secret().len(), len);
        assert!(CodeVerifier::parse(v.secret()).is_ok());
    }
}
