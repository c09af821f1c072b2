//! Generation draws exactly the randomness it needs, and an RNG failure
//! yields an error and no verifier.

use std::convert::Infallible;

use proofkey::{CodeVerifier, Error};
use rand_chacha::rand_core::{TryCryptoRng, TryRng};

/// Fills with one byte value and counts the calls; fails after `fail_after` calls.
struct Scripted {
    byte: u8,
    calls: usize,
    fail_after: usize,
}

#[derive(Debug)]
struct Broken;

impl std::fmt::Display for Broken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("entropy source failed")
    }
}

impl std::error::Error for Broken {}

impl TryRng for Scripted {
    type Error = Broken;
    fn try_next_u32(&mut self) -> Result<u32, Broken> {
        unimplemented!("proofkey fills bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Broken> {
        unimplemented!("proofkey fills bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Broken> {
        if self.calls >= self.fail_after {
            return Err(Broken);
        }
        self.calls += 1;
        dst.fill(self.byte);
        Ok(())
    }
}

impl TryCryptoRng for Scripted {}

fn rng(byte: u8, fail_after: usize) -> Scripted {
    Scripted {
        byte,
        calls: 0,
        fail_after,
    }
}

#[test]
fn generate_draws_32_octets_once() {
    let mut r = rng(0, usize::MAX);
    let v = CodeVerifier::try_generate(&mut r).unwrap();
    assert_eq!(r.calls, 1);
    assert_eq!(v.secret(), "A".repeat(43)); // 32 zero octets
}

#[test]
fn generate_with_len_stops_as_soon_as_it_has_enough() {
    // Every octet 0 is accepted ('A'): 64 per draw, so 64 characters need
    // one draw and 65 need two.
    for (len, draws) in [(43, 1), (64, 1), (65, 2), (128, 2)] {
        let mut r = rng(0, usize::MAX);
        let v = CodeVerifier::try_generate_with_len(&mut r, len).unwrap();
        assert_eq!(v.secret(), "A".repeat(len));
        assert_eq!(r.calls, draws, "len {len}");
    }
    // 65 is 'A' + 65 - 66... octet 65 maps to the last character, '~'.
    let mut r = rng(65, usize::MAX);
    assert_eq!(
        CodeVerifier::try_generate_with_len(&mut r, 43)
            .unwrap()
            .secret(),
        "~".repeat(43)
    );
    // 131 = 65 + 66 and 197 = 65 + 132 too: the three accepted octets per character.
    for byte in [131, 197] {
        let mut r = rng(byte, usize::MAX);
        assert_eq!(
            CodeVerifier::try_generate_with_len(&mut r, 43)
                .unwrap()
                .secret(),
            "~".repeat(43)
        );
    }
}

#[test]
fn rejected_octets_are_discarded_until_the_rng_fails() {
    // 198..=255 are rejected (no modulo bias): an RNG stuck on them never
    // completes a verifier, and its failure is reported as `Error::Rng`.
    let mut r = rng(198, 5);
    assert_eq!(
        CodeVerifier::try_generate_with_len(&mut r, 43).unwrap_err(),
        Error::Rng
    );
    assert_eq!(r.calls, 5);
}

#[test]
fn rng_failure_is_an_error_not_a_panic() {
    let mut r = rng(0, 0);
    assert_eq!(CodeVerifier::try_generate(&mut r).unwrap_err(), Error::Rng);
    let mut r = rng(0, 1);
    // The first draw gives 64 characters; 100 need a second, which fails.
    assert_eq!(
        CodeVerifier::try_generate_with_len(&mut r, 100).unwrap_err(),
        Error::Rng
    );
    assert_eq!(
        CodeVerifier::try_generate_with_len(&mut rng(0, 9), 7).unwrap_err(),
        Error::InvalidLength { len: 7 }
    );
    assert!(Error::Rng.to_string().contains("random number generator"));
}

#[test]
fn an_infallible_rng_goes_through_generate() {
    struct Zeros;
    impl TryRng for Zeros {
        type Error = Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Infallible> {
            Ok(0)
        }
        fn try_next_u64(&mut self) -> Result<u64, Infallible> {
            Ok(0)
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
            dst.fill(0);
            Ok(())
        }
    }
    impl TryCryptoRng for Zeros {}
    assert_eq!(CodeVerifier::generate(&mut Zeros).secret(), "A".repeat(43));
    assert_eq!(
        CodeVerifier::generate_with_len(&mut Zeros, 128)
            .unwrap()
            .secret(),
        "A".repeat(128)
    );
}
