//! The `state` value of one flow: 32 random octets in base64url.

use rand_core::TryCryptoRng;
use subtle::{Choice, ConstantTimeEq};
use zeroize::Zeroize;

use super::FlowError;
use crate::CodeVerifier;

/// Length of a `state`: 32 octets (256 bits) in unpadded base64url.
pub(crate) const STATE_LEN: usize = 43;

/// A `state` (RFC 6749 §4.1.1), inline and zeroized on drop.
///
/// It travels in the authorization URL, so it is not a secret the way the
/// verifier is; but whoever knows it can complete a forged callback in the
/// user agent that holds the flow (RFC 6749 §10.12), so it is never printed.
pub(crate) struct State {
    // Invariant: 43 characters of the base64url alphabet.
    bytes: [u8; STATE_LEN],
}

impl State {
    /// Draws 32 octets from `rng`: a call of its own, after the verifier's,
    /// so the state is neither equal to nor derived from the verifier.
    pub(crate) fn generate<R: TryCryptoRng + ?Sized>(rng: &mut R) -> Result<Self, FlowError> {
        let mut octets = [0u8; 32];
        let filled = rng.try_fill_bytes(&mut octets);
        // The library's constant-time base64url encoder of 32 octets is
        // reached through `from_random_bytes`; the value is only the
        // encoding, and the temporary is zeroized when it drops.
        let state = filled.map(|()| Self::encode(&octets));
        octets.as_mut_slice().zeroize();
        state.map_err(|_| FlowError::Rng)
    }

    fn encode(octets: &[u8; 32]) -> Self {
        let encoded = CodeVerifier::from_random_bytes(octets);
        let mut state = Self {
            bytes: [0; STATE_LEN],
        };
        if let Some(src) = encoded.secret().as_bytes().first_chunk::<STATE_LEN>() {
            state.bytes = *src;
        }
        state
    }

    /// A state read back from storage: exactly 43 base64url characters.
    pub(crate) fn parse(bytes: &[u8]) -> Option<Self> {
        let bytes = <&[u8; STATE_LEN]>::try_from(bytes).ok()?;
        // No early exit: the time does not depend on which character is bad.
        let all_valid = bytes.iter().fold(true, |ok, &b| {
            ok & (b.is_ascii_alphanumeric() | (b == b'-') | (b == b'_'))
        });
        all_valid.then_some(Self { bytes: *bytes })
    }

    pub(crate) fn as_bytes(&self) -> &[u8; STATE_LEN] {
        &self.bytes
    }

    pub(crate) fn as_str(&self) -> &str {
        // The invariant makes this ASCII; the fallback is unreachable.
        core::str::from_utf8(&self.bytes).unwrap_or_default()
    }

    /// Constant-time comparison with `other`; the time depends only on
    /// `other`'s length (a length other than 43 is unequal at once).
    pub(crate) fn ct_eq(&self, other: &[u8]) -> Choice {
        self.bytes.as_slice().ct_eq(other)
    }
}

impl Drop for State {
    fn drop(&mut self) {
        self.bytes.as_mut_slice().zeroize();
    }
}
