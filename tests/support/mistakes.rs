//! Reference encoders and real verifiers for `tests/diagnose.rs`, written
//! from RFC 4648 and independently of the library's own encoder.

use proofkey::CodeVerifier;
use rand::rand_core::{Rng, SeedableRng};
use rand::rngs::ChaCha20Rng;
use sha2::{Digest, Sha256};

use crate::vectors::{RFC_OCTETS, RFC_VERIFIER};

pub(crate) use crate::vectors::{STANDARD, URL, base64};

pub(crate) fn sha256(data: &[u8]) -> Vec<u8> {
    Sha256::digest(data).to_vec()
}

pub(crate) fn hex(octets: &[u8]) -> String {
    octets.iter().map(|b| format!("{b:02x}")).collect()
}

/// `BASE64URL(SHA256(data))`, the S256 transform (RFC 7636 §4.2).
pub(crate) fn s256(data: &[u8]) -> String {
    base64(&sha256(data), URL, false)
}

/// A real verifier and, when it is their base64url, the octets it encodes.
pub(crate) struct Case {
    pub(crate) verifier: String,
    pub(crate) octets: Option<Vec<u8>>,
}

/// The Appendix B verifier, then verifiers from every generator: 32 random
/// octets (`generate`, `from_random_bytes`), every length by
/// `from_rng_with_len`, and the base64url of 33 to 96 random octets
/// (44 to 128 characters).
pub(crate) fn cases() -> Vec<Case> {
    let mut rng = ChaCha20Rng::from_seed([11; 32]);
    let mut cases = vec![Case {
        verifier: RFC_VERIFIER.to_owned(),
        octets: Some(RFC_OCTETS.to_vec()),
    }];
    for _ in 0..40 {
        let mut octets = [0u8; 32];
        rng.fill_bytes(&mut octets);
        let v = CodeVerifier::from_random_bytes(&octets);
        cases.push(Case {
            verifier: v.secret().to_owned(),
            octets: Some(octets.to_vec()),
        });
        let v = CodeVerifier::from_rng(&mut rng).unwrap();
        cases.push(Case {
            verifier: v.secret().to_owned(),
            octets: None,
        });
    }
    for len in 43..=128 {
        let v = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        cases.push(Case {
            verifier: v.secret().to_owned(),
            octets: None,
        });
    }
    for n in 33..=96 {
        let mut octets = vec![0u8; n];
        rng.fill_bytes(&mut octets);
        let verifier = base64(&octets, URL, false);
        assert!(CodeVerifier::parse(&verifier).is_ok(), "{n} octets");
        cases.push(Case {
            verifier,
            octets: Some(octets),
        });
    }
    cases
}
