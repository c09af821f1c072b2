//! When a code stops being redeemable: the one place the token endpoint
//! takes a code out of the store and, under a `--weaken` rule, puts it
//! back. The strict server takes the record out before any check, in one
//! step, so a code is consumed by the first request that names it,
//! whatever the outcome (server guide step 4).

use std::time::Duration;

use crate::codes::CodeRecord;
use crate::{AppState, Weakness};

/// The race window of `--weaken concurrent-redemption`: long enough for
/// simultaneous requests to all see the code before any removes it.
const RACE_WINDOW: Duration = Duration::from_millis(50);

/// Takes the record of `code` out of the store: at once, or under
/// `--weaken concurrent-redemption` by a check, a yield, then a removal
/// (the check-then-act bug of ory/fosite #778).
pub(crate) async fn take(s: &AppState, code: &str) -> Option<CodeRecord> {
    if s.settings.weakness != Some(Weakness::ConcurrentRedemption) {
        return s.codes.take(code);
    }
    let record = s.codes.peek(code)?;
    tokio::time::sleep(RACE_WINDOW).await;
    if s.codes.take(code).is_none() {
        s.log.line(format_args!(
            "token client={}: code already removed by a concurrent request, redeemed anyway WEAKENED by --weaken concurrent-redemption",
            record.client_id
        ));
    }
    Some(record)
}

/// After a token was issued for `code`: `--weaken replay` puts the record
/// back as it was, `--weaken replay-without-verifier` without its PKCE
/// binding. Returns the weakness that applied.
pub(crate) fn after_success(s: &AppState, code: &str, record: CodeRecord) -> Option<Weakness> {
    match s.settings.weakness {
        Some(w @ Weakness::Replay) => {
            s.codes.put_back(code.to_owned(), record);
            Some(w)
        }
        Some(w @ Weakness::ReplayWithoutVerifier) => {
            let unbound = CodeRecord {
                challenge: None,
                ..record
            };
            s.codes.put_back(code.to_owned(), unbound);
            Some(w)
        }
        _ => None,
    }
}

/// After a refused `code_verifier` for `code`: `--weaken failed-attempt`
/// puts the record back, so the next guess can follow.
pub(crate) fn after_pkce_failure(s: &AppState, code: &str, record: CodeRecord) {
    if s.settings.weakness == Some(Weakness::FailedAttempt) {
        s.log.line(format_args!(
            "token client={}: code kept after a refused code_verifier WEAKENED by --weaken failed-attempt",
            record.client_id
        ));
        s.codes.put_back(code.to_owned(), record);
    }
}
