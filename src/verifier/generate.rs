//! Generating a verifier from an RNG: the health-tested draws of
//! `src/rng.rs`, built through `scrub::built`.

use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use super::CodeVerifier;
use crate::alphabet;
use crate::error::Error;
use crate::secret_text::SecretText;
use crate::{rng, scrub};

impl CodeVerifier {
    /// A 43-character verifier from 32 octets of `rng`, any `rand_core`
    /// 0.10 `TryCryptoRng` (every `CryptoRng` is one).
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    ///
    /// let verifier = CodeVerifier::from_rng(&mut rand::rng())?; // or CodeVerifier::random()
    /// assert_eq!(verifier.secret().len(), 43);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Health test
    ///
    /// Every generator checks the octets it draws and fails closed. It
    /// catches an RNG stuck at one value (all `0x00`, all `0xFF`, ...), one
    /// that alternates or cycles through up to 8 values, and (with
    /// [`from_rng_with_len`](Self::from_rng_with_len)) one that returns the
    /// same output twice in a row or too few usable octets. A healthy RNG
    /// trips it with probability below 2^-100.
    ///
    /// It cannot catch output that only looks random: a counter, a weak RNG,
    /// a secure RNG seeded with a known or reused seed (or shared with a
    /// forked process), or an RNG that returns the same 32 octets on every
    /// call (each call here draws once, and nothing is kept between calls).
    /// That the octets are unpredictable remains the RNG's guarantee.
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] if the RNG fails or its octets fail the health test;
    /// nothing is generated then.
    pub fn from_rng<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        scrub::built::<{ scrub::LARGE }, _>(|| Self::draw_32(rng))
    }

    /// 32 health-tested octets of `rng`, encoded.
    fn draw_32<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, Error> {
        let mut octets = [0u8; 32];
        let drawn = rng::draw_32(rng, &mut octets);
        let verifier = drawn.map(|()| Self::encoded(&octets));
        // As a slice: one bulk write (an array is zeroized octet by octet).
        octets.as_mut_slice().zeroize();
        verifier
    }

    /// A verifier of `len` characters (43..=128), each drawn uniformly
    /// from the 66 unreserved characters.
    ///
    /// Octets of 198 or more are discarded (rejection sampling), so every
    /// character has probability exactly 1/66: no modulo bias. A 43-character
    /// verifier carries about 260 bits of entropy. The octets are
    /// health-tested as described under [`from_rng`](Self::from_rng),
    /// and an RNG that keeps yielding discarded octets is given up on after
    /// 5 draws of 64 octets (a healthy one needs more with probability
    /// 2^-154): this function always returns.
    ///
    /// ```
    /// use proofkey::CodeVerifier;
    ///
    /// let verifier = CodeVerifier::from_rng_with_len(&mut rand::rng(), 128)?;
    /// assert_eq!(verifier.secret().len(), 128);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::RequestedLength`] when `len` is outside 43..=128;
    /// [`Error::Rng`] if the RNG fails or its octets fail the health test.
    pub fn from_rng_with_len<R: TryCryptoRng + ?Sized>(
        rng: &mut R,
        len: usize,
    ) -> Result<Self, Error> {
        scrub::built::<{ scrub::LARGE }, _>(|| Self::draw_unreserved(rng, len))
    }

    /// `len` (43..=128) characters drawn by rejection sampling.
    fn draw_unreserved<R: TryCryptoRng + ?Sized>(rng: &mut R, len: usize) -> Result<Self, Error> {
        if !alphabet::is_verifier_len(len) {
            return Err(Error::RequestedLength { len });
        }
        // On an error the buffer is zeroized (and `draw_unreserved` left it
        // untouched anyway).
        let text = SecretText::filled(len, |out| rng::draw_unreserved(rng, out))?;
        Ok(Self { text })
    }

    /// A verifier from the operating system's RNG (`getrandom`):
    /// [`from_rng`](Self::from_rng) with it, health test included.
    ///
    /// ```
    /// let verifier = proofkey::CodeVerifier::random()?;
    /// assert_eq!(verifier.secret().len(), 43);
    /// # Ok::<(), proofkey::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Rng`] if the OS RNG is unavailable or its octets fail the
    /// health test; it never panics.
    #[cfg(feature = "getrandom")]
    pub fn random() -> Result<Self, Error> {
        Self::from_rng(&mut rng::OsRng)
    }
}
