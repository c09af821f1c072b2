//! The `state` value of one flow: 32 random octets in base64url.

use rand_core::TryCryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use super::FlowError;
use crate::alphabet::{self, B64_32_LEN};
use crate::rng;
use crate::secret_text::SecretText;

/// A `state` (RFC 6749 §4.1.1), inline and zeroized on drop.
///
/// It travels in the authorization URL, so it is not a secret the way the
/// verifier is; but whoever knows it can complete a forged callback in the
/// user agent that holds the flow (RFC 6749 §10.12), so it is never printed.
pub(crate) struct State {
    // Invariant: 43 characters of the base64url alphabet.
    text: SecretText<B64_32_LEN>,
}

impl State {
    /// Draws 32 health-tested octets from `rng` (`src/rng.rs`): a call of
    /// its own, after the verifier's, so the state is neither equal to nor
    /// derived from the verifier.
    pub(crate) fn from_rng<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, FlowError> {
        let mut octets = [0u8; 32];
        let drawn = rng::draw_32(rng, &mut octets);
        let state = drawn.map(|()| Self::encode(&octets));
        // As a slice: one bulk write (an array is zeroized octet by octet).
        octets.as_mut_slice().zeroize();
        state.map_err(|_| FlowError::Rng)
    }

    fn encode(octets: &[u8; 32]) -> Self {
        Self {
            text: SecretText::base64url_32(octets),
        }
    }

    /// A state read back from storage: exactly 43 base64url characters.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        // No early exit: the time does not depend on which character is bad.
        if bytes.len() != B64_32_LEN || !alphabet::all_base64url(bytes) {
            return None;
        }
        let mut text = SecretText::EMPTY;
        text.push(bytes).then_some(Self { text })
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        self.text.as_bytes()
    }

    pub(crate) fn as_str(&self) -> &str {
        self.text.as_str()
    }

    /// Constant-time comparison with `other`; the time depends only on
    /// `other`'s length (a length other than 43 is unequal at once).
    pub(crate) fn ct_eq(&self, other: &[u8]) -> Choice {
        self.as_bytes().ct_eq(other)
    }
}
