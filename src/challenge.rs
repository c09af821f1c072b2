//! `code_challenge`: what the server stores with the authorization code.

use core::fmt;
use core::mem::ManuallyDrop;

use subtle::{Choice, ConstantTimeEq};

use crate::alphabet::{self, B64_32_LEN, MAX_LEN};
use crate::error::Error;
use crate::method::ChallengeMethod;
use crate::scrub;
use crate::secret_text::SecretText;

use crate::sha256::sha256;

/// A validated `code_challenge` bound to its `code_challenge_method`
/// (RFC 7636 §4.2).
///
/// A server gets one from [`CodeChallenge::parse`] (or from
/// [`Policy::authorize`](crate::Policy::authorize)) at the authorization
/// endpoint, stores [`as_str`](Self::as_str) and [`method`](Self::method) with
/// the code, and at the token endpoint parses them back and calls
/// [`verify`](Self::verify). A client gets one from
/// [`CodeVerifier::challenge`](crate::CodeVerifier::challenge).
///
/// At parse time the challenge is reduced to a 32-byte digest (the decoded
/// S256 value, or SHA-256 of a plain value), so `verify` hashes the presented
/// verifier once and compares two digests in constant time, for either method.
///
/// A plain challenge *is* a verifier, so for plain `Debug` prints
/// `[REDACTED]` and the value is zeroized on drop.
///
/// # Keeping the binding (servers)
///
/// - **In memory**, keep the `CodeChallenge` as it is, in the code's record:
///   it is `Clone`, owns its value and borrows nothing.
/// - **In a database**, store two columns, `code_challenge`
///   ([`as_str`](Self::as_str)) and `code_challenge_method`
///   ([`method`](Self::method)`.as_str()`), and rebuild it with
///   [`CodeChallenge::parse`], which validates it again. Or, with the
///   `serde` feature, store its serialized form, a record of those two
///   fields. For plain the value is the verifier: store it like a secret.
/// - A code issued without PKCE says so explicitly (`None`, both columns
///   `NULL` in a row that exists). A missing or unreadable record is never
///   "no PKCE": it is an invalid code or a server error, or the downgrade
///   of RFC 9700 §4.8.2 is back. See [`Policy`](crate::Policy)'s server guide.
///
/// # Example
///
/// ```
/// use proofkey::{ChallengeMethod, CodeChallenge, Error};
///
/// let value = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
/// let stored = CodeChallenge::parse(value, ChallengeMethod::S256)?;
/// assert_eq!(stored.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), Ok(()));
/// let wrong = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXK";
/// assert_eq!(stored.verify(wrong), Err(Error::Mismatch));
///
/// // two columns, and back
/// let columns = (stored.as_str().to_owned(), stored.method().as_str().to_owned());
/// let reread = CodeChallenge::parse(&columns.0, columns.1.parse()?)?;
/// assert_eq!(reread, stored);
/// # Ok::<(), Error>(())
/// ```
#[derive(Clone)]
pub struct CodeChallenge {
    method: ChallengeMethod,
    // Invariant: valid for `method`. Wiped on drop for plain, where it is a
    // verifier; an S256 value is public, and `challenge()` a hot path.
    value: ManuallyDrop<SecretText<MAX_LEN>>,
    // S256: BASE64URL-DECODE(value); plain: SHA256(value).
    digest: [u8; 32],
}

