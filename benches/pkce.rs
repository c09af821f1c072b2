//! proofkey against the SHA-256 floor and against its peers, in one run.
//!
//! Three parts, in this order:
//!
//! 1. A counting global allocator checks that every measured proofkey path
//!    allocates nothing (a failed check aborts the run) and prints the
//!    peers' counts.
//! 2. Criterion groups, one per operation and verifier length (43 or 128
//!    characters), with the floor (`Sha256::digest` of the verifier alone)
//!    or the peers beside proofkey.
//! 3. Paired runs (with `--bench` only): for each row of the report, short
//!    batches of proofkey and of its floor or peer, alternated, so that both
//!    see the same machine at the same moment; the median of the per-round
//!    ratios survives a noisy, shared machine far better than two medians
//!    taken a minute apart. Each row is printed as one tab-separated `row`
//!    line, which `benches/bench_report.rs` turns into the table.
//!
//! `cargo bench -p proofkey-benches --bench pkce`, or
//! `cargo run --release -p proofkey-benches --bin bench_report` for a short
//! run and the table.

// The counting allocator implements `GlobalAlloc`, an unsafe trait; the
// library itself stays `#![forbid(unsafe_code)]`.
#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use criterion::Criterion;
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use proofkey::{ChallengeMethod, ClientType, CodeChallenge, CodeVerifier, Policy};
use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

#[path = "paired.rs"]
mod paired;
use paired::{paired, row};

/// Counts every allocation (and reallocation) made by this process.
struct CountingAlloc;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: forwarded unchanged; the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAlloc = CountingAlloc;

/// Allocations made while `f` runs, including dropping what it returns.
fn allocations<R>(f: impl FnOnce() -> R) -> usize {
    let before = ALLOCATIONS.load(Ordering::SeqCst);
    drop(black_box(f()));
    ALLOCATIONS.load(Ordering::SeqCst).wrapping_sub(before)
}

/// The verifier lengths measured: the shortest (and the usual) one, and the
/// longest RFC 7636 allows.
const LENGTHS: [usize; 2] = [43, 128];

/// The RFC 7636 Appendix B verifier.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";

/// The one seeded RNG type used on both sides of a generation comparison.
/// ChaCha12 is also the algorithm behind rand 0.8's `thread_rng`, which
/// oauth2 uses.
fn seeded_rng() -> ChaCha12Rng {
    ChaCha12Rng::from_seed([7; 32])
}

/// Everything the measured calls take, for one verifier length, built and
/// checked outside any timing.
struct Fixture {
    len: usize,
    /// A valid verifier of `len` characters (the RFC one for 43).
    verifier: String,
    parsed: CodeVerifier,
    s256: CodeChallenge,
    plain: CodeChallenge,
    /// The S256 challenge as the server stores it.
    stored: String,
    policy: Policy,
    oauth2_verifier: PkceCodeVerifier,
    pkce_std_challenge: pkce_std::challenge::Challenge,
    /// Random octets oauth2 encodes into a verifier of `len` characters.
    oauth2_octets: usize,
}

impl Fixture {
    fn new(len: usize) -> Self {
        let verifier = if len == RFC_VERIFIER.len() {
            RFC_VERIFIER.to_owned()
        } else {
            let v = CodeVerifier::from_rng_with_len(&mut seeded_rng(), len).expect("43..=128");
            v.secret().to_owned()
        };
        let parsed = CodeVerifier::parse(&verifier).expect("valid verifier");
        let s256 = parsed.challenge();
        let plain = parsed.challenge_with(ChallengeMethod::Plain);
        let stored = s256.as_str().to_owned();
        let pkce_std_challenge = pkce_std::verifier::Verifier::borrowed(&verifier)
            .expect("valid")
            .challenge();
        let f = Self {
            len,
            oauth2_verifier: PkceCodeVerifier::new(verifier.clone()),
            verifier,
            parsed,
            s256,
            plain,
            stored,
            policy: Policy::production(),
            pkce_std_challenge,
            oauth2_octets: len * 3 / 4,
        };
        // Every path must accept the verifier and agree on the challenge,
        // or the timings mean nothing.
        let v = f.verifier.as_str();
        assert_eq!(f.verifier.len(), len);
        assert_eq!(f.s256.verify(v), Ok(()));
        assert_eq!(f.plain.verify(v), Ok(()));
        assert_eq!(f.token(), Ok(()));
        assert!(f.oauth2_verify());
        assert!(f.pkce_std_verify());
        assert_eq!(
            PkceCodeChallenge::from_code_verifier_sha256(&f.oauth2_verifier).as_str(),
            f.stored
        );
        assert_eq!(
            oauth2_verifier_with(&mut seeded_rng(), f.oauth2_octets)
                .secret()
                .len(),
            len
        );
        f
    }

