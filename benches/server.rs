//! `ReuseGuard::check_and_record` at N = 1,024 and N = 65,536, against the
//! floor of one SHA-256 of a 64-octet input (two compressions), measured in
//! the same run.
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
//! Two parts: criterion groups (`reuse-1024`, `reuse-65536`), then, with
//! `--bench` only, paired runs: short batches of the guard and of the
//! floor, alternated so that both see the same machine at the same moment,
//! and the medians of each and of the per-round ratios (a noisy, shared
//! machine moves two medians taken a minute apart far more than it moves
//! their ratio).
//!
//! `cargo bench -p proofkey-benches --bench server`

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;
use proofkey::{AuthorizeError, CodeChallenge, CodeVerifier, ReuseGuard};
use sha2::{Digest, Sha256};

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

/// ns per call of `f` over `n` calls.
fn time_batch<R>(f: &mut impl FnMut() -> R, n: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Median ns of `ours`, of `theirs`, and median ratio, over alternated
/// batches of `n` calls each (in both orders) for `budget`.
fn paired<A, B>(
    mut ours: impl FnMut() -> A,
    mut theirs: impl FnMut() -> B,
    budget: Duration,
) -> (f64, f64, f64) {
    const N: u32 = 2_000;
    time_batch(&mut ours, N);
    time_batch(&mut theirs, N);
    let (mut a, mut b, mut r) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while start.elapsed() < budget || r.len() < 30 {
        let (x, y) = if r.len() % 2 == 0 {
            let x = time_batch(&mut ours, N);
            (x, time_batch(&mut theirs, N))
        } else {
            let y = time_batch(&mut theirs, N);
            (time_batch(&mut ours, N), y)
        };
        a.push(x);
        b.push(y);
        r.push(x / y);
    }
    (median(a), median(b), median(r))
}

fn paired_rows<const N: usize>() {
    let input = [0xa5u8; 64];
    for (load, window) in [("half", N as u64 / 2), ("full", 2 * N as u64)] {
        let mut requests = Requests::new();
        let mut guard = guard::<N>(window, &mut requests);
        let (ours, theirs, ratio) = paired(
            || requests.call(&mut guard),
            || floor(&input),
            Duration::from_secs(2),
        );
        println!(
            "paired\tReuseGuard<{N}>::check_and_record, {load} load\t{ours:.1} ns\t\
             SHA-256 of 64 octets\t{theirs:.1} ns\tratio {ratio:.2}"
        );
    }
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_size::<1024>(&mut c);
    bench_size::<65_536>(&mut c);
    c.final_summary();

    // `cargo bench` passes `--bench`; `cargo test` runs each benchmark once
    // and skips this part.
    if std::env::args().any(|a| a == "--bench") {
        paired_rows::<1024>();
        paired_rows::<65_536>();
    }
}