impl CodeChallenge {
    /// Validates a `code_challenge` for its method.
    ///
    /// - S256: exactly 43 characters of the base64url alphabet, without
    ///   padding, canonical (the two unused bits of the last character are
    ///   zero): the only form `BASE64URL(SHA256(..))` can take. A hex digest,
    ///   standard base64 (`+`, `/`) or a padded value is rejected here, at the
    ///   authorization endpoint, rather than failing later at the token one.
    /// - plain: the verifier syntax, 43 to 128 characters of `[A-Za-z0-9-._~]`.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeChallenge, Error};
    ///
    /// let s256 = |value| CodeChallenge::parse(value, ChallengeMethod::S256);
    /// assert!(s256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").is_ok());
    /// assert_eq!(
    ///     s256("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM=").unwrap_err(),
    ///     Error::ChallengeLength { method: ChallengeMethod::S256, len: 44 },
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ChallengeLength`], [`Error::ChallengeCharset`] or (S256 only)
    /// [`Error::ChallengeNonCanonical`]. Errors never contain the input.
    // Inline, so that the result lands in the caller's frame rather than in
    // a temporary of this one, which the wipe below could not reach.
    #[inline]
    pub fn parse(value: &str, method: ChallengeMethod) -> Result<Self, Error> {
        if method == ChallengeMethod::Plain {
            // A plain challenge is a verifier (`scrub`).
            scrub::built::<{ scrub::SMALL }, _>(|| Self::parse_unwiped(value, method))
        } else {
            Self::parse_unwiped(value, method)
        }
    }

    fn parse_unwiped(value: &str, method: ChallengeMethod) -> Result<Self, Error> {
        let bytes = value.as_bytes();
        let len = bytes.len();
        let digest = match method {
            ChallengeMethod::S256 => {
                let Ok(chars) = <&[u8; B64_32_LEN]>::try_from(bytes) else {
                    return Err(Error::ChallengeLength { method, len });
                };
                if let Some(position) = alphabet::first_non_base64url(bytes) {
                    return Err(Error::ChallengeCharset { method, position });
                }
                alphabet::decode_32(chars)?
            }
            ChallengeMethod::Plain => {
                if !alphabet::is_verifier_len(len) {
                    return Err(Error::ChallengeLength { method, len });
                }
                if let Some(position) = alphabet::first_non_unreserved(bytes) {
                    return Err(Error::ChallengeCharset { method, position });
                }
                sha256(bytes)
            }
        };
        Ok(Self::new(method, bytes, digest))
    }

    /// The challenge a verifier with valid syntax yields under `method`, in
    /// a frame of its own: the padded copy that `sha256` hashes is wiped,
    /// and `tests/stack.rs` finds no other copy after `challenge()`.
    #[inline(never)]
    pub(crate) fn derive(verifier: &[u8], method: ChallengeMethod) -> Self {
        let digest = sha256(verifier);
        match method {
            // RFC 7636 §4.2: BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))
            ChallengeMethod::S256 => Self {
                method,
                value: ManuallyDrop::new(SecretText::base64url_32(&digest)),
                digest,
            },
            ChallengeMethod::Plain => Self::new(method, verifier, digest),
        }
    }

    /// `value` has valid syntax for `method` (checked by the callers).
    fn new(method: ChallengeMethod, value: &[u8], digest: [u8; 32]) -> Self {
        let mut text = SecretText::EMPTY;
        text.push(value);
        Self {
            method,
            value: ManuallyDrop::new(text),
            digest,
        }
    }

    /// SHA-256 of the verifier behind this challenge, whatever its method.
    pub(crate) const fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// The method this challenge is bound to. RFC 7636 §4.5: at the token
    /// endpoint the method is the one stored with the code, never one taken
    /// from the token request.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeVerifier};
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(v.challenge().method(), ChallengeMethod::S256);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    #[must_use]
    pub const fn method(&self) -> ChallengeMethod {
        self.method
    }

    /// The `code_challenge` string, as sent by the client and as stored.
    ///
    /// For plain this is the verifier itself: store it as carefully as a
    /// password reset token, and do not log it.
    ///
    /// ```
    /// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(v.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.value.as_str()
    }

    /// Checks a presented `code_verifier` against this challenge
    /// (RFC 7636 §4.6), using the method bound to the challenge.
    ///
    /// # Timing
    ///
    /// The running time may depend on the presented verifier: its length,
    /// and whether and where it breaks the syntax (it is rejected before any
    /// comparison). It does not depend on the stored challenge's value, its
    /// length (for plain) or its method, nor on where the two differ: the
    /// verifier is hashed with SHA-256 and the 32-byte result is compared
    /// with the digest computed at parse time, as a whole, without branches
    /// or memory indices that depend on either digest (`subtle`).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeChallenge, Error};
    ///
    /// let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    /// let plain = CodeChallenge::parse(verifier, ChallengeMethod::Plain)?;
    /// assert_eq!(plain.verify("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), Ok(()));
    /// assert_eq!(plain.verify("short"), Err(Error::VerifierLength { len: 5 }));
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::VerifierLength`] or [`Error::VerifierCharset`] for a
    /// malformed verifier; [`Error::Mismatch`] for a well-formed one that
    /// does not match.
    #[must_use = "a failed verification must reject the token request"]
    pub fn verify(&self, code_verifier: &str) -> Result<(), Error> {
        let bytes = code_verifier.as_bytes();
        alphabet::check_verifier(bytes)?;
        let presented = sha256(bytes);
        if digests_equal(&presented, &self.digest).into() {
            Ok(())
        } else {
            Err(Error::Mismatch)
        }
    }
}

/// Constant-time equality of two digests: one OR-fold of the XORs (which the
/// compiler vectorizes), then one `subtle` comparison. `subtle`'s slice
/// `ct_eq` would cost a barrier per byte.
#[inline(always)]
fn digests_equal(a: &[u8; 32], b: &[u8; 32]) -> Choice {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    diff.ct_eq(&0)
}

impl ConstantTimeEq for CodeChallenge {
    /// Equal method and value, compared without branching on either.
    fn ct_eq(&self, other: &Self) -> Choice {
        // Digests determine values: S256 decoding is canonical, and for
        // plain two values with the same SHA-256 are the same value.
        let same_method = (self.method as u8).ct_eq(&(other.method as u8));
        same_method & digests_equal(&self.digest, &other.digest)
    }
}

impl PartialEq for CodeChallenge {
    /// Constant-time, via [`ConstantTimeEq`].
    ///
    /// ```
    /// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(v.challenge(), v.challenge());
    /// assert_ne!(v.challenge(), v.challenge_with(proofkey::ChallengeMethod::Plain));
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    fn eq(&self, other: &Self) -> bool {
        self.ct_eq(other).into()
    }
}

impl Eq for CodeChallenge {}

impl fmt::Debug for CodeChallenge {
    /// Shows an S256 value; a plain value is a secret and is redacted.
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeVerifier};
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(
    ///     format!("{:?}", v.challenge_with(ChallengeMethod::Plain)),
    ///     "CodeChallenge { method: Plain, value: [REDACTED] }",
    /// );
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("CodeChallenge");
        s.field("method", &self.method);
        match self.method {
            ChallengeMethod::S256 => s.field("value", &self.as_str()),
            ChallengeMethod::Plain => s.field("value", &format_args!("[REDACTED]")),
        };
        s.finish()
    }
}

impl Drop for CodeChallenge {
    fn drop(&mut self) {
        // A plain value is a verifier; an S256 value and either digest are
        // public (they travel in the authorization request). `value` holds
        // no resource, so not dropping it for S256 leaks nothing.
        if self.method == ChallengeMethod::Plain {
            self.value.wipe();
        }
    }
}
