//! The crate's one error type.

use crate::method::ChallengeMethod;

/// Why a PKCE value was rejected.
///
/// Messages never contain any part of the input: only lengths, byte
/// positions and fixed text, so an error can be logged without leaking a
/// `code_verifier`.
///
/// Lengths and positions count bytes (octets of the UTF-8 input), not
/// characters: every valid value is ASCII, where the two agree, but a
/// rejected input may not be (100 × `é` is 200 bytes long).
///
/// # Example
///
/// ```
/// use proofkey::{CodeVerifier, Error};
///
/// let err = CodeVerifier::parse("too-short").unwrap_err();
/// assert_eq!(err, Error::VerifierLength { len: 9 });
/// assert_eq!(err.to_string(), "code_verifier must be 43 to 128 bytes long, got 9");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `code_challenge_method` is not exactly `S256` or `plain` (RFC 7636 §4.3, §6.2.1).
    #[error("code_challenge_method must be exactly \"S256\" or \"plain\"")]
    UnsupportedMethod,

    /// The `code_verifier` is shorter than 43 or longer than 128 bytes (RFC 7636 §4.1).
    #[error("code_verifier must be 43 to 128 bytes long, got {len}")]
    VerifierLength {
        /// The length of the rejected input, in bytes.
        len: usize,
    },

    /// The `code_verifier` has a byte outside `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
    #[error("code_verifier has a byte outside [A-Za-z0-9-._~] at byte offset {position}")]
    VerifierCharset {
        /// Zero-based byte offset of the first offending byte.
        position: usize,
    },

    /// The `code_challenge` has the wrong length in bytes for its method
    /// (S256: exactly 43; plain: 43 to 128; RFC 7636 §4.2).
    #[error("code_challenge has the wrong length for method {method}, got {len} bytes")]
    ChallengeLength {
        /// The method the challenge was parsed for.
        method: ChallengeMethod,
        /// The length of the rejected input, in bytes.
        len: usize,
    },

    /// The `code_challenge` has a byte outside its method's alphabet
    /// (S256: base64url without padding; plain: `[A-Za-z0-9-._~]`).
    #[error("code_challenge has a byte not allowed for method {method} at byte offset {position}")]
    ChallengeCharset {
        /// The method the challenge was parsed for.
        method: ChallengeMethod,
        /// Zero-based byte offset of the first offending byte.
        position: usize,
    },

    /// The last character of an S256 `code_challenge` has non-zero unused
    /// bits, so it is not the canonical base64url encoding of a SHA-256 digest.
    #[error("code_challenge is not a canonical base64url encoding of a SHA-256 digest")]
    ChallengeNonCanonical,

    /// A length outside 43..=128 was requested from
    /// [`CodeVerifier::from_rng_with_len`](crate::CodeVerifier::from_rng_with_len)
    /// (each generated character is one byte).
    #[error("a code_verifier must be 43 to 128 bytes long, {len} were requested")]
    RequestedLength {
        /// The requested length, in bytes.
        len: usize,
    },

    /// The `code_verifier` is well-formed but does not match the `code_challenge`.
    #[error("code_verifier does not match the code_challenge")]
    Mismatch,

    /// The random number generator failed, or its output failed the
    /// generators' health test (stuck at one value, cycling, repeating, or
    /// too few usable octets); no verifier was produced.
    /// [`CodeVerifier::from_rng`](crate::CodeVerifier::from_rng)
    /// says what the test catches and what it cannot.
    #[error("the random number generator failed or failed its health test")]
    Rng,
}
