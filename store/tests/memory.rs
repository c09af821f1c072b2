//! The memory backend: the conformance harness, its bounds, and a broken
//! store the harness must catch (so that a pass means something).

use std::time::Duration;

use proofkey_store::conformance::{self, CONSUME_ONCE};
use proofkey_store::{
    ChallengeLog, CodeRecord, CodeStore, MemoryStore, Pkce, Redeemed, StoreError,
};

const MINUTE: Duration = Duration::from_secs(60);

fn record(client: &str) -> CodeRecord {
    CodeRecord::new(client, "https://c.example/cb", Pkce::Unbound).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_passes_the_conformance_harness() {
    let store = MemoryStore::new(10_000, 10_000);
    conformance::check(&store, &store.clone()).await.unwrap();
}

/// Check-then-remove with a pause between: the race of fosite #778.
#[derive(Clone)]
struct PeekThenTake(MemoryStore);

impl CodeStore for PeekThenTake {
    async fn insert(&self, c: &str, r: &CodeRecord, ttl: Duration) -> Result<(), StoreError> {
        self.0.insert(c, r, ttl).await
    }
    async fn take(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let found = self.0.peek(code);
        tokio::time::sleep(Duration::from_millis(5)).await;
        let _ = self.0.take(code).await?;
        Ok(found)
    }
}

impl ChallengeLog for PeekThenTake {
    async fn first_seen(&self, f: &[u8; 16], ttl: Duration) -> Result<bool, StoreError> {
        self.0.first_seen(f, ttl).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_harness_catches_a_check_then_remove_store() {
    let store = PeekThenTake(MemoryStore::new(1000, 1000));
    let violation = conformance::check(&store, &store.clone())
        .await
        .unwrap_err();
    assert_eq!(violation.check, CONSUME_ONCE, "{violation}");
}

#[tokio::test]
async fn full_is_a_typed_error_and_expiry_frees_the_slots() {
    let store = MemoryStore::new(2, 1);
    let short = Duration::from_millis(100);
    store.insert("a", &record("c"), short).await.unwrap();
    store.insert("b", &record("c"), short).await.unwrap();
    assert_eq!(
        store.insert("x", &record("c"), short).await,
        Err(StoreError::Full)
    );
    assert!(store.first_seen(&[1; 16], short).await.unwrap());
    assert_eq!(
        store.first_seen(&[2; 16], short).await,
        Err(StoreError::Full)
    );
    tokio::time::sleep(short * 2).await;
    store.insert("x", &record("c"), short).await.unwrap();
    assert!(store.first_seen(&[2; 16], short).await.unwrap());
    assert_eq!(store.take("a").await, Ok(None));
}

#[tokio::test]
async fn quota_counts_live_codes_of_one_client_only() {
    let store = MemoryStore::new(100, 100).per_client_quota(2);
    let short = Duration::from_millis(100);
    store.insert("1", &record("flooded"), MINUTE).await.unwrap();
    store.insert("2", &record("flooded"), short).await.unwrap();
    assert_eq!(
        store.insert("3", &record("flooded"), MINUTE).await,
        Err(StoreError::QuotaReached)
    );
    store.insert("4", &record("other"), MINUTE).await.unwrap();
    // A take gives the slot back, and so does expiry.
    assert!(store.take("1").await.unwrap().is_some());
    store.insert("3", &record("flooded"), MINUTE).await.unwrap();
    tokio::time::sleep(short * 2).await;
    store.insert("5", &record("flooded"), MINUTE).await.unwrap();
    assert_eq!(
        store.insert("6", &record("flooded"), MINUTE).await,
        Err(StoreError::QuotaReached)
    );
}

#[tokio::test]
async fn duplicates_zero_ttls_and_a_ninth_distinct_ttl_are_refused() {
    let store = MemoryStore::new(100, 100);
    store.insert("c", &record("a"), MINUTE).await.unwrap();
    assert_eq!(
        store.insert("c", &record("b"), MINUTE).await,
        Err(StoreError::Duplicate)
    );
    assert_eq!(
        store.take("c").await.unwrap().unwrap().record.client_id(),
        "a"
    );
    assert_eq!(
        store.insert("z", &record("a"), Duration::ZERO).await,
        Err(StoreError::BadTtl)
    );
    for secs in 1..=8 {
        let code = format!("t{secs}");
        store
            .insert(&code, &record("a"), Duration::from_secs(secs))
            .await
            .unwrap();
    }
    assert_eq!(
        store
            .insert("t9", &record("a"), Duration::from_secs(9))
            .await,
        Err(StoreError::BadTtl)
    );
    // Records of mixed ttls each expire on time.
    store
        .insert("t1b", &record("a"), Duration::from_secs(1))
        .await
        .unwrap();
    assert!(store.take("t1b").await.unwrap().is_some());
}

#[tokio::test]
async fn mixed_ttls_expire_each_on_time_whatever_the_order() {
    let store = MemoryStore::new(100, 100);
    store.insert("long", &record("a"), MINUTE).await.unwrap();
    store
        .insert("short", &record("a"), Duration::from_millis(50))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(120)).await;
    assert_eq!(
        format!("{store:?}"),
        "MemoryStore { codes: 1, challenges: 0, .. }"
    );
    assert_eq!(store.take("short").await, Ok(None));
    assert!(store.take("long").await.unwrap().is_some());
}
