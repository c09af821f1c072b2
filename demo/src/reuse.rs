//! The refusal of a client's repeated challenge (RFC 9700 §2.1.1): a
//! keyed [`ReuseGuard::fingerprint`] of (client, verifier), recorded in the
//! store's challenge log, shared by every instance on a shared store.

use std::sync::OnceLock;

use proofkey::{AuthorizeError, CodeChallenge, ReuseGuard};
use proofkey_store::{ChallengeLog, StoreError};

use crate::CHALLENGE_REUSE_WINDOW;
use crate::store::Store;

/// The fingerprint key, never shown in `Debug`.
#[derive(Clone, Copy)]
pub(crate) struct Key(pub(crate) [u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

pub(crate) struct Reuse {
    /// The fingerprint key: configured (the same on every instance), or
    /// drawn from the OS on first use, so that a failing RNG is a
    /// `server_error`, as for codes.
    key: Option<Key>,
    guard: OnceLock<ReuseGuard<1>>,
}

/// Why a challenge could not be checked.
pub(crate) enum Unchecked {
    NoRandomness,
    Store(StoreError),
}

impl Reuse {
    pub(crate) fn new(key: Option<Key>) -> Self {
        Self {
            key,
            guard: OnceLock::new(),
        }
    }

    fn guard(&self) -> Result<&ReuseGuard<1>, getrandom::Error> {
        if let Some(guard) = self.guard.get() {
            return Ok(guard);
        }
        let key = match self.key {
            Some(Key(key)) => key,
            None => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)?;
                key
            }
        };
        // Two first uses at once: one key wins, and both use it.
        Ok(self
            .guard
            .get_or_init(|| ReuseGuard::new(key, CHALLENGE_REUSE_WINDOW.as_secs())))
    }

    /// Records (client, challenge) in the store's log; `Ok(Err(_))` if it
    /// is there already (a reuse within the window).
    pub(crate) async fn check(
        &self,
        store: &Store,
        client_id: &str,
        challenge: &CodeChallenge,
    ) -> Result<Result<(), AuthorizeError>, Unchecked> {
        let fingerprint = self
            .guard()
            .map_err(|_| Unchecked::NoRandomness)?
            .fingerprint(client_id, challenge);
        match store.first_seen(&fingerprint, CHALLENGE_REUSE_WINDOW).await {
            Ok(true) => Ok(Ok(())),
            Ok(false) => Ok(Err(AuthorizeError::ChallengeReused)),
            Err(e) => Err(Unchecked::Store(e)),
        }
    }
}
