//! The embedded store: one process, bounded, O(1) per operation.

mod lanes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use lanes::Lanes;

use crate::{ChallengeLog, CodeRecord, CodeStore, Redeemed, StoreError, code_key};

/// The codes and challenges of one process, in memory.
///
/// - **Bounded.** At most `codes` records and `challenges` fingerprints
///   (plus a per-client counter); past that, [`StoreError::Full`].
///   With an optional [`per_client_quota`](Self::per_client_quota), one
///   client's flood fills its own quota only.
/// - **O(1).** Each call is a hash-map operation plus the eviction of what
///   has expired, popped from the front of insertion-ordered lanes (one
///   per distinct ttl, at most 8 at once: a ninth is [`StoreError::BadTtl`]):
///   nothing scans the live records.
/// - **One process.** Clones share the store; other processes do not see
///   it. Several instances need [`RedisStore`](crate::RedisStore) or
///   [`PostgresStore`](crate::PostgresStore).
///
/// ```
/// use std::time::Duration;
/// use proofkey_store::{ChallengeLog, MemoryStore};
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), proofkey_store::StoreError> {
/// let store = MemoryStore::new(1000, 1000);
/// let window = Duration::from_secs(3600);
/// assert!(store.first_seen(&[1; 16], window).await?);
/// assert!(!store.first_seen(&[1; 16], window).await?); // a reuse
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct MemoryStore {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    /// Each record with its expiry by the wall clock, for `Redeemed`.
    codes: Lanes<[u8; 32], Redeemed>,
    challenges: Lanes<[u8; 16], ()>,
    quota: Option<usize>,
    /// Live codes per client, when there is a quota.
    held: HashMap<String, usize>,
}

impl Inner {
    fn evict(&mut self, now: Instant) {
        let held = &mut self.held;
        self.codes
            .evict(now, |gone| release(held, gone.record.client_id()));
        self.challenges.evict(now, |()| {});
    }
}

fn release(held: &mut HashMap<String, usize>, client: &str) {
    if let Some(n) = held.get_mut(client) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            held.remove(client);
        }
    }
}

impl std::fmt::Debug for MemoryStore {
    /// The live sizes only, never a record.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (inner, _) = self.evicted();
        f.debug_struct("MemoryStore")
            .field("codes", &inner.codes.len())
            .field("challenges", &inner.challenges.len())
            .finish_non_exhaustive()
    }
}

impl MemoryStore {
    /// A store of at most `codes` code records and `challenges` challenge
    /// fingerprints.
    ///
    /// ```
    /// let store = proofkey_store::MemoryStore::new(2, 2);
    /// assert_eq!(format!("{store:?}"), "MemoryStore { codes: 0, challenges: 0, .. }");
    /// ```
    #[must_use]
    pub fn new(codes: usize, challenges: usize) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Inner {
                codes: Lanes::new(codes),
                challenges: Lanes::new(challenges),
                quota: None,
                held: HashMap::new(),
            })),
        }
    }

    /// At most `quota` unexpired codes per client: past that, `insert`
    /// returns [`StoreError::QuotaReached`] until one is taken or expires.
    ///
    /// ```
    /// let store = proofkey_store::MemoryStore::new(1000, 1000).per_client_quota(10);
    /// # drop(store);
    /// ```
    #[must_use]
    pub fn per_client_quota(self, quota: usize) -> Self {
        self.lock().quota = Some(quota);
        self
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave Inner half-updated in a way that
        // breaks the guarantees (each operation is one map change).
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The store, locked, with what expired by now dropped, and now.
    fn evicted(&self) -> (MutexGuard<'_, Inner>, Instant) {
        let mut inner = self.lock();
        // Read under the lock: each lane's expiries then never go back.
        let now = Instant::now();
        inner.evict(now);
        (inner, now)
    }

    /// The live record of `code`, **without consuming it**. For tests and
    /// deliberately broken servers (a check-then-remove redemption) only:
    /// a token endpoint that peeks and then takes redeems a code twice
    /// under concurrency. Use [`CodeStore::take`].
    ///
    /// ```
    /// # use std::time::Duration;
    /// # use proofkey_store::{CodeRecord, CodeStore, MemoryStore, Pkce};
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let store = MemoryStore::new(10, 10);
    /// store.insert("c", &CodeRecord::new("spa", "", Pkce::Unbound)?, Duration::from_secs(60)).await?;
    /// assert!(store.peek("c").is_some());
    /// assert!(store.peek("c").is_some()); // still there
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn peek(&self, code: &str) -> Option<Redeemed> {
        let (inner, _) = self.evicted();
        inner.codes.get(&code_key(code)).map(|e| e.value.clone())
    }
}

impl CodeStore for MemoryStore {
    async fn insert(
        &self,
        code: &str,
        record: &CodeRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let key = code_key(code);
        let (mut inner, now) = self.evicted();
        if inner.codes.get(&key).is_some() {
            return Err(StoreError::Duplicate);
        }
        let client = record.client_id();
        let held = inner.held.get(client).copied().unwrap_or(0);
        if inner.quota.is_some_and(|quota| held >= quota) {
            return Err(StoreError::QuotaReached);
        }
        let redeemed = Redeemed {
            record: record.clone(),
            expires_at: SystemTime::now() + ttl,
        };
        inner.codes.insert(key, redeemed, ttl, now)?;
        if inner.quota.is_some() {
            *inner.held.entry(client.to_owned()).or_insert(0) += 1;
        }
        Ok(())
    }

    async fn take(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let key = code_key(code);
        let (mut inner, _) = self.evicted();
        let Some(entry) = inner.codes.remove(&key) else {
            return Ok(None);
        };
        if inner.quota.is_some() {
            release(&mut inner.held, entry.value.record.client_id());
        }
        // evict(now) dropped everything expired: this one is live.
        Ok(Some(entry.value))
    }
}

impl ChallengeLog for MemoryStore {
    async fn first_seen(&self, fingerprint: &[u8; 16], ttl: Duration) -> Result<bool, StoreError> {
        let (mut inner, now) = self.evicted();
        if inner.challenges.get(fingerprint).is_some() {
            return Ok(false);
        }
        inner.challenges.insert(*fingerprint, (), ttl, now)?;
        Ok(true)
    }
}
