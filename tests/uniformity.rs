//! `from_rng_with_len` draws each character uniformly from the 66 unreserved
//! characters: a chi-square goodness-of-fit test with a fixed-seed RNG.

use proofkey::CodeVerifier;
use rand::{rand_core::SeedableRng, rngs::ChaCha20Rng};

#[path = "support/vectors.rs"]
mod vectors;

use vectors::UNRESERVED;

fn histogram(seed: u8, verifiers: usize, len: usize) -> [u64; 66] {
    let mut rng = ChaCha20Rng::from_seed([seed; 32]);
    let mut counts = [0u64; 66];
    for _ in 0..verifiers {
        let v = CodeVerifier::from_rng_with_len(&mut rng, len).unwrap();
        for b in v.secret().bytes() {
            let i = UNRESERVED.iter().position(|&c| c == b).expect("unreserved");
            counts[i] += 1;
        }
    }
    counts
}

fn chi_square(counts: &[u64]) -> f64 {
    let n: u64 = counts.iter().sum();
    let expected = n as f64 / counts.len() as f64;
    counts
        .iter()
        .map(|&c| (c as f64 - expected).powi(2) / expected)
        .sum()
}

/// 65 degrees of freedom: the 99.9th percentile of chi-square is 110.6.
const CRITICAL_999: f64 = 110.6;

#[test]
fn from_rng_with_len_is_uniform_over_66_characters() {
    // 10 000 × 128 = 1.28 M characters, about 19 400 per character.
    let counts = histogram(42, 10_000, 128);
    assert!(counts.iter().all(|&c| c > 0), "every character occurs");
    let stat = chi_square(&counts);
    assert!(
        stat < CRITICAL_999,
        "chi-square {stat:.1} >= {CRITICAL_999} (df 65): not uniform"
    );
}

#[test]
fn the_test_detects_modulo_bias() {
    // Control: `byte % 66` without rejection favours the first 58 characters
    // (4 of 256 byte values each instead of 3); the same statistic must catch it.
    let mut rng = ChaCha20Rng::from_seed([42; 32]);
    let mut counts = [0u64; 66];
    let mut buf = [0u8; 128];
    for _ in 0..10_000 {
        rand::rand_core::Rng::fill_bytes(&mut rng, &mut buf);
        for b in buf {
            counts[(b % 66) as usize] += 1;
        }
    }
    assert!(chi_square(&counts) > CRITICAL_999 * 10.0);
}

#[test]
fn different_positions_are_uniform_too() {
    // The first and the last position separately (a per-position bias would
    // hide in the overall count).
    let mut rng = ChaCha20Rng::from_seed([7; 32]);
    let mut first = [0u64; 66];
    let mut last = [0u64; 66];
    for _ in 0..40_000 {
        let v = CodeVerifier::from_rng_with_len(&mut rng, 43).unwrap();
        let b = v.secret().as_bytes();
        first[UNRESERVED.iter().position(|&c| c == b[0]).unwrap()] += 1;
        last[UNRESERVED.iter().position(|&c| c == b[42]).unwrap()] += 1;
    }
    assert!(chi_square(&first) < CRITICAL_999, "first position");
    assert!(chi_square(&last) < CRITICAL_999, "last position");
}
