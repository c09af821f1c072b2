//! The second harness: a plain timing loop, as a downstream user would write
//! one, with no criterion and no statistics beyond a median.
//!
//! 31 rounds; each round times 20,000 calls of the SHA-256 floor
//! (`Sha256::digest` of the verifier), then 20,000 of
//! `CodeChallenge::verify`, then 20,000 of the `oauth2` path (derive the
//! challenge, compare strings), on the same verifier. The figure is the
//! median over the rounds of the per-round ratios, so that a slow moment of
//! the machine weighs on both sides of one ratio.
//!
//! `cargo bench -p proofkey-benches --bench interleaved`
//!
//! Each result is one tab-separated line
//! `interleaved <operation> <verifier> <median ratio> <min> <max>`, which
//! `bench_report` prints beside the criterion and paired figures.

use std::hint::black_box;
use std::time::Instant;

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use proofkey::{ChallengeMethod, CodeChallenge, CodeVerifier};
use sha2::{Digest, Sha256};

const ROUNDS: usize = 31;
const CALLS: u32 = 20_000;

/// Nanoseconds per call of `f`, over `CALLS` calls.
fn per_call<T>(mut f: impl FnMut() -> T) -> f64 {
    let start = Instant::now();
    for _ in 0..CALLS {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(CALLS)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// One verifier: the floor, proofkey's verify (S256 and plain) and the oauth2
/// path, interleaved round by round.
fn measure(label: &str, verifier: &str) {
    let s256 = CodeVerifier::parse(verifier)
        .expect("a valid verifier")
        .challenge();
    let stored = s256.as_str().to_owned();
    let plain = CodeChallenge::parse(verifier, ChallengeMethod::Plain).expect("valid");
    assert_eq!(s256.verify(verifier), Ok(()));
    assert_eq!(plain.verify(verifier), Ok(()));
    let oauth2 = || {
        let presented = PkceCodeVerifier::new(black_box(verifier).to_owned());
        PkceCodeChallenge::from_code_verifier_sha256(&presented).as_str() == black_box(&stored)
    };
    assert!(oauth2());

    let (mut s, mut p, mut o) = (Vec::new(), Vec::new(), Vec::new());
    let mut floor_ns = Vec::new();
    for _ in 0..ROUNDS {
        let floor = per_call(|| Sha256::digest(black_box(verifier.as_bytes())));
        let ours = per_call(|| black_box(&s256).verify(black_box(verifier)));
        let ours_plain = per_call(|| black_box(&plain).verify(black_box(verifier)));
        let theirs = per_call(oauth2);
        floor_ns.push(floor);
        s.push(ours / floor);
        p.push(ours_plain / floor);
        o.push(theirs / floor);
    }
    let len = verifier.len();
    for (operation, ratios) in [
        (format!("verify S256, {len} chars"), s),
        (format!("verify plain, {len} chars"), p),
        (format!("oauth2 verify, {len} chars"), o),
    ] {
        let (min, max) = (
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
            ratios.iter().copied().fold(0.0, f64::max),
        );
        println!(
            "interleaved\t{operation}\t{label}\t{:.3}\t{min:.3}\t{max:.3}",
            median(ratios)
        );
    }
    println!(
        "interleaved-floor\t{len}\t{label}\t{:.1} ns",
        median(floor_ns)
    );
}

fn main() {
    // Under `cargo test`, one short pass only checks that the harness runs.
    if !std::env::args().any(|a| a == "--bench") {
        println!("interleaved: run with `cargo bench` to measure");
        return;
    }
    let rfc = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let unreserved = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    let cycled: String = unreserved
        .iter()
        .cycle()
        .take(128)
        .map(|&b| b as char)
        .collect();
    let base64url_only: String = unreserved[..64]
        .iter()
        .cycle()
        .take(128)
        .map(|&b| b as char)
        .collect();
    measure("RFC 7636 Appendix B", rfc);
    measure("66-character cycle", &cycled);
    measure("base64url characters only", &base64url_only);
    measure("'a' repeated", &"a".repeat(128));
}
