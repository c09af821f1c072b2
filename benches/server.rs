//! The server-side extras: `ReuseGuard::check_and_record` at N = 1,024 and
//! N = 65,536, against the floor of one SHA-256 of a 64-octet input (two
//! compressions), and `diagnose` on each kind of client mistake, against
//! the floor of one SHA-256 of the verifier; each floor measured in the
//! same run.
//!
//! Each call presents a pair (client, challenge) not seen within the
//! window: 256 client ids times 1,024 challenges, in turn, with the clock
//! one second further at each call. Two loads per size:
//!
//! - `half`: a window of N/2 seconds, so about N/2 entries are live and
//!   every call records into a free or expired slot;
//! - `full`: a window of 2N seconds, so every slot is live and every call
//!   evicts the oldest entry of its neighbourhood.
//!
//! `diagnose` runs on the RFC 7636 Appendix B verifier (43 characters)
//! with the challenge a client would have sent for each mistake; a wrong
//! verifier is the longest path (every hypothesis is tried).
//!
//! Two parts: criterion groups (`reuse-1024`, `reuse-65536`, `diagnose-43`),
//! then, with `--bench` only, paired runs (`paired.rs`), printed as `row`
//! lines for `bench_report`.
//!
//! `cargo bench -p proofkey-benches --bench server`, or
//! `cargo run --release -p proofkey-benches --bin bench_report` for the
//! table with the other benches.

use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use criterion::Criterion;
use proofkey::{
    AuthorizeError, ChallengeMethod, CodeChallenge, CodeVerifier, Diagnosis, ReuseGuard, diagnose,
};
use sha2::{Digest, Sha256};

#[path = "paired.rs"]
mod paired;
use paired::{paired, row};

const CLIENTS: usize = 256;
const CHALLENGES: usize = 1024;

/// The requests: distinct (client, challenge) pairs, presented in turn.
struct Requests {
    clients: Vec<String>,
    challenges: Vec<CodeChallenge>,
    next: usize,
    now: u64,
}

impl Requests {
    fn new() -> Self {
        Self {
            // Realistic lengths: 12 to 20 octets.
            clients: (0..CLIENTS)
                .map(|i| format!("client-{i:0>w$}", w = 5 + i % 9))
                .collect(),
            challenges: (0..CHALLENGES)
                .map(|i| {
                    let mut octets = [0u8; 32];
                    octets[..8].copy_from_slice(&(i as u64).to_le_bytes());
                    CodeVerifier::from_random_bytes(&octets).challenge()
                })
                .collect(),
            next: 0,
            now: 1_700_000_000,
        }
    }

    /// Records the next pair; never a reuse while the window is shorter
    /// than the 262,144 calls after which a pair comes back.
    fn call<const N: usize>(&mut self, guard: &mut ReuseGuard<N>) -> Result<(), AuthorizeError> {
        let i = self.next;
        self.next = (i + 1) % (CLIENTS * CHALLENGES);
        self.now += 1;
        guard.check_and_record(
            black_box(&self.clients[i % CLIENTS]),
            black_box(&self.challenges[i / CLIENTS]),
            self.now,
        )
    }
}

/// A guard of `N` slots whose window keeps `live` entries, after one pass
/// over the table so that the load is what it will stay.
fn guard<const N: usize>(live: u64, requests: &mut Requests) -> Box<ReuseGuard<N>> {
    let mut guard = Box::new(ReuseGuard::<N>::new([0x5c; 32], live));
    for _ in 0..4 * N {
        requests
            .call(&mut guard)
            .expect("no pair comes back within the window");
    }
    guard
}

fn floor(input: &[u8; 64]) -> [u8; 32] {
    Sha256::digest(black_box(input)).into()
}

fn bench_size<const N: usize>(c: &mut Criterion) {
    let input = [0xa5u8; 64];
    let mut g = c.benchmark_group(format!("reuse-{N}"));
    g.bench_function("floor-sha256-64", |b| b.iter(|| floor(&input)));
    for (load, window) in [("half", N as u64 / 2), ("full", 2 * N as u64)] {
        let mut requests = Requests::new();
        let mut guard = guard::<N>(window, &mut requests);
        g.bench_function(format!("check_and_record-{load}"), |b| {
            b.iter(|| requests.call(&mut guard))
        });
    }
    g.finish();
}

