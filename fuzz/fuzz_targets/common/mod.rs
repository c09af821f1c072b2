//! Reference predicates shared by the fuzz targets.
//!
//! Everything here is written from the RFCs, independently of the library:
//! plain `matches!` character classes, the `sha2` and `base64` crates for the
//! S256 transform. The targets compare the library against these.
#![allow(dead_code)] // each target uses a different part

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proofkey::{ChallengeMethod, Error};
use sha2::{Digest, Sha256};

/// RFC 3986 §2.3 `unreserved`.
pub fn is_unreserved(b: u8) -> bool {
    matches!(b, b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~')
}

/// The 6-bit value of a base64url character (RFC 4648 §5, Table 2).
pub fn base64url_value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'-' => Some(62),
        b'_' => Some(63),
        _ => None,
    }
}

/// RFC 7636 §4.1 `code-verifier = 43*128unreserved`.
pub fn is_verifier(s: &[u8]) -> bool {
    (43..=128).contains(&s.len()) && s.iter().all(|&b| is_unreserved(b))
}

/// The error `CodeVerifier::parse` must return for `s`, or `None` if `s`
/// is a valid verifier. Length is checked first, then the first bad byte.
pub fn expected_verifier_error(s: &[u8]) -> Option<Error> {
    if !(43..=128).contains(&s.len()) {
        return Some(Error::VerifierLength { len: s.len() });
    }
    s.iter()
        .position(|&b| !is_unreserved(b))
        .map(|position| Error::VerifierCharset { position })
}

/// An S256 `code_challenge`: `BASE64URL(SHA256(..))` is exactly 43
/// characters of the base64url alphabet, and the last one carries 4 data
/// bits and 2 zero bits, so its value is a multiple of 4.
pub fn is_s256_challenge(s: &[u8]) -> bool {
    s.len() == 43
        && s.iter().all(|&b| base64url_value(b).is_some())
        && s.last()
            .and_then(|&b| base64url_value(b))
            .is_some_and(|v| v % 4 == 0)
}

/// A challenge's syntax for its method (RFC 7636 §4.2).
pub fn is_challenge(method: ChallengeMethod, s: &[u8]) -> bool {
    match method {
        ChallengeMethod::S256 => is_s256_challenge(s),
        ChallengeMethod::Plain => is_verifier(s),
    }
}

/// The error `CodeChallenge::parse` must return for `s`, or `None`.
pub fn expected_challenge_error(method: ChallengeMethod, s: &[u8]) -> Option<Error> {
    let len = s.len();
    match method {
        ChallengeMethod::S256 => {
            if len != 43 {
                return Some(Error::ChallengeLength { method, len });
            }
            if let Some(position) = s.iter().position(|&b| base64url_value(b).is_none()) {
                return Some(Error::ChallengeCharset { method, position });
            }
            if !is_s256_challenge(s) {
                return Some(Error::ChallengeNonCanonical);
            }
            None
        }
        ChallengeMethod::Plain => {
            if !(43..=128).contains(&len) {
                return Some(Error::ChallengeLength { method, len });
            }
            s.iter()
                .position(|&b| !is_unreserved(b))
                .map(|position| Error::ChallengeCharset { method, position })
        }
    }
}

/// RFC 7636 §4.2 transform: S256 = BASE64URL(SHA256(ASCII(v))), plain = v.
pub fn transform(method: ChallengeMethod, verifier: &[u8]) -> Vec<u8> {
    match method {
        ChallengeMethod::S256 => URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier))
            .into_bytes(),
        ChallengeMethod::Plain => verifier.to_vec(),
    }
}

/// RFC 6749 `error_description`: `1*( %x20-21 / %x23-5B / %x5D-7E )`.
pub fn is_error_description(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| matches!(b, 0x20..=0x21 | 0x23..=0x5B | 0x5D..=0x7E))
}

/// Every byte any of the library's messages can contain by itself: the
/// fixed text of the `Error` messages (Display and Debug) and digits.
fn template_bytes() -> [bool; 256] {
    let n = 1_234_567_890;
    let samples = [
        Error::UnsupportedMethod,
        Error::VerifierLength { len: n },
        Error::VerifierCharset { position: n },
        Error::ChallengeLength {
            method: ChallengeMethod::S256,
            len: n,
        },
        Error::ChallengeLength {
            method: ChallengeMethod::Plain,
            len: n,
        },
        Error::ChallengeCharset {
            method: ChallengeMethod::S256,
            position: n,
        },
        Error::ChallengeCharset {
            method: ChallengeMethod::Plain,
            position: n,
        },
        Error::ChallengeNonCanonical,
        Error::RequestedLength { len: n },
        Error::Mismatch,
        Error::Rng,
    ];
    let mut set = [false; 256];
    for e in samples {
        for b in format!("{e} {e:?}").bytes() {
            set[usize::from(b)] = true;
        }
    }
    set
}

/// Panics if `text` contains `secret` (8 bytes or more) where the library
/// could not have produced that substring from its own fixed text: i.e.
/// `secret` has a byte that no message contains by itself. An input made
/// only of template bytes could be a substring of a message by chance
/// (`"characters"`), so it proves nothing and is skipped.
pub fn assert_not_leaked(text: &str, secret: &str, what: &str) {
    if secret.len() < 8 || !text.contains(secret) {
        return;
    }
    let template = template_bytes();
    assert!(
        secret.bytes().all(|b| template[usize::from(b)]),
        "{what} leaks its input: {text:?} contains {secret:?}"
    );
}
