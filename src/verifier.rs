//! `code_verifier`: the client's secret.

use core::fmt;
use core::str::FromStr;

use rand_core::{CryptoRng, TryCryptoRng};
use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::alphabet::{self, MAX_LEN, MIN_LEN};
use crate::{ChallengeMethod, CodeChallenge, Error};

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
/// # use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
/// # let mut rng = ChaCha20Rng::from_seed([7; 32]);
/// let verifier = CodeVerifier::generate(&mut rng);   // or CodeVerifier::random()?
/// let challenge = verifier.challenge();              // S256
/// assert_eq!(verifier.secret().len(), 43);
/// assert_eq!(format!("{verifier:?}"), "CodeVerifier([REDACTED])");
/// assert!(challenge.verify(verifier.secret()).is_ok());
/// # Ok::<(), proofkey::Error>(())
/// ```
pub struct CodeVerifier {
    // Invariant: bytes[..len] is valid verifier syntax, bytes[len..] is zero.
    bytes: [u8; MAX_LEN],
    len: u8,
}

/// Random octets drawn per RNG call by [`CodeVerifier::generate_with_len`].
const POOL: usize = 64;
/// Octets below this map onto the 66 characters with no bias: 198 = 3 × 66.
const ACCEPT_BELOW: u8 = 198;

