//! The operating system's RNG as a `rand_core` 0.10 `TryCryptoRng`.

use rand_core::{TryCryptoRng, TryRng};

/// `getrandom::fill` behind the `rand_core` traits, so that
/// [`ClientFlow::random`](crate::ClientFlow::random) is
/// [`ClientFlow::start`](crate::ClientFlow::start) with the OS RNG.
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
