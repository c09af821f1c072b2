//! Shared server state for PKCE (RFC 7636) authorization servers: the two
//! pieces of state several instances must agree on.
//!
//! - [`CodeStore`]: each authorization code's [`CodeRecord`] (client,
//!   redirect URI, PKCE binding, opaque data), consumed exactly once by
//!   [`take`](CodeStore::take). RFC 6749 §4.1.2: a code is single-use;
//!   RFC 7636 §4.5: the challenge checked is the one bound to the code.
//! - [`ChallengeLog`]: [`first_seen`](ChallengeLog::first_seen) over
//!   [`proofkey::ReuseGuard::fingerprint`], to refuse a client's repeated
//!   challenge across every instance (RFC 9700 §2.1.1).
//!
//! Backends, each behind a feature: [`MemoryStore`] (`memory`, default:
//! one process), [`RedisStore`] (`redis`: Redis 6.2+, Valkey, Redis
//! Cluster) and [`PostgresStore`] (`postgres`). [`conformance::check`]
//! runs the contract's guarantees against any store, yours included.
//!
//! # The token endpoint, in order
//!
//! 1. `take` the code *before* any other check: whatever the outcome, the
//!    code is consumed (a wrong verifier burns it, as Keycloak does), and
//!    two concurrent requests cannot both pass the checks.
//! 2. Check the client and redirect URI against the record, then the
//!    verifier against [`Pkce::challenge`] with
//!    [`proofkey::Policy::token_params`].
//! 3. Any [`StoreError`] is an error response (503
//!    `temporarily_unavailable`), never a token.
//!
//! ```
//! use std::time::Duration;
//! use proofkey::CodeVerifier;
//! use proofkey_store::{CodeRecord, CodeStore, MemoryStore, Pkce};
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = MemoryStore::new(10_000, 10_000);
//! let verifier = CodeVerifier::from_random_bytes(&[7; 32]);
//! let record = CodeRecord::new("spa", "http://127.0.0.1:9000/cb", Pkce::Bound(verifier.challenge()))?;
//! store.insert("the-code", &record, Duration::from_secs(600)).await?;
//!
//! let redeemed = store.take("the-code").await?.expect("live");
//! assert_eq!(redeemed.record, record);
//! assert!(store.take("the-code").await?.is_none()); // consumed
//! # Ok(()) }
//! ```

mod encoding;
mod error;
mod record;

pub mod conformance;
#[cfg(feature = "memory")]
mod memory;
#[cfg(feature = "postgres")]
mod postgres;
#[cfg(feature = "redis")]
mod redis;

use std::future::Future;
use std::time::Duration;

use sha2::{Digest, Sha256};

pub use error::StoreError;
#[cfg(feature = "memory")]
pub use memory::MemoryStore;
#[cfg(feature = "postgres")]
pub use postgres::{PostgresStore, SCHEMA};
pub use record::{
    CodeRecord, MAX_APP_DATA, MAX_CLIENT_ID, MAX_REDIRECT_URI, Pkce, RecordError, Redeemed,
};
#[cfg(feature = "redis")]
pub use redis::RedisStore;

/// How long one Redis or PostgreSQL operation may take, reconnection
/// included, before it fails with [`StoreError::Unavailable`] (each store's
/// `timeout` changes it).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

/// A store of authorization codes, each consumed at most once.
///
/// # Guarantees
///
/// - **Consume once.** Of any number of concurrent `take`s of one code, on
///   any number of handles and instances sharing the backend, at most one
///   returns the record; later ones return `Ok(None)`.
/// - **Expiry.** A record is never returned once its `ttl` has passed
///   (by the backend's clock).
/// - **Missing is not "no PKCE".** An unknown, expired or consumed code is
///   `Ok(None)`; a code issued without PKCE is a record with
///   [`Pkce::Unbound`]. A record that does not decode is
///   [`StoreError::Corrupt`], never a record.
/// - **At rest.** Records are keyed by SHA-256 of the code: the store
///   never holds a code, only the hash. (A plain challenge *is* a
///   verifier and is stored, as the token endpoint needs it: prefer S256.)
///
/// The futures are `Send`, so that axum handlers can await them.
pub trait CodeStore: Send + Sync {
    /// Stores `record` under `code` for `ttl`.
    ///
    /// # Errors
    ///
    /// [`StoreError::Duplicate`] if a live record has this code,
    /// [`StoreError::QuotaReached`] if the store has a per-client quota and
    /// the client holds it, [`StoreError::Full`], [`StoreError::BadTtl`],
    /// or a backend failure. Nothing is stored on error.
    fn insert(
        &self,
        code: &str,
        record: &CodeRecord,
        ttl: Duration,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes and returns the live record of `code`, atomically.
    ///
    /// # Errors
    ///
    /// A backend failure ([`StoreError::Unavailable`],
    /// [`StoreError::Refused`]) or [`StoreError::Corrupt`]; the code may
    /// have been consumed all the same, never returned twice.
    fn take(&self, code: &str)
    -> impl Future<Output = Result<Option<Redeemed>, StoreError>> + Send;
}

/// A log of challenge fingerprints, shared by every instance.
///
/// # Guarantee
///
/// Of any number of concurrent `first_seen` calls with one fingerprint,
/// exactly one returns `true` until `ttl` has passed since it; after that
/// the next call returns `true` again. Use the fingerprints of one
/// [`proofkey::ReuseGuard`] key on every instance.
pub trait ChallengeLog: Send + Sync {
    /// Records `fingerprint` for `ttl` if it is not live: `true` if it
    /// was not (a first use), `false` if it was (a reuse: answer
    /// [`proofkey::AuthorizeError::ChallengeReused`]).
    ///
    /// # Errors
    ///
    /// [`StoreError::Full`], [`StoreError::BadTtl`] or a backend failure:
    /// refuse the authorization request (`temporarily_unavailable`).
    fn first_seen(
        &self,
        fingerprint: &[u8; 16],
        ttl: Duration,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// SHA-256 of the code: the only form of it a store keeps.
#[cfg_attr(
    not(any(feature = "memory", feature = "redis", feature = "postgres")),
    allow(dead_code)
)]
pub(crate) fn code_key(code: &str) -> [u8; 32] {
    Sha256::digest(code.as_bytes()).into()
}

/// A record's lifetime in whole milliseconds, as the backends take it:
/// [`StoreError::BadTtl`] when it is zero or does not fit an `i64` (the
/// widest that both Redis `PX` and PostgreSQL's `bigint` accept).
#[cfg_attr(not(any(feature = "redis", feature = "postgres")), allow(dead_code))]
pub(crate) fn ttl_millis(ttl: std::time::Duration) -> Result<i64, StoreError> {
    match i64::try_from(ttl.as_millis()) {
        Ok(ms) if ms > 0 => Ok(ms),
        _ => Err(StoreError::BadTtl),
    }
}

/// Lower-case hex, for keys.
#[cfg_attr(not(any(feature = "redis", feature = "memory")), allow(dead_code))]
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}
