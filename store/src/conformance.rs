//! A conformance harness: run the [`CodeStore`] and [`ChallengeLog`]
//! guarantees against your own store, with two handles on one backend
//! (two connections, pools or clients, as two server instances would have).
//!
//! [`check`] runs every check below and stops at the first violation:
//!
//! - [`ROUND_TRIP`]: a record comes back exactly as inserted (client, URI,
//!   application data, the challenge with its method; "none" stays none),
//!   through the other handle; a missing code is `Ok(None)`.
//! - [`CONSUME_ONCE`]: [`RACERS`] concurrent `take`s of one code, spread
//!   over both handles, give exactly one record.
//! - [`EXPIRY`]: a record is not returned after its ttl; a fingerprint is
//!   new again after its ttl.
//! - [`FIRST_SEEN_ONCE`]: [`RACERS`] concurrent `first_seen` of one
//!   fingerprint, over both handles, give exactly one `true`.
//! - [`SHARED`]: each handle sees the other's writes.
//!
//! It needs a multi-threaded tokio runtime (it spawns the racers), takes
//! about a second (it waits for expiry), and writes random keys only.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)] async fn main() {
//! let store = proofkey_store::MemoryStore::new(1000, 1000);
//! proofkey_store::conformance::check(&store, &store.clone()).await.expect("conforms");
//! # }
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use proofkey::{ChallengeMethod, CodeVerifier};
use tokio::sync::Barrier;

use crate::{ChallengeLog, CodeRecord, CodeStore, Pkce, StoreError};

/// How many concurrent calls race for one code or fingerprint.
pub const RACERS: usize = 64;
/// The ttl of the expiry check; it then waits three times as long.
pub const SHORT_TTL: Duration = Duration::from_millis(300);
const LONG_TTL: Duration = Duration::from_secs(60);

/// The check names, as in [`Violation::check`].
pub const ROUND_TRIP: &str = "round trip";
/// See the [module](self).
pub const CONSUME_ONCE: &str = "consume once";
/// See the [module](self).
pub const EXPIRY: &str = "expiry";
/// See the [module](self).
pub const FIRST_SEEN_ONCE: &str = "first_seen once";
/// See the [module](self).
pub const SHARED: &str = "two handles";

/// A guarantee the store broke, or a store error during a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Which check: [`ROUND_TRIP`], [`CONSUME_ONCE`], ...
    pub check: &'static str,
    /// What was observed.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.check, self.detail)
    }
}

impl std::error::Error for Violation {}

fn fail<T>(check: &'static str, detail: impl Into<String>) -> Result<T, Violation> {
    Err(Violation {
        check,
        detail: detail.into(),
    })
}

fn store<T>(check: &'static str, r: Result<T, StoreError>) -> Result<T, Violation> {
    r.or_else(|e| fail(check, format!("store error: {e}")))
}

fn random<const N: usize>() -> [u8; N] {
    let mut b = [0; N];
    // A failing RNG only makes the keys predictable, not the checks wrong.
    let _ = getrandom::fill(&mut b);
    b
}

fn random_code() -> String {
    crate::hex(&random::<32>())
}

/// Runs every check with `a` and `b`, two handles on the same backend.
///
/// # Errors
///
/// The first [`Violation`]: a broken guarantee or a store error.
pub async fn check<S>(a: &S, b: &S) -> Result<(), Violation>
where
    S: CodeStore + ChallengeLog + Clone + 'static,
{
    round_trip(a, b).await?;
    consume_once(a, b).await?;
    first_seen_once(a, b).await?;
    shared(a, b).await?;
    expiry(a, b).await
}

fn sample_records() -> Vec<CodeRecord> {
    let verifier = CodeVerifier::from_random_bytes(&random::<32>());
    let plain = verifier.challenge_with(ChallengeMethod::Plain);
    [
        (
            Pkce::Bound(verifier.challenge()),
            b"user=42 scope=openid".to_vec(),
        ),
        (Pkce::Bound(plain), vec![0, 255, 1]),
        (Pkce::Unbound, Vec::new()),
    ]
    .into_iter()
    .filter_map(|(pkce, data)| {
        CodeRecord::new("conformance-client", "https://client.example/cb?x=é", pkce)
            .and_then(|r| r.with_app_data(data))
            .ok()
    })
    .collect()
}