impl CodeVerifier {
    /// Creates a verifier from 32 random octets: their base64url encoding,
    /// 43 characters, as RFC 7636 §4.1 recommends.
    ///
    /// `CodeVerifier::generate`, `try_generate` and `random` call this; use
    /// it directly to bring entropy from any other source. The octets must
    /// come from a cryptographically secure RNG.
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
        let mut encoded = alphabet::encode_32(octets);
        let mut v = Self::empty();
        if let Some(dst) = v.bytes.get_mut(..encoded.len()) {
            dst.copy_from_slice(&encoded);
        }
        v.len = alphabet::S256_LEN as u8;
        encoded.zeroize();
        v
    }

    /// Generates a 43-character verifier from 32 octets of `rng`.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    /// use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    ///
    /// let mut rng = ChaCha20Rng::from_seed([7; 32]); // any rand_core 0.10 CryptoRng
    /// let verifier = CodeVerifier::generate(&mut rng);
    /// assert_eq!(verifier.secret().len(), 43);
    /// ```
    pub fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> Self {
        match Self::try_generate_inner(rng) {
            Ok(v) => v,
            Err(never) => match never {},
        }
    }

    /// Generates a 43-character verifier from a fallible RNG.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    /// use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    ///
    /// let mut rng = ChaCha20Rng::from_seed([7; 32]);
    /// let verifier = CodeVerifier::try_generate(&mut rng)?;
    /// assert_eq!(verifier.secret().len(), 43);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] if the RNG fails; nothing is generated then.
    pub fn try_generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        Self::try_generate_inner(rng).map_err(|_| Error::Rng)
    }

    fn try_generate_inner<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, R::Error> {
        let mut octets = [0u8; 32];
        let filled = rng.try_fill_bytes(&mut octets);
        let verifier = filled.map(|()| Self::from_random_bytes(&octets));
        octets.zeroize();
        verifier
    }

    /// Generates a verifier of `len` characters (43..=128), each drawn
    /// uniformly from the 66 unreserved characters.
    ///
    /// Octets of 198 or more are discarded (rejection sampling), so every
    /// character has probability exactly 1/66: no modulo bias. A 43-character
    /// verifier carries about 260 bits of entropy.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    /// use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    ///
    /// let mut rng = ChaCha20Rng::from_seed([7; 32]);
    /// let verifier = CodeVerifier::generate_with_len(&mut rng, 128)?;
    /// assert_eq!(verifier.secret().len(), 128);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLength`] when `len` is outside 43..=128.
    pub fn generate_with_len<R: CryptoRng + ?Sized>(rng: &mut R, len: usize) -> Result<Self, Error> {
        match Self::try_generate_with_len_inner(rng, len)? {
            Ok(v) => Ok(v),
            Err(never) => match never {},
        }
    }

    /// [`generate_with_len`](Self::generate_with_len) for a fallible RNG.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    /// use rand_chacha::{ChaCha20Rng, rand_core::SeedableRng};
    ///
    /// let mut rng = ChaCha20Rng::from_seed([7; 32]);
    /// let verifier = CodeVerifier::try_generate_with_len(&mut rng, 64)?;
    /// assert_eq!(verifier.secret().len(), 64);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidLength`] when `len` is outside 43..=128;
    /// [`Error::Rng`] if the RNG fails.
    pub fn try_generate_with_len<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, Error> {
        Self::try_generate_with_len_inner(rng, len)?.map_err(|_| Error::Rng)
    }

    fn try_generate_with_len_inner<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Result<Self, R::Error>, Error> {
        if !(MIN_LEN..=MAX_LEN).contains(&len) {
            return Err(Error::InvalidLength { len });
        }
        // On an RNG error `v` (its length already set, so its drop clears every
        // written byte) and `pool` are dropped zeroized: nothing half-made escapes.
        let mut v = Self::empty();
        v.len = len as u8;
        let mut pool = Pool { octets: [0; POOL], next: POOL };
        for slot in v.bytes.iter_mut().take(len) {
            let octet = loop {
                match pool.next(rng) {
                    Ok(o) if o < ACCEPT_BELOW => break o,
                    Ok(_) => {}
                    Err(e) => return Ok(Err(e)),
                }
            };
            // `% 66` compiles to a multiply and shift: constant time.
            *slot = alphabet::unreserved_char(octet % 66);
        }
        Ok(Ok(v))
    }

    /// Draws a verifier from the operating system's RNG (`getrandom`).
    ///
    /// ```
    /// let verifier = proofkey::CodeVerifier::random()?;
    /// assert_eq!(verifier.secret().len(), 43);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] if the OS RNG is unavailable; it never panics.
    #[cfg(feature = "getrandom")]
    pub fn random() -> Result<Self, Error> {
        let mut octets = [0u8; 32];
        let filled = getrandom::fill(&mut octets);
        let verifier = filled.map(|()| Self::from_random_bytes(&octets));
        octets.zeroize();
        verifier.map_err(|_| Error::Rng)
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
        let bytes = s.as_bytes();
        alphabet::check_verifier(bytes)?;
        let mut v = Self::empty();
        if let Some(dst) = v.bytes.get_mut(..bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        v.len = bytes.len() as u8;
        Ok(v)
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
        let bytes = self.as_bytes();
        // The invariant makes this ASCII; the fallback is unreachable.
        core::str::from_utf8(bytes).unwrap_or_default()
    }

    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..usize::from(self.len)).unwrap_or_default()
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
        CodeChallenge::derive(self.as_bytes(), method)
    }

    const fn empty() -> Self {
        Self { bytes: [0; MAX_LEN], len: 0 }
    }
}

/// A buffer of random octets handed out one at a time.
struct Pool {
    octets: [u8; POOL],
    next: usize,
}

impl Pool {
    fn next<R: TryCryptoRng + ?Sized>(&mut self, rng: &mut R) -> Result<u8, R::Error> {
        if self.next >= POOL {
            rng.try_fill_bytes(&mut self.octets)?;
            self.next = 0;
        }
        let octet = self.octets.get(self.next).copied().unwrap_or_default();
        self.next = self.next.wrapping_add(1);
        Ok(octet)
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.octets.zeroize();
    }
}

impl Drop for CodeVerifier {
    fn drop(&mut self) {
        // Only bytes[..len] were ever written.
        if let Some(used) = self.bytes.get_mut(..usize::from(self.len)) {
            used.zeroize();
        }
        self.len.zeroize();
    }
}

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