    fn floor(&self) -> impl AsRef<[u8]> {
        Sha256::digest(black_box(self.verifier.as_bytes()))
    }

    fn token(&self) -> Result<(), proofkey::TokenError> {
        black_box(&self.policy).token(
            ClientType::Public,
            Some(black_box(&self.s256)),
            Some(black_box(&self.verifier)),
        )
    }

    /// How a server checks a verifier with oauth2: derive the challenge from
    /// the presented verifier, compare the strings.
    fn oauth2_verify(&self) -> bool {
        let presented = PkceCodeVerifier::new(black_box(&self.verifier).clone());
        PkceCodeChallenge::from_code_verifier_sha256(&presented).as_str() == black_box(&self.stored)
    }

    /// pkce-std: validate the presented verifier, then `Verifier::verify`.
    fn pkce_std_verify(&self) -> bool {
        pkce_std::verifier::Verifier::borrowed(black_box(&self.verifier))
            .is_ok_and(|v| v.verify(black_box(&self.pkce_std_challenge)))
    }

    /// `CodeVerifier::from_rng` for 43 characters (32 octets, base64url),
    /// `from_rng_with_len` otherwise.
    fn generate(&self, rng: &mut ChaCha12Rng) -> CodeVerifier {
        if self.len == 43 {
            CodeVerifier::from_rng(rng).expect("a healthy RNG")
        } else {
            CodeVerifier::from_rng_with_len(rng, self.len).expect("43..=128")
        }
    }
}

/// oauth2's private `new_random_len` with the RNG as a parameter, step for
/// step: a `Vec` of `gen::<u8>()` (rand 0.8 implements it as
/// `next_u32() as u8`), then unpadded base64url into a `String`. oauth2
/// itself takes no RNG: it always uses `thread_rng`.
fn oauth2_verifier_with<R: Rng>(rng: &mut R, octets: usize) -> PkceCodeVerifier {
    use base64::Engine as _;
    let random_bytes: Vec<u8> = (0..octets).map(|_| rng.next_u32() as u8).collect();
    PkceCodeVerifier::new(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(random_bytes))
}

/// Whether this CPU has what sha2's SHA-NI backend needs (sha2 makes the
/// same runtime check through `cpufeatures`).
fn sha_ni() -> bool {
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    {
        std::is_x86_feature_detected!("sha")
            && std::is_x86_feature_detected!("sse2")
            && std::is_x86_feature_detected!("ssse3")
            && std::is_x86_feature_detected!("sse4.1")
    }
    #[cfg(not(any(target_arch = "x86", target_arch = "x86_64")))]
    {
        false
    }
}

/// Fails the run unless every measured proofkey path allocates nothing;
/// prints the peers' counts for comparison.
fn check_allocations(fixtures: &[Fixture]) {
    let mut rng = seeded_rng();
    let mut ours: Vec<(String, usize)> = Vec::new();
    let mut peers: Vec<(String, usize)> = Vec::new();
    for f in fixtures {
        let len = f.len;
        let mut check = |name: &str, n: usize| ours.push((format!("{name}/{len}"), n));
        check("verify-s256", allocations(|| f.s256.verify(&f.verifier)));
        check("verify-plain", allocations(|| f.plain.verify(&f.verifier)));
        check("token", allocations(|| f.token()));
        check("challenge", allocations(|| f.parsed.challenge()));
        check(
            "parse-plain",
            allocations(|| CodeChallenge::parse(&f.verifier, ChallengeMethod::Plain)),
        );
        check(
            "parse-s256",
            allocations(|| CodeChallenge::parse(&f.stored, ChallengeMethod::S256)),
        );
        check("generate", allocations(|| f.generate(&mut rng)));
        check(
            "generate+challenge",
            allocations(|| f.generate(&mut rng).challenge()),
        );
        check(
            "random+challenge",
            allocations(|| CodeVerifier::random().map(|v| v.challenge())),
        );

        let mut peer = |name: &str, n: usize| peers.push((format!("{name}/{len}"), n));
        peer("oauth2 verify", allocations(|| f.oauth2_verify()));
        peer("pkce-std verify", allocations(|| f.pkce_std_verify()));
        peer(
            "oauth2 challenge",
            allocations(|| PkceCodeChallenge::from_code_verifier_sha256(&f.oauth2_verifier)),
        );
        peer(
            "oauth2 generate (same RNG)",
            allocations(|| oauth2_verifier_with(&mut rng, f.oauth2_octets)),
        );
        peer(
            "oauth2 new_random_sha256",
            allocations(|| PkceCodeChallenge::new_random_sha256_len(f.oauth2_octets as u32)),
        );
    }
    // The counter itself works: oauth2 allocates on every path.
    assert!(
        peers.iter().all(|(_, n)| *n > 0),
        "the counting allocator saw nothing: {peers:?}"
    );
    let allocating: Vec<_> = ours.iter().filter(|(_, n)| *n != 0).collect();
    assert!(
        allocating.is_empty(),
        "proofkey paths that allocate: {allocating:?}"
    );
    println!("allocations: all {} proofkey paths: 0", ours.len());
    for (name, n) in &peers {
        println!("allocations: {name}: {n}");
    }
}

