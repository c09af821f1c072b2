//! The refusal of a client's repeated challenge (RFC 9700 §2.1.1), by a
//! [`ReuseGuard`] keyed with OS randomness on first use.

use std::sync::{Mutex, PoisonError};
use std::time::Instant;

use proofkey::{AuthorizeError, CodeChallenge, ReuseGuard};

use crate::CHALLENGE_REUSE_WINDOW;

/// Slots of the reuse guard: 96 KiB, several times the pairs a demo sees
/// in an hour. Past that, the oldest pairs are forgotten first.
const REUSE_CAPACITY: usize = 4096;

pub(crate) struct Reuse {
    /// Keyed on first use, so that a failing RNG is a `server_error`, as for codes.
    guard: Mutex<Option<ReuseGuard<REUSE_CAPACITY>>>,
    /// The guard's clock: seconds since start-up, monotonic.
    started: Instant,
}

impl Reuse {
    pub(crate) fn new() -> Self {
        Self {
            guard: Mutex::new(None),
            started: Instant::now(),
        }
    }

    /// [`ReuseGuard::check_and_record`] for a challenge the policy
    /// accepted; `Err` only if the guard could not be keyed.
    pub(crate) fn check(
        &self,
        client_id: &str,
        challenge: &CodeChallenge,
    ) -> Result<Result<(), AuthorizeError>, getrandom::Error> {
        let mut slot = self.guard.lock().unwrap_or_else(PoisonError::into_inner);
        let guard = match &mut *slot {
            Some(guard) => guard,
            None => {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key)?;
                slot.insert(ReuseGuard::new(key, CHALLENGE_REUSE_WINDOW.as_secs()))
            }
        };
        let now = self.started.elapsed().as_secs();
        Ok(guard.check_and_record(client_id, challenge, now))
    }
}
