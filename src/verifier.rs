//! `code_verifier`: the client's secret.

use core::fmt;
use core::str::FromStr;

use zeroize::ZeroizeOnDrop;

use crate::alphabet::{self, MAX_LEN};
use crate::challenge::CodeChallenge;
use crate::error::Error;
use crate::method::ChallengeMethod;
use crate::scrub;
use crate::secret_text::SecretText;

mod generate;

/// A `code_verifier` (RFC 7636 §4.1): 43 to 128 characters of
/// `[A-Za-z0-9-._~]`, kept in an inline buffer that is zeroized on drop.
///
/// It is a secret: its `Debug` output is `CodeVerifier([REDACTED])`, it has no
/// `Display`, `Clone` or `PartialEq`, and [`secret`](Self::secret) is the one
/// way to read it.
///
/// # Example
///
/// ```
/// use proofkey::CodeVerifier;
///
/// let mut rng = rand::rng();
/// let verifier = CodeVerifier::from_rng(&mut rng)?;  // or CodeVerifier::random()?
/// let challenge = verifier.challenge();              // S256
/// assert_eq!(verifier.secret().len(), 43);
/// assert_eq!(format!("{verifier:?}"), "CodeVerifier([REDACTED])");
/// assert!(challenge.verify(verifier.secret()).is_ok());
/// # Ok::<(), proofkey::Error>(())
/// ```
///
/// # Zeroization is best effort
///
/// Dropping a `CodeVerifier` overwrites its buffer with zeros, with writes
/// the compiler may not remove (`zeroize`). As `zeroize`'s own documentation
/// says, that wipes the value where it is dropped, not copies made before:
///
/// - **Moves.** Returning a verifier from a function, passing it by value,
///   unwrapping it from a `Result`, or storing it in a struct or collection
///   is a `memcpy` that leaves the old bytes behind until something
///   overwrites them. The constructors build the verifier in a stack frame
///   of their own and wipe that frame once it has returned
///   (`zeroize::zeroize_stack`, best effort too), but every move after that
///   is the caller's. To keep one verifier in one place, put it in a `Box`
///   (or pin it) as soon as it is made and pass it by reference.
/// - **Registers and compiler temporaries**: values the compiler keeps in
///   registers or spills to the stack are beyond the reach of any library.
/// - **Your copies of [`secret`](Self::secret)**: a `String`, a request body,
///   a log line. Those are yours to wipe (`zeroize` does it for a `String`).
/// - **The RNG's own state and buffers.**
///
/// What the crate does wipe: the verifier on drop, the random octets it draws
/// for a verifier, the rejection-sampling buffers, and the padded copy of the
/// verifier that [`challenge`](Self::challenge) and
/// [`CodeChallenge::verify`](crate::CodeChallenge::verify) hash.
pub struct CodeVerifier {
    // Invariant: valid verifier syntax (RFC 7636 §4.1).
    text: SecretText<MAX_LEN>,
}

impl CodeVerifier {
    /// Creates a verifier from 32 random octets: their base64url encoding,
    /// 43 characters, as RFC 7636 §4.1 recommends.
    ///
    /// Use it to bring entropy from any other source. The octets must come
    /// from a cryptographically secure RNG: this function takes them as
    /// they are and runs no health test on them (the generators do, on the
    /// octets they draw). The caller's `octets` are not zeroized.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    ///
    /// // RFC 7636 Appendix B
    /// let octets = [
    ///     116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212,
    ///     37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121,
    /// ];
    /// let verifier = CodeVerifier::from_random_bytes(&octets);
    /// assert_eq!(verifier.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// ```
    #[must_use]
    pub fn from_random_bytes(octets: &[u8; 32]) -> Self {
        scrub::built::<{ scrub::SMALL }, _>(|| Self::encoded(octets))
    }

    /// The verifier of `octets`.
    fn encoded(octets: &[u8; 32]) -> Self {
        Self {
            text: SecretText::base64url_32(octets),
        }
    }

    /// Parses a `code_verifier` received from a client or read back from
    /// storage: 43 to 128 characters of `[A-Za-z0-9-._~]`, nothing else
    /// (no trimming, no decoding).
    ///
    /// ```
    /// use proofkey::{CodeVerifier, Error};
    ///
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(v.secret(), "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    /// assert_eq!(
    ///     CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk\n").unwrap_err(),
    ///     Error::VerifierCharset { position: 43 },
    /// );
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::VerifierLength`] or [`Error::VerifierCharset`]; the error
    /// carries a length or position, never the input.
    pub fn parse(s: &str) -> Result<Self, Error> {
        scrub::built::<{ scrub::SMALL }, _>(|| Self::parse_unwiped(s))
    }

    fn parse_unwiped(s: &str) -> Result<Self, Error> {
        alphabet::check_verifier(s.as_bytes())?;
        let text = SecretText::copy_of(s).ok_or(Error::VerifierLength { len: s.len() })?;
        Ok(Self { text })
    }

    /// The verifier, to send as `code_verifier` in the token request.
    ///
    /// ```
    /// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// let form = ["grant_type=authorization_code&code_verifier=", v.secret()].concat();
    /// assert!(form.ends_with("1gFWFOEjXk"));
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Security
    ///
    /// This is the secret that proves possession of the authorization code.
    /// Send it only in the token request, over TLS, to the server that issued
    /// the code. Do not log it, put it in a URL, or keep copies: copies made
    /// from this `&str` are not zeroized when the verifier is dropped.
    #[must_use]
    pub fn secret(&self) -> &str {
        self.text.as_str()
    }

    fn as_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    /// The S256 `code_challenge` to send in the authorization request.
    ///
    /// ```
    /// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(v.challenge().as_str(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    #[must_use]
    pub fn challenge(&self) -> CodeChallenge {
        CodeChallenge::derive(self.as_bytes(), ChallengeMethod::S256)
    }

    /// The `code_challenge` for `method`. Prefer [`challenge`](Self::challenge):
    /// a plain challenge is the verifier itself (RFC 7636 §4.2).
    ///
    /// ```
    /// use proofkey::{ChallengeMethod, CodeVerifier};
    ///
    /// let v = CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// let plain = v.challenge_with(ChallengeMethod::Plain);
    /// assert_eq!(plain.as_str(), v.secret());
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    #[must_use]
    pub fn challenge_with(&self, method: ChallengeMethod) -> CodeChallenge {
        let derive = || CodeChallenge::derive(self.as_bytes(), method);
        if method == ChallengeMethod::Plain {
            // A plain challenge is a copy of the verifier.
            scrub::built::<{ scrub::SMALL }, _>(derive)
        } else {
            derive()
        }
    }
}

// `SecretText` zeroizes the buffer when it drops.
impl ZeroizeOnDrop for CodeVerifier {}

impl fmt::Debug for CodeVerifier {
    /// Prints `CodeVerifier([REDACTED])`.
    ///
    /// ```
    /// let v = proofkey::CodeVerifier::parse("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
    /// assert_eq!(format!("{v:?}"), "CodeVerifier([REDACTED])");
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeVerifier([REDACTED])")
    }
}

impl FromStr for CodeVerifier {
    type Err = Error;

    /// Same as [`CodeVerifier::parse`].
    ///
    /// ```
    /// let v: proofkey::CodeVerifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk".parse()?;
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    fn from_str(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}

impl TryFrom<&str> for CodeVerifier {
    type Error = Error;

    /// Same as [`CodeVerifier::parse`].
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    /// assert!(CodeVerifier::try_from("short").is_err());
    /// ```
    fn try_from(s: &str) -> Result<Self, Error> {
        Self::parse(s)
    }
}
