//! Redis (6.2 or later), Valkey, Redis Cluster: one key per command.

use std::sync::LazyLock;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, Script};

use crate::encoding::{self, MAX_ENCODED};
use crate::{
    ChallengeLog, CodeRecord, CodeStore, DEFAULT_TIMEOUT, Redeemed, StoreError, code_key, hex,
};

/// Records the code in the client's quota set, if the client holds fewer
/// than ARGV[1] live codes: one key, atomic (scripts run alone), the
/// server's clock.
static QUOTA: LazyLock<Script> = LazyLock::new(|| {
    Script::new(
        r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 1
",
    )
});

/// A store on Redis, through the `redis` crate's [`ConnectionManager`]
/// (one multiplexed connection, reconnected on failure). Clones share it.
///
/// - `take` is one `GETDEL` (Redis 6.2+): the server removes and returns
///   the value in one step, so of concurrent `take`s exactly one gets it.
/// - `insert` is `SET key value PX ttl NX`; `first_seen` is
///   `SET key 1 PX ttl NX`. Redis expires the keys itself.
/// - With [`per_client_quota`](Self::per_client_quota), `insert` first
///   runs a one-key script on the client's quota set, and `take` removes
///   the code from it afterwards without waiting for the answer.
///
/// Every command names one key, so the same code runs unchanged on Redis
/// Cluster and on Valkey. Keys are `<prefix>c:<hex SHA-256 of the code>`,
/// `<prefix>f:<hex fingerprint>` and `<prefix>q:<client id>`; the prefix
/// is `proofkey:` unless set. Every operation gives up after a timeout
/// ([`DEFAULT_TIMEOUT`]) with [`StoreError::Unavailable`].
///
/// ```no_run
/// use std::time::Duration;
/// # async fn run() -> Result<(), proofkey_store::StoreError> {
/// let store = proofkey_store::RedisStore::connect("redis://127.0.0.1:6379")
///     .await?
///     .prefix("myapp:pkce:")
///     .per_client_quota(1000)
///     .timeout(Duration::from_millis(500));
/// store.ping().await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    prefix: String,
    quota: Option<usize>,
    timeout: Duration,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

fn failed(e: &RedisError) -> StoreError {
    if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() {
        StoreError::Unavailable
    } else {
        StoreError::Refused
    }
}

impl RedisStore {
    /// Connects to `url` (`redis://host:port/db`, `rediss://` with TLS
    /// where the `redis` crate is built with it).
    ///
    /// # Errors
    ///
    /// [`StoreError::Unavailable`] if the server cannot be reached,
    /// [`StoreError::Refused`] for a URL it cannot use.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let client = redis::Client::open(url).map_err(|e| failed(&e))?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(1);
        let conn = tokio::time::timeout(
            DEFAULT_TIMEOUT,
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| StoreError::Unavailable)?
        .map_err(|e| failed(&e))?;
        Ok(Self {
            conn,
            prefix: "proofkey:".to_owned(),
            quota: None,
            timeout: DEFAULT_TIMEOUT,
        })
    }

    /// Puts every key under `prefix` instead of `proofkey:`.
    #[must_use]
    pub fn prefix(self, prefix: &str) -> Self {
        Self {
            prefix: prefix.to_owned(),
            ..self
        }
    }

    /// At most `quota` live codes per client: past that, `insert` returns
    /// [`StoreError::QuotaReached`].
    #[must_use]
    pub fn per_client_quota(self, quota: usize) -> Self {
        Self {
            quota: Some(quota),
            ..self
        }
    }

    /// How long one operation may take before [`StoreError::Unavailable`].
    #[must_use]
    pub fn timeout(self, timeout: Duration) -> Self {
        Self { timeout, ..self }
    }

    /// One `PING`: the backend's own round trip, for benchmarks.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(redis::cmd("PING"), |_: String| ()).await
    }

    async fn run<T: redis::FromRedisValue, U>(
        &self,
        cmd: redis::Cmd,
        then: impl FnOnce(T) -> U,
    ) -> Result<U, StoreError> {
        let mut conn = self.conn.clone();
        match tokio::time::timeout(self.timeout, cmd.query_async::<T>(&mut conn)).await {
            Err(_) => Err(StoreError::Unavailable),
            Ok(Err(e)) => Err(failed(&e)),
            Ok(Ok(v)) => Ok(then(v)),
        }
    }

    fn code_key(&self, code: &str) -> String {
        format!("{}c:{}", self.prefix, hex(&code_key(code)))
    }

    fn quota_key(&self, client_id: &str) -> String {
        format!("{}q:{client_id}", self.prefix)
    }

    async fn reserve(&self, client: &str, member: &str, ms: i64) -> Result<(), StoreError> {
        let Some(quota) = self.quota else {
            return Ok(());
        };
        let mut conn = self.conn.clone();
        let key = self.quota_key(client);
        let mut call = QUOTA.key(key);
        call.arg(quota).arg(ms).arg(member);
        match tokio::time::timeout(self.timeout, call.invoke_async::<i64>(&mut conn)).await {
            Err(_) => Err(StoreError::Unavailable),
            Ok(Err(e)) => Err(failed(&e)),
            Ok(Ok(1)) => Ok(()),
            Ok(Ok(_)) => Err(StoreError::QuotaReached),
        }
    }

    /// Removes `member` from the client's quota set, without waiting.
    fn release(&self, client: &str, member: String) {
        if self.quota.is_none() {
            return;
        }
        let mut conn = self.conn.clone();
        let mut cmd = redis::cmd("ZREM");
        cmd.arg(self.quota_key(client)).arg(member);
        // If this is lost, the entry still leaves the set when it expires.
        tokio::spawn(async move {
            let _ = cmd.query_async::<i64>(&mut conn).await;
        });
    }
}

