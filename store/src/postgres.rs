//! PostgreSQL: `DELETE ... RETURNING` is the commit point of a redemption.

use std::time::Duration;

use deadpool_postgres::{
    Config, ManagerConfig, Pool, PoolConfig, RecyclingMethod, Runtime, Timeouts,
};
use tokio_postgres::NoTls;

use crate::encoding::{self, MAX_ENCODED};
use crate::{ChallengeLog, CodeRecord, CodeStore, DEFAULT_TIMEOUT, Redeemed, StoreError, code_key};

/// The schema: two tables and the insert function. Idempotent; run it once
/// per database with [`PostgresStore::create_schema`] or your migrations.
pub const SCHEMA: &str = include_str!("postgres/schema.sql");

const TAKE: &str = "DELETE FROM proofkey_codes WHERE code_hash = $1 AND expires_at > now() \
                    RETURNING record";
const PEEK: &str = "SELECT record FROM proofkey_codes WHERE code_hash = $1 AND expires_at > now()";
const INSERT: &str = "SELECT proofkey_insert_code($1, $2, $3, $4, $5)";
const FIRST_SEEN: &str = "INSERT INTO proofkey_challenges (fingerprint, expires_at) \
     VALUES ($1, now() + $2::bigint * interval '1 millisecond') \
     ON CONFLICT (fingerprint) DO UPDATE SET expires_at = EXCLUDED.expires_at \
     WHERE proofkey_challenges.expires_at <= now()";
const PURGE: &str = "WITH c AS (DELETE FROM proofkey_codes WHERE expires_at <= now()) \
                     DELETE FROM proofkey_challenges WHERE expires_at <= now()";

/// A store on PostgreSQL, through a `deadpool-postgres` pool of
/// `tokio-postgres` connections. Clones share the pool.
///
/// - `take` is one statement,
///   `DELETE FROM proofkey_codes WHERE code_hash = $1 AND expires_at > now() RETURNING record`:
///   the row lock makes concurrent deletes of one row wait for the first,
///   which removes it, so exactly one gets the record.
/// - `first_seen` is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE
///   expires_at <= now()`: a row is inserted, or an expired one replaced,
///   atomically; one affected row is a first use.
/// - `insert` calls `proofkey_insert_code` (see [`SCHEMA`]), which counts
///   the client's quota under an advisory lock.
///
/// The database's clock (`now()`) decides expiry. Expired rows are never
/// returned; [`purge_expired`](Self::purge_expired) deletes them (run it
/// now and then). Every operation gives up after a timeout with
/// [`StoreError::Unavailable`].
///
/// ```no_run
/// use std::time::Duration;
/// # async fn run() -> Result<(), proofkey_store::StoreError> {
/// let store = proofkey_store::PostgresStore::connect("postgres://app@db.internal/app")
///     .await?
///     .per_client_quota(1000)
///     .timeout(Duration::from_millis(500));
/// store.create_schema().await?; // once; idempotent
/// store.ping().await?;
/// // now and then, e.g. every minute:
/// store.purge_expired().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    quota: Option<i32>,
    timeout: Duration,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

/// No answer, or the server saying it cannot serve now (SQLSTATE classes
/// 08 connection exception, 53 insufficient resources, 57 operator
/// intervention: shutting down, starting up) is `Unavailable`; any other
/// error from the server (a missing table, a permission) is `Refused`.
fn failed(e: &tokio_postgres::Error) -> StoreError {
    match e.code().map(tokio_postgres::error::SqlState::code) {
        Some(code)
            if !["08", "53", "57"]
                .iter()
                .any(|class| code.starts_with(class)) =>
        {
            StoreError::Refused
        }
        _ => StoreError::Unavailable,
    }
}

