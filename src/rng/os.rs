//! The operating system's RNG as a `rand_core` 0.10 `TryCryptoRng`.

use rand_core::{TryCryptoRng, TryRng};

/// `getrandom` behind the `rand_core` traits, so that each `random()`
/// constructor is its RNG-taking twin called with the OS RNG, through the
/// same health test.
pub(crate) struct OsRng;

impl TryRng for OsRng {
    type Error = getrandom::Error;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        getrandom::u32()
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        getrandom::u64()
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        getrandom::fill(dst)
    }
}

// The OS RNG is the platform's cryptographically secure source.
impl TryCryptoRng for OsRng {}

#[cfg(test)]
mod tests {
    use super::*;

    // Each method reaches the OS: four equal draws from a working source
    // have probability 2^-96 (u32) or 2^-192 (u64, 32 octets).
    #[test]
    fn every_method_draws_from_the_os() {
        let mut rng = OsRng;
        let words: [u32; 4] = core::array::from_fn(|_| rng.try_next_u32().unwrap());
        assert!(words.iter().any(|&w| w != words[0]), "{words:?}");
        let words: [u64; 4] = core::array::from_fn(|_| rng.try_next_u64().unwrap());
        assert!(words.iter().any(|&w| w != words[0]), "{words:?}");
        let mut octets = [0u8; 32];
        rng.try_fill_bytes(&mut octets).unwrap();
        assert!(octets.iter().any(|&o| o != octets[0]), "{octets:?}");
    }
}
