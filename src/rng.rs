//! Drawing a verifier's randomness, with a health test that fails closed.
//!
//! Every octet a generator draws passes through here, from any RNG or from
//! the operating system's ([`OsRng`], feature `getrandom`), for a verifier
//! or a `state`. A draw that fails the
//! test is an RNG failure ([`Error::Rng`]): no verifier is made from it.
//!
//! # What the test catches
//!
//! - A draw whose octets repeat with a period of 1 to 8 octets: an RNG stuck
//!   at one value (`00 00 ..`, `FF FF ..`), alternating (`FF FE FF FE ..`), or
//!   cycling through up to 8 values.
//! - In `from_rng_with_len`, two consecutive draws that are identical (an RNG
//!   that returns the same output on every call).
//! - In `from_rng_with_len`, an RNG that does not yield enough acceptable
//!   octets: it gives up after [`MAX_DRAWS`] draws instead of looping forever.
//!
//! Each bound is set so that a healthy RNG trips it with probability below
//! 2^-100 per verifier; the arithmetic is next to each constant.
//!
//! # What it cannot catch
//!
//! A health test sees only the octets of one call. It cannot tell a good RNG
//! from any output that merely looks random:
//!
//! - a counter (`00 01 02 ..`) or any other long-period pattern;
//! - a cryptographically secure RNG seeded with a known or reused seed, a
//!   fork of the process that reuses its parent's RNG state, or a weak RNG:
//!   all give random-looking output that an attacker can predict;
//! - an RNG that returns the same 32 octets on every call to `generate`,
//!   `from_rng` or `random`: each of these draws once per verifier, and
//!   the crate keeps no state between calls (a fingerprint of the last draw
//!   would itself be secret-derived data left in memory).
//!
//! The guarantee that the octets are unpredictable stays with the RNG.

use rand_core::TryCryptoRng;
use zeroize::Zeroize;

use crate::alphabet::MAX_LEN;
use crate::error::Error;

#[cfg(feature = "getrandom")]
mod os;
#[cfg(feature = "getrandom")]
pub(crate) use os::OsRng;

/// Longest period the health test looks for.
const MAX_PERIOD: usize = 8;
// The windows compared are whole 8-octet words.
const _: () = assert!((32 - MAX_PERIOD) % 8 == 0 && (POOL - MAX_PERIOD) % 8 == 0);

/// Whether `octets` repeat with a period of 1 to [`MAX_PERIOD`] octets.
///
/// A period `p` of 1 to 4 is also a period `2p` or `3p` in 5..=8 (1 → 5,
/// 2 → 6, 3 → 6, 4 → 8), so only 5 to 8 are checked: `octets[i + p] ==
/// octets[i]` for every `i` of a window of `octets.len() - MAX_PERIOD`
/// octets. A healthy RNG passes a 32-octet draw except with probability at
/// most 4 × 256^-24 = 2^-190 (one chance of 256^-24 per period, window 24),
/// and a 64-octet draw except with probability 4 × 256^-56 = 2^-446.
///
/// No early exit and no branch on the octets: the differences of whole
/// 8-octet words are ORed together.
#[inline(always)]
fn is_periodic(octets: &[u8]) -> bool {
    let window = octets.len().saturating_sub(MAX_PERIOD);
    let head = octets.get(..window).unwrap_or_default();
    let mut periodic = false;
    for period in MAX_PERIOD / 2 + 1..=MAX_PERIOD {
        let shifted = octets.get(period..).unwrap_or_default();
        periodic |= or_of_xors(head, shifted) == 0;
    }
    periodic
}

/// The OR of the XORs of `a`'s 8-octet words with the first ones of `b`:
/// zero exactly when `a` is a prefix of `b` (`a`'s length is a multiple of 8
/// and at most `b`'s).
#[inline(always)]
fn or_of_xors(a: &[u8], b: &[u8]) -> u64 {
    let word = |chunk: &[u8]| u64::from_ne_bytes(chunk.try_into().unwrap_or_default());
    a.chunks_exact(8)
        .zip(b.chunks_exact(8))
        .fold(0, |acc, (x, y)| acc | (word(x) ^ word(y)))
}

/// The health test for 32 octets drawn for one verifier or `state`.
///
/// # Errors
///
/// [`Error::Rng`] when `octets` repeat with a short period.
fn check_32(octets: &[u8; 32]) -> Result<(), Error> {
    if is_periodic(octets) {
        Err(Error::Rng)
    } else {
        Ok(())
    }
}

/// Fills `octets` from `rng` and runs the health test on them.
///
/// # Errors
///
/// [`Error::Rng`] when the RNG fails or its output fails the test; `octets`
/// are then the caller's to zeroize.
pub(crate) fn draw_32<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    octets: &mut [u8; 32],
) -> Result<(), Error> {
    rng.try_fill_bytes(octets).map_err(|_| Error::Rng)?;
    check_32(octets)
}

