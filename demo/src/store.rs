//! Where codes, quotas and challenge fingerprints live: in this process
//! (the default), or in Redis or PostgreSQL shared by several instances
//! (`--store URL`). See `proofkey_store` for each backend's guarantees.

use std::time::Duration;

use proofkey_store::{
    ChallengeLog, CodeRecord, CodeStore, MemoryStore, PostgresStore, Redeemed, RedisStore,
    StoreError,
};

/// How many codes the in-process store holds at most, whatever the quota.
const MEMORY_CODES: usize = 100_000;
/// How many challenge fingerprints it holds (16 octets each, plus the
/// map): they live an hour, codes ten minutes. Past that, authorization
/// requests with PKCE get `temporarily_unavailable` until some expire.
const MEMORY_CHALLENGES: usize = 100_000;

/// The demo's store: one of the three `proofkey_store` backends.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = demo::Store::connect("redis://127.0.0.1:6379").await?;
/// let app = demo::AuthServer::new(proofkey::Policy::production(), "http://127.0.0.1:8080")
///     .store(store)
///     .reuse_key([7; 32]) // the same secret key on every instance
///     .router();
/// # drop(app); Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub enum Store {
    /// This process only (the default).
    Memory(MemoryStore),
    /// Redis 6.2+ or Valkey, shared.
    Redis(RedisStore),
    /// PostgreSQL, shared.
    Postgres(PostgresStore),
}

/// A `--store` URL that could not be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreUnavailable(pub String);

impl std::fmt::Display for StoreUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreUnavailable {}

impl Store {
    /// Connects to `redis://...` or `postgres://...` (creating the
    /// PostgreSQL schema if missing); `memory` is the in-process store.
    ///
    /// # Errors
    ///
    /// An unknown scheme, or a store that cannot be reached or used.
    pub async fn connect(url: &str) -> Result<Self, StoreUnavailable> {
        let fail = |e: StoreError| StoreUnavailable(format!("store {url:?}: {e}"));
        if url == "memory" {
            Ok(Self::memory())
        } else if url.starts_with("redis://") || url.starts_with("rediss://") {
            Ok(Self::Redis(RedisStore::connect(url).await.map_err(fail)?))
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let store = PostgresStore::connect(url).await.map_err(fail)?;
            store.create_schema().await.map_err(fail)?;
            Ok(Self::Postgres(store))
        } else {
            Err(StoreUnavailable(format!(
                "--store {url:?}: expected memory, redis://... or postgres://..."
            )))
        }
    }

    /// A new in-process store.
    #[must_use]
    pub fn memory() -> Self {
        Self::Memory(MemoryStore::new(MEMORY_CODES, MEMORY_CHALLENGES))
    }

    /// Whether several instances can share it.
    #[must_use]
    pub fn is_shared(&self) -> bool {
        !matches!(self, Self::Memory(_))
    }

    /// The store with a quota of `per_client` live codes per client.
    pub(crate) fn with_quota(self, per_client: usize) -> Self {
        match self {
            Self::Memory(s) => Self::Memory(s.per_client_quota(per_client)),
            Self::Redis(s) => Self::Redis(s.per_client_quota(per_client)),
            Self::Postgres(s) => Self::Postgres(s.per_client_quota(per_client)),
        }
    }

    /// Deletes expired rows (PostgreSQL; the others expire by themselves).
    ///
    /// # Errors
    ///
    /// The store's.
    pub async fn purge_expired(&self) -> Result<(), StoreError> {
        match self {
            Self::Postgres(s) => s.purge_expired().await,
            Self::Memory(_) | Self::Redis(_) => Ok(()),
        }
    }

    /// The live record of `code` without consuming it. For deliberately
    /// broken redemptions (`--weaken concurrent-redemption`) only: a real
    /// token endpoint calls `take`.
    pub(crate) async fn peek(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        match self {
            Self::Memory(s) => Ok(s.peek(code)),
            Self::Redis(s) => s.peek(code).await,
            Self::Postgres(s) => s.peek(code).await,
        }
    }

    /// Stores `record` under `code` again for what is left of its
    /// lifetime (`--weaken` rules that put a code back only).
    pub(crate) async fn put_back(&self, code: &str, redeemed: &Redeemed, record: &CodeRecord) {
        let left = redeemed
            .expires_at
            .duration_since(std::time::SystemTime::now())
            .unwrap_or_default();
        if !left.is_zero() {
            let _ = self.insert(code, record, left).await;
        }
    }
}

impl CodeStore for Store {
    async fn insert(
        &self,
        code: &str,
        record: &CodeRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        match self {
            Self::Memory(s) => s.insert(code, record, ttl).await,
            Self::Redis(s) => s.insert(code, record, ttl).await,
            Self::Postgres(s) => s.insert(code, record, ttl).await,
        }
    }

    async fn take(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        match self {
            Self::Memory(s) => s.take(code).await,
            Self::Redis(s) => s.take(code).await,
            Self::Postgres(s) => s.take(code).await,
        }
    }
}

impl ChallengeLog for Store {
    async fn first_seen(&self, fingerprint: &[u8; 16], ttl: Duration) -> Result<bool, StoreError> {
        match self {
            Self::Memory(s) => s.first_seen(fingerprint, ttl).await,
            Self::Redis(s) => s.first_seen(fingerprint, ttl).await,
            Self::Postgres(s) => s.first_seen(fingerprint, ttl).await,
        }
    }
}