impl RedisStore {
    /// The live record of `code`, **without consuming it** (`GET`). For
    /// tests and deliberately broken servers only: a token endpoint that
    /// reads and then deletes redeems a code twice under concurrency.
    ///
    /// # Errors
    ///
    /// A backend failure, or [`StoreError::Corrupt`].
    pub async fn peek(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let mut cmd = redis::cmd("GET");
        cmd.arg(self.code_key(code));
        match self.run(cmd, |v: Option<Vec<u8>>| v).await? {
            None => Ok(None),
            Some(bytes) => encoding::decode(&bytes)
                .map(Some)
                .map_err(|_| StoreError::Corrupt),
        }
    }
}

impl CodeStore for RedisStore {
    async fn insert(
        &self,
        code: &str,
        record: &CodeRecord,
        ttl: Duration,
    ) -> Result<(), StoreError> {
        let ms = crate::ttl_millis(ttl)?;
        let bytes = encoding::encode_for(record, ttl)?;
        let key = self.code_key(code);
        let member = hex(&code_key(code));
        self.reserve(record.client_id(), &member, ms).await?;
        let mut cmd = redis::cmd("SET");
        cmd.arg(&key).arg(bytes).arg("PX").arg(ms).arg("NX");
        let set = self.run(cmd, |ok: Option<String>| ok.is_some()).await;
        if set != Ok(true) {
            self.release(record.client_id(), member);
        }
        match set {
            Ok(true) => Ok(()),
            Ok(false) => Err(StoreError::Duplicate),
            Err(e) => Err(e),
        }
    }

    async fn take(&self, code: &str) -> Result<Option<Redeemed>, StoreError> {
        let mut cmd = redis::cmd("GETDEL");
        cmd.arg(self.code_key(code));
        let Some(bytes) = self.run(cmd, |v: Option<Vec<u8>>| v).await? else {
            return Ok(None);
        };
        if bytes.len() > MAX_ENCODED {
            return Err(StoreError::Corrupt);
        }
        let redeemed = encoding::decode(&bytes).map_err(|_| StoreError::Corrupt)?;
        self.release(redeemed.record.client_id(), hex(&code_key(code)));
        Ok(Some(redeemed))
    }
}

impl ChallengeLog for RedisStore {
    async fn first_seen(&self, fingerprint: &[u8; 16], ttl: Duration) -> Result<bool, StoreError> {
        let mut cmd = redis::cmd("SET");
        cmd.arg(format!("{}f:{}", self.prefix, hex(fingerprint)))
            .arg(1)
            .arg("PX")
            .arg(crate::ttl_millis(ttl)?)
            .arg("NX");
        self.run(cmd, |ok: Option<String>| ok.is_some()).await
    }
}