fn bench_verify(c: &mut Criterion, f: &Fixture) {
    let v = f.verifier.as_str();
    let mut g = c.benchmark_group(format!("verify-{}", f.len));
    g.bench_function("floor", |b| b.iter(|| f.floor()));
    g.bench_function("proofkey-s256", |b| {
        b.iter(|| black_box(&f.s256).verify(black_box(v)))
    });
    g.bench_function("proofkey-plain", |b| {
        b.iter(|| black_box(&f.plain).verify(black_box(v)))
    });
    g.bench_function("proofkey-token", |b| b.iter(|| f.token()));
    g.bench_function("oauth2", |b| b.iter(|| f.oauth2_verify()));
    g.bench_function("pkce-std", |b| b.iter(|| f.pkce_std_verify()));
    g.finish();
}

fn bench_challenge_and_parse(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group(format!("challenge-{}", f.len));
    g.bench_function("floor", |b| b.iter(|| f.floor()));
    g.bench_function("proofkey", |b| b.iter(|| black_box(&f.parsed).challenge()));
    g.bench_function("oauth2", |b| {
        b.iter(|| PkceCodeChallenge::from_code_verifier_sha256(black_box(&f.oauth2_verifier)))
    });
    g.finish();

    let mut g = c.benchmark_group(format!("parse-{}", f.len));
    g.bench_function("floor", |b| b.iter(|| f.floor()));
    g.bench_function("proofkey-plain", |b| {
        b.iter(|| CodeChallenge::parse(black_box(&f.verifier), ChallengeMethod::Plain))
    });
    if f.len == 43 {
        // An S256 challenge is always 43 characters and parsing it hashes nothing.
        g.bench_function("proofkey-s256", |b| {
            b.iter(|| CodeChallenge::parse(black_box(&f.stored), ChallengeMethod::S256))
        });
    }
    g.finish();
}

fn bench_generate(c: &mut Criterion, f: &Fixture) {
    let mut g = c.benchmark_group(format!("generate-{}", f.len));
    // The same RNG type and seed on both sides.
    let mut rng = seeded_rng();
    g.bench_function("proofkey", |b| b.iter(|| f.generate(&mut rng)));
    g.bench_function("proofkey-pair", |b| {
        b.iter(|| f.generate(&mut rng).challenge())
    });
    let mut rng = seeded_rng();
    g.bench_function("oauth2-same-rng", |b| {
        b.iter(|| oauth2_verifier_with(&mut rng, f.oauth2_octets))
    });
    g.bench_function("oauth2-same-rng-pair", |b| {
        b.iter(|| {
            let v = oauth2_verifier_with(&mut rng, f.oauth2_octets);
            (PkceCodeChallenge::from_code_verifier_sha256(&v), v)
        })
    });
    // As users call them, each library with its own RNG: proofkey the OS's
    // (getrandom), oauth2 rand 0.8's `thread_rng`.
    if f.len == 43 {
        g.bench_function("proofkey-random-pair", |b| {
            b.iter(|| CodeVerifier::random().map(|v| v.challenge()))
        });
    }
    g.bench_function("oauth2-random-pair", |b| {
        b.iter(|| PkceCodeChallenge::new_random_sha256_len(f.oauth2_octets as u32))
    });
    g.finish();
}

