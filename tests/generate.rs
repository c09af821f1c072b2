//! Generation draws exactly the randomness it needs, fails closed on a
//! stuck, repeating or failing RNG, always returns, and never raises a false
//! alarm on a healthy RNG.

use std::convert::Infallible;

use proofkey::{CodeVerifier, Error};
use rand::rand_core::{Rng, SeedableRng, TryCryptoRng, TryRng};
use rand::rngs::ChaCha20Rng;

#[path = "support/vectors.rs"]
mod vectors;
use vectors::{RFC_OCTETS, RFC_VERIFIER, UNRESERVED};

/// Octet `within` of fill number `call`.
type Source = fn(call: usize, within: usize) -> u8;

/// Fills from a source and counts the calls; fails from call `fail_after` on.
struct Scripted {
    source: Box<dyn Fn(usize, usize) -> u8>,
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
        for (within, o) in dst.iter_mut().enumerate() {
            *o = (self.source)(self.calls, within);
        }
        self.calls += 1;
        Ok(())
    }
}

impl TryCryptoRng for Scripted {}

/// The same source as an infallible `CryptoRng`, for `generate` and
/// `from_rng_with_len`.
struct Infallibly(Scripted);

impl TryRng for Infallibly {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        unimplemented!("proofkey fills bytes")
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        unimplemented!("proofkey fills bytes")
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        self.0.try_fill_bytes(dst).expect("never set to fail");
        Ok(())
    }
}

impl TryCryptoRng for Infallibly {}

fn rng(source: impl Fn(usize, usize) -> u8 + 'static) -> Scripted {
    failing_after(source, usize::MAX)
}

fn failing_after(source: impl Fn(usize, usize) -> u8 + 'static, fail_after: usize) -> Scripted {
    Scripted {
        source: Box::new(source),
        calls: 0,
        fail_after,
    }
}

/// A counter over 0..198, continued across fills: every octet is accepted
/// by `from_rng_with_len`, no fill is periodic or equal to the one before.
/// (A counter is the kind of bad RNG the health test cannot see.)
fn accepted(call: usize, within: usize) -> u8 {
    ((call * 64 + within) % 198) as u8
}

/// 198..=255 with period 58: every octet is rejected by
/// `from_rng_with_len`, yet no fill is periodic or equal to the one before.
fn rejected(call: usize, within: usize) -> u8 {
    198 + ((call * 64 + within) % 58) as u8
}

/// The characters `from_rng_with_len` makes from `accepted`.
fn expected_from_accepted(len: usize) -> String {
    (0..len)
        .map(|i| UNRESERVED[usize::from(accepted(0, i)) % 66] as char)
        .collect()
}

/// The ways an RNG can be stuck that every generator must catch.
const STUCK: [(&str, Source); 6] = [
    ("constant 0x00", |_, _| 0x00),
    ("constant 0xFF", |_, _| 0xFF),
    ("alternating 0xFF/0xFE", |_, i| 0xFF - (i % 2) as u8),
    ("0xFF, then 0xFE on the next call", |call, _| {
        0xFF - (call % 2) as u8
    }),
    ("cycle of 8 accepted octets", |_, i| (i % 8) as u8 * 20),
    ("cycle of 3 rejected octets", |_, i| 200 + (i % 3) as u8),
];

#[test]
fn from_rng_draws_32_octets_once() {
    let mut r = rng(|_, i| RFC_OCTETS[i]);
    let v = CodeVerifier::from_rng(&mut r).unwrap();
    assert_eq!(r.calls, 1);
    assert_eq!(v.secret(), RFC_VERIFIER);
}

#[test]
fn from_rng_with_len_stops_as_soon_as_it_has_enough() {
    // Every octet is accepted: 64 per draw, so 64 characters need one draw
    // and 65 need two. The characters are `octet % 66`, which also checks
    // the mapping of every octet below 198 (65, 131 and 197 give '~').
    for (len, draws) in [(43, 1), (64, 1), (65, 2), (128, 2)] {
        let mut r = rng(accepted);
        let v = CodeVerifier::from_rng_with_len(&mut r, len).unwrap();
        assert_eq!(v.secret(), expected_from_accepted(len), "len {len}");
        assert_eq!(r.calls, draws, "len {len}");
    }
    assert!(expected_from_accepted(128).contains('~'));
}

#[test]
fn a_stuck_rng_gives_an_error_from_every_generator() {
    for (name, source) in STUCK {
        let mut r = rng(source);
        assert_eq!(
            CodeVerifier::from_rng(&mut r).unwrap_err(),
            Error::Rng,
            "{name}"
        );
        assert_eq!(r.calls, 1, "{name}: caught on the first draw");
        assert_eq!(
            CodeVerifier::from_rng(&mut Infallibly(rng(source))).unwrap_err(),
            Error::Rng,
            "{name}"
        );
        for len in [43, 100, 128] {
            let mut r = rng(source);
            assert_eq!(
                CodeVerifier::from_rng_with_len(&mut r, len).unwrap_err(),
                Error::Rng,
                "{name}, len {len}"
            );
            assert_eq!(r.calls, 1, "{name}, len {len}: caught on the first draw");
            assert_eq!(
                CodeVerifier::from_rng_with_len(&mut Infallibly(rng(source)), len).unwrap_err(),
                Error::Rng,
                "{name}, len {len}"
            );
        }
    }
}

