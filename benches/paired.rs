//! Paired timing, shared by the bench targets: short batches of proofkey
//! and of what it is compared with, alternated (in both orders) so that
//! both see the same machine at the same moment. On a shared, noisy
//! machine the median of the per-round ratios moves far less than two
//! medians taken a minute apart.
//!
//! Each result is printed as one tab-separated `row` line, which
//! `bench_report.rs` turns into its table.

use std::hint::black_box;
use std::time::{Duration, Instant};

/// Medians of one paired run: ns per call of each side, and of the
/// per-round ratios (ours ÷ theirs).
pub struct Paired {
    pub ours_ns: f64,
    pub theirs_ns: f64,
    pub ratio: f64,
}

/// ns per call of `f` over `n` calls.
fn time_batch<R>(f: &mut impl FnMut() -> R, n: u32) -> f64 {
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    start.elapsed().as_nanos() as f64 / f64::from(n)
}

/// Calls of `f` that take about 20 µs.
fn batch_size<R>(f: &mut impl FnMut() -> R) -> u32 {
    let mut n = 1u32;
    while time_batch(f, n) * f64::from(n) < 20_000.0 && n < 1 << 20 {
        n *= 2;
    }
    n
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Alternates batches of `ours` and `theirs` (in both orders) for `budget`.
pub fn paired<A, B>(
    mut ours: impl FnMut() -> A,
    mut theirs: impl FnMut() -> B,
    budget: Duration,
) -> Paired {
    for _ in 0..3 {
        time_batch(&mut ours, 64);
        time_batch(&mut theirs, 64);
    }
    let (n_ours, n_theirs) = (batch_size(&mut ours), batch_size(&mut theirs));
    let (mut a, mut b, mut r) = (Vec::new(), Vec::new(), Vec::new());
    let start = Instant::now();
    while start.elapsed() < budget || r.len() < 30 {
        let (x, y) = if r.len() % 2 == 0 {
            let x = time_batch(&mut ours, n_ours);
            (x, time_batch(&mut theirs, n_theirs))
        } else {
            let y = time_batch(&mut theirs, n_theirs);
            (time_batch(&mut ours, n_ours), y)
        };
        a.push(x);
        b.push(y);
        r.push(x / y);
    }
    Paired {
        ours_ns: median(a),
        theirs_ns: median(b),
        ratio: median(r),
    }
}

/// One row of the report: proofkey's operation, what it is compared with,
/// the criterion benchmarks of both (group/bench), and the paired run.
pub fn row(label: &str, versus: &str, ours: &str, theirs: &str, p: &Paired) {
    println!(
        "row\t{label}\t{versus}\t{ours}\t{theirs}\t{:.1}\t{:.1}\t{:.3}",
        p.ours_ns, p.theirs_ns, p.ratio
    );
}
