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
/// Room for the characters kept: at most `MAX_LEN - 1 + POOL` are written,
/// and a power of two.
const KEPT: usize = 256;
const _: () = assert!(MAX_LEN + POOL <= KEPT && KEPT.is_power_of_two());

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
        let mut v = Self::empty();
        // Encoded in place: no copy of the secret is left to zeroize.
        if let Some(dst) = v.bytes.first_chunk_mut::<{ alphabet::S256_LEN }>() {
            alphabet::encode_32_into(octets, dst);
            v.len = alphabet::S256_LEN as u8;
        }
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
        // As a slice: one bulk write (an array is zeroized octet by octet).
        octets.as_mut_slice().zeroize();
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
    pub fn generate_with_len<R: CryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, Error> {
        check_len(len)?;
        match Self::draw_unreserved(rng, len) {
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
        check_len(len)?;
        Self::draw_unreserved(rng, len).map_err(|_| Error::Rng)
    }

    /// `len` (43..=128) characters drawn by rejection sampling.
    fn draw_unreserved<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, R::Error> {
        let mut pool = Pool {
            octets: [0; POOL],
            chars: [0; POOL],
            kept: [0; KEPT],
        };
        // Characters kept so far. Every octet's character is written to
        // `kept[filled]`, and only an accepted octet advances `filled`, so a
        // rejected one is overwritten by the next: no branch per octet.
        // Which octets are rejected is independent of the accepted ones, so
        // neither the number of RNG calls nor the write positions say
        // anything about the verifier.
        let mut filled = 0usize;
        while filled < len {
            rng.try_fill_bytes(&mut pool.octets)?;
            // Each octet to its character and its keep flag, 16 lanes at a
            // time, without branches: below 198, `o % 66` is `o` less 66 for
            // each of 66 and 132 that `o` reaches.
            for (c, o) in pool.chars.iter_mut().zip(pool.octets.iter_mut()) {
                let index = o
                    .wrapping_sub(u8::from(*o >= 66).wrapping_mul(66))
                    .wrapping_sub(u8::from(*o >= 132).wrapping_mul(66));
                *c = alphabet::unreserved_char(index);
                *o = u8::from(*o < ACCEPT_BELOW);
            }
            for (&keep, &c) in pool.octets.iter().zip(&pool.chars) {
                // `filled` stays below `len + POOL <= KEPT`: the mask only
                // spares the bounds check.
                if let Some(slot) = pool.kept.get_mut(filled & (KEPT - 1)) {
                    *slot = c;
                }
                filled = filled.wrapping_add(usize::from(keep));
            }
        }
        let mut v = Self::empty();
        if let (Some(dst), Some(src)) = (v.bytes.get_mut(..len), pool.kept.get(..len)) {
            dst.copy_from_slice(src);
            v.len = len as u8;
        }
        // `pool`, with every octet drawn, is zeroized as it drops; on an RNG
        // error (the `?` above) nothing has been written to a verifier yet.
        Ok(v)
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
        octets.as_mut_slice().zeroize();
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
        Self {
            bytes: [0; MAX_LEN],
            len: 0,
        }
    }
}

/// RFC 7636 §4.1: a verifier has 43 to 128 characters.
fn check_len(len: usize) -> Result<(), Error> {
    if (MIN_LEN..=MAX_LEN).contains(&len) {
        Ok(())
    } else {
        Err(Error::InvalidLength { len })
    }
}

/// Random octets drawn in one RNG call, their characters, and the
/// characters kept so far.
struct Pool {
    octets: [u8; POOL],
    chars: [u8; POOL],
    kept: [u8; KEPT],
}

impl Drop for Pool {
    fn drop(&mut self) {
        // As slices: one bulk write each (an array is zeroized octet by octet).
        self.octets.as_mut_slice().zeroize();
        self.chars.as_mut_slice().zeroize();
        self.kept.as_mut_slice().zeroize();
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