impl PostgresStore {
    /// A pool of up to 32 connections to `url`
    /// (`postgres://user:password@host:port/database`, without TLS); one is
    /// opened now to check the URL.
    ///
    /// # Errors
    ///
    /// [`StoreError::Refused`] for a URL that does not parse or a server
    /// that refuses the login, [`StoreError::Unavailable`] if it cannot be
    /// reached.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let mut config = Config::new();
        config.url = Some(url.to_owned());
        config.manager = Some(ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        });
        let timeouts = Timeouts {
            wait: Some(DEFAULT_TIMEOUT),
            create: Some(DEFAULT_TIMEOUT),
            recycle: Some(DEFAULT_TIMEOUT),
        };
        let mut pool = PoolConfig::new(32);
        pool.timeouts = timeouts;
        config.pool = Some(pool);
        let pool = config
            .create_pool(Some(Runtime::Tokio1), NoTls)
            .map_err(|_| StoreError::Refused)?;
        let store = Self {
            pool,
            quota: None,
            timeout: DEFAULT_TIMEOUT,
        };
        store.ping().await?;
        Ok(store)
    }

    /// At most `quota` live codes per client: past that, `insert` returns
    /// [`StoreError::QuotaReached`].
    #[must_use]
    pub fn per_client_quota(self, quota: usize) -> Self {
        Self {
            quota: Some(i32::try_from(quota).unwrap_or(i32::MAX)),
            ..self
        }
    }

    /// How long one operation may take before [`StoreError::Unavailable`].
    #[must_use]
    pub fn timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// Runs [`SCHEMA`] (idempotent).
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub async fn create_schema(&self) -> Result<(), StoreError> {
        self.with(async |c| c.batch_execute(SCHEMA).await).await
    }

    /// Deletes every expired code and fingerprint; returns nothing.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub async fn purge_expired(&self) -> Result<(), StoreError> {
        self.with(async |c| c.execute(PURGE, &[]).await.map(drop))
            .await
    }

    /// One `SELECT 1`: the backend's own round trip, for benchmarks.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.with(async |c| {
            let st = c.prepare_cached("SELECT 1").await?;
            c.query_one(&st, &[]).await.map(drop)
        })
        .await
    }

    /// Runs `f` on a pooled connection within the timeout.
    async fn with<T>(
        &self,
        f: impl AsyncFnOnce(&deadpool_postgres::Object) -> Result<T, tokio_postgres::Error>,
    ) -> Result<T, StoreError> {
        let run = async {
            let client = self.pool.get().await.map_err(|e| match e {
                deadpool_postgres::PoolError::Backend(e) => failed(&e),
                _ => StoreError::Unavailable,
            })?;
            f(&client).await.map_err(|e| failed(&e))
        };
        tokio::time::timeout(self.timeout, run)
            .await
            .unwrap_or(Err(StoreError::Unavailable))
    }
}

impl PostgresStore {
    /// The live record of `code`, **without consuming it** (`SELECT`).
    /// For tests and deliberately broken servers only: a token endpoint
    /// that reads and then deletes redeems a code twice under concurrency.
    ///
    /// # Errors
    ///
    /// A backend failure, or [`StoreError::Corrupt`].
    pub async fn peek(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let hash = code_key(code);
        let row = self
            .with(async |c| {
                let st = c.prepare_cached(PEEK).await?;
                c.query_opt(&st, &[&&hash[..]]).await
            })
            .await?;
        row.map(|row| decode_row(&row)).transpose()
    }
}

/// The record in column 0 of `row`.
fn decode_row(row: &tokio_postgres::Row) -> Result<Redeemed, StoreError> {
    let bytes: &[u8] = row.try_get(0).map_err(|_| StoreError::Corrupt)?;
    if bytes.len() > MAX_ENCODED {
        return Err(StoreError::Corrupt);
    }
    encoding::decode(bytes).map_err(|_| StoreError::Corrupt)
}

impl CodeStore for PostgresStore {
    async fn insert(
        &self,
        code: &str,
        record: &CodeRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let ms = crate::ttl_millis(ttl)?;
        let bytes = encoding::encode_for(record, ttl)?;
        let hash = code_key(code);
        let client = record.client_id();
        let quota = self.quota;
        let outcome: i32 = self
            .with(async |c| {
                let st = c.prepare_cached(INSERT).await?;
                let row = c
                    .query_one(&st, &[&&hash[..], &client, &ms, &bytes, &quota])
                    .await?;
                row.try_get(0)
            })
            .await?;
        match outcome {
            0 => Ok(()),
            1 => Err(StoreError::QuotaReached),
            _ => Err(StoreError::Duplicate),
        }
    }

    async fn take(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let hash = code_key(code);
        let row = self
            .with(async |c| {
                let st = c.prepare_cached(TAKE).await?;
                c.query_opt(&st, &[&&hash[..]]).await
            })
            .await?;
        row.map(|row| decode_row(&row)).transpose()
    }
}

impl ChallengeLog for PostgresStore {
    async fn first_seen(&self, fingerprint: &[u8; 16], ttl: Duration) -> Result<bool, StoreError> {
        let ms = crate::ttl_millis(ttl)?;
        let rows = self
            .with(async |c| {
                let st = c.prepare_cached(FIRST_SEEN).await?;
                c.execute(&st, &[&&fingerprint[..], &ms]).await
            })
            .await?;
        Ok(rows == 1)
    }
}