/// Random octets drawn per RNG call by [`draw_unreserved`].
const POOL: usize = 64;

/// Octets below this map onto the 66 characters with no bias: 198 = 3 × 66.
const ACCEPT_BELOW: u8 = 198;

/// Most RNG calls [`draw_unreserved`] makes for one verifier.
///
/// An octet is accepted with probability 198/256. The longest verifier,
/// 128 characters, fails only if 5 draws (320 octets) hold fewer than 128
/// accepted ones: `P[Binomial(320, 198/256) < 128] = 2^-154.5` (the exact
/// binomial sum; the mean is 247.5). With 4 draws it would be 2^-71.2, too
/// likely. A source that yields no acceptable octet at all, such as one stuck
/// in 198..=255, is given up on after 5 calls.
const MAX_DRAWS: usize = 5;

/// Room for the characters written: at most `MAX_LEN - 1 + POOL`, and a
/// power of two so that a mask keeps the index in bounds.
const KEPT: usize = 256;
const _: () = assert!(MAX_LEN + POOL <= KEPT && KEPT.is_power_of_two());

/// Fills `out` (43 to 128 octets) with characters drawn uniformly from the
/// 66 unreserved ones, by rejection sampling on octets from `rng`.
///
/// Octets of 198 or more are discarded, so every character has probability
/// exactly 1/66. Every draw is health-tested: a periodic draw, a draw equal
/// to the one before, or more than [`MAX_DRAWS`] draws is an RNG failure.
/// A healthy RNG trips one of these with probability below
/// 5 × 2^-446 + 4 × 2^-512 + 2^-154.5 < 2^-154 per verifier.
///
/// # Errors
///
/// [`Error::Rng`]; `out` is then untouched.
pub(crate) fn draw_unreserved<R: TryCryptoRng + ?Sized>(
    rng: &mut R,
    out: &mut [u8],
) -> Result<(), Error> {
    let mut pool = Pool {
        octets: [0; POOL],
        previous: [0; POOL],
        chars: [0; POOL],
        keep: [0; POOL],
        kept: [0; KEPT],
    };
    // Characters kept so far. Every octet's character is written to
    // `kept[filled]`, and only an accepted octet advances `filled`, so a
    // rejected one is overwritten by the next: no branch per octet. Which
    // octets are rejected is independent of the accepted ones, so neither
    // the number of RNG calls nor the write positions say anything about
    // the verifier.
    let mut filled = 0usize;
    let mut draws = 0usize;
    while filled < out.len() {
        if draws == MAX_DRAWS {
            return Err(Error::Rng);
        }
        rng.try_fill_bytes(&mut pool.octets)
            .map_err(|_| Error::Rng)?;
        let repeated = draws > 0 && or_of_xors(&pool.octets, &pool.previous) == 0;
        if repeated | is_periodic(&pool.octets) {
            return Err(Error::Rng);
        }
        pool.previous = pool.octets;
        draws = draws.wrapping_add(1);
        // Each octet to its character and its keep flag, 16 lanes at a
        // time, without branches: below 198, `o % 66` is `o` less 66 for
        // each of 66 and 132 that `o` reaches.
        for ((c, k), &o) in pool.chars.iter_mut().zip(&mut pool.keep).zip(&pool.octets) {
            let index = o
                .wrapping_sub(u8::from(o >= 66).wrapping_mul(66))
                .wrapping_sub(u8::from(o >= 132).wrapping_mul(66));
            *c = crate::alphabet::unreserved_char(index);
            *k = u8::from(o < ACCEPT_BELOW);
        }
        for (&keep, &c) in pool.keep.iter().zip(&pool.chars) {
            // `filled` stays below `len + POOL <= KEPT`: the mask only
            // spares the bounds check.
            if let Some(slot) = pool.kept.get_mut(filled & (KEPT - 1)) {
                *slot = c;
            }
            filled = filled.wrapping_add(usize::from(keep));
        }
    }
    if let Some(kept) = pool.kept.get(..out.len()) {
        out.copy_from_slice(kept);
    }
    // `pool`, with every octet drawn, is zeroized as it drops.
    Ok(())
}

/// Random octets drawn in one RNG call, the draw before, their characters
/// and keep flags, and the characters kept so far.
struct Pool {
    octets: [u8; POOL],
    previous: [u8; POOL],
    chars: [u8; POOL],
    keep: [u8; POOL],
    kept: [u8; KEPT],
}

