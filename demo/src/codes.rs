//! The authorization codes in flight, with a quota per client.
//!
//! Memory is bounded by (registered clients) × (quota per client) records:
//! with the two clients and [`DEFAULT_CODES_PER_CLIENT`](crate::DEFAULT_CODES_PER_CLIENT),
//! 2 × 1000 records of a few hundred bytes each. A flood of authorization
//! requests for one client fills that client's quota only: the others
//! still get codes. (The flooded client itself is locked out until its
//! codes are redeemed or expire: its requests are unauthenticated, so no
//! quota can tell the flood from the client.)

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use proofkey::ChallengeMethod;

/// Everything the token endpoint needs about a code, stored in one record
/// (server guide step 2): the PKCE binding is never looked up elsewhere.
#[derive(Clone)]
pub(crate) struct CodeRecord {
    pub(crate) client_id: &'static str,
    pub(crate) redirect_uri: String,
    /// `Some((challenge value, method))`, or `None` for "no PKCE".
    pub(crate) challenge: Option<(String, ChallengeMethod)>,
    /// The `resource` of the authorization request (RFC 8707), if any.
    pub(crate) resource: Option<String>,
    pub(crate) expires_at: Instant,
}

/// The client already holds its quota of unexpired codes.
#[derive(Debug)]
pub(crate) struct QuotaReached;

pub(crate) struct CodeStore {
    codes: Mutex<HashMap<String, CodeRecord>>,
    per_client: usize,
}

impl CodeStore {
    /// A store that holds at most `per_client` unexpired codes per client.
    pub(crate) fn new(per_client: usize) -> Self {
        Self {
            codes: Mutex::new(HashMap::new()),
            per_client,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, CodeRecord>> {
        self.codes.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `record` under `code`, unless its client is at its quota.
    /// Expired codes are dropped first, so they never count.
    pub(crate) fn insert(&self, code: String, record: CodeRecord) -> Result<(), QuotaReached> {
        let now = Instant::now();
        let mut codes = self.lock();
        codes.retain(|_, r| r.expires_at > now);
        let held = codes
            .values()
            .filter(|r| r.client_id == record.client_id)
            .count();
        if held >= self.per_client {
            return Err(QuotaReached);
        }
        codes.insert(code, record);
        Ok(())
    }

    /// Takes the record out: the code is consumed by the request that
    /// takes it, whatever the outcome (server guide step 4).
    pub(crate) fn take(&self, code: &str) -> Option<CodeRecord> {
        self.lock().remove(code)
    }

    /// Puts a redeemed code back (`--weaken replay` only). Not subject to
    /// the quota: the slot was the code's a moment ago.
    pub(crate) fn put_back(&self, code: String, record: CodeRecord) {
        self.lock().insert(code, record);
    }
}

/// 32 random octets, base64url: 256 bits, for codes and access tokens.
pub(crate) fn random_token() -> Result<String, getrandom::Error> {
    let mut octets = [0u8; 32];
    getrandom::fill(&mut octets)?;
    Ok(URL_SAFE_NO_PAD.encode(octets))
}