async fn round_trip<S: CodeStore>(a: &S, b: &S) -> Result<(), Violation> {
    for record in sample_records() {
        let code = random_code();
        store(ROUND_TRIP, a.insert(&code, &record, LONG_TTL).await)?;
        let Some(back) = store(ROUND_TRIP, b.take(&code).await)? else {
            return fail(ROUND_TRIP, "an inserted record was not returned");
        };
        if back.record != record || back.record.pkce() != record.pkce() {
            return fail(
                ROUND_TRIP,
                format!("inserted {record:?}, got {:?}", back.record),
            );
        }
        if store(ROUND_TRIP, a.take(&code).await)?.is_some() {
            return fail(ROUND_TRIP, "a taken record was returned again");
        }
    }
    if store(ROUND_TRIP, a.take(&random_code()).await)?.is_some() {
        return fail(ROUND_TRIP, "a code never inserted returned a record");
    }
    Ok(())
}

/// Runs `RACERS` copies of `call`, released together, alternating handles.
async fn race<S, T, F, Fut>(a: &S, b: &S, call: F) -> Result<Vec<T>, StoreError>
where
    S: Clone + Send + Sync + 'static,
    T: Send + 'static,
    F: Fn(S) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<T, StoreError>> + Send,
{
    let barrier = Arc::new(Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|i| {
            let handle = if i % 2 == 0 { a.clone() } else { b.clone() };
            let (barrier, call) = (barrier.clone(), call.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                call(handle).await
            })
        })
        .collect();
    let mut out = Vec::with_capacity(RACERS);
    for task in tasks {
        out.push(task.await.map_err(|_| StoreError::Unavailable)??);
    }
    Ok(out)
}

async fn consume_once<S>(a: &S, b: &S) -> Result<(), Violation>
where
    S: CodeStore + Clone + 'static,
{
    let records = sample_records();
    let Some(record) = records.first() else {
        return fail(CONSUME_ONCE, "no sample record");
    };
    let code = Arc::new(random_code());
    store(CONSUME_ONCE, a.insert(&code, record, LONG_TTL).await)?;
    let got = store(
        CONSUME_ONCE,
        race(a, b, move |s: S| {
            let code = code.clone();
            async move { s.take(&code).await.map(|r| r.is_some()) }
        })
        .await,
    )?;
    match got.iter().filter(|&&some| some).count() {
        1 => Ok(()),
        n => fail(
            CONSUME_ONCE,
            format!("{n} of {RACERS} concurrent takes got the record"),
        ),
    }
}

async fn first_seen_once<S>(a: &S, b: &S) -> Result<(), Violation>
where
    S: ChallengeLog + Clone + 'static,
{
    let fingerprint = random::<16>();
    let got = store(
        FIRST_SEEN_ONCE,
        race(a, b, move |s: S| async move {
            s.first_seen(&fingerprint, LONG_TTL).await
        })
        .await,
    )?;
    match got.iter().filter(|&&first| first).count() {
        1 => Ok(()),
        n => fail(
            FIRST_SEEN_ONCE,
            format!("{n} of {RACERS} concurrent calls were first"),
        ),
    }
}

async fn shared<S: CodeStore + ChallengeLog>(a: &S, b: &S) -> Result<(), Violation> {
    for (x, y) in [(a, b), (b, a)] {
        let fingerprint = random::<16>();
        if !store(SHARED, x.first_seen(&fingerprint, LONG_TTL).await)? {
            return fail(SHARED, "a new fingerprint was not first seen");
        }
        if store(SHARED, y.first_seen(&fingerprint, LONG_TTL).await)? {
            return fail(SHARED, "the other handle did not see a fingerprint");
        }
        let record = sample_records().pop();
        let Some(record) = record else {
            return fail(SHARED, "no sample record");
        };
        let code = random_code();
        store(SHARED, x.insert(&code, &record, LONG_TTL).await)?;
        if y.insert(&code, &record, LONG_TTL).await != Err(StoreError::Duplicate) {
            return fail(SHARED, "the other handle overwrote a live code");
        }
        if store(SHARED, y.take(&code).await)?.is_none() {
            return fail(SHARED, "the other handle did not see a record");
        }
    }
    Ok(())
}

async fn expiry<S: CodeStore + ChallengeLog>(a: &S, b: &S) -> Result<(), Violation> {
    let records = sample_records();
    let Some(record) = records.first() else {
        return fail(EXPIRY, "no sample record");
    };
    let code = random_code();
    let fingerprint = random::<16>();
    store(EXPIRY, a.insert(&code, record, SHORT_TTL).await)?;
    if !store(EXPIRY, a.first_seen(&fingerprint, SHORT_TTL).await)? {
        return fail(EXPIRY, "a new fingerprint was not first seen");
    }
    tokio::time::sleep(SHORT_TTL * 3).await;
    if store(EXPIRY, b.take(&code).await)?.is_some() {
        return fail(EXPIRY, "an expired record was returned");
    }
    if !store(EXPIRY, b.first_seen(&fingerprint, SHORT_TTL).await)? {
        return fail(EXPIRY, "an expired fingerprint still counted as seen");
    }
    Ok(())
}