impl Drop for Pool {
    fn drop(&mut self) {
        // As slices: one bulk write each (an array is zeroized octet by octet).
        self.octets.as_mut_slice().zeroize();
        self.previous.as_mut_slice().zeroize();
        self.chars.as_mut_slice().zeroize();
        // The keep flags say which octets were rejected: no secret, but
        // cheap to clear with the rest.
        self.keep.as_mut_slice().zeroize();
        self.kept.as_mut_slice().zeroize();
    }
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;
    use std::vec::Vec;

    /// 64 octets with no short period (the start of a simple LCG).
    fn aperiodic() -> [u8; 64] {
        let mut x = 1u32;
        core::array::from_fn(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            (x >> 16) as u8
        })
    }

    #[test]
    fn every_period_up_to_8_is_caught_and_9_is_not() {
        let base = aperiodic();
        assert!(!is_periodic(&base));
        assert!(!is_periodic(&base[..32]));
        for period in 1..=9 {
            let repeated: [u8; 64] = core::array::from_fn(|i| base[i % period]);
            assert_eq!(is_periodic(&repeated), period <= MAX_PERIOD, "{period}");
            assert_eq!(
                is_periodic(&repeated[..32]),
                period <= MAX_PERIOD,
                "{period}"
            );
        }
    }

    /// SplitMix64 (Steele, Lea and Flood 2014): statistically sound output
    /// that a debug build produces fast.
    fn splitmix64(state: &mut u64) -> [u8; 8] {
        *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)).to_le_bytes()
    }

    #[test]
    fn millions_of_healthy_draws_raise_no_false_alarm() {
        // Each draw trips the test with probability below 2^-100, so any
        // alarm here is a bug, not bad luck. 2^20 draws of 32 octets and
        // 2^18 of 64, each 64 compared with the one before.
        let mut state = 0x5eed;
        for i in 0..1 << 20 {
            let mut octets = [0u8; 32];
            for word in octets.chunks_exact_mut(8) {
                word.copy_from_slice(&splitmix64(&mut state));
            }
            assert_eq!(check_32(&octets), Ok(()), "draw {i}");
        }
        let mut previous = [0u8; POOL];
        for i in 0..1 << 18 {
            let mut octets = [0u8; POOL];
            for word in octets.chunks_exact_mut(8) {
                word.copy_from_slice(&splitmix64(&mut state));
            }
            assert!(!is_periodic(&octets), "draw {i}");
            assert_ne!(or_of_xors(&octets, &previous), 0, "draw {i}");
            previous = octets;
        }
    }

    #[test]
    fn one_differing_octet_in_the_window_breaks_a_period() {
        // Octets 0..=24 are compared for every period, the first and the
        // last of them too (period 1 compares 0..24 with 1..25).
        for pos in 0..=24 {
            let mut octets = [0xab; 32];
            octets[pos] = 0xac;
            assert!(!is_periodic(&octets), "pos {pos}");
        }
    }

    /// log2 of `P[Binomial(n, p) < k]`, summed term by term in log space.
    fn log2_binomial_tail_below(n: u64, p: f64, k: u64) -> f64 {
        let ln_choose = |n: u64, k: u64| -> f64 {
            (0..k)
                .map(|i| ((n - i) as f64).ln() - ((i + 1) as f64).ln())
                .sum()
        };
        let terms: Vec<f64> = (0..k)
            .map(|j| ln_choose(n, j) + j as f64 * p.ln() + (n - j) as f64 * (1.0 - p).ln())
            .collect();
        let max = terms.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        (max + terms.iter().map(|t| (t - max).exp()).sum::<f64>().ln()) / core::f64::consts::LN_2
    }

    #[test]
    fn a_healthy_rng_trips_the_draw_bound_with_probability_below_2_pow_minus_100() {
        // The arithmetic in MAX_DRAWS's comment, for the longest verifier.
        let accept = f64::from(ACCEPT_BELOW) / 256.0;
        let max_len = crate::alphabet::MAX_LEN as u64;
        let tail = |draws: usize| log2_binomial_tail_below((draws * POOL) as u64, accept, max_len);
        assert!(
            (tail(MAX_DRAWS) - -154.5).abs() < 0.1,
            "{}",
            tail(MAX_DRAWS)
        );
        assert!(tail(MAX_DRAWS) < -100.0);
        // One draw fewer would not do: the bound is as small as it can be.
        assert!(
            (tail(MAX_DRAWS - 1) - -71.2).abs() < 0.1,
            "{}",
            tail(MAX_DRAWS - 1)
        );
        // The periodicity bounds: 4 periods, windows of 24 and 56 octets.
        assert_eq!(2 - 8 * (32 - MAX_PERIOD as i32), -190);
        assert_eq!(2 - 8 * (POOL as i32 - MAX_PERIOD as i32), -446);
    }
}