fn paired_rows(f: &Fixture) {
    const BUDGET: Duration = Duration::from_millis(300);
    let len = f.len;
    let v = f.verifier.as_str();
    let (verify, challenge, parse, generate) = (
        format!("verify-{len}"),
        format!("challenge-{len}"),
        format!("parse-{len}"),
        format!("generate-{len}"),
    );
    let floor = "SHA-256 floor";
    let (vf, cf, pf) = (
        format!("{verify}/floor"),
        format!("{challenge}/floor"),
        format!("{parse}/floor"),
    );
    let s256 = format!("{verify}/proofkey-s256");

    let p = paired(
        || black_box(&f.s256).verify(black_box(v)),
        || f.floor(),
        BUDGET,
    );
    row(&format!("verify S256, {len} chars"), floor, &s256, &vf, &p);
    let p = paired(
        || black_box(&f.plain).verify(black_box(v)),
        || f.floor(),
        BUDGET,
    );
    row(
        &format!("verify plain, {len} chars"),
        floor,
        &format!("{verify}/proofkey-plain"),
        &vf,
        &p,
    );
    let p = paired(|| f.token(), || f.floor(), BUDGET);
    row(
        &format!("Policy::token, {len} chars"),
        floor,
        &format!("{verify}/proofkey-token"),
        &vf,
        &p,
    );
    let p = paired(|| black_box(&f.parsed).challenge(), || f.floor(), BUDGET);
    row(
        &format!("CodeVerifier::challenge, {len} chars"),
        floor,
        &format!("{challenge}/proofkey"),
        &cf,
        &p,
    );
    let p = paired(
        || CodeChallenge::parse(black_box(v), ChallengeMethod::Plain),
        || f.floor(),
        BUDGET,
    );
    row(
        &format!("CodeChallenge::parse plain, {len} chars"),
        floor,
        &format!("{parse}/proofkey-plain"),
        &pf,
        &p,
    );

    let p = paired(
        || black_box(&f.s256).verify(black_box(v)),
        || f.oauth2_verify(),
        BUDGET,
    );
    row(
        &format!("verify S256, {len} chars"),
        "oauth2 (derive + compare)",
        &s256,
        &format!("{verify}/oauth2"),
        &p,
    );
    let p = paired(
        || black_box(&f.s256).verify(black_box(v)),
        || f.pkce_std_verify(),
        BUDGET,
    );
    row(
        &format!("verify S256, {len} chars"),
        "pkce-std Verifier::verify",
        &s256,
        &format!("{verify}/pkce-std"),
        &p,
    );
    let p = paired(
        || black_box(&f.parsed).challenge(),
        || PkceCodeChallenge::from_code_verifier_sha256(black_box(&f.oauth2_verifier)),
        BUDGET,
    );
    row(
        &format!("CodeVerifier::challenge, {len} chars"),
        "oauth2 from_code_verifier_sha256",
        &format!("{challenge}/proofkey"),
        &format!("{challenge}/oauth2"),
        &p,
    );

    let (mut ours_rng, mut theirs_rng) = (seeded_rng(), seeded_rng());
    let p = paired(
        || f.generate(&mut ours_rng),
        || oauth2_verifier_with(&mut theirs_rng, f.oauth2_octets),
        BUDGET,
    );
    let name = if len == 43 {
        "generate"
    } else {
        "generate_with_len"
    };
    row(
        &format!("{name}, {len} chars (ChaCha12)"),
        "oauth2 steps, same RNG",
        &format!("{generate}/proofkey"),
        &format!("{generate}/oauth2-same-rng"),
        &p,
    );
    let p = paired(
        || f.generate(&mut ours_rng).challenge(),
        || {
            let v = oauth2_verifier_with(&mut theirs_rng, f.oauth2_octets);
            (PkceCodeChallenge::from_code_verifier_sha256(&v), v)
        },
        BUDGET,
    );
    row(
        &format!("{name} + challenge, {len} chars (ChaCha12)"),
        "oauth2 steps, same RNG",
        &format!("{generate}/proofkey-pair"),
        &format!("{generate}/oauth2-same-rng-pair"),
        &p,
    );
    if len == 43 {
        let p = paired(
            || CodeVerifier::random().map(|v| v.challenge()),
            PkceCodeChallenge::new_random_sha256,
            BUDGET,
        );
        row(
            "random + challenge, 43 chars (own RNGs)",
            "oauth2 new_random_sha256",
            &format!("{generate}/proofkey-random-pair"),
            &format!("{generate}/oauth2-random-pair"),
            &p,
        );
    }
}

fn main() {
    println!(
        "sha2 SHA-NI backend: {}",
        if sha_ni() { "yes" } else { "no (software)" }
    );
    let fixtures = LENGTHS.map(Fixture::new);
    check_allocations(&fixtures);

    let mut c = Criterion::default().configure_from_args();
    for f in &fixtures {
        bench_verify(&mut c, f);
    }
    for f in &fixtures {
        bench_challenge_and_parse(&mut c, f);
    }
    for f in &fixtures {
        bench_generate(&mut c, f);
    }
    c.final_summary();

    // `cargo bench` passes `--bench`; `cargo test` runs each benchmark once
    // and skips this part.
    if std::env::args().any(|a| a == "--bench")
        && std::env::var_os("PROOFKEY_BENCH_NO_PAIRED").is_none()
    {
        for f in &fixtures {
            paired_rows(f);
        }
    }
}
