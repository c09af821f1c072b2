//! When a code stops being redeemable: the one place the token endpoint
//! takes a code out of the store and, under a `--weaken` rule, puts it
//! back. The strict server takes the record out before any check, in one
//! step (`CodeStore::take`: atomic on every backend), so a code is consumed
//! by the first request that names it, whatever the outcome (server guide
//! step 4).

use std::time::Duration;

use proofkey_store::{CodeRecord, CodeStore, Pkce, Redeemed, StoreError};

use crate::{AppState, Weakness};

/// The race window of `--weaken concurrent-redemption`: long enough for
/// simultaneous requests to all see the code before any removes it.
const RACE_WINDOW: Duration = Duration::from_millis(50);

/// Takes the record of `code` out of the store: at once, or under
/// `--weaken concurrent-redemption` by a check, a yield, then a removal
/// (the check-then-act bug of ory/fosite #778).
pub(crate) async fn take(s: &AppState, code: &str) -> Result<Option<Redeemed>, StoreError> {
    if s.settings.weakness != Some(Weakness::ConcurrentRedemption) {
        return s.store.take(code).await;
    }
    let Some(redeemed) = s.store.peek(code).await? else {
        return Ok(None);
    };
    tokio::time::sleep(RACE_WINDOW).await;
    if s.store.take(code).await?.is_none() {
        s.log.line(format_args!(
            "token client={}: code already removed by a concurrent request, redeemed anyway WEAKENED by --weaken concurrent-redemption",
            redeemed.record.client_id()
        ));
    }
    Ok(Some(redeemed))
}

/// After a token was issued for `code`: `--weaken replay` puts the record
/// back as it was, `--weaken replay-without-verifier` without its PKCE
/// binding. Returns the weakness that applied.
pub(crate) async fn after_success(
    s: &AppState,
    code: &str,
    redeemed: &Redeemed,
) -> Option<Weakness> {
    let record = &redeemed.record;
    match s.settings.weakness {
        Some(w @ Weakness::Replay) => {
            s.store.put_back(code, redeemed, record).await;
            Some(w)
        }
        Some(w @ Weakness::ReplayWithoutVerifier) => {
            let unbound = CodeRecord::new(record.client_id(), record.redirect_uri(), Pkce::Unbound)
                .and_then(|r| r.with_app_data(record.app_data().to_vec()));
            if let Ok(unbound) = unbound {
                s.store.put_back(code, redeemed, &unbound).await;
            }
            Some(w)
        }
        _ => None,
    }
}

/// After a refused `code_verifier` for `code`: `--weaken failed-attempt`
/// puts the record back, so the next guess can follow.
pub(crate) async fn after_pkce_failure(s: &AppState, code: &str, redeemed: &Redeemed) {
    if s.settings.weakness == Some(Weakness::FailedAttempt) {
        s.log.line(format_args!(
            "token client={}: code kept after a refused code_verifier WEAKENED by --weaken failed-attempt",
            redeemed.record.client_id()
        ));
        s.store.put_back(code, redeemed, &redeemed.record).await;
    }
}
