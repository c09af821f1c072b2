//! dudect (Reparaz, Balasch, Verbauwhede 2017) timing tests of
//! `CodeChallenge::verify`: each benchmark times `verify` on two classes of
//! inputs that differ only in the stored challenge, interleaved at random,
//! and Welch's t-test says whether the two timing distributions differ.
//! |t| above ~5 after millions of samples means a detectable leak.
//!
//! ```text
//! cargo run --release -- --continuous s256_match_vs_first_byte
//! ```

use std::hint::black_box;

use dudect_bencher::rand::RngExt;
use dudect_bencher::{BenchRng, Class, CtRunner, ctbench_main};
use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier};

/// Samples per run; continuous mode accumulates the statistics across runs.
const SAMPLES: usize = 100_000;

const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
const BASE64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A random well-formed verifier of `len` characters.
fn random_verifier(rng: &mut BenchRng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(UNRESERVED[rng.random_range(0..UNRESERVED.len())]))
        .collect()
}

/// A random class, so that the two classes are interleaved.
fn random_class(rng: &mut BenchRng) -> Class {
    if rng.random::<bool>() {
        Class::Left
    } else {
        Class::Right
    }
}

/// `s` with the character at `at` replaced by a different one of `alphabet`
/// (for S256 the last character keeps its two unused bits zero).
fn change_char(rng: &mut BenchRng, s: &str, at: usize, alphabet: &[u8]) -> String {
    let mut bytes = s.as_bytes().to_vec();
    let old = alphabet.iter().position(|&c| c == bytes[at]).unwrap();
    let step = if alphabet == BASE64URL && at == s.len() - 1 {
        // Last S256 character: only the top four of its six bits are used.
        4 * rng.random_range(1..16)
    } else {
        rng.random_range(1..alphabet.len())
    };
    bytes[at] = alphabet[(old + step) % alphabet.len()];
    String::from_utf8(bytes).unwrap()
}

fn s256(value: &str) -> CodeChallenge {
    CodeChallenge::parse(value, ChallengeMethod::S256).unwrap()
}

fn plain(value: &str) -> CodeChallenge {
    CodeChallenge::parse(value, ChallengeMethod::Plain).unwrap()
}

/// Times `stored.verify(presented)` for every input, in the order given.
fn run(runner: &mut CtRunner, inputs: Vec<(Class, CodeChallenge, String)>, expect_left_ok: bool) {
    // Sanity check outside the timed region.
    for (class, stored, presented) in &inputs {
        let expected = matches!(class, Class::Left) && expect_left_ok;
        assert_eq!(stored.verify(presented).is_ok(), expected);
    }
    for (class, stored, presented) in &inputs {
        let presented = presented.as_str();
        runner.run_one(*class, || black_box(stored).verify(black_box(presented)));
    }
}

/// S256. Left: the stored challenge matches the presented verifier.
/// Right: it differs in its first character (first digest byte).
fn s256_match_vs_first_byte(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs = (0..SAMPLES)
        .map(|_| {
            let verifier = random_verifier(rng, 43);
            let challenge = CodeVerifier::parse(&verifier).unwrap().challenge();
            let class = random_class(rng);
            let stored = match class {
                Class::Left => s256(challenge.as_str()),
                Class::Right => s256(&change_char(rng, challenge.as_str(), 0, BASE64URL)),
            };
            (class, stored, verifier)
        })
        .collect();
    run(runner, inputs, true);
}

/// S256, both classes mismatch. Left: the stored challenge differs in its
/// first character; Right: in its last one (last digest byte). Isolates the
/// position question from the verdict.
fn s256_first_vs_last_byte(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs = (0..SAMPLES)
        .map(|_| {
            let verifier = random_verifier(rng, 43);
            let challenge = CodeVerifier::parse(&verifier).unwrap().challenge();
            let class = random_class(rng);
            let at = match class {
                Class::Left => 0,
                Class::Right => 42,
            };
            let stored = s256(&change_char(rng, challenge.as_str(), at, BASE64URL));
            (class, stored, verifier)
        })
        .collect();
    run(runner, inputs, false);
}

/// Plain. Left: the stored challenge is the presented verifier.
/// Right: it differs in its first character.
fn plain_match_vs_first_byte(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs = (0..SAMPLES)
        .map(|_| {
            let verifier = random_verifier(rng, 43);
            let class = random_class(rng);
            let stored = match class {
                Class::Left => plain(&verifier),
                Class::Right => plain(&change_char(rng, &verifier, 0, UNRESERVED)),
            };
            (class, stored, verifier)
        })
        .collect();
    run(runner, inputs, true);
}

/// Plain, both classes mismatch, the same presented verifier length (43).
/// Left: a stored challenge of 43 characters; Right: of 128.
fn plain_len_43_vs_128(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs = (0..SAMPLES)
        .map(|_| {
            let verifier = random_verifier(rng, 43);
            let class = random_class(rng);
            let len = match class {
                Class::Left => 43,
                Class::Right => 128,
            };
            let stored = plain(&random_verifier(rng, len));
            (class, stored, verifier)
        })
        .collect();
    run(runner, inputs, false);
}

/// Negative control, not `proofkey`: the stored S256 challenge string
/// compared with `==` (early exit). Left: equal; Right: differs in the first
/// byte. dudect should flag it (|t| well above 5), showing that the setup
/// can see a difference of a few nanoseconds.
fn control_naive_eq_first_byte(runner: &mut CtRunner, rng: &mut BenchRng) {
    let inputs: Vec<(Class, String, String)> = (0..SAMPLES)
        .map(|_| {
            let verifier = random_verifier(rng, 43);
            let presented = CodeVerifier::parse(&verifier)
                .unwrap()
                .challenge()
                .as_str()
                .to_owned();
            let class = random_class(rng);
            let stored = match class {
                Class::Left => presented.clone(),
                Class::Right => change_char(rng, &presented, 0, BASE64URL),
            };
            (class, stored, presented)
        })
        .collect();
    for (class, stored, presented) in &inputs {
        runner.run_one(*class, || {
            black_box(stored.as_bytes()) == black_box(presented.as_bytes())
        });
    }
}

ctbench_main!(
    control_naive_eq_first_byte,
    s256_match_vs_first_byte,
    s256_first_vs_last_byte,
    plain_match_vs_first_byte,
    plain_len_43_vs_128
);
