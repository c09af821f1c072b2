//! proofkey-store's backends: `insert` + `take` of one code per pair, with
//! 1, 16 and 64 concurrent tasks, next to the backend's own round trip in
//! the same run (Redis `PING`, PostgreSQL `SELECT 1`; for the memory store,
//! the same insert + remove on a `Mutex<HashMap>`). Redis and PostgreSQL
//! are real servers started here on 127.0.0.1 (proofkey-testservers), as
//! in the tests; a missing one is `SKIPPED`.
//!
//! Per configuration: pairs per second over the whole run, and p50/p99 of
//! each call's latency. The last column is take p50 ÷ baseline p50, the
//! issue's goal: within 1.3x of one round trip for Redis, 1.5x for
//! PostgreSQL, 2x of a `Mutex<HashMap>` remove for memory.
//!
//! `cargo bench -p proofkey-benches --bench stores` (bounded: a fixed
//! number of pairs per configuration). Without `--bench` (as `cargo test`
//! runs it) every configuration runs 64 pairs, as a smoke test.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use proofkey::CodeVerifier;
use proofkey_store::{CodeRecord, CodeStore, MemoryStore, Pkce, PostgresStore, RedisStore};
use proofkey_testservers::{Postgres, Redis, Server};
use sha2::{Digest, Sha256};

const TASKS: [usize; 3] = [1, 16, 64];
const TTL: Duration = Duration::from_secs(600);

fn record() -> CodeRecord {
    let challenge = CodeVerifier::from_random_bytes(&[7; 32]).challenge();
    CodeRecord::new(
        "bench-client",
        "https://client.example/callback",
        Pkce::Bound(challenge),
    )
    .and_then(|r| r.with_app_data(b"user=42".to_vec()))
    .expect("a valid record")
}

#[derive(Default)]
struct Samples {
    insert: Vec<Duration>,
    take: Vec<Duration>,
    baseline: Vec<Duration>,
}

fn percentile(v: &mut [Duration], p: f64) -> f64 {
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v.get(i).map_or(f64::NAN, |d| d.as_secs_f64() * 1e6)
}

/// Runs `pairs` pairs over `tasks` tasks: each task alternates one
/// insert + take with one baseline call (which returns the time to count),
/// so both see the same load.
async fn run<S, B, F>(store: S, baseline: B, tasks: usize, pairs: usize) -> (Samples, f64)
where
    S: CodeStore + Clone + 'static,
    B: Fn(String) -> F + Clone + Send + Sync + 'static,
    F: Future<Output = Duration> + Send,
{
    let per_task = pairs.div_ceil(tasks);
    let record = Arc::new(record());
    let started = Instant::now();
    let handles: Vec<_> = (0..tasks)
        .map(|t| {
            let (store, baseline, record) = (store.clone(), baseline.clone(), record.clone());
            tokio::spawn(async move {
                let mut s = Samples::default();
                for i in 0..per_task {
                    let code = format!("bench-{t}-{i}-{:?}", started.elapsed());
                    let other = format!("{code}-baseline");
                    let t0 = Instant::now();
                    store.insert(&code, &record, TTL).await.expect("insert");
                    let t1 = Instant::now();
                    let taken = store.take(&code).await.expect("take");
                    let t2 = Instant::now();
                    assert!(taken.is_some());
                    s.insert.push(t1 - t0);
                    s.take.push(t2 - t1);
                    s.baseline.push(baseline(other).await);
                }
                s
            })
        })
        .collect();
    let mut all = Samples::default();
    for h in handles {
        let s = h.await.expect("task");
        all.insert.extend(s.insert);
        all.take.extend(s.take);
        all.baseline.extend(s.baseline);
    }
    // The baselines ran inside the loop: throughput counts pairs only
    // over the whole wall time, so it is a lower bound.
    let rate = (per_task * tasks) as f64 / started.elapsed().as_secs_f64();
    (all, rate)
}

fn print_row(backend: &str, baseline: &str, tasks: usize, mut s: Samples, rate: f64) {
    let take50 = percentile(&mut s.take, 0.5);
    let base50 = percentile(&mut s.baseline, 0.5);
    println!(
        "| {backend} | {tasks} | {rate:.0} | {:.2} / {:.2} | {take50:.2} / {:.2} | {baseline} {base50:.2} / {:.2} | {:.2}x |",
        percentile(&mut s.insert, 0.5),
        percentile(&mut s.insert, 0.99),
        percentile(&mut s.take, 0.99),
        percentile(&mut s.baseline, 0.99),
        take50 / base50,
    );
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let bench = std::env::args().any(|a| a == "--bench");
    let pairs = |full: usize| if bench { full } else { 64 };
    println!(
        "| backend | tasks | pairs/s | insert p50 / p99 µs | take p50 / p99 µs | baseline p50 / p99 µs | take ÷ baseline p50 |"
    );
    println!("|---|---|---|---|---|---|---|");

    // Two baselines for memory: a plain map keyed by the code, and one keyed
    // by its SHA-256 as the store must (the hash computed in the timing).
    for hashed in [false, true] {
        for tasks in TASKS {
            let store = MemoryStore::new(100_000, 16);
            let map: Arc<Mutex<HashMap<Vec<u8>, CodeRecord>>> = Arc::default();
            let template = Arc::new(record());
            let key = move |code: &str| -> Vec<u8> {
                if hashed {
                    Sha256::digest(code.as_bytes()).to_vec()
                } else {
                    code.as_bytes().to_vec()
                }
            };
            let baseline = move |code: String| {
                let (map, record) = (map.clone(), template.clone());
                async move {
                    // Timed: the remove alone (and the hash), against `take`.
                    map.lock()
                        .expect("lock")
                        .insert(key(&code), (*record).clone());
                    let t = Instant::now();
                    let removed = map.lock().expect("lock").remove(&key(&code));
                    let elapsed = t.elapsed();
                    std::hint::black_box(removed);
                    elapsed
                }
            };
            let (s, rate) = run(store, baseline, tasks, pairs(200_000)).await;
            let name = if hashed {
                "SHA-256 + Mutex<HashMap> remove"
            } else {
                "Mutex<HashMap> remove"
            };
            print_row("memory", name, tasks, s, rate);
        }
    }

    if let Some(server) = Redis::start() {
        let store = RedisStore::connect(&server.url()).await.expect("redis");
        for tasks in TASKS {
            let ping = store.clone();
            let baseline = move |_: String| {
                let ping = ping.clone();
                async move {
                    let t = Instant::now();
                    ping.ping().await.expect("PING");
                    t.elapsed()
                }
            };
            let (s, rate) = run(store.clone(), baseline, tasks, pairs(30_000)).await;
            print_row("Redis", "PING", tasks, s, rate);
        }
    }

    if let Some(server) = Postgres::start() {
        let store = PostgresStore::connect(&server.url())
            .await
            .expect("postgres");
        store.create_schema().await.expect("schema");
        for tasks in TASKS {
            let ping = store.clone();
            let baseline = move |_: String| {
                let ping = ping.clone();
                async move {
                    let t = Instant::now();
                    ping.ping().await.expect("SELECT 1");
                    t.elapsed()
                }
            };
            let (s, rate) = run(store.clone(), baseline, tasks, pairs(10_000)).await;
            print_row("PostgreSQL", "SELECT 1", tasks, s, rate);
        }
    }
}