fn paired_rows<const N: usize>() {
    let input = [0xa5u8; 64];
    for (load, window) in [("half", N as u64 / 2), ("full", 2 * N as u64)] {
        let mut requests = Requests::new();
        let mut guard = guard::<N>(window, &mut requests);
        let p = paired(
            || requests.call(&mut guard),
            || floor(&input),
            Duration::from_secs(1),
        );
        row(
            &format!("ReuseGuard<{N}>::check_and_record, {load} load"),
            "SHA-256 of 64 octets",
            &format!("reuse-{N}/check_and_record-{load}"),
            &format!("reuse-{N}/floor-sha256-64"),
            &p,
        );
    }
}

/// RFC 7636 Appendix B.
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// One `diagnose` input: a client mistake and what it must be named.
struct Case {
    name: &'static str,
    challenge: String,
    method: ChallengeMethod,
    verifier: String,
    expected: Diagnosis,
}

impl Case {
    fn run(&self) -> Diagnosis {
        diagnose(
            black_box(&self.challenge),
            self.method,
            black_box(&self.verifier),
        )
    }
}

/// A match, then one client mistake per case, each built from the
/// verifier as that client would have; checked before it is timed.
fn diagnose_cases() -> Vec<Case> {
    let digest = Sha256::digest(VERIFIER.as_bytes());
    let s256 = URL_SAFE_NO_PAD.encode(digest);
    let case = |name, challenge: String, method, verifier: &str, expected| {
        let case = Case {
            name,
            challenge,
            method,
            verifier: verifier.to_owned(),
            expected,
        };
        assert_eq!(case.run(), case.expected, "{name}");
        case
    };
    let other = "A".repeat(43);
    use ChallengeMethod::{Plain, S256};
    vec![
        case("match", s256.clone(), S256, VERIFIER, Diagnosis::Match),
        case(
            "wrong-verifier",
            s256.clone(),
            S256,
            &other,
            Diagnosis::WrongVerifier,
        ),
        case(
            "hex-digest",
            digest.iter().map(|b| format!("{b:02x}")).collect(),
            S256,
            VERIFIER,
            Diagnosis::HexDigest,
        ),
        case(
            "standard-base64",
            STANDARD.encode(digest),
            S256,
            VERIFIER,
            Diagnosis::StandardBase64,
        ),
        case(
            "verifier-as-challenge",
            VERIFIER.to_owned(),
            S256,
            VERIFIER,
            Diagnosis::VerifierAsChallenge,
        ),
        case(
            "s256-under-plain",
            s256,
            Plain,
            VERIFIER,
            Diagnosis::S256UnderPlain,
        ),
    ]
}

fn bench_diagnose(c: &mut Criterion) {
    let mut g = c.benchmark_group("diagnose-43");
    g.bench_function("floor", |b| {
        b.iter(|| Sha256::digest(black_box(VERIFIER.as_bytes())))
    });
    for case in diagnose_cases() {
        g.bench_function(case.name, |b| b.iter(|| case.run()));
    }
    g.finish();
}

fn diagnose_rows() {
    for case in diagnose_cases() {
        let p = paired(
            || case.run(),
            || Sha256::digest(black_box(VERIFIER.as_bytes())),
            Duration::from_millis(300),
        );
        row(
            &format!("diagnose, {:?}, 43 chars", case.expected),
            "SHA-256 floor",
            &format!("diagnose-43/{}", case.name),
            "diagnose-43/floor",
            &p,
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_size::<1024>(&mut c);
    bench_size::<65_536>(&mut c);
    bench_diagnose(&mut c);
    c.final_summary();

    // `cargo bench` passes `--bench`; `cargo test` runs each benchmark once
    // and skips this part.
    if std::env::args().any(|a| a == "--bench") {
        paired_rows::<1024>();
        paired_rows::<65_536>();
        diagnose_rows();
    }
}