#[test]
fn an_rng_stuck_at_any_octet_value_is_caught() {
    // Accepted or rejected by `from_rng_with_len`, every value is caught.
    for value in 0..=u8::MAX {
        assert_eq!(
            CodeVerifier::from_rng(&mut rng(move |_, _| value)).unwrap_err(),
            Error::Rng,
            "{value:#04x}"
        );
        assert_eq!(
            CodeVerifier::from_rng_with_len(&mut rng(move |_, _| value), 43).unwrap_err(),
            Error::Rng,
            "{value:#04x}"
        );
    }
}

#[test]
fn an_rng_with_no_acceptable_octet_is_given_up_on_after_5_draws() {
    // Not periodic, never the same fill twice, but every octet is 198 or
    // more: `from_rng_with_len` must return, not loop.
    for len in [43, 128] {
        let mut r = rng(rejected);
        assert_eq!(
            CodeVerifier::from_rng_with_len(&mut r, len).unwrap_err(),
            Error::Rng
        );
        assert_eq!(r.calls, 5, "len {len}");
        assert_eq!(
            CodeVerifier::from_rng_with_len(&mut Infallibly(rng(rejected)), len).unwrap_err(),
            Error::Rng
        );
    }
    // A source that yields a few acceptable octets per draw (8 of 64) is
    // given up on too: 5 draws hold 40 characters, not 43.
    let mut r = rng(|call, i| {
        if i % 8 == 0 {
            ((call * 8 + i / 8) % 198) as u8
        } else {
            rejected(call, i)
        }
    });
    assert_eq!(
        CodeVerifier::from_rng_with_len(&mut r, 43).unwrap_err(),
        Error::Rng
    );
    assert_eq!(r.calls, 5);
}

#[test]
fn an_rng_repeating_its_output_is_caught_on_the_second_draw() {
    // The same 64 octets on every call, each fill aperiodic and all
    // accepted: 128 characters need a second draw, which is the first one
    // again.
    let mut r = rng(|_, i| accepted(0, i));
    assert_eq!(
        CodeVerifier::from_rng_with_len(&mut r, 128).unwrap_err(),
        Error::Rng
    );
    assert_eq!(r.calls, 2);
}

#[test]
fn rng_failure_is_an_error_not_a_panic() {
    let mut r = failing_after(accepted, 0);
    assert_eq!(CodeVerifier::from_rng(&mut r).unwrap_err(), Error::Rng);
    // The first draw gives 64 characters; 100 need a second, which fails.
    let mut r = failing_after(accepted, 1);
    assert_eq!(
        CodeVerifier::from_rng_with_len(&mut r, 100).unwrap_err(),
        Error::Rng
    );
    assert_eq!(r.calls, 1);
    // The length is checked before anything is drawn.
    let mut r = failing_after(accepted, 9);
    assert_eq!(
        CodeVerifier::from_rng_with_len(&mut r, 7).unwrap_err(),
        Error::RequestedLength { len: 7 }
    );
    assert_eq!(r.calls, 0);
    assert!(Error::Rng.to_string().contains("random number generator"));
}

#[test]
fn a_healthy_infallible_rng_goes_through_from_rng() {
    let v = CodeVerifier::from_rng(&mut Infallibly(rng(|_, i| RFC_OCTETS[i]))).unwrap();
    assert_eq!(v.secret(), RFC_VERIFIER);
    let v = CodeVerifier::from_rng_with_len(&mut Infallibly(rng(accepted)), 128).unwrap();
    assert_eq!(v.secret(), expected_from_accepted(128));
}

/// SplitMix64 (Steele, Lea and Flood 2014): statistically sound output
/// that a debug build produces fast. Not a CSPRNG, which the health test
/// cannot tell and need not: it looks at the statistics of one call.
struct SplitMix64(u64);

impl TryRng for SplitMix64 {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        Ok(self.try_next_u64()? as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for chunk in dst.chunks_mut(8) {
            let word = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&word[..chunk.len()]);
        }
        Ok(())
    }
}

impl TryCryptoRng for SplitMix64 {}

#[test]
fn a_healthy_rng_never_trips_the_health_test() {
    // Each draw trips the test with probability below 2^-100, so any error
    // here is a bug, not bad luck. Through the public API: ChaCha20, and
    // SplitMix64 for volume, about 200 000 draws in all (a debug build is
    // slow; the unit test in src/rng.rs runs the test itself on 1.3
    // million draws).
    let mut chacha = ChaCha20Rng::from_seed([0x5e; 32]);
    for i in 0..1 << 13 {
        CodeVerifier::from_rng(&mut chacha).unwrap_or_else(|e| panic!("ChaCha20 {i}: {e}"));
        CodeVerifier::from_rng_with_len(&mut chacha, 128)
            .unwrap_or_else(|e| panic!("ChaCha20 {i} of 128: {e}"));
    }
    let mut rng = SplitMix64(0x5eed);
    for i in 0..1 << 16 {
        CodeVerifier::from_rng(&mut rng).unwrap_or_else(|e| panic!("verifier {i}: {e}"));
    }
    for i in 0..1 << 15 {
        let len = 43 + (rng.next_u32() % 86) as usize;
        CodeVerifier::from_rng_with_len(&mut rng, len)
            .unwrap_or_else(|e| panic!("verifier {i} of {len}: {e}"));
    }
}
